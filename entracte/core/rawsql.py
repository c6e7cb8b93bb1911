"""Small helpers for the few hand-written SQL reads on hot paths (measured in docs/performance.md).

Raw cursors skip the ORM's conversions; these put values back in the types the ORM would
give, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.dateparse import parse_datetime


def db():
    """This thread's database connection. `django.db.connection` is a proxy that looks the
    connection up in a thread-local store at every attribute: on the hot path those look-ups
    cost a tenth of the app's CPU (docs/performance.md), so each helper here resolves it once."""
    return connections[DEFAULT_DB_ALIAS]


def param_datetime(value: datetime):
    """A datetime as the backend stores it (for use as a query parameter)."""
    return db().ops.adapt_datetimefield_value(value)


def as_datetime(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_timezone.utc)
    return value


def as_json(value):
    if value is None or isinstance(value, (dict, list)):
        return value
    return json.loads(value)


def as_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _prepared(connection, sql: str, params, rows: bool):
    """Run a statement as a prepared one on PostgreSQL: planned once per connection, the plan
    reused (a generic one, settings.py). Django's errors and query log as for its own cursors;
    its cursor wrappers themselves are skipped (they cost as much as a short statement)."""
    import psycopg

    connection.ensure_connection()
    start = time.monotonic() if connection.queries_logged else None
    # One cursor per connection, reused: building one per statement cost as much as running it.
    cursor = getattr(connection, "_prepared_cursor", None)
    if cursor is None or cursor.closed or cursor.connection is not connection.connection:
        cursor = connection._prepared_cursor = psycopg.Cursor(connection.connection)
    with connection.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        result = cursor.fetchall() if rows else cursor.rowcount
    if start is not None:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return result


def fetch(sql: str, params, *, prepare: bool = False) -> list[tuple]:
    """Rows of a read. `prepare=True` makes PostgreSQL plan the statement once per connection and
    reuse the plan: for the hot reads whose planning cost more than their execution
    (docs/performance.md)."""
    connection = db()
    if prepare and connection.vendor == "postgresql":
        return _prepared(connection, sql, params, rows=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params, *, prepare: bool = False) -> int:
    """Run a write statement; return the number of rows it changed. `prepare` as for fetch()."""
    connection = db()
    if prepare and connection.vendor == "postgresql":
        return _prepared(connection, sql, params, rows=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def placeholders(values) -> str:
    """"%s, %s, ..." for an IN (...) list; SQLite has no arrays, so this is the portable form."""
    return ", ".join(["%s"] * len(values))


def in_list(column: str, values) -> tuple[str, list]:
    """`column IN (values)` and its parameters. On PostgreSQL one array parameter
    (`= ANY(%s)`): with hundreds of placeholders psycopg spent longer parsing the statement
    than PostgreSQL spent running it (docs/performance.md, subscription allocation)."""
    values = list(values)
    if db().vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({placeholders(values)})", values


def insert(objs: list) -> list:
    """INSERT unsaved model instances of one model in one statement and set their primary keys.

    The lean twin of bulk_create for the hot path: the same field preparation (defaults,
    auto_now_add, JSON, decimals), without the ORM's query compiler, which cost more CPU
    than the database spent on the insert (docs/performance.md). No signals, like bulk_create.
    A prepared statement on PostgreSQL (one per table and number of rows).
    """
    if not objs:
        return objs
    meta = objs[0]._meta
    connection = db()
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    sql = (f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "
           f"({', '.join(connection.ops.quote_name(f.column) for f in fields)}) VALUES "
           + ", ".join([row] * len(objs)) + f" RETURNING {connection.ops.quote_name(meta.pk.column)}")
    pks = [r[0] for r in fetch(sql, params, prepare=True)]
    # RETURNING gives rows in insertion order on PostgreSQL and SQLite for a single VALUES list.
    for obj, pk in zip(objs, pks):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, "default"
    return objs
