"""Access control: each outcome of a scan, the controller's page, the scanner API, the export,
and the same ticket scanned at many gates at once (valid exactly once)."""

import csv
import io
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.urls import reverse

from entracte.access import services
from entracte.access.models import Gate, Scan
from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.roles import ADMINISTRATOR, CONTROLLER, OPERATOR
from entracte.customers.models import ApiToken
from entracte.customers.services import guest_contact
from entracte.sales import carts, checkout
from entracte.sales.models import Ticket

from . import factories
from .test_concurrency import _run_threads

pytestmark = pytest.mark.django_db


def _sell(perf, pos, n=2):
    cart = carts.create_cart(point_of_sale=pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=n,
                             tariff_id=Tariff.objects.get(code="plein").pk)
    contact = guest_contact(email="fan@example.org")
    order = checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=contact, email=contact.email),
                                 payment_data=factories.GOOD_CARD)
    return list(order.tickets.order_by("pk"))


def _gates(perf):
    venue = perf.hall.venue
    return Gate.objects.create(venue=venue, name="Nord"), Gate.objects.create(venue=venue, name="Sud")


def test_each_outcome_of_a_scan(perf, web_pos):
    first, second = _sell(perf, web_pos)
    north, south = _gates(perf)
    other = factories.performance(perf.hall)
    ok = services.scan_ticket(code=first.code.lower()[:6] + " " + first.code.lower()[6:], performance_id=perf.pk, gate=north)
    assert ok.result == Scan.VALID and ok.ticket_id == first.pk and ok.row == first.performance_seat.seat.row
    assert ok.tariff_name == first.tariff.name and ok.number == first.performance_seat.seat.number
    again = services.scan_ticket(code=first.code, performance_id=perf.pk, gate=south)
    assert again.result == Scan.ALREADY_SCANNED and again.first_gate == "Nord" and again.ticket_id == first.pk
    first.refresh_from_db()
    assert again.first_scanned_at == first.scanned_at and first.scanned_gate == north
    assert services.scan_ticket(code=second.code, performance_id=other.pk).result == Scan.WRONG_PERFORMANCE
    Ticket.objects.filter(pk=second.pk).update(status=Ticket.CANCELLED)
    assert services.scan_ticket(code=second.code, performance_id=perf.pk).result == Scan.CANCELLED
    assert services.scan_ticket(code="NOSUCHCODE", performance_id=perf.pk).result == Scan.UNKNOWN
    assert services.scan_ticket(code="  ", performance_id=perf.pk).result == Scan.UNKNOWN
    assert list(Scan.objects.order_by("pk").values_list("result", flat=True)) == [
        "valid", "already_scanned", "wrong_performance", "cancelled", "unknown", "unknown"]
    log = list(Scan.objects.order_by("pk").values_list("gate_id", "ticket_id", "code", "performance_id"))
    assert log[:2] == [(north.pk, first.pk, first.code, perf.pk), (south.pk, first.pk, first.code, perf.pk)]
    assert log[2] == (None, second.pk, second.code, other.pk) and log[4][1:3] == (None, "NOSUCHCODE") and log[5][2] == "-"
    second.refresh_from_db()
    assert second.scanned_at is None  # a refused ticket is not marked as scanned


def test_controller_page_shows_the_outcome(client, perf, web_pos):
    ticket, _ = _sell(perf, web_pos)
    north, _south = _gates(perf)
    controller = factories.staff_user(CONTROLLER)
    client.force_login(controller)
    assert client.get(reverse("access:choose")).status_code == 200
    url = reverse("access:scan", args=[perf.pk])
    response = client.post(url, {"code": ticket.code, "gate": north.pk})
    assert 'class="outcome valid"' in response.content.decode()
    assert response.context["counts"] == {"tickets": 2, "scanned": 1, "expected": 1}
    page = client.post(url, {"code": ticket.code, "gate": north.pk}).content.decode()
    assert 'class="outcome already_scanned"' in page and "Nord" in page
    assert Scan.objects.filter(scanned_by=controller, gate=north).count() == 2
    # a controller sells nothing
    assert client.get(reverse("boxoffice:home")).status_code == 403


def test_scanner_api_and_offline_export(client, perf, web_pos):
    ticket, cancelled = _sell(perf, web_pos)
    Ticket.objects.filter(pk=cancelled.pk).update(status=Ticket.CANCELLED)
    north, _south = _gates(perf)

    def bearer(role):
        return {"authorization": f"Bearer {ApiToken.issue(user=factories.staff_user(role), name='scanner')}"}

    scanner = bearer(CONTROLLER)
    body = {"performance_id": perf.pk, "code": ticket.code, "gate_id": north.pk}
    first = client.post("/api/access/scan", body, content_type="application/json", headers=scanner).json()
    assert first["result"] == "valid" and first["seat"]
    second = client.post("/api/access/scan", body, content_type="application/json", headers=scanner).json()
    assert second["result"] == "already_scanned" and second["first_gate"] == "Nord"
    assert client.post("/api/access/scan", body, content_type="application/json", headers=bearer(OPERATOR)).status_code == 403
    assert client.post("/api/access/scan", body, content_type="application/json").status_code == 401
    codes = client.get(f"/api/access/performances/{perf.pk}/codes", headers=scanner).json()
    assert [c["code"] for c in codes] == [ticket.code] and codes[0]["scanned"] is True
    counts = client.get(f"/api/access/performances/{perf.pk}/counts", headers=bearer(ADMINISTRATOR)).json()
    assert counts == {"performance_id": perf.pk, "tickets": 1, "scanned": 1, "expected": 0}
    client.force_login(factories.staff_user(CONTROLLER))
    rows = list(csv.reader(io.StringIO(client.get(reverse("access:codes_csv", args=[perf.pk])).content.decode())))
    assert rows[0] == ["code", "seat", "tariff", "scanned_at"] and [r[0] for r in rows[1:]] == [ticket.code]


def _gates_at_once(n):
    return 40 if connection.vendor == "postgresql" else 10


@pytest.mark.django_db(transaction=True)
def test_canary_naive_read_then_write_admits_a_ticket_twice():
    """The race is real on this database: read 'not scanned yet', then write, admits at many gates."""
    pos = factories.point_of_sale()
    perf = factories.performance()
    ticket, _ = _sell(perf, pos)
    n = _gates_at_once(0)
    barrier = threading.Barrier(n)
    admitted = []

    def gate(i):
        try:
            seen = Ticket.objects.get(pk=ticket.pk)
            barrier.wait(timeout=60)
            if seen.scanned_at is None:
                Ticket.objects.filter(pk=ticket.pk).update(scanned_at=services.timezone.now())
                admitted.append(i)
        finally:
            connections.close_all()

    _run_threads(gate, n)
    assert len(admitted) > 1


@pytest.mark.django_db(transaction=True)
def test_the_same_ticket_at_many_gates_at_once_is_valid_exactly_once():
    pos = factories.point_of_sale()
    perf = factories.performance()
    ticket, _ = _sell(perf, pos)
    n = _gates_at_once(0)
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def gate(i):
        try:
            barrier.wait(timeout=60)
            results[i] = services.scan_ticket(code=ticket.code, performance_id=perf.pk).result
        except Exception as exc:  # noqa: BLE001 - a crash is a finding
            results[i] = "crash:" + type(exc).__name__
        finally:
            connections.close_all()

    _run_threads(gate, n)
    assert Counter(results) == Counter({"valid": 1, "already_scanned": n - 1})
    assert Scan.objects.filter(ticket=ticket, result="valid").count() == 1


def test_a_code_is_read_as_stored_whatever_was_typed():
    from entracte.access.services import MAX_CODE, normalise

    assert normalise("ab12cd") == "AB12CD"                      # a scanner's reading, lower case
    assert normalise(" ab-12 cd\n") == "AB12CD"                  # typed with spaces and dashes
    assert normalise("X" * 80) == "X" * MAX_CODE
    assert normalise("x-" * 80) == "X" * MAX_CODE
