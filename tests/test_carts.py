"""Holding seats in a cart: best available, chosen seats, expiry, contingents, tariffs."""

import functools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.errors import InvalidInput
from entracte.inventory import selectors as inventory
from entracte.inventory import services as inventory_services
from entracte.inventory.errors import SeatNotForSale, SeatUnavailable, SoldOut
from entracte.inventory.models import PerformanceSeat
from entracte.sales import carts, selectors
from entracte.sales.errors import CartFull, SalesClosed, TariffNotAvailable
from entracte.sales.models import Cart

from . import factories

pytestmark = pytest.mark.django_db


def _cart(pos):
    return carts.create_cart(point_of_sale=pos)


def test_a_new_cart_is_stored_as_the_instance_says(web_pos):
    before = timezone.now()
    cart = _cart(web_pos)
    stored = Cart.objects.get(pk=cart.pk)
    assert (stored.token, stored.point_of_sale_id, stored.created_at, stored.adjusted) == (
        cart.token, web_pos.pk, cart.created_at, False)
    assert before <= stored.created_at <= timezone.now() and len(cart.token) >= 32
    assert _cart(web_pos).token != cart.token


def test_best_available_holds_contiguous_seats_near_the_centre(perf, web_pos):
    cart = _cart(web_pos)
    items = carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=2,
                                     tariff_id=Tariff.objects.get(code="plein").pk)
    seats = PerformanceSeat.objects.filter(id__in=[i.performance_seat_id for i in items]).select_related("seat")
    assert {s.seat.row for s in seats} == {"A"}
    assert sorted(int(s.seat.number) for s in seats) == [5, 6]  # 10 seats, centre line x=45
    assert all(s.state == "held" and s.hold_token == cart.token for s in seats)
    view = selectors.cart_view(cart)
    assert view.quote.subtotal == Decimal("100.00") and view.quote.order_fee == Decimal("2.00")
    assert view.quote.total == Decimal("102.00")


def test_chosen_seats_are_held_or_refused_whole(perf, web_pos):
    ids = list(PerformanceSeat.objects.filter(performance=perf, seat__row="A").order_by("seat__position").values_list("id", flat=True))
    first, second = _cart(web_pos), _cart(web_pos)
    carts.add_chosen_seats(cart=first, performance=perf, seat_ids=ids[:2], tariff_id=Tariff.objects.get(code="plein").pk)
    with pytest.raises(SeatUnavailable):
        carts.add_chosen_seats(cart=second, performance=perf, seat_ids=ids[1:3], tariff_id=Tariff.objects.get(code="plein").pk)
    assert PerformanceSeat.objects.get(id=ids[2]).state == "free"  # nothing half-done
    assert not second.items.exists()


def test_expired_hold_counts_as_free_without_cleanup(perf, web_pos):
    ids = list(PerformanceSeat.objects.filter(performance=perf, seat__row="A").values_list("id", flat=True)[:1])
    first, second = _cart(web_pos), _cart(web_pos)
    carts.add_chosen_seats(cart=first, performance=perf, seat_ids=ids, tariff_id=Tariff.objects.get(code="plein").pk)
    PerformanceSeat.objects.filter(id__in=ids).update(hold_until=timezone.now() - timedelta(seconds=1))
    carts.add_chosen_seats(cart=second, performance=perf, seat_ids=ids, tariff_id=Tariff.objects.get(code="plein").pk)
    assert PerformanceSeat.objects.get(id=ids[0]).hold_token == second.token
    assert not first.items.exists()  # the stale item left the first cart
    assert selectors.cart_view(first).items == []
    # A cart taking back the seat its own expired hold had: one line, the new one.
    PerformanceSeat.objects.filter(id__in=ids).update(hold_until=timezone.now() - timedelta(seconds=1))
    stale_line = second.items.get().pk
    carts.add_chosen_seats(cart=second, performance=perf, seat_ids=ids, tariff_id=Tariff.objects.get(code="plein").pk)
    assert [line.pk for line in second.items.all()] != [stale_line] and second.items.count() == 1
    assert PerformanceSeat.objects.get(id=ids[0]).hold_until > timezone.now()


def test_hold_duration_comes_from_the_point_of_sale(perf):
    pos = factories.point_of_sale(code="quick", hold_minutes=3)
    cart = _cart(pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=1, tariff_id=Tariff.objects.get(code="plein").pk)
    until = PerformanceSeat.objects.get(hold_token=cart.token).hold_until
    assert timedelta(minutes=2) < until - timezone.now() <= timedelta(minutes=3)


def test_a_new_hold_gives_the_whole_cart_one_timer(perf, web_pos):
    cart = _cart(web_pos)
    category, tariff = SeatCategory.objects.get(code="a").pk, Tariff.objects.get(code="plein").pk
    first = carts.add_best_available(cart=cart, performance=perf, category_id=category, quantity=2, tariff_id=tariff)
    earlier = timezone.now() + timedelta(minutes=3)
    PerformanceSeat.objects.filter(id__in=[h.performance_seat_id for h in first]).update(hold_until=earlier)
    second = carts.add_best_available(cart=cart, performance=perf, category_id=category, quantity=1, tariff_id=tariff)
    timers = set(PerformanceSeat.objects.filter(hold_token=cart.token).values_list("hold_until", flat=True))
    assert len(timers) == 1 and timers.pop() > earlier + timedelta(minutes=5)
    assert len(first) == 2 and len(second) == 1 and cart.items.count() == 3


def _shown(view):
    return [(i.id, i.performance_seat_id, i.held_by_cart, i.hold_until, i.unit_price, i.label())
            for i in view.items + view.expired] + [view.expires_at, view.quote.total]


def test_the_cart_a_hold_answers_with_is_the_cart_read_after_it(perf, web_pos):
    """On PostgreSQL a hold reads the cart's lines in its own statement (before its writes are
    visible, so it states the new seats and the moved timers itself): what it answers must be
    what a read after commit finds. New lines, lines whose timer moved, a line left expired,
    and a seat the cart's own expired hold had, taken back."""
    cart, now = _cart(web_pos), timezone.now()
    plein, a = Tariff.objects.get(code="plein").pk, SeatCategory.objects.get(code="a").pk

    def check(held):
        if held.line_rows is not None:  # SQLite reads the lines after the hold
            assert _shown(selectors.cart_view(cart, now, held.line_rows)) == _shown(selectors.cart_view(cart, now))

    check(carts.add_best_available(cart=cart, performance=perf, category_id=a, quantity=2, tariff_id=plein))
    first = carts.add_best_available(cart=cart, performance=perf, category_id=a, quantity=2, tariff_id=plein)
    check(first)
    gone, back = first[0].performance_seat_id, first[1].performance_seat_id
    PerformanceSeat.objects.filter(id__in=[gone, back]).update(hold_until=now - timedelta(seconds=1))
    again = carts.add_chosen_seats(cart=cart, performance=perf, seat_ids=[back], tariff_id=plein)
    check(again)
    view = selectors.cart_view(cart, now)
    assert [i.performance_seat_id for i in view.expired] == [gone] and len(view.items) == 3
    assert len({i.hold_until for i in view.items}) == 1


def test_contingent_seats_are_not_sold_on_an_unauthorized_channel(perf, web_pos):
    vip = factories.contingent()
    ids = list(PerformanceSeat.objects.filter(performance=perf, seat__row="A").values_list("id", flat=True))
    PerformanceSeat.objects.filter(id__in=ids).update(contingent=vip)
    cart = _cart(web_pos)
    with pytest.raises(SeatNotForSale):
        carts.add_chosen_seats(cart=cart, performance=perf, seat_ids=ids[:1], tariff_id=Tariff.objects.get(code="plein").pk)
    items = carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=4, tariff_id=Tariff.objects.get(code="plein").pk)
    assert not {i.performance_seat_id for i in items} & set(ids)
    box = factories.point_of_sale(code="box", channel="boxoffice", fee="0")
    carts.add_chosen_seats(cart=_cart(box), performance=perf, seat_ids=ids[:1], tariff_id=Tariff.objects.get(code="plein").pk)


def test_sold_out_category(web_pos):
    perf = factories.performance(factories.hall(factories.seatmap_csv(rows=1, per_row=3)))
    cart = _cart(web_pos)
    with pytest.raises(SoldOut):
        carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=4, tariff_id=Tariff.objects.get(code="plein").pk)
    assert not PerformanceSeat.objects.filter(performance=perf).exclude(state="free").exists()


def test_a_category_found_sold_out_answers_at_once_and_sells_again_when_seats_come_back(web_pos):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    perf = factories.performance(factories.hall(factories.seatmap_csv(rows=1, per_row=4)))
    category, tariff = SeatCategory.objects.get(code="a").pk, Tariff.objects.get(code="plein").pk
    first = _cart(web_pos)
    carts.add_best_available(cart=first, performance=perf, category_id=category, quantity=4, tariff_id=tariff)
    with pytest.raises(SoldOut):  # found sold out under the allocation lock
        carts.add_best_available(cart=_cart(web_pos), performance=perf, category_id=category, quantity=2, tariff_id=tariff)
    late = _cart(web_pos)
    with CaptureQueriesContext(connection) as queries, pytest.raises(SoldOut):
        carts.add_best_available(cart=late, performance=perf, category_id=category, quantity=2, tariff_id=tariff)
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1 and "inventory_performanceseat" in statements[0], statements  # one read, no lock
    with CaptureQueriesContext(connection) as queries, pytest.raises(SoldOut):
        carts.add_best_available(cart=late, performance=perf, category_id=category, quantity=2, tariff_id=tariff)
    assert not [q["sql"] for q in queries.captured_queries if "inventory_performanceseat" in q["sql"]]  # remembered
    # Two seats given back: the next buyer gets them, whatever this process remembered.
    for item in list(first.items.order_by("id"))[:2]:
        carts.remove_item(cart=first, item_id=item.pk)
    assert len(carts.add_best_available(cart=late, performance=perf, category_id=category, quantity=2, tariff_id=tariff)) == 2
    with pytest.raises(SoldOut):
        carts.add_best_available(cart=_cart(web_pos), performance=perf, category_id=category, quantity=1, tariff_id=tariff)
    assert PerformanceSeat.objects.filter(performance=perf, state="held").count() == 4


def _sold_out_perf(web_pos, seats=2):
    perf = factories.performance(factories.hall(factories.seatmap_csv(rows=1, per_row=seats)))
    category, tariff = SeatCategory.objects.get(code="a").pk, Tariff.objects.get(code="plein").pk
    holder = _cart(web_pos)
    carts.add_best_available(cart=holder, performance=perf, category_id=category, quantity=seats, tariff_id=tariff)
    buy = functools.partial(carts.add_best_available, performance=perf, category_id=category, tariff_id=tariff)
    for _ in range(3):  # found sold out under the lock, read once more, then remembered
        with pytest.raises(SoldOut):
            buy(cart=_cart(web_pos), quantity=1)
    return perf, holder, buy


def test_a_remembered_sold_out_ends_when_a_hold_expires(web_pos):
    perf, _holder, _buy = _sold_out_perf(web_pos)
    until = PerformanceSeat.objects.filter(performance=perf).values_list("hold_until", flat=True)[0]
    later = timezone.now() + timedelta(hours=1)
    assert later > until
    # No one wrote anything: the hold ran out. The memo stops at the first hold's expiry.
    inventory_services.check_not_sold_out(performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=1,
                                          channel=web_pos.channel, now=later)


def test_a_seat_given_back_elsewhere_is_offered_within_the_memo_time(web_pos, monkeypatch):
    _perf, holder, buy = _sold_out_perf(web_pos)
    # Another process gives a seat back: this one is not told and answers from its memo...
    PerformanceSeat.objects.filter(id=holder.items.first().performance_seat_id).update(state="free", hold_token="", hold_until=None)
    with pytest.raises(SoldOut):
        buy(cart=_cart(web_pos), quantity=1)
    # ... for SOLD_OUT_MEMO_SECONDS at most.
    clock = inventory_services._clock
    monkeypatch.setattr(inventory_services, "_clock", lambda: clock() + inventory_services.SOLD_OUT_MEMO_SECONDS)
    assert len(buy(cart=_cart(web_pos), quantity=1)) == 1


def test_a_remembered_sold_out_answers_only_for_as_many_seats(web_pos):
    _perf, holder, buy = _sold_out_perf(web_pos, seats=3)
    carts.remove_item(cart=holder, item_id=holder.items.first().pk)  # one seat back, given by this process
    for _ in range(3):  # remembered with its one free seat
        with pytest.raises(SoldOut):
            buy(cart=_cart(web_pos), quantity=2)
    assert len(buy(cart=_cart(web_pos), quantity=1)) == 1


def test_standing_area_sells_against_capacity(web_pos):
    perf = factories.performance(factories.hall(factories.seatmap_csv(rows=0, standing=3, category="b")),
                                 prices={("b", "plein"): "15.00"})
    cart = _cart(web_pos)
    items = carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="b").pk, quantity=3, tariff_id=Tariff.objects.get(code="plein").pk)
    assert len(items) == 3
    with pytest.raises(SoldOut):
        carts.add_best_available(cart=_cart(web_pos), performance=perf, category_id=SeatCategory.objects.get(code="b").pk, quantity=1, tariff_id=Tariff.objects.get(code="plein").pk)


def test_tariff_rules(perf, web_pos):
    cart = _cart(web_pos)
    cat_b = SeatCategory.objects.get(code="b")
    with pytest.raises(TariffNotAvailable):  # no "reduit" price in category b
        carts.add_best_available(cart=cart, performance=perf, category_id=cat_b.pk, quantity=1, tariff_id=Tariff.objects.get(code="reduit").pk)
    box_only = factories.tariff("invite", on=("boxoffice",))
    with pytest.raises(TariffNotAvailable):
        carts.add_best_available(cart=cart, performance=perf, category_id=cat_b.pk, quantity=1, tariff_id=box_only.pk)
    assert not PerformanceSeat.objects.filter(performance=perf, state="held").exists()


def test_quantities_and_cart_size(perf, web_pos):
    cart = _cart(web_pos)
    cat, plein = SeatCategory.objects.get(code="a"), Tariff.objects.get(code="plein")
    for bad in (0, -1, 11):
        with pytest.raises(InvalidInput):
            carts.add_best_available(cart=cart, performance=perf, category_id=cat.pk, quantity=bad, tariff_id=plein.pk)
    carts.add_best_available(cart=cart, performance=perf, category_id=cat.pk, quantity=10, tariff_id=plein.pk)
    carts.add_best_available(cart=cart, performance=perf, category_id=cat.pk, quantity=10, tariff_id=plein.pk)
    with pytest.raises(CartFull):
        carts.add_best_available(cart=cart, performance=perf, category_id=cat.pk, quantity=1, tariff_id=plein.pk)


def test_sales_window(web_pos):
    perf = factories.performance()
    perf.sales_open_at = timezone.now() + timedelta(days=1)
    perf.save()
    with pytest.raises(SalesClosed):
        carts.add_best_available(cart=_cart(web_pos), performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=1, tariff_id=Tariff.objects.get(code="plein").pk)


def test_remove_frees_the_seat_and_change_tariff_reprices(perf, web_pos):
    cart = _cart(web_pos)
    items = carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=2, tariff_id=Tariff.objects.get(code="plein").pk)
    carts.change_tariff(cart=cart, item_id=items[0].id, tariff_id=Tariff.objects.get(code="reduit").pk)
    assert selectors.cart_view(cart).quote.subtotal == Decimal("90.00")
    carts.remove_item(cart=cart, item_id=items[1].id)
    assert PerformanceSeat.objects.get(id=items[1].performance_seat_id).state == "free"
    counts = inventory.state_counts(performance=perf, now=timezone.now())
    assert counts["held"] == 1


def test_staff_assign_seats_to_a_contingent_in_the_admin(perf, web_pos):
    from django.test import Client

    from entracte.core.models import AuditEntry
    from entracte.customers.models import User

    User.objects.create_superuser(email="boss@example.org", password="boss-pass-123")
    client = Client()
    client.login(username="boss@example.org", password="boss-pass-123")
    vip = factories.contingent()
    ids = list(PerformanceSeat.objects.filter(performance=perf, seat__row="A").values_list("id", flat=True)[:3])
    url = "/admin/inventory/performanceseat/"
    page = client.post(url, {"action": "assign_contingent", "_selected_action": ids})
    assert page.status_code == 200 and b"contingent" in page.content.lower()
    client.post(url, {"action": "assign_contingent", "_selected_action": ids, "apply": "1", "contingent": vip.pk})
    assert PerformanceSeat.objects.filter(contingent=vip).count() == 3
    assert AuditEntry.objects.filter(action="inventory.contingent_assigned").exists()


def test_raw_free_seat_read_agrees_with_the_orm_rule(perf, web_pos):
    """free_seats_for_allocation (SQL) and free_q/channel_q (ORM) state one rule: same seats."""
    vip = factories.contingent()
    seats = list(PerformanceSeat.objects.filter(performance=perf, category__code="a").order_by("id"))
    now = timezone.now()
    PerformanceSeat.objects.filter(id=seats[0].id).update(state="held", hold_token="x", hold_until=now - timedelta(minutes=1))
    PerformanceSeat.objects.filter(id=seats[1].id).update(state="held", hold_token="x", hold_until=now + timedelta(minutes=1))
    PerformanceSeat.objects.filter(id=seats[2].id).update(state="sold")
    PerformanceSeat.objects.filter(id=seats[3].id).update(state="blocked")
    PerformanceSeat.objects.filter(id=seats[4].id).update(contingent=vip)
    for channel in (web_pos.channel, factories.point_of_sale(code="box", channel="boxoffice", fee="0").channel):
        raw = {s.id for s in inventory.free_seats_for_allocation(performance=perf, category_id=seats[0].category_id, channel=channel, now=now)}
        orm = set(PerformanceSeat.objects.filter(performance=perf, category_id=seats[0].category_id)
                  .filter(inventory.free_q(now)).filter(inventory.channel_q(channel)).values_list("id", flat=True))
        assert raw == orm
        assert seats[0].id in raw and seats[1].id not in raw and seats[2].id not in raw and seats[3].id not in raw
        assert (seats[4].id in raw) == (channel.code == "boxoffice")
