"""Advantages on subscriptions (the subscriptions family), and quotas given back by cancellations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from entracte.advantages import errors
from entracte.advantages import services as advantage_services
from entracte.advantages.models import Advantage, AdvantagePrice, AdvantageTicket
from entracte.sales import carts, checkout, refunds
from entracte.sales.errors import PriceChanged
from entracte.sales.models import CartItem, Ticket
from entracte.subscriptions import errors as sub_errors
from entracte.subscriptions import services
from entracte.subscriptions.models import Subscription
from entracte.subscriptions.pricing import Choice, Selection

from . import factories


def _selection(product, perfs, *, tariff="partenaire", subscribers=2, extras=None, category="a"):
    lines = {line.performance_id: line.pk for line in product.lines.all()}
    cat, invite = factories.category(category).pk, factories.tariff("invite").pk
    return Selection({factories.tariff(tariff).pk: subscribers}, tuple(
        Choice(lines[p.pk], cat, {invite: (extras or {}).get(p.pk, 0)}) for p in perfs))


def _special(adv):
    return advantage_services.subscription_prices(product=adv.subscription_products.get(), advantage_id=adv.pk, cart=None,
                                                  channel_id=factories.channels()["internet"].pk)


def _buyer(email="abonne@example.org"):
    return checkout.resolve_buyer(email=email, first_name="Ada", last_name="Abonnée")


def test_a_subscription_at_an_advantages_prices_is_sold_and_counts_its_subscriber_seats(season, web_pos):
    product, perfs = season
    adv = factories.advantage(subscriptions=[product], prices={("a", "partenaire"): "90.00"}, quota=10)
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2], extras={perfs[1].pk: 1}),
                               special=_special(adv))
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    # 2 subscribers × 90.00 × 2 performances at the advantage's price, 1 extra seat at the line's 200.00, fee 2.00
    assert (order.subtotal, order.total) == (Decimal("560.00"), Decimal("562.00"))
    prices = sorted((t.tariff.code, t.price) for t in order.tickets.select_related("tariff"))
    assert prices == [("invite", Decimal("200.00"))] + [("partenaire", Decimal("90.00"))] * 4
    adv.refresh_from_db()
    assert adv.used == 4  # the subscriber seats; the extra seat is not the advantage's
    assert AdvantageTicket.objects.filter(advantage=adv).count() == 4
    assert Subscription.objects.get(order=order).tickets.count() == 5


def test_a_package_at_an_advantages_price_is_spread_over_its_performances(db, web_pos):
    hall = factories.hall()
    perfs = [factories.performance(hall, name=f"Concert {i}") for i in range(3)]
    product = factories.subscription_product(perfs, kind="fixed", package_prices={("a", "abonne"): "150.00"})
    adv = factories.advantage(subscriptions=[product], prices={("a", "partenaire"): "100.00"})
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs, subscribers=1),
                               special=_special(adv))
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    assert sorted(t.price for t in order.tickets.all()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_an_advantage_prices_only_the_categories_the_subscription_offers(season, web_pos):
    product, perfs = season
    factories.category("c")  # a category the product has no price for
    adv = factories.advantage(subscriptions=[product], prices={("a", "partenaire"): "90.00", ("c", "partenaire"): "5.00"})
    cart = carts.create_cart(point_of_sale=web_pos)
    with pytest.raises(sub_errors.CategoryNotOffered):
        services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2], category="c"),
                                   special=_special(adv))
    with pytest.raises(sub_errors.SubscribersInvalid):  # at the advantage's prices, its tariffs are the subscriber tariffs
        services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2], tariff="abonne"),
                                   special=_special(adv))
    assert not CartItem.objects.exists()


def test_a_partner_subscription_advantage_needs_its_code_and_is_checked_again_at_checkout(season, web_pos):
    product, perfs = season
    adv = factories.advantage(subscriptions=[product], target="partner", access_code="ABOAMIS")
    cart = carts.create_cart(point_of_sale=web_pos)
    channel = web_pos.channel_id
    with pytest.raises(errors.AdvantageNeedsCode):
        advantage_services.subscription_prices(product=product, advantage_id=adv.pk, cart=cart, channel_id=channel)
    code = advantage_services.apply_code(cart=cart, typed="abo-amis")
    special = advantage_services.subscription_prices(product=product, advantage_id=adv.pk, cart=cart, channel_id=channel)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2]), special=special)
    advantage_services.remove_code(cart=cart, code_id=code.pk)  # the code leaves the cart after the hold
    with pytest.raises(errors.AdvantageNeedsCode):
        checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    assert not Ticket.objects.exists()
    # An advantage on another product is refused for this one.
    other = factories.subscription_product(perfs)
    with pytest.raises(errors.AdvantageNotForSubscription):
        advantage_services.subscription_prices(product=other, advantage_id=factories.advantage(subscriptions=[product]).pk,
                                               cart=cart, channel_id=channel)


def test_a_subscription_held_before_its_advantages_price_changed_is_refused_at_checkout(season, web_pos):
    product, perfs = season
    adv = factories.advantage(subscriptions=[product], prices={("a", "partenaire"): "90.00"})
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs[:2]), special=_special(adv))
    AdvantagePrice.objects.filter(advantage=adv).update(amount=Decimal("95.00"))
    with pytest.raises(PriceChanged):
        checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    assert not Ticket.objects.exists() and Advantage.objects.get(pk=adv.pk).used == 0


def test_the_quota_of_a_subscription_advantage_counts_every_subscriber_seat(season, web_pos):
    product, perfs = season
    adv = factories.advantage(subscriptions=[product], prices={("a", "partenaire"): "90.00"}, quota=5)
    cart = carts.create_cart(point_of_sale=web_pos)
    services.hold_subscription(cart=cart, product=product, selection=_selection(product, perfs), special=_special(adv))
    with pytest.raises(errors.AdvantageQuotaReached):  # 2 subscribers × 3 performances = 6 > 5
        checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    assert not Ticket.objects.exists() and Advantage.objects.get(pk=adv.pk).used == 0


def test_cancelled_tickets_give_their_places_back_to_the_quota(perf, web_pos):
    from entracte.core.roles import OPERATOR

    adv = factories.advantage([perf], quota=2)
    cart = carts.create_cart(point_of_sale=web_pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=factories.category("a").pk, quantity=2,
                             tariff_id=factories.tariff("plein").pk)
    from entracte.sales import selectors

    for item in selectors.cart_view(cart).items:
        advantage_services.use_advantage(cart=cart, item_id=item.id, advantage_id=adv.pk,
                                         tariff_id=factories.tariff("partenaire").pk)
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=factories.GOOD_CARD)
    adv.refresh_from_db()
    assert adv.used == 2
    first = order.tickets.order_by("pk").first()
    refunds.cancel_tickets(order=order, ticket_ids=[first.pk], actor=factories.staff_user(OPERATOR))
    adv.refresh_from_db()
    assert adv.used == 1  # the quota has one place again


def test_the_shop_offers_a_subscription_advantage_and_sells_at_its_prices(client, season, web_pos):
    from entracte.customers.models import User

    product, perfs = season
    adv = factories.advantage(subscriptions=[product], prices={("a", "partenaire"): "90.00"})
    hidden = factories.advantage(subscriptions=[product], target="partner", access_code="SECRETABO")
    client.force_login(User.objects.create_user(email="ada@example.org", password="pw-ada-12345"))
    url = f"/subscriptions/{product.slug}/"
    page = client.get(url).content.decode()
    assert f"?advantage={adv.pk}" in page and f"?advantage={hidden.pk}" not in page
    refused = client.get(f"{url}?advantage={hidden.pk}", follow=True).content.decode()
    assert "Saisissez d&#x27;abord le code avantage" in refused  # the reason: a partner advantage needs its code
    at_advantage = client.get(f"{url}?advantage={adv.pk}").content.decode()
    partenaire = factories.tariff("partenaire").pk
    assert f'name="sub-{partenaire}"' in at_advantage and "90,00" in at_advantage
    lines = {line.performance_id: line.pk for line in product.lines.all()}
    cat = factories.category("a").pk
    form = {"advantage": adv.pk, f"sub-{partenaire}": "1", "action": "validate"}
    for p in perfs[:2]:
        form.update({f"line-{lines[p.pk]}": "1", f"cat-{lines[p.pk]}": str(cat)})
    assert client.post(url, form)["Location"] == "/cart/"
    assert "182,00" in client.get("/cart/").content.decode()  # 2 × 90.00 + the 2.00 fee
    # The partner code typed on the page unlocks the hidden offer, and brings the buyer back.
    back = client.post("/cart/codes/", {"code": "secretabo", "next": url})
    assert back["Location"] == url
    assert f"?advantage={hidden.pk}" in client.get(url).content.decode()


def test_the_api_lists_subscription_advantages_and_holds_at_their_prices(client, season):
    product, _perfs = season
    adv = factories.advantage(subscriptions=[product], target="partner", access_code="APIABO",
                              prices={("a", "partenaire"): "90.00"})
    token = client.post("/api/carts", content_type="application/json").json()["token"]
    assert client.get(f"/api/subscriptions/{product.slug}/advantages?cart={token}").json() == []
    client.post(f"/api/carts/{token}/codes", {"code": "APIABO"}, content_type="application/json")
    offers = client.get(f"/api/subscriptions/{product.slug}/advantages?cart={token}").json()
    assert offers[0]["advantage_id"] == adv.pk and offers[0]["prices"][0]["amount"] == "90.00"
    lines = sorted(product.lines.values_list("pk", flat=True))
    body = {"product": product.slug, "subscribers": [{"tariff_id": factories.tariff("partenaire").pk, "count": 1}],
            "lines": [{"line_id": pk, "category_id": factories.category("a").pk} for pk in lines[:2]],
            "advantage_id": adv.pk}
    cart = client.post(f"/api/carts/{token}/subscriptions", body, content_type="application/json").json()
    assert cart["total"] == "182.00"
    other = client.post("/api/carts", content_type="application/json").json()["token"]
    refused = client.post(f"/api/carts/{other}/subscriptions", body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "advantage_needs_code"



def test_the_admin_keeps_each_family_to_its_products(admin_client, season):
    from entracte.advantages.admin import AdvantageForm

    product, perfs = season
    adv = factories.advantage(subscriptions=[product])
    assert admin_client.get(f"/admin/advantages/advantage/{adv.pk}/change/").status_code == 200
    base = {"name_fr": "Offre", "code": "offre-x", "season": product.season.pk, "state": "draft", "target": "general",
            "end_rule": "performance", "tolerance_minutes": 0}
    form = AdvantageForm(data={**base, "family": "events", "subscription_products": [product.pk]})
    assert not form.is_valid() and "subscription_products" in form.errors
    form = AdvantageForm(data={**base, "family": "subscriptions", "performances": [perfs[0].pk]})
    assert not form.is_valid() and "performances" in form.errors
    form = AdvantageForm(data={**base, "family": "subscriptions", "subscription_products": [product.pk]})
    assert "subscription_products" not in form.errors and "performances" not in form.errors
