"""Read queries on subscription products and bought subscriptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from entracte.catalog.models import SalesChannel, SeatCategory, Tariff
from entracte.sales.models import Ticket

from .models import (
    LinePrice,
    Subscription,
    SubscriptionLine,
    SubscriptionProduct,
    SubscriptionTicket,
)
from .pricing import Offer, OfferLine, SpecialPrices, with_subscriber_prices


def on_sale_q(channel: SalesChannel, now: datetime) -> Q:
    return Q(is_published=True, sales_open_at__lte=now, sales_close_at__gt=now, channels=channel)


def products_on_sale(*, channel: SalesChannel, now: datetime | None = None):
    return SubscriptionProduct.objects.filter(on_sale_q(channel, now or timezone.now())).select_related("season").distinct()


def is_on_sale(product: SubscriptionProduct, *, channel: SalesChannel, now: datetime) -> bool:
    return SubscriptionProduct.objects.filter(on_sale_q(channel, now), pk=product.pk).exists()


def product_by_slug(slug: str) -> SubscriptionProduct:
    return get_object_or_404(SubscriptionProduct, slug=slug, is_published=True)


def lines_of(product: SubscriptionProduct) -> list[SubscriptionLine]:
    return list(product.lines.select_related("performance__event", "performance__hall__venue")
                .order_by("performance__starts_at", "pk"))


def offer_of(product: SubscriptionProduct, lines: list[SubscriptionLine] | None = None) -> Offer:
    """The product's rules and prices as plain data for `rules.check` and `pricing.quote`."""
    lines = lines if lines is not None else lines_of(product)
    extras_on = product.extras_enabled and product.kind == product.CALCULATED
    prices: dict[int, dict] = {line.pk: {} for line in lines}
    # Plain tuples: a 35-line product has hundreds of prices and model instances cost more than the query.
    for line_id, category_id, tariff_id, amount in LinePrice.objects.filter(line__product=product).values_list(
            "line_id", "category_id", "tariff_id", "amount"):
        if line_id in prices:
            prices[line_id][(category_id, tariff_id)] = amount
    offer_lines = {}
    for line in lines:
        limit = product.extras_max_per_performance if line.extras_max is None else line.extras_max
        offer_lines[line.pk] = OfferLine(
            id=line.pk, performance=line.performance_id, label=str(line.performance),
            extras_max=limit if extras_on else 0,
            prices=prices[line.pk])
    return Offer(
        kind=product.kind, min_performances=product.min_performances, max_performances=product.max_performances,
        max_subscribers=product.max_subscribers,
        subscriber_tariffs=frozenset(product.subscriber_tariffs.values_list("pk", flat=True)),
        extra_tariffs=frozenset(product.extra_tariffs.values_list("pk", flat=True)) if extras_on else frozenset(),
        extras_max_total=product.extras_max_total if extras_on else 0,
        lines=offer_lines,
        package_prices={(p.category_id, p.tariff_id): p.amount for p in product.package_prices.all()},
    )


@dataclass
class LineRow:
    """A line as the selection page shows it: per seat category, the subscriber prices and the extra-seat prices."""

    line: SubscriptionLine
    extras_max: int
    categories: list[dict] = field(default_factory=list)  # {category, subscriber: {tariff: price}, extra: {tariff: price}}


def product_page(product: SubscriptionProduct, special: SpecialPrices | None = None) -> dict:
    lines = lines_of(product)
    offer = offer_of(product, lines)
    if special is not None:
        offer = with_subscriber_prices(offer, special.prices)
    subscriber_tariffs = list(Tariff.objects.filter(pk__in=offer.subscriber_tariffs).order_by("sort", "pk"))
    extra_tariffs = list(Tariff.objects.filter(pk__in=offer.extra_tariffs).order_by("sort", "pk"))
    categories = {c.pk: c for c in SeatCategory.objects.all()}
    rows = []
    for line in lines:
        row = LineRow(line=line, extras_max=offer.lines[line.pk].extras_max)
        prices = offer.subscriber_prices(line.pk)
        for cat_id in sorted(offer.categories(line.pk, offer.subscriber_tariffs), key=lambda c: (categories[c].sort, c)):
            sub = {t.pk: prices[(cat_id, t.pk)] for t in subscriber_tariffs}
            extra = {t.pk: offer.lines[line.pk].prices[(cat_id, t.pk)] for t in extra_tariffs
                     if (cat_id, t.pk) in offer.lines[line.pk].prices}
            row.categories.append({"category": categories[cat_id], "subscriber": sub, "extra": extra})
        rows.append(row)
    return {"product": product, "offer": offer, "rows": rows, "subscriber_tariffs": subscriber_tariffs,
            "extra_tariffs": extra_tariffs, "currency": product.season.currency}


def subscriptions_of_contact(contact):
    tickets = SubscriptionTicket.objects.select_related(
        "ticket__performance__event", "ticket__performance_seat__seat", "ticket__performance_seat__area", "ticket__tariff",
        "ticket__category").order_by("ticket__performance__starts_at", "ticket__performance_seat__seat__row",
                                     "ticket__performance_seat__seat__position")
    return (Subscription.objects.filter(contact=contact).select_related("product", "order")
            .prefetch_related(Prefetch("tickets", queryset=tickets)).order_by("-created_at"))


def total_of(subscription: Subscription) -> Decimal:
    return sum((link.ticket.price for link in subscription.tickets.all() if link.ticket.status == Ticket.VALID), Decimal("0.00"))
