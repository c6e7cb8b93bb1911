"""Using advantages and codes in a cart, and managing single-use codes.

Nothing is consumed before the checkout: a code in a cart only unlocks an advantage or
applies a reduction. `checkout.py` checks everything again inside the order's transaction
and consumes codes and quotas there with conditional updates.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entracte.core import audit
from entracte.core.errors import NotFound
from entracte.sales import adjustments, carts
from entracte.sales import selectors as sales_selectors
from entracte.sales.models import Cart, CartItem

from . import errors, rules, selectors, throttle
from .codes import looks_single_use, normalize
from .models import Advantage, CartCode, PromoCode, PromoUse, SingleUseCode

SOURCE = "advantage"


def apply_code(*, cart: Cart, typed: str, contact=None, address: str | None = None) -> CartCode:
    """A partner, single-use or promo code typed in the cart's "advantage code" box."""
    code = normalize(typed)
    with transaction.atomic():
        throttle.check(cart_token=cart.token, address=address)
        found = _find(code) if code else None
        if found is None:
            throttle.failed(cart_token=cart.token, address=address)
    if found is None:
        raise errors.CodeUnknown()
    now = timezone.now()
    channel = cart.point_of_sale.channel_id
    kind, obj = found
    if kind == CartCode.PROMO:
        others = selectors.promo_terms_of(selectors.promos_of_cart(cart)) if cart.adjusted else []
        if any(o.id == obj.pk for o in others):
            raise errors.CodeAlreadyInCart()
        terms, = selectors.promo_terms_of([obj])
        uses = PromoUse.objects.filter(promo=obj, contact=contact).count() if contact is not None else 0
        refusal = rules.promo_refusal(terms, buyer=selectors.buyer_of(contact) if contact else None, channel=channel,
                                      now=now, others=tuple(others), contact_uses=uses)
        return _attach(cart, refusal, kind=kind, promo=obj)
    if kind == CartCode.SINGLE_USE:
        if obj.state == SingleUseCode.USED:
            raise errors.CodeUsed()
        if obj.state == SingleUseCode.INVALIDATED:
            raise errors.CodeInvalidated()
        advantage = obj.advantage
    else:
        advantage = obj
    terms = selectors.terms_of([advantage])[advantage.pk]  # the row _find read already
    unlocked = rules.Buyer(unlocked=frozenset([advantage.pk]))
    return _attach(cart, rules.refusal(terms, buyer=unlocked, channel=channel, now=now), kind=kind, advantage=advantage,
                   single_use=obj if kind == CartCode.SINGLE_USE else None)


def _find(code: str):
    if looks_single_use(code):  # the common case at a season opening: look there first
        single = SingleUseCode.objects.filter(code=code).select_related("advantage").first()
        if single is not None and single.advantage.target == Advantage.SINGLE_USE:
            return CartCode.SINGLE_USE, single
    promo = PromoCode.objects.filter(access_code=code).select_related("indicator_level").first()
    if promo is not None:
        return CartCode.PROMO, promo
    advantage = Advantage.objects.filter(access_code=code, target=Advantage.PARTNER).first()
    if advantage is not None:
        return CartCode.PARTNER, advantage
    single = SingleUseCode.objects.filter(code=code).select_related("advantage").first()
    if single is not None and single.advantage.target == Advantage.SINGLE_USE:
        return CartCode.SINGLE_USE, single
    return None


def _attach(cart: Cart, refusal, **fields) -> CartCode:
    if refusal is not None:
        raise refusal
    try:
        with transaction.atomic():
            if fields.get("advantage") is not None:
                # One code per advantage: a second single-use code of the same advantage replaces the first.
                CartCode.objects.filter(cart=cart, advantage=fields["advantage"]).delete()
            cart_code = CartCode.objects.create(cart=cart, **fields)
            adjustments.mark_adjusted(cart)
    except IntegrityError:
        raise errors.CodeAlreadyInCart() from None
    return cart_code


def remove_code(*, cart: Cart, code_id: int) -> None:
    """Take a code out of the cart. Seats it gave an advantaged price go back to a grid tariff."""
    with transaction.atomic():
        cart_code = CartCode.objects.filter(cart=cart, pk=code_id).first()
        if cart_code is None:
            raise NotFound()
        cart_code.delete()
        if cart_code.advantage_id is not None:
            _drop_advantage(cart, cart_code.advantage_id)
        if not CartCode.objects.filter(cart=cart).exists():
            adjustments.unmark_adjusted(cart)


def _drop_advantage(cart: Cart, advantage_id: int) -> None:
    view = sales_selectors.cart_view(cart)
    choices = sales_selectors.tariff_choices(view)
    for item in view.items:
        if item.price_source == SOURCE and item.price_ref == advantage_id and choices.get(item.id):
            carts.change_tariff(cart=cart, item_id=item.id, tariff_id=choices[item.id][0].pk)


def use_advantage(*, cart: Cart, item_id: int, advantage_id: int, tariff_id: int, contact=None) -> CartItem:
    """Give a seat of the cart an advantage's tariff and price, if the buyer may have it."""
    view = sales_selectors.cart_view(cart)
    item = next((i for i in view.items if i.id == item_id), None)
    terms = selectors.advantage_terms(advantage_id)
    if item is None or terms is None:
        raise NotFound()
    from entracte.catalog.models import Performance

    performance = Performance.objects.get(pk=item.performance_id)
    seat = rules.Seat(item.performance_id, performance.starts_at, performance.sales_close_at, item.category_id)
    tickets = 1 + sum(1 for i in view.items if i.price_source == SOURCE and i.price_ref == advantage_id and i.id != item_id)
    refusal = rules.refusal(terms, buyer=selectors.buyer_of(contact, cart), channel=cart.point_of_sale.channel_id,
                            now=timezone.now(), seat=seat, tariff=tariff_id, tickets=tickets)
    if refusal is not None:
        raise refusal
    return carts.price_by_feature(cart=cart, item_id=item_id, tariff_id=tariff_id, source=SOURCE, ref=advantage_id,
                                  price=terms.prices[(item.category_id, tariff_id)])


def apply_to_cart(*, cart: Cart, advantage_id: int, contact=None) -> int:
    """At the box office: give every loose seat of the sale that the advantage prices (its
    performance and seat category) the advantage's tariff (the first it prices there).
    All or nothing; returns how many seats changed."""
    terms = selectors.advantage_terms(advantage_id)
    if terms is None:
        raise NotFound()
    view = sales_selectors.cart_view(cart)
    tariffs = {}
    for category, tariff in sorted(terms.prices):
        tariffs.setdefault(category, tariff)
    chosen = [(item, tariffs[item.category_id]) for item in view.loose
              if item.performance_id in terms.performances and item.category_id in tariffs
              and not (item.price_source == SOURCE and item.price_ref == advantage_id)]
    if not chosen:
        raise errors.AdvantageNotForPerformance(_("No seat of this sale is at a performance and seat category of this advantage."))
    with transaction.atomic():
        for item, tariff in chosen:
            use_advantage(cart=cart, item_id=item.id, advantage_id=advantage_id, tariff_id=tariff, contact=contact)
    return len(chosen)


def subscription_prices(*, product, advantage_id: int, cart: Cart | None, channel_id: int, contact=None):
    """An advantage's prices for a subscription product, if this buyer may use them now."""
    from entracte.subscriptions.pricing import SpecialPrices

    terms = selectors.advantage_terms(advantage_id)
    if terms is None:
        raise NotFound()
    refusal = rules.refusal(terms, buyer=selectors.buyer_of(contact, cart), channel=channel_id, now=timezone.now(),
                            product=product.pk, tickets=1)
    if refusal is not None:
        raise refusal
    return SpecialPrices(terms.id, terms.prices)


def invalidate(*, code_ids: list[int], actor=None) -> int:
    """Cancel available codes (used ones stay used). Returns how many were invalidated."""
    now = timezone.now()
    with transaction.atomic():
        changed = SingleUseCode.objects.filter(pk__in=code_ids, state=SingleUseCode.AVAILABLE).update(
            state=SingleUseCode.INVALIDATED, invalidated_at=now, invalidated_by=actor if getattr(actor, "pk", None) else None)
        audit.record(action="advantages.codes_invalidated", object_type="advantages.singleusecode",
                     object_id=",".join(map(str, code_ids[:50])), actor=actor, data={"asked": len(code_ids), "invalidated": changed})
    return changed
