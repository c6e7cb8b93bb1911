"""Serialising competing writers on one resource (e.g. the free seats of a category).

On PostgreSQL: a transaction-scoped advisory lock. On SQLite every write transaction
already begins with the database write lock (transaction_mode IMMEDIATE), so writers are
serialised and there is nothing more to take.
"""

from __future__ import annotations

import hashlib
import time

from .rawsql import db, fetch


def lock_key(*parts) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_lock(*parts) -> None:
    connection = db()
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_lock must be taken inside a transaction")
    if connection.vendor == "postgresql":
        key = lock_key(*parts)
        if not _begin_with(connection, f"SELECT pg_advisory_xact_lock({key:d})"):
            fetch("SELECT pg_advisory_xact_lock(%s)", [key], prepare=True)


def _begin_with(connection, sql: str) -> bool:
    """When the transaction's BEGIN has not been sent yet (psycopg sends it with the first
    statement, as a round trip of its own), send it with `sql` as one simple query: one round
    trip instead of two for the hold (docs/performance.md). `sql` is a literal statement (no
    parameters). False, sending nothing, if the transaction is already open. psycopg reads the
    transaction's state from the connection, so it sends no BEGIN of its own afterwards, and
    Django's commit or rollback ends the transaction as usual."""
    import psycopg
    from psycopg import pq

    connection.ensure_connection()
    conn = connection.connection
    if conn.autocommit or conn.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    start = time.monotonic() if connection.queries_logged else None
    with connection.wrap_database_errors:
        result = conn.pgconn.exec_(f"BEGIN; {sql}".encode())
        if result.status != pq.ExecStatus.TUPLES_OK:
            raise psycopg.errors.error_from_result(result, encoding=conn.info.encoding)
    if start is not None:
        connection.queries_log.append({"sql": f"BEGIN; {sql}", "time": f"{time.monotonic() - start:.3f}"})
    return True


def advisory_locks(keys: list[tuple]) -> None:
    """Take several locks in one round trip. In the order of their lock keys, so that two
    transactions wanting overlapping sets cannot each hold one the other waits for."""
    connection = db()
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_lock must be taken inside a transaction")
    if connection.vendor == "postgresql" and keys:
        numbers = sorted({lock_key(*parts) for parts in keys})
        # PostgreSQL evaluates a select list left to right.
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["pg_advisory_xact_lock(%s)"] * len(numbers)), numbers)
