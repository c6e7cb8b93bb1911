"""Read queries on the catalogue."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Event, Performance, PointOfSale, Price, SalesChannel, SeatCategory


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


def point_of_sale(code: str) -> PointOfSale:
    return get_object_or_404(PointOfSale.objects.select_related("channel"), code=code, is_active=True)


def web_point_of_sale() -> PointOfSale:
    pos = PointOfSale.objects.select_related("channel").filter(channel__code=SalesChannel.INTERNET, is_active=True).order_by("id").first()
    if pos is None:
        from django.http import Http404

        raise Http404("no web point of sale")
    return pos
