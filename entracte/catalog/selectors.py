"""Read queries on the catalogue."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import cache
from .models import Area, Event, Performance, PointOfSale, Price, SalesChannel, SeatCategory, Tariff


def published_performances():
    return Performance.objects.filter(is_published=True).select_related("event__season", "hall__venue")


def programme(now=None):
    """Events with performances still to come, each with those performances."""
    now = now or timezone.now()
    upcoming = published_performances().filter(starts_at__gt=now).order_by("starts_at")
    return (
        Event.objects.filter(performances__in=upcoming).distinct()
        .prefetch_related(Prefetch("performances", queryset=upcoming, to_attr="upcoming"))
        .select_related("season")
    )


def event_by_slug(slug: str) -> Event:
    return get_object_or_404(Event, slug=slug)


def performance(pk: int) -> Performance:
    return get_object_or_404(published_performances(), pk=pk)


def performance_for_sale(pk: int) -> Performance:
    """The published performance, with its hall and event, from the catalogue cache (catalog/cache.py).
    Treat it as read-only."""
    return cache.remember(("performance", pk), lambda: performance(pk))


def venue_of_performance(pk: int) -> int | None:
    """The venue a performance takes place in (None if there is no such performance), from the
    catalogue cache: every scan at the door asks it."""
    return cache.remember(("venue_of", pk), lambda: Performance.objects.filter(pk=pk)
                          .values_list("hall__venue_id", flat=True).first())


def priced_categories(*, performance_id: int, tariff_id: int, channel_id: int) -> frozenset[int]:
    """The seat categories that have a price for this tariff, if the tariff is sold on the channel (cached)."""
    def load():
        return frozenset(
            Price.objects.filter(performance_id=performance_id, tariff_id=tariff_id, tariff__channels=channel_id)
            .values_list("category_id", flat=True)
        )
    return cache.remember(("priced", performance_id, tariff_id, channel_id), load)


def price_table(performance: Performance, channel: SalesChannel) -> list[dict]:
    """Per seat category: its prices by tariff sold on the channel."""
    prices = (
        Price.objects.filter(performance=performance, tariff__channels=channel)
        .select_related("category", "tariff").order_by("category__sort", "tariff__sort")
    )
    table: dict[int, dict] = {}
    for price in prices:
        row = table.setdefault(price.category_id, {"category": price.category, "prices": []})
        row["prices"].append({"tariff": price.tariff, "amount": price.amount})
    return list(table.values())


def categories_of(performance: Performance):
    return SeatCategory.objects.filter(price__performance=performance).distinct()


_NAMED = {"area": Area, "seatcategory": SeatCategory, "tariff": Tariff}


def name_of(kind: str, pk: int) -> dict:
    """The translatable name of an area, seat category or tariff, from the catalogue cache."""
    return cache.remember((kind, pk), lambda: _NAMED[kind].objects.values_list("name", flat=True).get(pk=pk))


def event_name_and_currency(pk: int) -> tuple[dict, str]:
    """An event's translatable name and its season's currency, from the catalogue cache."""
    return cache.remember(("event", pk), lambda: tuple(Event.objects.values_list("name", "season__currency").get(pk=pk)))


def point_of_sale_by_id(pk: int) -> PointOfSale:
    """A point of sale with its channel, from the catalogue cache. Treat it as read-only."""
    return cache.remember(("pos", pk), lambda: PointOfSale.objects.select_related("channel").get(pk=pk))


def point_of_sale(code: str) -> PointOfSale:
    return get_object_or_404(PointOfSale.objects.select_related("channel"), code=code, is_active=True)


def web_point_of_sale() -> PointOfSale:
    """The web shop's point of sale, from the catalogue cache. Treat it as read-only."""
    pos = cache.remember(("web_pos",), lambda: PointOfSale.objects.select_related("channel")
                         .filter(channel__code=SalesChannel.INTERNET, is_active=True).order_by("id").first())
    if pos is None:
        from django.http import Http404

        raise Http404("no web point of sale")
    return pos
