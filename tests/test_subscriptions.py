"""Subscriptions: rules, allocation of subscribers and extra seats, the sale through the one checkout."""

from __future__ import annotations

from decimal import Decimal

import pytest

from entracte.core.errors import DomainError
from entracte.inventory.models import PerformanceSeat
from entracte.sales import carts, checkout
from entracte.sales.models import CartItem, Ticket
from entracte.subscriptions import errors, services
from entracte.subscriptions.models import Subscription, SubscriptionTicket
from entracte.subscriptions.pricing import Choice, Selection

from . import factories
from .conftest import SUBSCRIPTION_EXTRAS as EXTRAS


def _lines(product):
    return {line.performance_id: line.pk for line in product.lines.all()}


def _selection(product, perfs, *, subscribers=2, extras=None, category="a"):
    cat = factories.category(category).pk
    abonne, invite = factories.tariff("abonne").pk, factories.tariff("invite").pk
    lines = _lines(product)
    return Selection({abonne: subscribers}, tuple(
        Choice(lines[p.pk], cat, {invite: (extras or {}).get(p.pk, 0)}) for p in perfs))


def _buyer():
    return checkout.resolve_buyer(email="abonne@example.org", first_name="Ada", last_name="Abonnée")


def test_a_subscription_with_extra_seats_is_held_priced_and_sold_through_the_checkout(season, web_pos):
    product, perfs = season
    cart = carts.create_cart(point_of_sale=web_pos)
    selection = _selection(product, perfs[:2], extras={perfs[1].pk: 2})
    services.hold_subscription(cart=cart, product=product, selection=selection)

    items = list(CartItem.objects.filter(cart=cart))
    assert len(items) == 2 + 4  # 2 subscribers at each performance, 2 extras at the second
    # 2 × 160.00 × 2 performances + 2 extra seats at 200.00, + the web order fee 2.00
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    assert (order.subtotal, order.total) == (Decimal("1040.00"), Decimal("1042.00"))
    sub = Subscription.objects.get(order=order)
    assert (sub.subscribers, sub.contact_id, sub.product_id) == (2, order.contact_id, product.pk)
    roles = sorted((link.ticket.performance_id, link.role, str(link.ticket.price)) for link in sub.tickets.select_related("ticket"))
    assert roles == sorted([(perfs[0].pk, "subscriber", "160.00")] * 2 + [(perfs[1].pk, "subscriber", "160.00")] * 2
                           + [(perfs[1].pk, "extra", "200.00")] * 2)
    assert set(Ticket.objects.filter(order=order).values_list("price_source", flat=True)) == {"subscription"}
    assert PerformanceSeat.objects.filter(state="sold").count() == 6


def _seats(cart, perf):
    return sorted(PerformanceSeat.objects.filter(performance=perf, state="held", hold_token=cart.token)
                  .values_list("seat__row", "seat__position"))


def test_subscribers_sit_side_by_side_with_their_extras_and_keep_the_same_seats(season, web_pos):
    product, perfs = season
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs, extras={perfs[2].pk: 2}))
    first, second, third = (_seats(cart, p) for p in perfs)
    assert first == second  # the same seats at the next performance
    assert set(first) < set(third)  # the extras sit beside the subscribers' usual seats
    rows = {r for r, _p in third}
    positions = sorted(p for _r, p in third)
    assert len(rows) == 1 and positions == list(range(positions[0], positions[0] + 4))


def test_the_same_seats_are_not_kept_when_taken_but_the_group_stays_together(season, web_pos):
    _product, perfs = season
    product = factories.subscription_product(perfs, min_performances=1)
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:1]))
    taken = _seats(cart, perfs[0])
    carts.empty_cart(cart=cart)
    # Someone buys those very seats at the second performance.
    other = carts.create_cart(point_of_sale=web_pos)
    ids = list(PerformanceSeat.objects.filter(performance=perfs[1], seat__row=taken[0][0],
                                              seat__position__in=[p for _r, p in taken]).values_list("pk", flat=True))
    carts.add_chosen_seats(cart=other, performance=perfs[1], seat_ids=ids, tariff_id=factories.tariff("plein").pk)
    cart2 = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart2, product=product, selection=_selection(product, perfs[:2], category="a"))
    assert _seats(cart2, perfs[0]) == taken
    moved = _seats(cart2, perfs[1])
    assert moved != taken and len(moved) == 2 and len({r for r, _p in moved}) == 1 and abs(moved[0][1] - moved[1][1]) == 1


def _nothing_held():
    return not PerformanceSeat.objects.exclude(state="free").exists() and not CartItem.objects.exists()


@pytest.mark.parametrize("case, error", [
    ("too_few", errors.TooFewPerformances),
    ("too_many_extras_here", errors.TooManyExtrasOnPerformance),
    ("too_many_extras", errors.TooManyExtras),
    ("extras_forbidden", errors.ExtrasNotAllowed),
    ("tariff_not_allowed", errors.SubscribersInvalid),
    ("extra_tariff_not_allowed", errors.ExtraTariffNotAllowed),
    ("not_in_subscription", errors.PerformanceNotInSubscription),
    ("category_not_priced", errors.CategoryNotOffered),
    ("no_subscriber", errors.SubscribersInvalid),
])
def test_a_selection_breaking_a_rule_is_refused_and_nothing_is_held(season, web_pos, case, error):
    product, perfs = season
    lines = _lines(product)
    cat_a = factories.category("a").pk
    abonne, invite, plein = (factories.tariff(c).pk for c in ("abonne", "invite", "plein"))
    if case == "extras_forbidden":
        line = product.lines.get(performance=perfs[0])
        line.extras_max = 0
        line.save()
    other = factories.performance(name="Hors abonnement")
    factories.category("c", "Catégorie C")
    choices = {
        "too_few": (Choice(lines[perfs[0].pk], cat_a),),
        "too_many_extras_here": (Choice(lines[perfs[0].pk], cat_a, {invite: 3}), Choice(lines[perfs[1].pk], cat_a)),
        "too_many_extras": tuple(Choice(lines[p.pk], cat_a, {invite: 2}) for p in perfs[:3]),
        "extras_forbidden": (Choice(lines[perfs[0].pk], cat_a, {invite: 1}), Choice(lines[perfs[1].pk], cat_a)),
        "extra_tariff_not_allowed": (Choice(lines[perfs[0].pk], cat_a, {plein: 1}), Choice(lines[perfs[1].pk], cat_a)),
        "not_in_subscription": (Choice(lines[perfs[0].pk], cat_a), Choice(other.pk * 1000, cat_a)),
        "category_not_priced": (Choice(lines[perfs[0].pk], cat_a), Choice(lines[perfs[1].pk], factories.category("c").pk)),
    }.get(case, (Choice(lines[perfs[0].pk], cat_a), Choice(lines[perfs[1].pk], cat_a)))
    subscribers = {"tariff_not_allowed": {plein: 2}, "no_subscriber": {abonne: 0}}.get(case, {abonne: 2})
    cart = carts.create_cart(point_of_sale=web_pos)
    with pytest.raises(error) as raised:
        services.hold_subscription(cart=cart, product=product, selection=Selection(subscribers, choices))
    assert str(raised.value.message)
    assert _nothing_held()


def test_no_block_side_by_side_names_the_performance_and_the_categories_where_it_fits(db, web_pos):
    # Row A: 6 seats in category a, rows B-C in category b.
    text = factories.seatmap_csv(rows=1, per_row=6) + factories.seatmap_csv(rows=3, per_row=6, category="b").split("\n", 1)[1].replace("stalls,A,", "stalls,X,")
    hall = factories.hall(text)
    perfs = [factories.performance(hall, name=f"Ballet {i}") for i in range(2)]
    product = factories.subscription_product(perfs, extras=EXTRAS)
    # Seats 3 and 4 of row A are sold at the second performance: no 4 side by side left in a.
    PerformanceSeat.objects.filter(performance=perfs[1], seat__row="A", seat__number__in=["3", "4"]).update(state="sold")
    cart = carts.create_cart(point_of_sale=web_pos)
    with pytest.raises(errors.NoContiguousBlock) as raised:
        services.hold_subscription(cart=cart, product=product,
                                   selection=_selection(product, perfs, subscribers=2, extras={perfs[1].pk: 2}))
    message = str(raised.value.message)
    assert "Ballet 1" in message and "Catégorie B" in message
    assert raised.value.details["fits"] == [factories.category("b").pk]
    assert not PerformanceSeat.objects.filter(state="held").exists() and not CartItem.objects.exists()


def test_removing_one_seat_of_a_subscription_removes_the_whole_subscription(season, web_pos):
    product, perfs = season
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2]))
    carts.add_best_available(cart=cart, performance=perfs[2], category_id=factories.category("a").pk, quantity=1,
                             tariff_id=factories.tariff("plein").pk)
    item = CartItem.objects.filter(cart=cart, bundle__isnull=False).first()
    with pytest.raises(DomainError):
        carts.change_tariff(cart=cart, item_id=item.pk, tariff_id=factories.tariff("plein").pk)
    carts.remove_item(cart=cart, item_id=item.pk)
    assert list(CartItem.objects.filter(cart=cart).values_list("performance_id", flat=True)) == [perfs[2].pk]
    assert PerformanceSeat.objects.filter(state="held").count() == 1


def test_a_subscription_is_not_sold_to_the_anonymous_contact(season, db):
    from entracte.customers.services import anonymous_contact

    product, perfs = season
    counter = factories.point_of_sale("guichet", "boxoffice", fee="0.00")
    cart = carts.create_cart(point_of_sale=counter)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2]))
    with pytest.raises(services.SubscriptionNeedsContact):
        checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=anonymous_contact(), email=""),
                             tenders=[checkout.Tender("cash")])
    assert not Subscription.objects.exists() and not Ticket.objects.exists()
    assert PerformanceSeat.objects.filter(state="held").count() == 4


def test_a_subscription_off_this_channel_is_refused(season, db):
    product, perfs = season
    product.channels.set([factories.channels()["boxoffice"]])
    cart = carts.create_cart(point_of_sale=factories.point_of_sale())
    with pytest.raises(errors.SubscriptionNotOnSale):
        services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2]))
    assert _nothing_held()


def test_fixed_price_subscription_spreads_its_price_over_its_performances(db, web_pos):
    hall = factories.hall()
    perfs = [factories.performance(hall, name=f"Concert {i}") for i in range(3)]
    product = factories.subscription_product(perfs, kind="fixed", package_prices={("a", "abonne"): "100.00"})
    cart = carts.create_cart(point_of_sale=web_pos)
    with pytest.raises(errors.TooFewPerformances):
        services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2]))
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs, subscribers=1))
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    prices = sorted(t.price for t in order.tickets.all())
    assert prices == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")] and order.subtotal == Decimal("100.00")
    assert SubscriptionTicket.objects.filter(subscription__order=order, role="subscriber").count() == 3


def test_the_shop_journey_in_three_steps_then_checkout_and_the_personal_space(client, season, web_pos):
    from entracte.customers.models import User

    product, perfs = season
    user = User.objects.create_user(email="ada@example.org", password="pw-ada-12345")
    client.force_login(user)
    assert product.slug in client.get("/subscriptions/").content.decode()
    page = client.get(f"/subscriptions/{product.slug}/").content.decode()
    assert "Entre 2 et 3 séances de votre choix" in page or "Between 2 and 3" in page
    lines = _lines(product)
    abonne, invite, cat = factories.tariff("abonne").pk, factories.tariff("invite").pk, factories.category("a").pk
    form = {f"sub-{abonne}": "2", f"line-{lines[perfs[0].pk]}": "1", f"cat-{lines[perfs[0].pk]}": str(cat),
            f"line-{lines[perfs[1].pk]}": "1", f"cat-{lines[perfs[1].pk]}": str(cat), f"extra-{lines[perfs[1].pk]}-{invite}": "2"}
    quoted = client.post(f"/subscriptions/{product.slug}/", {**form, "action": "quote"}).content.decode()
    assert "1040,00" in quoted and not CartItem.objects.exists()
    too_many = client.post(f"/subscriptions/{product.slug}/", {**form, f"extra-{lines[perfs[1].pk]}-{invite}": "3",
                                                               "action": "validate"}, follow=True).content.decode()
    assert "au plus 2" in too_many and not CartItem.objects.exists()
    response = client.post(f"/subscriptions/{product.slug}/", {**form, "action": "validate"})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    cart = client.get("/cart/").content.decode()
    assert "Abonnement" in cart and "1042,00" in cart
    client.post("/checkout/", {"delivery_mode": "eticket", "card_number": factories.GOOD_CARD["number"],
                               "card_expiry": "12/39", "card_cvc": "123", "expected_total": "1042.00"})
    sub = Subscription.objects.get()
    account = client.get("/account/").content.decode()
    assert sub.number in account and "Place supplémentaire" in account


def test_an_operator_sells_a_subscription_for_a_contact_at_the_counter(client, season):
    from entracte.core import roles
    from entracte.customers.models import Contact

    product, perfs = season
    counter = factories.point_of_sale("guichet", "boxoffice", fee="0.00")
    client.force_login(factories.staff_user(roles.OPERATOR, points_of_sale=[counter]))
    lines = _lines(product)
    abonne, cat = factories.tariff("abonne").pk, factories.category("a").pk
    form = {f"sub-{abonne}": "1", "action": "validate"}
    for p in perfs[:2]:
        form.update({f"line-{lines[p.pk]}": "1", f"cat-{lines[p.pk]}": str(cat)})
    url = f"/boxoffice/subscriptions/{product.slug}/"
    assert product.slug in client.get("/boxoffice/").content.decode()
    refused = client.post(url, form, follow=True).content.decode()
    assert "contact" in refused and not CartItem.objects.exists()  # no contact attached yet
    contact = Contact.objects.create(first_name="Léa", last_name="Martin", email="lea@example.org")
    client.post("/boxoffice/sale/contact/", {"contact": contact.pk})
    assert client.post(url, form)["Location"] == "/boxoffice/sale/"
    sale = client.get("/boxoffice/sale/").content.decode()
    assert "Abonnement" in sale and "320,00" in sale
    client.post("/boxoffice/sale/", {"cash": "320.00", "delivery_mode": "pickup", "expected_total": "320.00"})
    sub = Subscription.objects.get()
    assert sub.contact == contact and sub.order.point_of_sale == counter and sub.tickets.count() == 2


def test_a_championship_holds_every_match_and_the_admin_configures_it(admin_client, db, web_pos):
    from entracte.subscriptions.services import sync_championship_lines

    hall = factories.hall()
    first = factories.performance(hall, name="Match 1")
    product = factories.subscription_product([first], kind="championship", package_prices={("a", "abonne"): "90.00"})
    product.event = first.event
    product.save()
    second = factories.performance(hall, name="Match 2")
    second.event = first.event
    second.save()
    assert sync_championship_lines(product=product) == 1 and product.lines.count() == 2
    assert admin_client.get(f"/admin/subscriptions/subscriptionproduct/{product.pk}/change/").status_code == 200
    assert admin_client.get("/admin/subscriptions/subscriptionline/").status_code == 200
    assert admin_client.get("/admin/subscriptions/subscription/").status_code == 200
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, [first, second], subscribers=1))
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    assert sorted(t.price for t in order.tickets.all()) == [Decimal("45.00")] * 2


def test_the_api_lists_prices_and_sells_a_subscription(client, season):
    product, _perfs = season
    listed = client.get("/api/subscriptions").json()
    mine = next(p for p in listed if p["slug"] == product.slug)
    assert (mine["min_performances"], mine["max_performances"], mine["extras_max_total"]) == (2, 3, 4)
    assert len(mine["lines"]) == 3 and mine["lines"][0]["extras_max"] == 2
    abonne, invite = mine["subscriber_tariff_ids"][0], mine["extra_tariff_ids"][0]
    cat = factories.category("a").pk
    chosen = [{"line_id": line["id"], "category_id": cat} for line in mine["lines"][:2]]
    chosen[1]["extras"] = [{"tariff_id": invite, "count": 1}]
    body = {"subscribers": [{"tariff_id": abonne, "count": 2}], "lines": chosen}
    quoted = client.post(f"/api/subscriptions/{product.slug}/quote", body, content_type="application/json").json()
    assert quoted["total"] == "840.00" and {s["role"] for s in quoted["seats"]} == {"subscriber", "extra"}
    too_few = client.post(f"/api/subscriptions/{product.slug}/quote", {**body, "lines": chosen[:1]}, content_type="application/json")
    assert too_few.status_code == 400 and too_few.json()["code"] == "too_few_performances"
    token = client.post("/api/carts", content_type="application/json").json()["token"]
    cart = client.post(f"/api/carts/{token}/subscriptions", {**body, "product": product.slug}, content_type="application/json").json()
    assert cart["total"] == "842.00" and len({i["bundle_id"] for i in cart["items"]}) == 1 and len(cart["items"]) == 5
    order = client.post(f"/api/carts/{token}/checkout", {"email": "api@example.org", "card": factories.GOOD_CARD,
                                                         "expected_total": "842.00"}, content_type="application/json")
    assert order.status_code == 201 and len(order.json()["tickets"]) == 5
    assert Subscription.objects.get().tickets.filter(role="extra").count() == 1


@pytest.mark.django_db(transaction=True)
def test_subscriptions_bought_while_single_tickets_sell_never_double_sell_a_seat():
    """Subscribers and single-ticket buyers race for the same performances of a small hall."""
    import threading

    from django.db import connection, connections
    from django.db.models import Count

    from .test_concurrency import _run_threads

    web = factories.point_of_sale()
    hall = factories.hall(factories.seatmap_csv(rows=2, per_row=8))
    perfs = [factories.performance(hall, name=f"Course {i}") for i in range(3)]
    product = factories.subscription_product(perfs, min_performances=2, extras=EXTRAS)
    selection = _selection(product, perfs, subscribers=2, extras={perfs[0].pk: 1})
    cat, plein = factories.category("a").pk, factories.tariff("plein").pk
    n = 16 if connection.vendor == "postgresql" else 6
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def buyer(i):
        try:
            cart = carts.create_cart(point_of_sale=web)
            barrier.wait(timeout=60)
            if i % 2:
                services.hold_subscription(cart=cart, product=product, selection=selection)
            else:
                for perf in perfs:
                    carts.add_best_available(cart=cart, performance=perf, category_id=cat, quantity=2, tariff_id=plein)
            checkout.place_order(cart=cart, buyer=checkout.resolve_buyer(email=f"b{i}@example.org"),
                                 payment_data=factories.GOOD_CARD)
            results[i] = "bought"
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:  # noqa: BLE001
            results[i] = repr(exc)
        finally:
            connections.close_all()

    _run_threads(buyer, n)
    assert set(results) <= {"bought", "no_contiguous_block", "sold_out", "seat_unavailable"}, results
    assert "bought" in results
    # Every sold seat has exactly one valid ticket, and every valid ticket's seat is sold.
    doubles = Ticket.objects.filter(status="valid").values("performance_seat").annotate(n=Count("id")).filter(n__gt=1)
    assert not doubles.exists()
    sold = set(PerformanceSeat.objects.filter(state="sold").values_list("pk", flat=True))
    assert sold == set(Ticket.objects.filter(status="valid").values_list("performance_seat_id", flat=True))
    # Each subscription sold is whole: 2 subscribers at 3 performances and its one extra seat.
    for sub in Subscription.objects.all():
        assert sub.tickets.filter(role="subscriber").count() == 6 and sub.tickets.filter(role="extra").count() == 1
    assert Subscription.objects.count() == sum(1 for i, r in enumerate(results) if r == "bought" and i % 2)


def test_a_cart_holding_a_subscription_cannot_be_reserved_until_paid(season, db):
    from datetime import timedelta

    from django.utils import timezone

    from entracte.customers.models import Contact
    from entracte.reservations import services as reservations
    from entracte.reservations.models import Reservation

    product, perfs = season
    phone = factories.point_of_sale("telephone", "phone", fee="0.00")
    contact = Contact.objects.create(last_name="Martin", email="m@example.org")
    cart = carts.create_cart(point_of_sale=phone)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2]))
    with pytest.raises(reservations.ReservationOfSubscription):
        reservations.reserve_cart(cart=cart, contact=contact, deadline=timezone.now() + timedelta(days=1))
    assert not Reservation.objects.exists() and CartItem.objects.filter(cart=cart).count() == 4
    assert PerformanceSeat.objects.filter(state="held").count() == 4
