"""The controller's pages: pick a performance and a gate, then scan. Made for a phone browser."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from entracte.boxoffice.permissions import staff_required
from entracte.catalog.models import Performance
from entracte.core.translated import tr
from entracte.sales.tickets import seat_label

from . import selectors, services
from .messages import describe
from .models import Gate

scans = staff_required("access.scan")


def _performances_around_now():
    now = timezone.now()
    return (Performance.objects.filter(starts_at__gte=now - timedelta(hours=12)).select_related("event", "hall__venue")
            .order_by("starts_at"))


@scans
def choose(request):
    performances = list(_performances_around_now()[:50])
    counts = selectors.scan_counts([p.pk for p in performances])
    return render(request, "access/choose.html", {
        "performances": [(p, counts[p.pk]) for p in performances],
        "gates": Gate.objects.select_related("venue").order_by("venue", "name"),
    })


@scans
def scan(request, pk):
    perf = get_object_or_404(Performance.objects.select_related("event", "hall__venue"), pk=pk)
    gates = Gate.objects.filter(venue=perf.hall.venue_id)
    gate = gates.filter(pk=request.POST.get("gate") or request.GET.get("gate") or 0).first()
    outcome = None
    if request.method == "POST" and request.POST.get("code", "").strip():
        outcome = describe(services.scan_ticket(code=request.POST["code"], performance_id=perf.pk, gate=gate,
                                                actor=request.user))
    return render(request, "access/scan.html", {
        "performance": perf, "gates": gates, "gate": gate, "outcome": outcome,
        "counts": selectors.scan_counts([perf.pk])[perf.pk],
    })


@scans
def codes_csv(request, pk):
    perf = get_object_or_404(Performance, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="codes-performance-{perf.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["code", "seat", "tariff", "scanned_at"])
    for ticket in selectors.valid_codes(perf):
        writer.writerow([ticket.code, seat_label(ticket), tr(ticket.tariff.name),
                         ticket.scanned_at.isoformat() if ticket.scanned_at else ""])
    return response
