"""Prepared statements on PostgreSQL, run on libpq directly (rawsql.fetch/execute with prepare=True).

A psycopg cursor spends about 30 us of Python per statement around libpq: its generators and
wait loop, its own prepared-statement manager, its result bookkeeping (docs/performance.md,
session 16). A hold and a checkout run eight statements. `run()` does what
`cursor.execute(sql, params, prepare=True)` does, with psycopg's own pieces (its query
conversion, its adapters and loaders, its errors) but two libpq calls: PREPARE once per
connection and parameter types, then EXEC PREPARED. Results come as text, as a cursor's do, so
every value is read by the loader Django's cursors use (binary results saved another 1 % of
a hold and a checkout, but Django reads `jsonb` and `inet` as text, psycopg's binary loaders
not).

What it keeps of psycopg's behaviour:
- the transaction: when psycopg would send BEGIN before a statement (Django's atomic block, not
  yet begun), psycopg sends it, with its isolation options;
- errors: the server's error becomes psycopg's exception for it, which Django wraps as usual;
- the connection's lock, and the blocking call releases the GIL (other threads run meanwhile).

Its prepared statements are named `_entracte_N`, apart from psycopg's `_pg3_N`. psycopg prepares
nothing of its own here (settings.py sets prepare_threshold out of reach), so it never sends the
DEALLOCATE ALL it sends after a rollback when it has statements: ours live as long as the
connection. Should they be gone all the same (a DISCARD ALL), the connection's names are
forgotten and the statement prepared again; inside a transaction, the failure has aborted it
and the statement fails (`invalid_sql_statement_name`) as any other would.
"""

from __future__ import annotations

from psycopg import errors, pq
from psycopg._queries import PostgresQuery
from psycopg.adapt import Transformer

# Distinct statements prepared per connection; past that a statement runs unprepared (the hot
# path has about twenty; an INSERT's text varies with its number of rows).
MAX_STATEMENTS = 256

_IDLE = pq.TransactionStatus.IDLE
_TUPLES_OK = pq.ExecStatus.TUPLES_OK
_COMMAND_OK = pq.ExecStatus.COMMAND_OK


class _Statement:
    """One statement's text, converted once (placeholders, parameter formats); its server-side
    names by parameter types, as psycopg keys its own."""

    __slots__ = ("names", "query", "transformer")

    def __init__(self, conn, sql: str, params):
        self.transformer = Transformer(conn)
        self.query = PostgresQuery(self.transformer)
        self.query.convert(sql, params)
        self.names: dict[tuple[int, ...], bytes] = {}


class _Statements:
    """A connection's prepared statements (the Django wrapper outlives its psycopg connection)."""

    __slots__ = ("by_sql", "conn", "count")

    def __init__(self, conn):
        self.conn = conn
        self.by_sql: dict[str, _Statement] = {}
        self.count = 0


def _statements(connection) -> _Statements:
    conn = connection.connection
    known = getattr(connection, "_libpq_statements", None)
    if known is None or known.conn is not conn:
        known = connection._libpq_statements = _Statements(conn)
    return known


def run(connection, sql: str, params, rows: bool):
    """The rows of `sql` (rows=True) or the number of rows it changed; the caller has ensured
    the connection and wraps database errors."""
    try:
        return _run(connection, sql, params, rows)
    except errors.InvalidSqlStatementName:
        # Our statements were dropped on the server (a DISCARD ALL): prepared again, unless the
        # failure aborted a transaction, which only its owner may roll back.
        if connection.connection.pgconn.transaction_status != _IDLE:
            raise
        return _run(connection, sql, params, rows)


def _run(connection, sql: str, params, rows: bool):
    conn = connection.connection
    known = _statements(connection)
    statement = known.by_sql.get(sql)
    if statement is None:
        statement = _Statement(conn, sql, params)
        if len(known.by_sql) < MAX_STATEMENTS:
            known.by_sql[sql] = statement
    else:
        statement.query.dump(params)
    query = statement.query
    pgconn = conn.pgconn
    with conn.lock:
        if not conn.autocommit and pgconn.transaction_status == _IDLE:
            conn.wait(conn._start_query())  # psycopg's own BEGIN
        name = statement.names.get(query.types)
        if name is None and known.by_sql.get(sql) is statement:
            name = f"_entracte_{known.count}".encode()
            known.count += 1
            _check(pgconn.prepare(name, query.query, query.types), conn, known)
            statement.names[query.types] = name
        if name is None:
            result = pgconn.exec_params(query.query, query.params, query.types, query.formats)
        else:
            result = pgconn.exec_prepared(name, query.params, query.formats)
    _check(result, conn, known)
    if not rows:
        changed = result.command_tuples
        return -1 if changed is None else changed
    if result.status != _TUPLES_OK:
        return []
    transformer = statement.transformer
    transformer.set_pgresult(result)
    return transformer.load_rows(0, result.ntuples, tuple)


def _check(result, conn, known: _Statements) -> None:
    if result.status in (_TUPLES_OK, _COMMAND_OK):
        return
    error = errors.error_from_result(result, encoding=conn.info.encoding)
    if isinstance(error, errors.InvalidSqlStatementName):
        known.by_sql.clear()  # our statements are gone from the server: prepare them again
    raise error
