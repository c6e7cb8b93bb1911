"""Scanning a ticket at the door. One conditional write decides: a ticket scans valid once.

`UPDATE ticket SET scanned_at = now WHERE code = … AND performance = … AND status = 'valid'
AND scanned_at IS NULL` changes one row for the first scan and none for any other, whatever
the number of gates scanning it at the same moment. Only then is the reason of a refusal
looked up. Every reading is logged as a `Scan` (who, where, when, outcome).

Doors opening is a rush (bench/scan.py), so this is hand-written SQL. On PostgreSQL the
caller's check (`scan_ticket_checked`, for the scanners' API lane), the claim, the lookup of
the ticket and the log row are one statement (data-modifying CTEs): one round trip, one
commit. Elsewhere (SQLite) the same SQL parts run as statements in one transaction. CI runs
the access tests on both.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from entracte.catalog.selectors import name_of
from entracte.core.callers import Caller, CallerCheck
from entracte.core.rawsql import as_datetime, execute, fetch, param_datetime

from .models import Gate, Scan

MAX_CODE = 64


@dataclass(frozen=True)
class ScanResult:
    result: str                             # one of Scan.RESULTS
    ticket_id: int | None = None
    ticket_performance_id: int | None = None
    area_name: dict | None = None           # the seat, for "valid" and "already scanned"
    row: str | None = None
    number: str | None = None
    tariff_name: dict | None = None
    first_scanned_at: datetime | None = None  # for "already scanned": when and where it was valid
    first_gate: str = ""

    @property
    def ok(self) -> bool:
        return self.result == Scan.VALID


def normalise(code: str) -> str:
    """What a scanner or a person typed, as stored: upper case, no spaces or dashes."""
    code = str(code)
    if code.isascii() and code.isalnum():  # what a scanner reads: nothing to take out
        return code.upper()[:MAX_CODE]
    return "".join(ch for ch in code.upper() if ch.isalnum())[:MAX_CODE]


_CLAIM = ("UPDATE sales_ticket SET scanned_at = %(now)s, scanned_gate_id = %(gate)s WHERE code = %(code)s "
          "AND performance_id = %(perf)s AND status = 'valid' AND scanned_at IS NULL")

# The ticket read by its code, with the outcome of the reading; %(admitted)s says whether the
# claim above changed a row (a sub-select of its RETURNING on PostgreSQL). For a ticket already
# admitted, its own row says when and at which gate.
_FOUND = """
    SELECT t.id, t.performance_id, t.tariff_id, ps.area_id, s.row, s.number,
           CASE WHEN {admitted} THEN 'valid'
                WHEN t.performance_id <> %(perf)s THEN 'wrong_performance'
                WHEN t.status <> 'valid' THEN 'cancelled'
                ELSE 'already_scanned' END AS result,
           t.scanned_at, COALESCE(g.name, '') AS gate
    FROM sales_ticket t
    JOIN inventory_performanceseat ps ON ps.id = t.performance_seat_id
    LEFT JOIN catalog_seat s ON s.id = ps.seat_id
    LEFT JOIN access_gate g ON g.id = t.scanned_gate_id
    WHERE t.code = %(code)s
"""

_LOG_COLUMNS = "access_scan (performance_id, gate_id, ticket_id, code, result, scanned_at, scanned_by_id)"
_LOG = f"INSERT INTO {_LOG_COLUMNS} VALUES (%(perf)s, %(gate)s, %(ticket)s, %(logged_code)s, %(result)s, %(now)s, %(actor)s)"

# PostgreSQL: everything in one statement, the caller's check included. The CTEs all see the
# tables as they were before the statement, so `found` reads the ticket as the claim found it;
# `admitted` carries what the claim did. A caller not allowed claims and logs nothing.
_ONE_STATEMENT = f"""
    WITH caller AS ({{caller}}),
    admitted AS ({_CLAIM} AND EXISTS (SELECT 1 FROM caller WHERE allowed) RETURNING id),
    found AS ({_FOUND.format(admitted="EXISTS (SELECT 1 FROM admitted)")}),
    outcome AS (SELECT f.id, f.performance_id, f.tariff_id, f.area_id, f.row, f.number,
                       COALESCE(f.result, 'unknown') AS result, f.scanned_at, f.gate
                FROM (SELECT 1) AS one LEFT JOIN found f ON TRUE),
    logged AS (INSERT INTO {_LOG_COLUMNS}
               SELECT %(perf)s, %(gate)s, o.id, %(logged_code)s, o.result, %(now)s, c.user_id
               FROM outcome o JOIN caller c ON c.allowed RETURNING id)
    SELECT o.*, (SELECT count(*) FROM logged), c.user_id, c.token_id, c.last_used_at, c.allowed
    FROM outcome o LEFT JOIN caller c ON TRUE
"""


def scan_ticket(*, code: str, performance_id: int, gate: Gate | int | None = None, actor=None,
                now: datetime | None = None) -> ScanResult:
    """A reading by `actor`, already authenticated (or by no one)."""
    known = CallerCheck.known(actor.pk if getattr(actor, "is_authenticated", False) else None)
    _caller, outcome = scan_ticket_checked(known, code=code, performance_id=performance_id, gate=gate, now=now)
    return outcome


def scan_ticket_checked(check: CallerCheck, *, code: str, performance_id: int, gate: Gate | int | None = None,
                        now: datetime | None = None) -> tuple[Caller | None, ScanResult | None]:
    """A reading by the caller `check` finds (core/callers.py), checked in the same statement:
    (caller, outcome), or (caller or None, None) with nothing written if he may not scan."""
    now = now or timezone.now()
    code = normalise(code)
    params = {"now": param_datetime(now), "code": code, "perf": performance_id, "logged_code": code or "-",
              "gate": getattr(gate, "pk", gate), **check.params}
    if connection.vendor == "postgresql":
        [row] = fetch(_one_statement(check.sql), params, prepare=True)
        caller = Caller(*row[10:]) if row[10:] != (None, None, None, None) else None
    else:
        caller, row = _in_steps(check, params)
    if caller is None or not caller.allowed:
        return caller, None
    ticket_id, perf_id, tariff_id, area_id, seat_row, number, result, first_at, first_gate = row[:9]
    if result not in (Scan.VALID, Scan.ALREADY_SCANNED):
        return caller, ScanResult(result, ticket_id, perf_id)
    if result == Scan.VALID:
        first_at, first_gate = None, ""
    return caller, ScanResult(result, ticket_id, perf_id, name_of("area", area_id), seat_row, number,
                              name_of("tariff", tariff_id), as_datetime(first_at), first_gate or "")


@functools.lru_cache(maxsize=16)  # a few callers' checks: the controllers' token, a known user
def _one_statement(caller_sql: str) -> str:
    return _ONE_STATEMENT.format(caller=caller_sql)


def _in_steps(check: CallerCheck, params: dict) -> tuple[Caller | None, tuple | None]:
    """The one-statement scan as separate statements in one transaction (databases without
    data-modifying CTEs)."""
    with transaction.atomic():
        found_caller = fetch(check.sql, check.params)
        caller = Caller(*found_caller[0][:3], bool(found_caller[0][3])) if found_caller else None
        if caller is None or not caller.allowed:
            return caller, None
        admitted = execute(_CLAIM, params) == 1
        found = fetch(_FOUND.format(admitted="1 = 1" if admitted else "1 = 0"), params) if params["code"] else []
        row = found[0] if found else (None,) * 6 + (Scan.UNKNOWN, None, "")
        execute(_LOG, {**params, "ticket": row[0], "result": row[6], "actor": caller.user_id})
    return caller, row
