"""Subscription API: products with their lines, limits and prices; pricing a selection;
holding it in a cart (then the ordinary checkout, POST /carts/{token}/checkout, buys it)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from entracte.catalog import selectors as catalog
from entracte.core.translated import tr
from entracte.customers.auth import OptionalBearerToken
from entracte.customers.services import spectator_contact
from entracte.sales.api import ERRORS, CartOut, _cart, _cart_out

from . import selectors, services
from .forms import MAX_COUNT
from .pricing import Choice, Selection

router = Router(tags=["subscriptions"])


class PriceOut(Schema):
    category_id: int
    category: str
    tariff_id: int
    amount: Decimal


class LineOut(Schema):
    id: int
    performance_id: int
    event: str
    starts_at: datetime
    extras_max: int
    prices: list[PriceOut]


class ProductOut(Schema):
    slug: str
    name: str
    kind: str
    currency: str
    min_performances: int
    max_performances: int
    max_subscribers: int
    subscriber_tariff_ids: list[int]
    extra_tariff_ids: list[int]
    extras_max_total: int
    package_prices: list[PriceOut]
    lines: list[LineOut]


class CountIn(Schema):
    tariff_id: int
    count: int = Field(ge=0, le=MAX_COUNT)


class ChoiceIn(Schema):
    line_id: int
    category_id: int
    extras: list[CountIn] = Field(default_factory=list, max_length=10)


class SelectionIn(Schema):
    subscribers: list[CountIn] = Field(min_length=1, max_length=10)
    lines: list[ChoiceIn] = Field(min_length=1, max_length=200)


class SeatPriceOut(Schema):
    line_id: int
    category_id: int
    tariff_id: int
    role: str
    unit_price: Decimal
    count: int


class QuoteOut(Schema):
    currency: str
    seats: list[SeatPriceOut]
    total: Decimal = Field(description="Before the point of sale's order fee, which the cart adds")


class HoldIn(SelectionIn):
    product: str = Field(max_length=80, description="The subscription product's slug")
    advantage_id: int | None = Field(None, description="Hold at this advantage's prices (GET /subscriptions/{slug}/advantages)")


def _selection(payload: SelectionIn) -> Selection:
    subs: dict[int, int] = {}
    for c in payload.subscribers:
        subs[c.tariff_id] = subs.get(c.tariff_id, 0) + c.count
    return Selection({t: n for t, n in subs.items() if n}, tuple(
        Choice(line.line_id, line.category_id, {e.tariff_id: e.count for e in line.extras if e.count})
        for line in payload.lines))


def _prices(prices) -> list[dict]:
    return [{"category_id": c, "category": tr(catalog.name_of("seatcategory", c)), "tariff_id": t, "amount": a}
            for (c, t), a in sorted(prices.items())]


def _product_out(product) -> dict:
    lines = selectors.lines_of(product)
    offer = selectors.offer_of(product, lines)
    return {
        "slug": product.slug, "name": tr(product.name), "kind": product.kind, "currency": product.season.currency,
        "min_performances": len(lines) if offer.is_package else offer.min_performances,
        "max_performances": len(lines) if offer.is_package else offer.max_performances,
        "max_subscribers": offer.max_subscribers, "subscriber_tariff_ids": sorted(offer.subscriber_tariffs),
        "extra_tariff_ids": sorted(offer.extra_tariffs), "extras_max_total": offer.extras_max_total,
        "package_prices": _prices(offer.package_prices),
        "lines": [{"id": line.pk, "performance_id": line.performance_id, "event": tr(line.performance.event.name),
                   "starts_at": line.performance.starts_at, "extras_max": offer.lines[line.pk].extras_max,
                   "prices": _prices(offer.lines[line.pk].prices)} for line in lines],
    }


@router.get("/subscriptions", response={200: list[ProductOut], **ERRORS}, summary="Subscriptions on sale on the web")
def list_products(request):
    return [_product_out(p) for p in selectors.products_on_sale(channel=catalog.web_point_of_sale().channel, now=timezone.now())]


@router.get("/subscriptions/{slug}", response={200: ProductOut, **ERRORS})
def get_product(request, slug: str):
    return _product_out(selectors.product_by_slug(slug))


@router.post("/subscriptions/{slug}/quote", response={200: QuoteOut, **ERRORS}, summary="Check and price a selection")
def quote(request, slug: str, payload: SelectionIn):
    product = selectors.product_by_slug(slug)
    _offer, priced = services.price_selection(product=product, selection=_selection(payload))
    return {"currency": product.season.currency, "total": priced.total,
            "seats": [{"line_id": s.line, "category_id": s.category, "tariff_id": s.tariff, "role": s.role,
                       "unit_price": s.unit_price, "count": s.count} for s in priced.seats]}


@router.post("/carts/{token}/subscriptions", response={200: CartOut, **ERRORS}, auth=OptionalBearerToken(),
             summary="Hold a subscription's seats in the cart (then check out the cart)")
def hold(request, token: str, payload: HoldIn):
    """With `advantage_id`: at that advantage's prices, if the caller (bearer token) or the
    codes in the cart entitle him to it; the checkout checks it again."""
    cart = _cart(token)
    product = selectors.product_by_slug(payload.product)
    special = None
    if payload.advantage_id is not None:
        from entracte.advantages.services import subscription_prices

        special = subscription_prices(product=product, advantage_id=payload.advantage_id, cart=cart,
                                      channel_id=cart.point_of_sale.channel_id,
                                      contact=spectator_contact(getattr(request, "user", None)))
    services.hold_subscription(cart=cart, product=product, selection=_selection(payload), special=special)
    return _cart_out(cart)
