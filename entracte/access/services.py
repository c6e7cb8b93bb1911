"""Scanning a ticket at the door. One conditional write decides: a ticket scans valid once.

`UPDATE ticket SET scanned_at = now WHERE code = … AND performance = … AND status = 'valid'
AND scanned_at IS NULL` changes one row for the first scan and none for any other, whatever
the number of gates scanning it at the same moment. Only then is the reason of a refusal
looked up. Every reading is logged as a `Scan` (who, where, when, outcome).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from entracte.core.rawsql import execute, insert, param_datetime
from entracte.sales.models import Ticket

from .models import Gate, Scan

MAX_CODE = 64


@dataclass(frozen=True)
class ScanResult:
    result: str                     # one of Scan.RESULTS
    ticket: Ticket | None = None
    first_scan: Scan | None = None  # for "already scanned": when and where it was valid

    @property
    def ok(self) -> bool:
        return self.result == Scan.VALID


def normalise(code: str) -> str:
    """What a scanner or a person typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())[:MAX_CODE]


def scan_ticket(*, code: str, performance_id: int, gate: Gate | None = None, actor=None, now: datetime | None = None) -> ScanResult:
    now = now or timezone.now()
    code = normalise(code)
    with transaction.atomic():
        admitted = execute(
            "UPDATE sales_ticket SET scanned_at = %s WHERE code = %s AND performance_id = %s "
            "AND status = 'valid' AND scanned_at IS NULL",
            [param_datetime(now), code, performance_id],
        ) == 1
        ticket = (Ticket.objects.select_related("performance_seat__seat", "performance_seat__area", "tariff", "category")
                  .filter(code=code).first()) if code else None
        if admitted:
            result = Scan.VALID
        elif ticket is None:
            result = Scan.UNKNOWN
        elif ticket.performance_id != performance_id:
            result = Scan.WRONG_PERFORMANCE
        elif ticket.status != Ticket.VALID:
            result = Scan.CANCELLED
        else:
            result = Scan.ALREADY_SCANNED
        insert([Scan(performance_id=performance_id, gate=gate, ticket=ticket, code=code or "-", result=result,
                     scanned_at=now, scanned_by=actor if getattr(actor, "is_authenticated", False) else None)])
    first = None
    if result == Scan.ALREADY_SCANNED:
        first = Scan.objects.select_related("gate").filter(ticket=ticket, result=Scan.VALID).order_by("scanned_at").first()
    return ScanResult(result, ticket, first)
