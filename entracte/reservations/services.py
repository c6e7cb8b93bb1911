"""Reservations: keep a cart's seats for a contact until a deadline, then pay or release them.

- `reserve_cart` turns the seats a cart holds into seats reserved for a contact. They leave
  sale at once and stay out of it until the reservation is paid or cancelled: a reservation
  past its deadline is not released by itself; staff decide (the box office lists the
  overdue ones first).
- `pay_reservation` puts the reserved seats back into a fresh cart and sells that cart with
  the one checkout (`sales.checkout.place_order`): the prices are the grid's at payment time,
  the order, its tickets and payments are those of any other sale. If the payment fails the
  seats go back to the reservation.
- `cancel_reservation` puts the seats back on sale.

Every seat move is a conditional UPDATE on (state, holder) whose row count is checked, so
two operators paying, or paying and cancelling, one reservation at once cannot both win.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import PointOfSale
from entracte.core import audit
from entracte.core.errors import Conflict, InvalidInput
from entracte.customers.models import Contact
from entracte.inventory import services as inventory
from entracte.sales import carts, checkout
from entracte.sales import selectors as sales
from entracte.sales.errors import CartEmpty, HoldExpired
from entracte.sales.models import Cart, CartItem, Order

from .models import Reservation, ReservedSeat

# Reservations are taken by staff at the counter and on the phone. Online reservations
# (SPEC section 6: per point of sale tariffs, per product deadlines) will add "internet".
CHANNELS = {"boxoffice", "phone"}


class ReservationNotAllowed(InvalidInput):
    code = "reservation_not_allowed"
    default_message = _("Seats cannot be reserved at this point of sale.")


class ReservationOfSubscription(InvalidInput):
    code = "reservation_of_subscription"
    default_message = _("A subscription is paid when it is booked; it cannot be reserved until paid.")


class ReservationNeedsContact(InvalidInput):
    code = "reservation_needs_contact"
    default_message = _("A reservation is made for a contact: find or create the contact first.")


class DeadlineInvalid(InvalidInput):
    code = "reservation_deadline_invalid"
    default_message = _("The deadline must be in the future and no later than the end of sales (%(latest)s).")


class ReservationClosed(Conflict):
    code = "reservation_closed"
    default_message = _("This reservation is already paid or cancelled.")


class ReservationBusy(Conflict):
    code = "reservation_busy"
    default_message = _("This reservation is being paid or cancelled by someone else. Reload the page.")


def may_reserve(*, point_of_sale, contact, items=()) -> bool:
    """Whether a sale at this point of sale, for this contact, of these cart lines can be
    reserved (the rule the sale page uses to offer it, and `reserve_cart` to refuse it).
    Seats of a subscription are sold with it, never reserved: paying a reservation sells
    loose seats at grid prices."""
    return (point_of_sale.channel.code in CHANNELS and contact is not None and contact.kind != Contact.ANONYMOUS
            and not any(item.bundle_id is not None for item in items))


def latest_deadline(lines) -> datetime:
    """A reservation must be paid before the sales of its first performance close."""
    return min(line.sales_close_at for line in lines)


def default_deadline(lines, now: datetime) -> datetime:
    return min(now + timedelta(days=settings.ENTRACTE_RESERVATION_DAYS), latest_deadline(lines))


def reserve_cart(*, cart: Cart, contact: Contact, deadline: datetime, note: str = "", actor=None) -> Reservation:
    """Reserve every seat the cart holds for the contact until the deadline; the cart is emptied."""
    now = timezone.now()
    channel = cart.point_of_sale.channel.code
    view = sales.cart_view(cart, now)
    if not may_reserve(point_of_sale=cart.point_of_sale, contact=contact, items=view.items):
        if channel not in CHANNELS:
            raise ReservationNotAllowed()
        if view.bundles:
            raise ReservationOfSubscription()
        raise ReservationNeedsContact()
    if view.expired:
        checkout.forget_expired(cart=cart, lines=view.expired)
        raise HoldExpired()
    if not view.items:
        raise CartEmpty()
    latest = latest_deadline(view.items)
    if not now < deadline <= latest:
        raise DeadlineInvalid(DeadlineInvalid.default_message % {
            "latest": timezone.localtime(latest).strftime("%d/%m/%Y %H:%M")})
    with transaction.atomic():
        reservation = Reservation.objects.create(contact=contact, point_of_sale=cart.point_of_sale, deadline=deadline,
                                                 note=note[:200], created_by=_staff(actor))
        ReservedSeat.objects.bulk_create([
            ReservedSeat(reservation=reservation, performance_id=item.performance_id,
                         performance_seat_id=item.performance_seat_id, tariff_id=item.tariff_id)
            for item in view.items])
        ids = [item.performance_seat_id for item in view.items]
        if inventory.reserve_held(ids=ids, token=cart.token, holder=reservation.token, now=now) != len(ids):
            raise HoldExpired()
        CartItem.objects.filter(cart=cart).delete()
        audit.record(action="reservation.created", obj=reservation, actor=actor, channel=channel,
                     data={"contact": contact.pk, "seats": len(ids), "deadline": deadline.isoformat(),
                           "estimated_total": str(view.quote.total)})
    return reservation


def pay_reservation(*, reservation: Reservation, tenders: list[checkout.Tender], point_of_sale: PointOfSale | None = None,
                    delivery_mode: str = Order.PICKUP, email: str = "", expected_total: Decimal | None = None,
                    actor=None) -> Order:
    """Sell the reserved seats to the reservation's contact; return the order. It is paid at
    `point_of_sale` (a phone reservation is often paid at the counter), by default the one it
    was made at; that point of sale's channel decides the payment methods and its fee applies."""
    now = timezone.now()
    point_of_sale = point_of_sale or reservation.point_of_sale
    if point_of_sale.channel.code not in CHANNELS:
        raise ReservationNotAllowed()
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().select_related("point_of_sale", "contact").get(pk=reservation.pk)
        if reservation.status != Reservation.PENDING:
            raise ReservationClosed()
        seats = list(reservation.seats.all())
        ids = [s.performance_seat_id for s in seats]
        cart = carts.create_cart(point_of_sale=point_of_sale)
        until = now + timedelta(minutes=point_of_sale.hold_minutes)
        if inventory.hold_reserved(ids=ids, holder=reservation.token, token=cart.token, until=until) != len(ids):
            raise ReservationBusy()
        CartItem.objects.bulk_create([CartItem(cart=cart, performance_id=s.performance_id,
                                               performance_seat_id=s.performance_seat_id, tariff_id=s.tariff_id)
                                      for s in seats])
    contact = reservation.contact
    try:
        order = checkout.place_order(
            cart=cart, buyer=checkout.Buyer(contact=contact, email=email, language=contact.language[:2]),
            delivery_mode=delivery_mode, tenders=tenders, expected_total=expected_total, actor=actor)
    except Exception:
        with transaction.atomic():  # the seats go back to the reservation, which stays pending
            inventory.reserve_held(ids=ids, token=cart.token, holder=reservation.token, now=now)
            cart.delete()
        raise
    with transaction.atomic():
        Reservation.objects.filter(pk=reservation.pk).update(status=Reservation.PAID, order=order, closed_at=timezone.now())
        audit.record(action="reservation.paid", obj=reservation, actor=actor, channel=point_of_sale.channel.code,
                     data={"order": order.number, "total": str(order.total)})
    cart.delete()
    reservation.refresh_from_db()
    return order


def cancel_reservation(*, reservation: Reservation, reason: str = "", actor=None) -> int:
    """Release the reserved seats; return how many went back on sale."""
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().select_related("point_of_sale").get(pk=reservation.pk)
        if reservation.status != Reservation.PENDING:
            raise ReservationClosed()
        ids = list(reservation.seats.values_list("performance_seat_id", flat=True))
        if inventory.release_reserved(ids=ids, holder=reservation.token) != len(ids):
            raise ReservationBusy()
        reservation.status = Reservation.CANCELLED
        reservation.closed_at = timezone.now()
        reservation.cancel_reason = reason[:200]
        reservation.save(update_fields=["status", "closed_at", "cancel_reason"])
        audit.record(action="reservation.cancelled", obj=reservation, actor=actor,
                     channel=reservation.point_of_sale.channel.code, data={"seats": len(ids), "reason": reason[:200]})
    return len(ids)


def _staff(actor):
    return actor if getattr(actor, "is_staff", False) else None
