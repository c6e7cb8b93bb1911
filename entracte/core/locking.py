"""Serialising competing writers on one resource (e.g. the free seats of a category).

On PostgreSQL: a transaction-scoped advisory lock. On SQLite every write transaction
already begins with the database write lock (transaction_mode IMMEDIATE), so writers are
serialised and there is nothing more to take.
"""

from __future__ import annotations

import hashlib

from .rawsql import db, fetch


def lock_key(*parts) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_lock(*parts) -> None:
    connection = db()
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_lock must be taken inside a transaction")
    if connection.vendor == "postgresql":
        fetch("SELECT pg_advisory_xact_lock(%s)", [lock_key(*parts)], prepare=True)


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
