"""Selling subscriptions through the one cart and checkout.

`hold_subscription` checks a selection against the product's rules, prices it, and holds a
block of seats side by side at each chosen performance (subscribers together, extra seats
contiguous with them, the same seats as at the previous performance when they are free).
The seats go into the cart as one bundle with their subscription prices; the ordinary
checkout sells them, and `_record_sale` (called by place_order inside the order's
transaction) records the subscription and each ticket's role.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entracte.catalog.models import SeatCategory
from entracte.core import audit
from entracte.core.errors import InvalidInput
from entracte.core.translated import tr
from entracte.customers.models import Contact
from entracte.inventory import selectors as inventory_selectors
from entracte.inventory import services as inventory
from entracte.inventory.allocation import best_available
from entracte.inventory.errors import NoBlockFree
from entracte.sales import bundles, carts
from entracte.sales.errors import HoldExpired, SalesClosed
from entracte.sales.models import Cart, CartBundle

from . import errors, rules, selectors
from .models import Subscription, SubscriptionLine, SubscriptionProduct, SubscriptionTicket
from .pricing import (
    EXTRA,
    Offer,
    Selection,
    SpecialPrices,
    SubscriptionQuote,
    quote,
    with_subscriber_prices,
)

KIND = "subscription"


def price_selection(*, product: SubscriptionProduct, selection: Selection, lines: list[SubscriptionLine] | None = None,
                    special: SpecialPrices | None = None) -> tuple[Offer, SubscriptionQuote]:
    """Check a selection and price it (before the order fee), without holding anything.
    `special`: an advantage's subscriber prices, which the caller checked the buyer may use."""
    offer = selectors.offer_of(product, lines)
    if special is not None:
        offer = with_subscriber_prices(offer, special.prices)
    rules.check(offer, selection)
    return offer, quote(offer, selection)


def hold_subscription(*, cart: Cart, product: SubscriptionProduct, selection: Selection,
                      special: SpecialPrices | None = None) -> CartBundle:
    """Hold the seats of a subscription in the cart, or raise and hold nothing. With `special`
    (an advantage's prices) the bundle records the advantage and the prices it gave, for the
    advantage's checkout to check the buyer, the prices and the quota again."""
    now = timezone.now()
    if not selectors.is_on_sale(product, channel=cart.point_of_sale.channel, now=now):
        raise errors.SubscriptionNotOnSale()
    product_lines = selectors.lines_of(product)
    offer, priced = price_selection(product=product, selection=selection, lines=product_lines, special=special)
    lines = {line.pk: line for line in product_lines}
    for choice in selection.choices:
        if not lines[choice.line].performance.on_sale(now):
            raise SalesClosed(_("%(performance)s is not on sale any more.") % {"performance": offer.lines[choice.line].label})
    until = carts.hold_window(cart, now)
    members = selection.subscriber_count
    # In date order: each performance prefers the subscribers' seats at the one before.
    rank = {line.pk: i for i, line in enumerate(product_lines)}
    ordered = sorted(selection.choices, key=lambda c: rank[c.line])
    requests = [inventory.GroupRequest(lines[c.line].performance, c.category, members, c.extra_count) for c in ordered]
    try:
        with transaction.atomic():
            blocks = inventory.hold_groups(requests=requests, channel=cart.point_of_sale.channel, token=cart.token,
                                           until=until, now=now)
            seats: list[bundles.BundleSeat] = []
            extras: list[int] = []
            for choice, (member_ids, extra_ids) in zip(ordered, blocks):
                seats += _priced_seats(priced, choice, lines[choice.line].performance_id, member_ids, extra_ids)
                extras += extra_ids
            data = {"label": product.name, "subscribers": members, "performances": len(ordered),
                    "seats": len(seats), "extras": extras}
            if special is not None:
                data["advantage"] = special.advantage
                data["advantage_prices"] = sorted([c, t, str(special.prices[(c, t)])] for c, t in
                                                  {(s.category, s.tariff) for s in priced.seats if s.role != EXTRA})
            bundle = bundles.attach_bundle(cart=cart, kind=KIND, ref=product.pk, source=KIND, seats=seats, data=data)
            carts.extend_cart_hold(cart=cart, until=until, now=now)
    except NoBlockFree as exc:
        failed = next(c for c in ordered if lines[c.line].performance_id == exc.details["performance"])
        raise _no_block(offer, selection, failed, lines, cart, now) from None
    return bundle


def _priced_seats(priced: SubscriptionQuote, choice, performance_id: int, member_ids, extra_ids) -> list[bundles.BundleSeat]:
    """Give each held seat its tariff and price: subscribers' seats first, then the extras."""
    queue = {"subscriber": list(member_ids), "extra": list(extra_ids)}
    result = []
    for price in priced.of_line(choice.line):
        for _n in range(price.count):
            result.append(bundles.BundleSeat(performance_id, queue[price.role].pop(0), price.tariff, price.unit_price, choice.line))
    return result


def _no_block(offer: Offer, selection: Selection, choice, lines, cart: Cart, now) -> errors.NoContiguousBlock:
    """Say which performance has no block, and in which seat categories the group would fit."""
    performance = lines[choice.line].performance
    n = selection.subscriber_count + choice.extra_count
    tariffs = [t for t, k in selection.subscribers.items() if k > 0]
    fits = []
    for category in SeatCategory.objects.filter(pk__in=offer.categories(choice.line, tariffs)).order_by("sort", "pk"):
        if category.pk == choice.category:
            continue
        free = inventory_selectors.free_seats_for_allocation(performance=performance, category_id=category.pk,
                                                             channel=cart.point_of_sale.channel, now=now)
        if best_available(free, n, scatter=False) is not None:
            fits.append(category)
    message = errors.NoContiguousBlock.default_message % {
        "performance": offer.lines[choice.line].label, "n": n,
        "category": tr(SeatCategory.objects.get(pk=choice.category).name)}
    hint = (errors.NoContiguousBlock.fits_message % {"categories": ", ".join(tr(c.name) for c in fits)}
            if fits else errors.NoContiguousBlock.nowhere_message)
    return errors.NoContiguousBlock(f"{message} {hint}", line=choice.line, fits=[c.pk for c in fits])


class SubscriptionNeedsContact(InvalidInput):
    code = "subscription_needs_contact"
    default_message = _("A subscription is sold to a known contact: attach the customer to the sale first.")


@bundles.on_sold(KIND)
def _record_sale(*, order, bundle: CartBundle, sold: list, actor=None) -> Subscription:
    """Inside place_order's transaction: the subscription, and each ticket's line and role."""
    if len(sold) != bundle.data["seats"]:
        raise HoldExpired()  # part of the subscription ran out: it is sold whole or not at all
    if order.contact.kind == Contact.ANONYMOUS:
        raise SubscriptionNeedsContact()
    extras = set(bundle.data["extras"])
    subscription = Subscription.objects.create(product_id=bundle.ref, order=order, contact=order.contact,
                                               subscribers=bundle.data["subscribers"])
    SubscriptionTicket.objects.bulk_create([
        SubscriptionTicket(subscription=subscription, ticket=ticket, line_id=line.price_ref,
                           role=EXTRA if line.performance_seat_id in extras else SubscriptionTicket.SUBSCRIBER)
        for ticket, line in sold])
    audit.record(action="subscription.sold", obj=subscription, actor=actor, channel=order.point_of_sale.channel.code,
                 data={"order": order.number, "product": bundle.ref, "tickets": len(sold), "extras": len(extras)})
    return subscription


def sync_championship_lines(*, product: SubscriptionProduct) -> int:
    """A championship holds every performance (match) of its competition: add the missing ones."""
    if product.kind != SubscriptionProduct.CHAMPIONSHIP or product.event_id is None:
        return 0
    have = set(product.lines.values_list("performance_id", flat=True))
    missing = [p for p in product.event.performances.order_by("starts_at") if p.pk not in have]
    SubscriptionLine.objects.bulk_create([SubscriptionLine(product=product, performance=p) for p in missing])
    return len(missing)
