"""Advantages, single-use codes and promo codes: who is granted what, the reasons for refusals,
and what an order records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from entracte.advantages import errors, services
from entracte.advantages.codes import ALPHABET, BITS, LENGTH, display, generate, normalize
from entracte.advantages.models import CodeBatch, PromoUse, SingleUseCode
from entracte.core.roles import OPERATOR
from entracte.customers.models import Contact, ContactIndicator, TargetList
from entracte.sales import carts, checkout, selectors
from entracte.sales.models import CartItem, Order, Ticket

from . import factories
from .factories import GOOD_CARD


def _cart_with(perf, pos, n=1):
    cart = carts.create_cart(point_of_sale=pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=factories.category("a").pk, quantity=n,
                             tariff_id=factories.tariff("plein").pk)
    return cart


def _items(cart):
    return selectors.cart_view(cart).items


def _use(cart, adv, contact=None, tariff="partenaire"):
    for item in _items(cart):
        services.use_advantage(cart=cart, item_id=item.id, advantage_id=adv.pk, tariff_id=factories.tariff(tariff).pk,
                               contact=contact)


def _buyer(email="buyer@example.org"):
    return checkout.resolve_buyer(email=email)


def _code(adv, requester=None):
    batch = CodeBatch.objects.create(advantage=adv, requester=requester or Contact.objects.create(last_name="Partner SA"),
                                     count=1)
    return SingleUseCode.objects.create(code=generate(), advantage=adv, batch=batch)


def test_a_partner_code_unlocks_its_price_and_the_order_records_it(perf, web_pos):
    adv = factories.advantage([perf], target="partner", access_code="AMIS2026")
    cart = _cart_with(perf, web_pos, 2)
    with pytest.raises(errors.AdvantageNeedsCode):
        _use(cart, adv)
    services.apply_code(cart=cart, typed=" amis-2026 ", address="10.0.0.1")
    _use(cart, adv)
    view = selectors.cart_view(cart)
    assert [i.unit_price for i in view.items] == [Decimal("20.00")] * 2 and view.quote.total == Decimal("42.00")
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD, expected_total=Decimal("42.00"))
    tickets = list(order.tickets.all())
    assert {(t.price, t.price_source, t.price_ref) for t in tickets} == {(Decimal("20.00"), "advantage", adv.pk)}
    adv.refresh_from_db()
    assert adv.used == 2


def test_each_target_grants_its_public_and_nobody_else(perf, web_pos):
    ind, (_occasionnel, regulier, assidu) = factories.indicator()
    regular = Contact.objects.create(email="r@example.org")
    ContactIndicator.objects.create(contact=regular, indicator=ind, level=regulier)
    listed = Contact.objects.create(email="l@example.org")
    target = TargetList.objects.create(code="abonnes-2025", name={"fr": "Abonnés 2025"})
    target.contacts.add(listed)
    nobody = Contact.objects.create(email="n@example.org")
    general = factories.advantage([perf], target="general")
    by_level = factories.advantage([perf], target="indicator", indicator_level=regulier)
    by_list = factories.advantage([perf], target="contacts", target_list=target)
    granted = {}
    for name, contact in (("regular", regular), ("listed", listed), ("nobody", nobody), ("visitor", None)):
        cart = _cart_with(perf, web_pos)
        granted[name] = set()
        for adv in (general, by_level, by_list):
            try:
                _use(cart, adv, contact)
                granted[name].add(adv.code)
            except errors.AdvantageNotForYou:
                pass
        carts.empty_cart(cart=cart)
    assert granted == {"regular": {general.code, by_level.code}, "listed": {general.code, by_list.code},
                       "nobody": {general.code}, "visitor": {general.code}}
    # A contact reaching the level later qualifies too; a higher level includes the lower ones.
    ContactIndicator.objects.create(contact=nobody, indicator=ind, level=assidu)
    cart = _cart_with(perf, web_pos)
    _use(cart, by_level, nobody)


def test_an_indicator_advantage_is_checked_again_with_the_buyer_at_checkout(perf, web_pos):
    ind, (_o, regulier, _a) = factories.indicator()
    regular = Contact.objects.create(email="r@example.org")
    ContactIndicator.objects.create(contact=regular, indicator=ind, level=regulier)
    adv = factories.advantage([perf], target="indicator", indicator_level=regulier)
    cart = _cart_with(perf, web_pos)
    _use(cart, adv, regular)
    with pytest.raises(errors.AdvantageNotForYou):  # someone else pays for this cart
        checkout.place_order(cart=cart, buyer=_buyer("other@example.org"), payment_data=GOOD_CARD)
    assert not Order.objects.exists()
    order = checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=regular, email=regular.email), payment_data=GOOD_CARD)
    assert order.tickets.get().price == Decimal("20.00")


@pytest.mark.parametrize("change, error", [
    ({"state": "draft"}, errors.AdvantageNotAvailable),
    ({"state": "closed"}, errors.AdvantageNotAvailable),
    ({"ends_at": "past"}, errors.AdvantageOutsideWindow),
    ({"starts_at": "future"}, errors.AdvantageOutsideWindow),
    ({"end_rule": "tolerance", "tolerance_minutes": -60, "starts": "soon"}, errors.AdvantageSalesEnded),
    ({"channel": "boxoffice"}, errors.AdvantageNotOnChannel),
    ({"quota": 0}, errors.AdvantageQuotaReached),
    ({"max_per_order": 1, "seats": 2}, errors.AdvantageTooManyTickets),
    ({"tariff": "plein"}, errors.AdvantageNotForPerformance),
])
def test_an_advantage_out_of_its_rules_is_refused_with_the_reason(db, web_pos, change, error):
    now = timezone.now()
    # "soon": on sale for 15 more minutes, but the advantage stopped an hour before the start.
    perf = factories.performance(starts_in=timedelta(minutes=45) if change.get("starts") == "soon" else timedelta(days=30))
    fields = {k: v for k, v in change.items() if k in ("state", "end_rule", "tolerance_minutes", "quota", "max_per_order")}
    fields["starts_at"] = now + timedelta(days=1) if change.get("starts_at") else None
    fields["ends_at"] = now - timedelta(minutes=1) if change.get("ends_at") else None
    if fields["ends_at"]:
        fields["starts_at"] = now - timedelta(days=2)
    adv = factories.advantage([perf], on=(change["channel"],) if "channel" in change else (), **fields)
    cart = _cart_with(perf, web_pos, change.get("seats", 1))
    with pytest.raises(error) as caught:
        _use(cart, adv, tariff=change.get("tariff", "partenaire"))
    assert str(caught.value.message)
    # The refused seat keeps its grid price (with max_per_order 1, only the first seat got the advantage).
    assert sum(i.price_source == "advantage" for i in _items(cart)) == change.get("max_per_order", 0)


def test_a_single_use_code_works_once_and_says_why_it_is_refused_after(perf, web_pos):
    adv = factories.advantage([perf], target="single_use", max_per_order=2)
    code = _code(adv)
    cart = _cart_with(perf, web_pos, 2)
    services.apply_code(cart=cart, typed=display(code.code).lower())
    _use(cart, adv)
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD)
    code.refresh_from_db()
    assert (code.state, code.order_id, code.used_by_id) == (SingleUseCode.USED, order.pk, order.contact_id)
    again = _cart_with(perf, web_pos)
    with pytest.raises(errors.CodeUsed):
        services.apply_code(cart=again, typed=code.code)
    other = _code(adv)
    services.invalidate(code_ids=[other.pk])
    with pytest.raises(errors.CodeInvalidated):
        services.apply_code(cart=again, typed=other.code)


def test_a_code_used_by_another_cart_meanwhile_refuses_the_checkout_and_sells_nothing(perf, web_pos):
    adv = factories.advantage([perf], target="single_use")
    code = _code(adv)
    first, second = _cart_with(perf, web_pos), _cart_with(perf, web_pos)
    for cart in (first, second):
        services.apply_code(cart=cart, typed=code.code)
        _use(cart, adv)
    checkout.place_order(cart=first, buyer=_buyer(), payment_data=GOOD_CARD)
    with pytest.raises(errors.CodeUsed):
        checkout.place_order(cart=second, buyer=_buyer("late@example.org"), payment_data=GOOD_CARD)
    assert Order.objects.count() == 1 and Ticket.objects.count() == 1
    assert all(i.held_by_cart for i in selectors.cart_view(second).items)  # the seat stays in the cart


def test_unknown_codes_are_refused_and_guessing_is_limited_per_cart_and_address(perf, web_pos, settings):
    settings.ENTRACTE_CODE_ATTEMPTS_PER_CART = 3
    settings.ENTRACTE_CODE_ATTEMPTS_PER_ADDRESS = 5
    factories.advantage([perf], target="partner", access_code="AMIS2026")
    cart = _cart_with(perf, web_pos)
    for _ in range(3):
        with pytest.raises(errors.CodeUnknown):
            services.apply_code(cart=cart, typed="NOPE", address="10.0.0.9")
    with pytest.raises(errors.TooManyAttempts):  # even the right code, now
        services.apply_code(cart=cart, typed="AMIS2026", address="10.0.0.9")
    other = _cart_with(perf, web_pos)  # a new cart from the same address
    for _ in range(2):
        with pytest.raises(errors.CodeUnknown):
            services.apply_code(cart=other, typed="NOPE", address="10.0.0.9")
    with pytest.raises(errors.TooManyAttempts):
        services.apply_code(cart=other, typed="AMIS2026", address="10.0.0.9")
    services.apply_code(cart=_cart_with(perf, web_pos), typed="AMIS2026", address="10.0.0.10")


def test_codes_are_unguessable_and_easy_to_type():
    assert BITS >= 50 and not set("01IOLUV") & set(ALPHABET)
    codes = {generate() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == LENGTH for c in codes)
    assert normalize(display("ABCDEFGHJKMN").lower()) == "ABCDEFGHJKMN"


def test_a_promo_code_reduces_the_cart_like_the_seed_and_is_recorded(perf, web_pos):
    promo = factories.promo("COUPON3%", value="3")
    cart = carts.create_cart(point_of_sale=web_pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=factories.category("a").pk, quantity=2,
                             tariff_id=factories.tariff("plein").pk)
    services.apply_code(cart=cart, typed="coupon3%")
    quote = selectors.cart_view(cart).quote
    assert (quote.subtotal, quote.discount, quote.order_fee, quote.total) == (
        Decimal("100.00"), Decimal("3.00"), Decimal("2.00"), Decimal("99.00"))
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD, expected_total=Decimal("99.00"))
    assert (order.subtotal, order.discount, order.total) == (Decimal("100.00"), Decimal("3.00"), Decimal("99.00"))
    assert sorted(t.price for t in order.tickets.all()) == [Decimal("48.50")] * 2
    assert PromoUse.objects.get().amount == Decimal("3.00")
    promo.refresh_from_db()
    assert promo.used == 1
    assert not selectors.cart_view(cart).items and not cart.codes.exists()


def test_promo_conditions_minimum_combination_uses_and_removal(perf, web_pos):
    factories.promo("MIN200", kind="amount", value="10", min_amount=Decimal("200"))
    factories.promo("SOLO", value="5")
    once = factories.promo("ONCE", kind="amount", value="1", max_uses_per_contact=1, combinable=True)
    cart = _cart_with(perf, web_pos)
    code = services.apply_code(cart=cart, typed="MIN200")
    quote = selectors.cart_view(cart).quote
    assert quote.discount == 0 and not quote.discounts[0].applies  # shown as not applying yet
    with pytest.raises(errors.PromoNotCombinable):
        services.apply_code(cart=cart, typed="SOLO")
    services.remove_code(cart=cart, code_id=code.pk)
    services.apply_code(cart=cart, typed="SOLO")
    contact = Contact.objects.create(email="once@example.org")
    cart2 = _cart_with(perf, web_pos)
    services.apply_code(cart=cart2, typed="ONCE", contact=contact)
    checkout.place_order(cart=cart2, buyer=checkout.Buyer(contact=contact, email=contact.email), payment_data=GOOD_CARD)
    with pytest.raises(errors.PromoRefused):
        services.apply_code(cart=_cart_with(perf, web_pos), typed="ONCE", contact=contact)
    once.refresh_from_db()
    assert once.used == 1


def test_the_shop_cart_takes_a_partner_code_and_offers_its_tariff(client, perf, web_pos):
    adv = factories.advantage([perf], target="partner", access_code="AMIS2026")
    client.post(reverse("shop:add_best", args=[perf.pk]), {"category": factories.category("a").pk,
                                                             "tariff": factories.tariff("plein").pk, "quantity": 1})
    page = client.get(reverse("shop:cart")).content.decode()
    assert f'value="a{adv.pk}-' not in page
    client.post(reverse("shop:apply_code"), {"code": "amis2026"})
    page = client.get(reverse("shop:cart")).content.decode()
    assert f'value="a{adv.pk}-{factories.tariff("partenaire").pk}"' in page and "AMIS2026" in page
    item = CartItem.objects.get()
    client.post(reverse("shop:change_tariff", args=[item.pk]), {"tariff": f"a{adv.pk}-{factories.tariff('partenaire').pk}"})
    page = client.get(reverse("shop:cart")).content.decode()
    assert "22,00" in page  # 20.00 + 2.00 fee
    wrong = client.post(reverse("shop:apply_code"), {"code": "WRONG"}, follow=True).content.decode()
    assert "pas valide" in wrong


def test_the_box_office_shows_a_gift_for_a_targeted_contact(client, perf):
    pos = factories.point_of_sale("guichet", "boxoffice")
    operator = factories.staff_user(OPERATOR, points_of_sale=[pos])
    ind, (_o, regulier, _a) = factories.indicator()
    contact = Contact.objects.create(email="fidele@example.org", last_name="Fidèle")
    ContactIndicator.objects.create(contact=contact, indicator=ind, level=regulier)
    factories.advantage([perf], target="indicator", indicator_level=regulier, prices={("a", "fidele"): "25.00"})
    client.force_login(operator)
    client.post(reverse("boxoffice:attach_contact"), {"contact": contact.pk})
    client.post(reverse("boxoffice:add_best", args=[perf.pk]), {"category": factories.category("a").pk,
                                                                 "tariff": factories.tariff("plein").pk, "quantity": 1})
    page = client.get(reverse("boxoffice:sale")).content.decode()
    assert "🎁" in page and "Fidele" in page and "25,00" in page
    client.post(reverse("boxoffice:attach_contact"), {"contact": Contact.objects.create(email="x@example.org").pk})
    assert "🎁" not in client.get(reverse("boxoffice:sale")).content.decode()  # no targeted advantage for him


def test_a_batch_is_generated_in_the_background_sent_tracked_and_invalidated(client, perf, django_capture_on_commit_callbacks):
    from django.core import mail

    from entracte.core.roles import ADMINISTRATOR

    adv = factories.advantage([perf], target="single_use")
    partner = Contact.objects.create(kind=Contact.ORGANISATION, last_name="Partner SA", email="partner@example.org")
    client.force_login(factories.staff_user(ADMINISTRATOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("boxoffice:codes"), {"requester": partner.pk, "advantage": adv.pk, "count": 150,
                                                            "document": "csv", "language": "en"})
    assert response.status_code == 302
    batch = CodeBatch.objects.get()
    assert (batch.state, batch.generated, batch.codes.count()) == ("done", 150, 150)  # the immediate task backend ran it
    sent = mail.outbox[-1]
    assert sent.to == ["partner@example.org"] and "single-use codes" in sent.subject
    name, content, _mime = sent.attachments[0]
    assert name.endswith(".csv") and content.count("\n") == 151
    page = client.get(reverse("boxoffice:codes")).content.decode()
    assert "150 / 150" in page
    # Use one code, then the dashboard and the tracking screen tell it.
    code = batch.codes.first()
    cart = _cart_with(perf, factories.point_of_sale())
    services.apply_code(cart=cart, typed=code.code)
    _use(cart, adv)
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD)
    Ticket.objects.filter(order=order).update(scanned_at=timezone.now())
    page = client.get(reverse("boxoffice:code_dashboard")).content.decode()
    assert "<td>150</td><td>149</td><td>1</td><td>1</td><td>0</td>" in page.replace("\n", "")
    tracking = client.get(reverse("boxoffice:code_tracking") + f"?batch={batch.pk}&state=used").content.decode()
    assert order.number in tracking
    others = list(batch.codes.exclude(pk=code.pk).values_list("pk", flat=True)[:3])
    client.post(reverse("boxoffice:code_invalidate"), {"codes": [code.pk, *others]})
    assert batch.codes.filter(state="invalid").count() == 3 and SingleUseCode.objects.get(pk=code.pk).state == "used"
    assert client.get(reverse("boxoffice:code_batch_download", args=[batch.pk])).status_code == 200


def test_the_api_lists_applies_and_removes_codes_and_prices_with_an_advantage(client, perf, web_pos):
    adv = factories.advantage([perf], target="partner", access_code="AMIS2026")
    promo = factories.promo("COUPON3%")
    cart = _cart_with(perf, web_pos)
    assert client.get(f"/api/performances/{perf.pk}/advantages").json() == []
    bad = client.post(f"/api/carts/{cart.token}/codes", {"code": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "code_unknown"
    out = client.post(f"/api/carts/{cart.token}/codes", {"code": "amis-2026"}, content_type="application/json").json()
    assert [c["kind"] for c in out["codes"]] == ["partner"]
    offers = client.get(f"/api/performances/{perf.pk}/advantages?cart={cart.token}").json()
    assert offers[0]["advantage_id"] == adv.pk and offers[0]["prices"][0]["amount"] == "20.00"
    item = out["items"][0]["id"]
    out = client.post(f"/api/carts/{cart.token}/items/{item}/advantage",
                      {"advantage_id": adv.pk, "tariff_id": factories.tariff("partenaire").pk}, content_type="application/json").json()
    assert out["items"][0]["price_source"] == "advantage" and out["total"] == "22.00"
    out = client.post(f"/api/carts/{cart.token}/codes", {"code": "COUPON3%"}, content_type="application/json").json()
    assert out["discount"] == "0.60" and out["total"] == "21.40"
    promo_code = next(c["id"] for c in out["codes"] if c["kind"] == "promo")
    out = client.delete(f"/api/carts/{cart.token}/codes/{promo_code}").json()
    assert out["discount"] == "0.00" and out["total"] == "22.00"
    assert client.get("/api/staff/codes/dashboard").status_code == 401
    promo.refresh_from_db()
    assert promo.used == 0  # nothing is counted before the checkout


def test_an_advantage_whose_quota_is_reached_is_no_longer_offered(perf, web_pos):
    from entracte.advantages import selectors as advantage_selectors

    open_one, full = factories.advantage([perf], quota=5), factories.advantage([perf], quota=0)
    offered = advantage_selectors.offers_for_performance(performance=perf, buyer=advantage_selectors.buyer_of(None),
                                                         channel_id=web_pos.channel_id, now=timezone.now())
    assert [o.terms.id for o in offered] == [open_one.pk] and full.pk


def test_a_reduction_whose_code_left_the_cart_meanwhile_is_refused_at_checkout(perf, web_pos):
    from entracte.advantages import checkout as advantage_checkout
    from entracte.advantages import rules
    from entracte.sales.errors import PriceChanged

    factories.promo("COUPON3%")
    cart = _cart_with(perf, web_pos)
    code = services.apply_code(cart=cart, typed="COUPON3%")
    view = selectors.cart_view(cart)  # priced with the reduction...
    assert view.quote.discount > 0
    code.delete()  # ...then the code is removed by another request before the order's transaction
    with pytest.raises(PriceChanged):
        advantage_checkout._promos(None, view, [], rules.Buyer(), web_pos.channel_id, timezone.now(), None)
