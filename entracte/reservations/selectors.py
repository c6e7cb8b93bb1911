"""Read queries on reservations: lists for staff and contacts, and a reservation's lines
priced by the one pricing function at today's grid (what paying it now would cost)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from entracte.catalog.models import Price
from entracte.catalog.selectors import event_name_and_currency
from entracte.sales import pricing
from entracte.sales.tickets import seat_label

from .models import Reservation, ReservedSeat


@dataclass
class ReservationLine:
    seat: ReservedSeat
    label: str
    unit_price: Decimal | None  # None: the grid has no price for it any more


@dataclass
class ReservationView:
    reservation: Reservation
    lines: list[ReservationLine]
    quote: pricing.Quote | None  # None when a line has no price


def pending(*, point_of_sale_ids=None):
    """Reservations awaiting payment, the nearest deadline first, with their seat count."""
    rows = Reservation.objects.filter(status=Reservation.PENDING)
    if point_of_sale_ids is not None:
        rows = rows.filter(point_of_sale_id__in=list(point_of_sale_ids))
    return rows.select_related("contact", "point_of_sale").annotate(n_seats=Count("seats")).order_by("deadline", "pk")


def of_contact(contact):
    return (Reservation.objects.filter(contact=contact).select_related("point_of_sale", "order")
            .annotate(n_seats=Count("seats")).order_by("-created_at"))


def pending_of_contact(contact) -> list[Reservation]:
    """A contact's reservations awaiting payment, with their seats (for the personal space)."""
    return list(Reservation.objects.filter(contact=contact, status=Reservation.PENDING).order_by("deadline")
                .prefetch_related("seats__performance__event", "seats__performance_seat__seat",
                                  "seats__performance_seat__area", "seats__tariff"))


def view(reservation: Reservation, point_of_sale=None) -> ReservationView:
    """The reservation's seats priced at today's grid, with the fee of the point of sale it
    would be paid at (by default the one it was made at)."""
    point_of_sale = point_of_sale or reservation.point_of_sale
    seats = list(reservation.seats.select_related(
        "performance__event", "performance__hall", "performance_seat__seat", "performance_seat__area", "tariff")
        .order_by("performance__starts_at", "performance_seat__seat__row", "performance_seat__seat__position", "pk"))
    keys = Q()
    for s in seats:
        keys |= Q(performance_id=s.performance_id, category_id=s.performance_seat.category_id, tariff_id=s.tariff_id)
    grid = {(p.performance_id, p.category_id, p.tariff_id): p.amount for p in Price.objects.filter(keys)} if seats else {}
    currencies = {event_name_and_currency(s.performance.event_id)[1] for s in seats}
    lines = [pricing.CartLine(s.pk, s.performance_id, s.performance_seat.category_id, s.tariff_id) for s in seats]
    try:
        quote = pricing.price_cart(lines=lines, grid=grid, order_fee=point_of_sale.order_fee,
                                   currency=currencies.pop() if len(currencies) == 1 else settings.ENTRACTE_CURRENCY)
    except pricing.PriceMissing:
        quote = None
    return ReservationView(reservation, [
        ReservationLine(s, seat_label(s), quote.price_of(s.pk) if quote else grid.get(
            (s.performance_id, s.performance_seat.category_id, s.tariff_id))) for s in seats], quote)
