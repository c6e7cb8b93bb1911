"""Small helpers for the few hand-written SQL reads on hot paths (measured in docs/performance.md).

Raw cursors skip the ORM's conversions; these put values back in the types the ORM would
give, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import json
import time
from datetime import UTC, datetime
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.dateparse import parse_datetime

from . import insert_values


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
        value = value.replace(tzinfo=UTC)
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
    reused (a generic one, settings.py), on libpq directly (core/libpq.py). Django's errors and
    query log as for its own cursors; its cursor wrappers themselves are skipped (they cost as
    much as a short statement)."""
    from . import libpq

    connection.ensure_connection()
    start = time.monotonic() if connection.queries_logged else None
    with connection.wrap_database_errors:
        result = libpq.run(connection, sql, params, rows)
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


def _rows(objs: list, skip: tuple[str, ...] = ()) -> tuple[list, list[list]]:
    """The columns of unsaved instances of one model (but the primary key and `skip`) and each
    instance's values, prepared as the ORM prepares them for an INSERT (defaults, auto_now_add,
    JSON, decimals)."""
    return insert_values.values(objs, skip, db())


def _saved(objs: list, pks) -> list:
    # RETURNING gives rows in insertion order on PostgreSQL and SQLite for a single VALUES list.
    for obj, pk in zip(objs, pks):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, "default"
    return objs


def insert(objs: list) -> list:
    """INSERT unsaved model instances of one model in one statement and set their primary keys.

    The lean twin of bulk_create for the hot path: the same field preparation (defaults,
    auto_now_add, JSON, decimals), without the ORM's query compiler, which cost more CPU
    than the database spent on the insert (docs/performance.md). No signals, like bulk_create.
    A prepared statement on PostgreSQL (one per table and number of rows).
    """
    if not objs:
        return objs
    _fields, rows = _rows(objs)
    sql = _insert_sql(type(objs[0]), len(objs), db().vendor)
    return _saved(objs, [r[0] for r in fetch(sql, [v for values in rows for v in values], prepare=True)])


@functools.lru_cache(maxsize=64)
def _insert_sql(model, count: int, vendor: str) -> str:
    """insert()'s statement, built once per model and number of rows (every new cart inserts one).
    Its columns are those whose values _rows() prepares, in the same order (insert_values.preparers)."""
    connection = db()
    quote = connection.ops.quote_name
    fields, _prepare = insert_values.preparers(model, (), connection)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
            + ", ".join([row] * count) + f" RETURNING {quote(model._meta.pk.column)}")


def insert_part(objs: list, *, source: str, links: dict[str, str] | None = None, where: str = "") -> tuple[str, list]:
    """The INSERT of unsaved instances of one model as a part of a larger statement (a
    data-modifying CTE, PostgreSQL only): `INSERT … SELECT … FROM source … RETURNING pk`, one
    row per instance and row of `source`. `links`: columns whose value is an SQL expression
    over `source` (e.g. {"order_id": "o.id"}: the id the statement's order got); the other
    values are the instances' own, prepared as insert() prepares them, each cast to its
    column's type. Give the primary keys back to the instances with `saved()`."""
    links = links or {}
    _fields, rows = _rows(objs, skip=tuple(links))
    sql = _insert_part_sql(type(objs[0]), len(objs), source, tuple(links.items()), where, db().vendor)
    return sql, [v for row in rows for v in row]


@functools.lru_cache(maxsize=64)
def _insert_part_sql(model, count: int, source: str, links: tuple[tuple[str, str], ...], where: str, vendor: str) -> str:
    """insert_part()'s statement, the same for every sale of the same shape: built once (its
    text cost a checkout as much as preparing the values, docs/performance.md)."""
    quote = db().ops.quote_name
    skip = tuple(column for column, _expr in links)
    columns = [*skip, *(f.column for f in model._meta.concrete_fields if not f.primary_key and f.column not in skip)]
    values = ", ".join([f"({_casts(model, skip, vendor)})"] * count)
    return (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"SELECT {''.join(expr + ', ' for _column, expr in links)}v.* FROM {source} CROSS JOIN (VALUES {values}) AS v"
            + (f" WHERE {where}" if where else "") + f" RETURNING {quote(model._meta.pk.column)}")


@functools.lru_cache(maxsize=64)
def _casts(model, skip: tuple[str, ...], vendor: str) -> str:
    """"CAST(%s AS <type>), …" for the columns _rows() gives: column types are the models'
    (building them cost 150 us a model, more than the statement's round trip)."""
    connection = db()
    return ", ".join(f"CAST(%s AS {f.db_type(connection)})"
                     for f in model._meta.concrete_fields if not f.primary_key and f.column not in skip)


def saved(objs: list, pks) -> list:
    """Give instances written by an insert_part() their primary keys, in their order."""
    return _saved(objs, sorted(pks))
