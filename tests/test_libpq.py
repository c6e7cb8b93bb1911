"""core/libpq.py: the hot path's prepared statements run on libpq directly (PostgreSQL only)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from entracte.core import libpq, rawsql

from .conftest import requires_postgres

pytestmark = requires_postgres

MANY_TYPES = """
    SELECT CAST(%s AS integer), CAST(%s AS bigint), CAST(%s AS numeric(10, 2)), CAST(%s AS varchar), CAST(%s AS text),
           CAST(%s AS boolean), CAST(%s AS timestamptz), CAST(%s AS date), CAST(%s AS jsonb), CAST(%s AS json),
           CAST(%s AS inet), CAST(%s AS bigint[]), CAST(%s AS integer), ARRAY[CAST(%s AS timestamptz)]
"""
MANY_VALUES = [7, 2**40, "12.30", "Réduit", "l'été", True, "2026-11-24 10:00:00.5+01", "2026-11-24", '{"a": [1, 2]}',
               '{"b": null}', "192.168.0.1", [1, 2, 3], None, "2027-01-01 00:00:00+00"]


def _server_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE '\\_entracte\\_%%'")
        return [row[0] for row in cursor.fetchall()]


def test_prepared_rows_are_the_rows_a_django_cursor_reads(db):
    """Same values and same Python types (Django reads jsonb and inet as text: so do we)."""
    with connection.cursor() as cursor:
        cursor.execute(MANY_TYPES, MANY_VALUES)
        expected = cursor.fetchall()
    for _ in range(3):
        rows = rawsql.fetch(MANY_TYPES, MANY_VALUES, prepare=True)
        assert rows == expected
        assert [type(v) for v in rows[0]] == [type(v) for v in expected[0]]
        assert rows[0][6].tzinfo == expected[0][6].tzinfo


def test_a_statement_is_prepared_once_per_connection(db):
    sql = "SELECT count(*) AS prepared_once FROM inventory_performanceseat WHERE performance_id = %s"
    before = len(_server_statements())
    for pk in (1, 2, 3):
        assert rawsql.fetch(sql, [pk], prepare=True) == [(0,)]
    statements = _server_statements()
    assert len(statements) == before + 1
    assert sum("prepared_once" in text for text in statements) == 1


def test_a_write_gives_the_rows_it_changed(perf):
    sql = "UPDATE inventory_performanceseat SET state = %s WHERE performance_id = %s AND state = %s"
    free = perf.inventory.filter(state="free").count()
    assert rawsql.execute(sql, ["blocked", perf.pk, "free"], prepare=True) == free > 0
    assert rawsql.execute(sql, ["blocked", perf.pk, "free"], prepare=True) == 0


def test_the_first_statement_of_an_atomic_block_is_inside_its_transaction(transactional_db, perf):
    """psycopg sends its BEGIN before our statement, as it would before its own: the block's
    rollback undoes the statement."""
    sql = "UPDATE inventory_performanceseat SET state = 'blocked' WHERE performance_id = %s"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert rawsql.execute(sql, [perf.pk], prepare=True) > 0
        raise RuntimeError("rolled back")
    assert not perf.inventory.filter(state="blocked").exists()
    with transaction.atomic():
        rawsql.execute(sql, [perf.pk], prepare=True)
    assert not perf.inventory.exclude(state="blocked").exists()


def test_an_error_is_django_s_and_leaves_the_statements_usable(transactional_db, perf):
    seat = perf.inventory.first()
    insert = ("INSERT INTO inventory_performanceseat (performance_id, seat_id, area_id, category_id, state, hold_token) "
              "VALUES (%s, %s, %s, %s, 'free', '')")
    read = "SELECT state FROM inventory_performanceseat WHERE id = %s"
    assert rawsql.fetch(read, [seat.pk], prepare=True) == [("free",)]
    with pytest.raises(IntegrityError), transaction.atomic():  # one inventory row per seat
        rawsql.execute(insert, [perf.pk, seat.seat_id, seat.area_id, seat.category_id], prepare=True)
    with pytest.raises(IntegrityError):  # outside a transaction too
        rawsql.execute(insert, [perf.pk, seat.seat_id, seat.area_id, seat.category_id], prepare=True)
    assert rawsql.fetch(read, [seat.pk], prepare=True) == [("free",)]


def test_statements_dropped_on_the_server_are_prepared_again(transactional_db):
    sql = "SELECT CAST(%s AS integer) + 1"
    assert rawsql.fetch(sql, [1], prepare=True) == [(2,)]
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert _server_statements() == []
    assert rawsql.fetch(sql, [2], prepare=True) == [(3,)]
    assert len(_server_statements()) == 1


def test_past_the_bound_a_statement_runs_unprepared(db, monkeypatch):
    monkeypatch.setattr(libpq, "MAX_STATEMENTS", 0)
    connection.ensure_connection()
    before = _server_statements()
    for n in (1, 2):
        assert rawsql.fetch("SELECT CAST(%s AS integer) * 10 + 4", [n], prepare=True) == [(n * 10 + 4,)]
    assert _server_statements() == before


def test_a_new_connection_prepares_its_own(transactional_db):
    sql = "SELECT CAST(%s AS integer) - 1"
    assert rawsql.fetch(sql, [5], prepare=True) == [(4,)]
    connection.close()
    assert rawsql.fetch(sql, [6], prepare=True) == [(5,)]
    assert len(_server_statements()) == 1


def test_statements_dropped_inside_a_transaction_fail_it_then_are_prepared_again(transactional_db):
    """Inside a transaction the failure has aborted it: no retry (only the block's owner may roll
    back); the block raises, and the next statement is prepared again."""
    from django.db import ProgrammingError

    sql = "SELECT CAST(%s AS integer) * 3"
    assert rawsql.fetch(sql, [1], prepare=True) == [(3,)]
    with pytest.raises(ProgrammingError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        rawsql.fetch(sql, [2], prepare=True)
    assert rawsql.fetch(sql, [3], prepare=True) == [(9,)]
    assert len(_server_statements()) == 1
