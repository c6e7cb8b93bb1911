"""Read queries for access control: counts per performance, codes for offline scanners."""

from __future__ import annotations

from django.db.models import Count, Q

from entracte.catalog import cache
from entracte.catalog.selectors import venue_of_performance
from entracte.sales.models import Ticket

from .models import Gate


def is_known_place(performance_id: int, gate_id: int | None) -> bool:
    """The performance exists and the gate, if any, is one of its venue's (cached reads: every
    scan at the door asks it)."""
    venue = venue_of_performance(performance_id)
    return venue is not None and (not gate_id or venue_of_gate(gate_id) == venue)


def venue_of_gate(pk: int) -> int | None:
    """The venue a gate belongs to (None if there is no such gate), from the catalogue cache:
    every scan at the door asks it. A gate's save or delete clears the cache (apps.py)."""
    return cache.remember(("venue_of_gate", pk), lambda: Gate.objects.filter(pk=pk).values_list("venue_id", flat=True).first())


def scan_counts(performance_ids) -> dict[int, dict]:
    """Per performance: valid tickets, tickets scanned in, and how many are still expected."""
    rows = (Ticket.objects.filter(performance_id__in=list(performance_ids), status=Ticket.VALID)
            .values("performance_id")
            .annotate(tickets=Count("id"), scanned=Count("id", filter=Q(scanned_at__isnull=False))))
    counts = {pid: {"tickets": 0, "scanned": 0, "expected": 0} for pid in performance_ids}
    for row in rows:
        counts[row["performance_id"]] = {"tickets": row["tickets"], "scanned": row["scanned"],
                                         "expected": row["tickets"] - row["scanned"]}
    return counts


def valid_codes(performance):
    """The codes an offline scanner may admit, with what it shows on a valid scan."""
    return (Ticket.objects.filter(performance=performance, status=Ticket.VALID)
            .select_related("performance_seat__seat", "performance_seat__area", "tariff")
            .order_by("code"))
