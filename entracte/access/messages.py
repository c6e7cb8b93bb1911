"""What the controller reads after a scan, in his language. Shared by the page and the API."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from entracte.catalog.models import Performance
from entracte.core.translated import tr
from entracte.sales.tickets import seat_text

from .models import Scan
from .services import ScanResult


def describe(outcome: ScanResult) -> dict:
    info = {"result": outcome.result, "seat": "", "tariff": "", "first_scanned_at": None, "first_gate": ""}
    if outcome.result in (Scan.VALID, Scan.ALREADY_SCANNED):
        info.update(seat=seat_text(outcome.area_name, outcome.row, outcome.number), tariff=tr(outcome.tariff_name))
    if outcome.result == Scan.VALID:
        info["message"] = _("Valid: %(seat)s, %(tariff)s") % info
    elif outcome.result == Scan.ALREADY_SCANNED:
        first = outcome.first_scanned_at
        info.update(first_scanned_at=first, first_gate=outcome.first_gate)
        info["message"] = _("Already scanned at %(time)s, gate %(gate)s") % {
            "time": date_format(timezone.localtime(first), "H:i:s") if first else "?", "gate": info["first_gate"] or "—"}
    elif outcome.result == Scan.CANCELLED:
        info["message"] = _("Cancelled ticket: do not admit.")
    elif outcome.result == Scan.WRONG_PERFORMANCE:
        perf = Performance.objects.select_related("event").get(pk=outcome.ticket_performance_id)
        info["message"] = _("Ticket for another performance: %(event)s, %(date)s") % {
            "event": tr(perf.event.name), "date": date_format(timezone.localtime(perf.starts_at), "j F Y, H:i")}
    else:
        info["message"] = _("Unknown code.")
    return info
