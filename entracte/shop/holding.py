"""Holding seats from a posted form, for any page that sells (the shop and the box office).

Each function reads the form, calls the cart service, and leaves a message for the next page;
it returns how many seats were held, or None when nothing was.
"""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from entracte.core.errors import DomainError
from entracte.sales import carts


def to_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _done(request, call) -> int | None:
    try:
        items = call()
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, _("%(n)s seat(s) added to the cart.") % {"n": len(items)})
    return len(items)


def hold_best_from_post(request, performance, get_cart) -> int | None:
    category, tariff, quantity = (to_int(request.POST.get(name)) for name in ("category", "tariff", "quantity"))
    if category is None or tariff is None or quantity is None:
        messages.error(request, _("Choose a seat category, a tariff and a number of seats."))
        return None
    return _done(request, lambda: carts.add_best_available(
        cart=get_cart(), performance=performance, category_id=category, quantity=quantity, tariff_id=tariff))


def hold_chosen_from_post(request, performance, get_cart) -> int | None:
    seat_ids = [i for i in (to_int(v) for v in request.POST.get("seats", "").split(",")) if i is not None]
    tariff = to_int(request.POST.get("tariff"))
    if not seat_ids or tariff is None:
        messages.error(request, _("Pick at least one seat on the map and a tariff."))
        return None
    return _done(request, lambda: carts.add_chosen_seats(
        cart=get_cart(), performance=performance, seat_ids=seat_ids, tariff_id=tariff))


def remove_from_post(request, cart, item_id: int) -> None:
    if cart:
        _try(request, lambda: carts.remove_item(cart=cart, item_id=item_id))


def _try(request, call) -> None:
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
