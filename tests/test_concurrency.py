"""A seat is never sold twice: many buyers race for the last seats of a performance.

Each test first runs the canary — the same race with the claim guard switched off, as
naive read-then-write code would behave — and checks that it does oversell, proving the
race is real on this database; then it runs the race with the guard and checks that it
does not. On PostgreSQL 200 threads race, each on its own connection; SQLite serialises
writers, so fewer threads give the same proof there.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.errors import DomainError
from entracte.customers import services as customer_services
from entracte.customers.models import Contact
from entracte.customers.services import guest_contact
from entracte.inventory import services as inventory_services
from entracte.inventory.models import PerformanceSeat
from entracte.sales import carts, checkout
from entracte.sales.models import Ticket

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)

SEATS = 10          # the last seats of the performance
WANT = 2            # each buyer wants two


def _threads() -> int:
    return 200 if connection.vendor == "postgresql" else 40


def _run_threads(target, n: int) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)


def _race(perf, pos, n_threads, *, then_checkout: bool):
    """Start n buyers at the same instant; return what each one got."""
    category, tariff = SeatCategory.objects.get(code="a"), Tariff.objects.get(code="plein")
    cart_list = [carts.create_cart(point_of_sale=pos) for _ in range(n_threads)]
    contact = guest_contact(email="racer@example.org")
    barrier = threading.Barrier(n_threads)
    outcome: list = [None] * n_threads

    def buyer(i):
        try:
            barrier.wait(timeout=60)
            items = carts.add_best_available(cart=cart_list[i], performance=perf, category_id=category.pk, quantity=WANT, tariff_id=tariff.pk)
            if then_checkout:
                checkout.place_order(cart=cart_list[i], buyer=checkout.Buyer(contact=contact, email=contact.email),
                                     payment_data=factories.GOOD_CARD)
            outcome[i] = ("ok", [item.performance_seat_id for item in items])
        except DomainError as exc:
            outcome[i] = (exc.code, [])
        except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported below
            outcome[i] = ("crash:" + type(exc).__name__ + ":" + str(exc)[:200], [])
        finally:
            connections.close_all()

    _run_threads(buyer, n_threads)
    return outcome


def _small_performance():
    factories.point_of_sale()
    return factories.performance(factories.hall(factories.seatmap_csv(rows=1, per_row=SEATS)))


class _Lost(Exception):
    """This buyer's claim came back short: the transaction rolls back."""


def _interleaved_claims(perf, n_threads, *, guard: bool):
    """Every buyer reads the free seats, all meet at a barrier, then all claim what they chose:
    the read-then-write interleaving that the claim guard must survive, forced on every run."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from entracte.inventory import selectors
    from entracte.inventory.allocation import best_available

    category = SeatCategory.objects.get(code="a")
    channel = factories.point_of_sale().channel
    barrier = threading.Barrier(n_threads)
    won: list = [[] for _ in range(n_threads)]

    def buyer(i):
        try:
            now = timezone.now()
            free = selectors.free_seats_for_allocation(performance=perf, category_id=category.pk, channel=channel, now=now)
            ids = best_available(free, WANT, centre_x=perf.hall.stage_x)
            barrier.wait(timeout=60)
            with transaction.atomic():
                count = inventory_services._claim(ids, token=f"buyer-{i}", until=now + timedelta(minutes=5), now=now)
                if count != len(ids):
                    raise _Lost()
            won[i] = ids
        except _Lost:
            pass
        finally:
            connections.close_all()

    import unittest.mock

    with unittest.mock.patch.object(inventory_services, "CLAIM_GUARD", guard):
        _run_threads(buyer, n_threads)
    return won


def test_canary_read_then_write_without_the_guard_oversells():
    perf = _small_performance()
    won = _interleaved_claims(perf, _threads(), guard=False)
    granted = [ids for ids in won if ids]
    assert len(granted) * WANT > SEATS  # more buyers were told "yours" than there are seats
    assert max(Counter(seat for ids in granted for seat in ids).values()) > 1


def test_read_then_write_with_the_guard_never_grants_a_seat_twice():
    perf = _small_performance()
    won = _interleaved_claims(perf, _threads(), guard=True)
    granted = [seat for ids in won for seat in ids]
    assert len(granted) == len(set(granted)) <= SEATS
    assert granted  # somebody won
    holders = PerformanceSeat.objects.filter(performance=perf, state="held").count()
    assert holders == len(granted)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's IMMEDIATE transactions already serialise this path")
def test_canary_full_purchase_path_without_the_guard_oversells(monkeypatch):
    perf = _small_performance()
    monkeypatch.setattr(inventory_services, "CLAIM_GUARD", False)
    outcome = _race(perf, factories.point_of_sale(), _threads(), then_checkout=False)
    granted = [seats for status, seats in outcome if status == "ok"]
    assert len(granted) * WANT > SEATS, Counter(status for status, _ in outcome)


def test_with_the_guard_no_seat_is_held_or_sold_twice():
    perf = _small_performance()
    outcome = _race(perf, factories.point_of_sale(), _threads(), then_checkout=True)
    statuses = Counter(status for status, _ in outcome)
    assert not [s for s in statuses if s.startswith("crash")], statuses
    assert statuses["ok"] == SEATS // WANT, statuses
    assert set(statuses) <= {"ok", "sold_out", "seat_unavailable"}, statuses
    sold = [seat for status, seats in outcome if status == "ok" for seat in seats]
    assert len(sold) == len(set(sold)) == SEATS
    tickets = Ticket.objects.filter(performance=perf, status="valid")
    assert tickets.count() == SEATS
    assert tickets.values("performance_seat").distinct().count() == SEATS
    assert PerformanceSeat.objects.filter(performance=perf, state="sold").count() == SEATS


def test_pickers_and_best_available_buyers_never_share_a_seat():
    """Half the buyers pick the same two seats on the map while the others ask for best available."""
    perf = _small_performance()
    pos = factories.point_of_sale()
    n = _threads()
    category, tariff = SeatCategory.objects.get(code="a"), Tariff.objects.get(code="plein")
    centre = list(PerformanceSeat.objects.filter(performance=perf, seat__number__in=["5", "6"]).values_list("id", flat=True))
    cart_list = [carts.create_cart(point_of_sale=pos) for _ in range(n)]
    barrier = threading.Barrier(n)
    held: list = [[] for _ in range(n)]

    def buyer(i):
        try:
            barrier.wait(timeout=60)
            if i % 2:
                items = carts.add_chosen_seats(cart=cart_list[i], performance=perf, seat_ids=centre, tariff_id=tariff.pk)
            else:
                items = carts.add_best_available(cart=cart_list[i], performance=perf, category_id=category.pk, quantity=WANT, tariff_id=tariff.pk)
            held[i] = [item.performance_seat_id for item in items]
        except DomainError:
            pass
        finally:
            connections.close_all()

    _run_threads(buyer, n)
    everything = [seat for seats in held for seat in seats]
    assert len(everything) == len(set(everything)) == SEATS
    owners = PerformanceSeat.objects.filter(performance=perf, state="held").values_list("hold_token", flat=True)
    assert Counter(owners) == Counter(cart_list[i].token for i in range(n) for _ in held[i])


def _first_orders_of_one_new_guest(n_threads, *, at_checkout: bool, email: str = "first-time@example.org") -> list:
    """n buyers give the same new email at the same instant; the contact id each one got:
    from customers.guest_contact, or (`at_checkout`) on the order each one placed, his contact
    then written with his sale (checkout.resolve_buyer, writes.sell_and_record on PostgreSQL)."""
    barrier = threading.Barrier(n_threads)
    got: list = [None] * n_threads
    if at_checkout:
        perf = factories.performance(factories.hall(factories.seatmap_csv(rows=n_threads // 10 + 1, per_row=10)))
        category, tariff = SeatCategory.objects.get(code="a"), Tariff.objects.get(code="plein")
        cart_list = [carts.create_cart(point_of_sale=factories.point_of_sale()) for _ in range(n_threads)]
        for cart in cart_list:
            carts.add_best_available(cart=cart, performance=perf, category_id=category.pk, quantity=1, tariff_id=tariff.pk)

    def buyer(i):
        try:
            connection.ensure_connection()  # connected before the start: the buyers meet at the read
            if at_checkout:
                new = checkout.resolve_buyer(email=email)
                assert new.contact.pk is None
                barrier.wait(timeout=60)
                got[i] = checkout.place_order(cart=cart_list[i], buyer=new, payment_data=factories.GOOD_CARD).contact_id
            else:
                barrier.wait(timeout=60)
                got[i] = guest_contact(email=email).pk
        finally:
            connections.close_all()

    _run_threads(buyer, n_threads)
    return got


_WAYS = pytest.mark.parametrize("at_checkout", [False, True], ids=["guest_contact", "with_the_sale"])


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite begins every write transaction with the database lock: no race to show")
@_WAYS
def test_canary_new_guest_contacts_without_the_lock_are_made_twice(monkeypatch, at_checkout):
    monkeypatch.setattr(customer_services, "advisory_lock", lambda *parts: None)
    for attempt in range(3):  # a race: give it a few chances to show
        # An email of its own each time: the contacts an attempt made may have orders, which keep them.
        got = _first_orders_of_one_new_guest(_threads(), at_checkout=at_checkout, email=f"first-time-{attempt}@example.org")
        if len(set(got)) > 1:
            break
    assert len(set(got)) > 1, "the canary did not race: the test below would prove nothing"


@_WAYS
def test_one_new_guest_email_makes_one_contact_however_many_buy_at_once(at_checkout):
    got = _first_orders_of_one_new_guest(_threads(), at_checkout=at_checkout)
    assert None not in got and len(set(got)) == 1
    assert Contact.objects.filter(email="first-time@example.org").count() == 1
    if at_checkout:
        from entracte.sales.models import Order, Payment

        assert Order.objects.filter(contact_id=got[0]).count() == len(got)
        assert set(Payment.objects.values_list("contact_id", flat=True)) == {got[0]}
