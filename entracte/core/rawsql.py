"""Small helpers for the few hand-written SQL reads on hot paths (measured in docs/performance.md).

Raw cursors skip the ORM's conversions; these put values back in the types the ORM would
give, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

from django.db import connection
from django.utils.dateparse import parse_datetime


def param_datetime(value: datetime):
    """A datetime as the backend stores it (for use as a query parameter)."""
    return connection.ops.adapt_datetimefield_value(value)


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


def fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
