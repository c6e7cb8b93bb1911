from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema

from entracte.core.translated import tr
from entracte.inventory import selectors as inventory

from . import selectors

router = Router(tags=["catalogue"])


class PerformanceOut(Schema):
    id: int
    event_id: int
    event: str
    hall: str
    starts_at: datetime
    sales_open_at: datetime
    sales_close_at: datetime
    on_sale: bool


class EventOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    season: str
    performances: list[PerformanceOut]


class PriceOut(Schema):
    tariff_id: int
    tariff: str
    amount: Decimal
    currency: str


class CategoryAvailabilityOut(Schema):
    category_id: int
    category: str
    color: str
    free: int
    prices: list[PriceOut]


class SeatOut(Schema):
    id: int
    area_id: int
    row: str
    number: str
    x: float
    y: float
    category_id: int
    state: str
    wheelchair: bool
    companion: bool


def _perf(p) -> dict:
    return {"id": p.id, "event_id": p.event_id, "event": tr(p.event.name), "hall": str(p.hall), "starts_at": p.starts_at,
            "sales_open_at": p.sales_open_at, "sales_close_at": p.sales_close_at, "on_sale": p.on_sale()}


@router.get("/events", response=list[EventOut], summary="The programme: events with their upcoming performances")
def list_events(request):
    return [
        {"id": e.id, "slug": e.slug, "name": tr(e.name), "description": tr(e.description), "season": tr(e.season.name),
         "performances": [_perf(p) for p in e.upcoming]}
        for e in selectors.programme()
    ]


@router.get("/performances/{performance_id}", response=PerformanceOut)
def get_performance(request, performance_id: int):
    return _perf(selectors.performance(performance_id))


@router.get("/performances/{performance_id}/availability", response=list[CategoryAvailabilityOut],
            summary="Free seats and prices per seat category on the web channel")
def availability(request, performance_id: int):
    performance = selectors.performance(performance_id)
    pos = selectors.web_point_of_sale()
    free = inventory.availability(performance=performance, channel=pos.channel, now=timezone.now())
    currency = performance.event.season.currency
    return [
        {"category_id": row["category"].id, "category": tr(row["category"].name), "color": row["category"].color,
         "free": free.get(row["category"].id, 0),
         "prices": [{"tariff_id": p["tariff"].id, "tariff": tr(p["tariff"].name), "amount": p["amount"], "currency": currency} for p in row["prices"]]}
        for row in selectors.price_table(performance, pos.channel)
    ]


@router.get("/performances/{performance_id}/seats", response=list[SeatOut],
            summary="The seat map with each seat's state (free, taken, or mine with ?cart=token)")
def seat_map(request, performance_id: int, cart: str = ""):
    performance = selectors.performance(performance_id)
    pos = selectors.web_point_of_sale()
    return inventory.seat_map(performance=performance, channel=pos.channel, now=timezone.now(), token=cart[:64])
