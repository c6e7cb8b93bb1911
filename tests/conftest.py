import os

import pytest
from django.db import connection

from . import factories


@pytest.fixture
def web_pos(db):
    return factories.point_of_sale()


@pytest.fixture
def perf(db, web_pos):
    return factories.performance()


SUBSCRIPTION_EXTRAS = {"max_total": 4, "per_performance": 2, "tariffs": ["invite"]}


@pytest.fixture
def season(db, web_pos):
    """Three performances in one hall of 3 rows × 10 seats (category a), a subscription of
    2 to 3 of them with extra seats (at most 4, 2 per performance, at the "invite" tariff)."""
    hall = factories.hall()
    perfs = [factories.performance(hall, name=f"Opéra {i}") for i in range(3)]
    product = factories.subscription_product(perfs, min_performances=2, max_performances=3, extras=SUBSCRIPTION_EXTRAS)
    return product, perfs


@pytest.fixture(autouse=True)
def _mail_to_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests create many accounts; production hashing (PBKDF2) would dominate their time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_sold_out_remembered():
    # What a process remembers of categories sold out (inventory/services.py) is keyed by ids,
    # which a rolled-back test may hand to the next one.
    from entracte.inventory import services

    services.forget_sold_out()


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


requires_postgres = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)",
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Close connections after each request in tests: the live server's thread must not keep
    one open, or PostgreSQL refuses to drop the test database at the end."""
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end sessions that server threads of the browser
    tests may still hold (a browser's keep-alive connection keeps its thread alive)."""
    yield
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
