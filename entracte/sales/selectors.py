"""Read queries for carts, orders and tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from entracte.catalog.models import Price

from . import pricing
from .models import Cart, CartItem, Order, Ticket


@dataclass
class CartView:
    cart: Cart
    items: list[CartItem]          # seats still held, each with .unit_price
    expired: list[CartItem]        # seats whose hold ran out
    quote: pricing.Quote
    expires_at: datetime | None


def price_grid(performance_ids) -> dict[tuple[int, int, int], object]:
    rows = Price.objects.filter(performance_id__in=set(performance_ids)).values_list("performance_id", "category_id", "tariff_id", "amount")
    return {(p, c, t): amount for p, c, t, amount in rows}


def cart_view(cart: Cart, now: datetime | None = None) -> CartView:
    now = now or timezone.now()
    all_items = list(
        CartItem.objects.filter(cart=cart)
        .select_related("performance__event__season", "performance__hall__venue", "performance_seat__seat",
                        "performance_seat__area", "performance_seat__category", "tariff")
        .order_by("performance__starts_at", "performance_seat__seat__row", "performance_seat__seat__position", "id")
    )
    items, expired = [], []
    for item in all_items:
        ps = item.performance_seat
        valid = ps.state == ps.HELD and ps.hold_token == cart.token and ps.hold_until and ps.hold_until >= now
        (items if valid else expired).append(item)
    lines = [pricing.CartLine(i.id, i.performance_id, i.performance_seat.category_id, i.tariff_id) for i in items]
    quote = pricing.price_cart(lines=lines, grid=price_grid(i.performance_id for i in items),
                               order_fee=cart.point_of_sale.order_fee, currency=_currency(items))
    for item in items:
        item.unit_price = quote.price_of(item.id)
    expires = min((i.performance_seat.hold_until for i in items), default=None)
    return CartView(cart, items, expired, quote, expires)


def _currency(items) -> str:
    from django.conf import settings

    currencies = {i.performance.event.season.currency for i in items} if items else set()
    return currencies.pop() if len(currencies) == 1 else settings.ENTRACTE_CURRENCY


def orders_of_contact(contact):
    return (
        Order.objects.filter(contact=contact)
        .prefetch_related(Prefetch("tickets", queryset=_tickets()))
        .order_by("-created_at")
    )


def _tickets():
    return Ticket.objects.select_related(
        "performance__event", "performance__hall__venue", "performance_seat__seat", "performance_seat__area", "tariff", "category"
    ).order_by("performance__starts_at", "performance_seat__seat__row", "performance_seat__seat__position")


def tickets_of_order(order: Order):
    return _tickets().filter(order=order)


def tickets_of_contact(contact):
    return _tickets().filter(order__contact=contact)


def order_by_secret(number: str, secret: str) -> Order | None:
    import hmac

    order = Order.objects.filter(number=number).select_related("contact", "point_of_sale").first()
    if order is None or not hmac.compare_digest(order.secret, secret):
        return None
    return order
