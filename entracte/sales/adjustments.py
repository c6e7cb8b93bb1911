"""Features that change what a cart costs beyond its line prices, or that must check and
record something inside the order's transaction.

- A *discount source* (`@discount_source`) gives the reductions of a cart (promo codes),
  read by `selectors.cart_view` and priced by `pricing.price_cart`. Only carts marked
  `adjusted` are asked, so a plain cart pays nothing for the feature.
- A *placed handler* (`@on_placed`) runs inside `checkout.place_order`'s transaction after
  the tickets exist: it checks again what the buyer was promised (a code still unused, a
  quota not reached) and records it. Raising a DomainError rolls the order back and voids
  the payment.
- A *cancelled handler* (`@on_cancelled`) runs inside `refunds.cancel_tickets`'s transaction
  with the tickets just cancelled: it gives back what they took (an advantage's quota).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from . import pricing
from .models import Cart

_DISCOUNTS: list[Callable] = []
_ON_PLACED: list[tuple[Callable, Callable]] = []
_ON_CANCELLED: list[Callable] = []


def discount_source(fn: Callable) -> Callable:
    """Register `fn(*, cart, items, now) -> list[pricing.Discount]`."""
    _DISCOUNTS.append(fn)
    return fn


def on_placed(*, when: Callable) -> Callable:
    """Register `fn(*, order, cart, view, sold, actor)`, run for the orders whose cart and
    view make `when(*, cart, view)` true (the others skip the handler, and with no handler
    wanted the sale's writes go as one statement: checkout._nothing_between)."""
    def register(fn: Callable) -> Callable:
        _ON_PLACED.append((fn, when))
        return fn
    return register


def on_cancelled(fn: Callable) -> Callable:
    """Register `fn(*, order, ticket_ids, actor)`."""
    _ON_CANCELLED.append(fn)
    return fn


def discounts(*, cart: Cart, items: list, now: datetime) -> list[pricing.Discount]:
    if not cart.adjusted or not items:
        return []
    found: list[pricing.Discount] = []
    for source in _DISCOUNTS:
        found += source(cart=cart, items=items, now=now)
    return found


def placed_wanted(*, cart: Cart, view) -> bool:
    return any(when(cart=cart, view=view) for _handler, when in _ON_PLACED)


def placed(*, order, cart: Cart, view, sold: list, actor=None) -> None:
    for handler, when in _ON_PLACED:
        if when(cart=cart, view=view):
            handler(order=order, cart=cart, view=view, sold=sold, actor=actor)


def cancelled(*, order, ticket_ids: list[int], actor=None) -> None:
    for handler in _ON_CANCELLED:
        handler(order=order, ticket_ids=ticket_ids, actor=actor)


def mark_adjusted(cart: Cart) -> None:
    """A feature attached something to the cart that its price depends on."""
    if not cart.adjusted:
        Cart.objects.filter(pk=cart.pk).update(adjusted=True)
        cart.adjusted = True


def unmark_adjusted(cart: Cart) -> None:
    with transaction.atomic():
        Cart.objects.filter(pk=cart.pk).update(adjusted=False)
        cart.adjusted = False
