"""core/locking: the allocation lock, and on PostgreSQL the BEGIN sent with it."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from entracte.core import locking

pytestmark = pytest.mark.django_db(transaction=True)


def _held_by_me() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("first", [True, False], ids=["lock_opens_the_transaction", "transaction_already_open"])
def test_the_lock_is_held_until_the_transaction_ends_and_its_writes_roll_back(first):
    """The lock sent with BEGIN (the transaction's first statement) or alone (after another
    statement): either way it is held until the transaction ends, and the transaction is one
    (a write before the failure rolls back with it)."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite's write lock serialises writers")
    from entracte.customers.models import Contact

    with pytest.raises(RuntimeError), CaptureQueriesContext(connection) as sent, transaction.atomic():
        if not first:
            Contact.objects.create(email="before@example.org")
        locking.advisory_lock("test", 1)
        assert _held_by_me() == 1
        # One round trip for BEGIN and the lock, when the lock is the first statement.
        assert any(q["sql"].startswith("BEGIN; SELECT pg_advisory_xact_lock") for q in sent.captured_queries) == first
        Contact.objects.create(email="after@example.org")
        raise RuntimeError("roll back")
    assert _held_by_me() == 0
    assert not Contact.objects.exists()
    with transaction.atomic():
        locking.advisory_lock("test", 1)
        Contact.objects.create(email="kept@example.org")
    assert _held_by_me() == 0 and Contact.objects.filter(email="kept@example.org").exists()


def test_the_lock_needs_a_transaction():
    with pytest.raises(RuntimeError):
        locking.advisory_lock("test", 2)
