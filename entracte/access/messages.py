"""What the controller reads after a scan, in his language. Shared by the page and the API."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from entracte.core.translated import tr
from entracte.sales.tickets import seat_label

from .models import Scan
from .services import ScanResult


def describe(outcome: ScanResult) -> dict:
    ticket, first = outcome.ticket, outcome.first_scan
    info = {"result": outcome.result, "seat": "", "tariff": "", "first_scanned_at": None, "first_gate": ""}
    if ticket is not None and outcome.result in (Scan.VALID, Scan.ALREADY_SCANNED):
        info.update(seat=seat_label(ticket), tariff=tr(ticket.tariff.name))
    if outcome.result == Scan.VALID:
        info["message"] = _("Valid: %(seat)s, %(tariff)s") % info
    elif outcome.result == Scan.ALREADY_SCANNED:
        when = timezone.localtime(first.scanned_at) if first else None
        info.update(first_scanned_at=first.scanned_at if first else None, first_gate=first.gate.name if first and first.gate else "")
        info["message"] = _("Already scanned at %(time)s, gate %(gate)s") % {
            "time": date_format(when, "H:i:s") if when else "?", "gate": info["first_gate"] or "—"}
    elif outcome.result == Scan.CANCELLED:
        info["message"] = _("Cancelled ticket: do not admit.")
    elif outcome.result == Scan.WRONG_PERFORMANCE:
        perf = ticket.performance
        info["message"] = _("Ticket for another performance: %(event)s, %(date)s") % {
            "event": tr(perf.event.name), "date": date_format(timezone.localtime(perf.starts_at), "j F Y, H:i")}
    else:
        info["message"] = _("Unknown code.")
    return info
