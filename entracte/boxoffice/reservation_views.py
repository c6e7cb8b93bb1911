"""Reservations at the box office and on the phone: keep the current sale's seats for its
contact until a deadline, list what awaits payment, then pay or cancel. Thin: the rules are
in reservations/services.py."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entracte.core.errors import DomainError
from entracte.reservations import selectors, services
from entracte.reservations.models import Reservation

from . import session
from .forms import PaymentForm, ReservationCancelForm, ReserveForm
from .permissions import staff_required

sells = staff_required("sales.sell")


def reserve_form_for(view, contact, pos) -> ReserveForm | None:
    """The "reserve until paid" form of the sale page, when the sale can be reserved."""
    if not (view and view.items and pos is not None and services.may_reserve(point_of_sale=pos, contact=contact, items=view.items)):
        return None
    deadline = timezone.localtime(services.default_deadline(view.items, timezone.now()))
    return ReserveForm(initial={"deadline": deadline.replace(second=0, microsecond=0)})


@sells
@require_POST
def reserve(request):
    cart, contact = session.cart(request), session.contact(request)
    form = ReserveForm(request.POST)
    if cart is None or not form.is_valid():
        messages.error(request, _("Give the date and time until which the seats are kept."))
        return redirect("boxoffice:sale")
    try:
        reservation = services.reserve_cart(cart=cart, contact=contact, deadline=form.cleaned_data["deadline"],
                                            note=form.cleaned_data["note"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("boxoffice:sale")
    session.new_sale(request)
    messages.success(request, _("Reservation %(number)s: the seats are kept until %(deadline)s.") % {
        "number": reservation.number, "deadline": timezone.localtime(reservation.deadline).strftime("%d/%m/%Y %H:%M")})
    return redirect("boxoffice:reservation", reservation.number)


@sells
def reservations(request):
    pending = list(selectors.pending())
    now = timezone.now()
    return render(request, "boxoffice/reservations.html", {
        "overdue": [r for r in pending if r.deadline < now], "upcoming": [r for r in pending if r.deadline >= now],
    })


def _reservation(number):
    return get_object_or_404(Reservation.objects.select_related("contact", "point_of_sale__channel", "order"), number=number)


@sells
def reservation(request, number, pay_form=None):
    found = _reservation(number)
    pos = session.point_of_sale(request)
    view = selectors.view(found, pos if pos is not None and pos.channel.code in services.CHANNELS else None)
    total = view.quote.total if view.quote else None
    return render(request, "boxoffice/reservation.html", {
        "found": found, "view": view, "pos": pos, "overdue": found.deadline < timezone.now(),
        "form": pay_form or PaymentForm(initial={"expected_total": total, "send_email": bool(found.contact.email)}),
        "cancel_form": ReservationCancelForm(),
    })


@sells
@require_POST
def pay(request, number):
    found = _reservation(number)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return reservation(request, number, pay_form=form)
    data = form.cleaned_data
    try:
        order = services.pay_reservation(
            reservation=found, tenders=form.tenders(), point_of_sale=session.point_of_sale(request),
            delivery_mode=data["delivery_mode"], email=found.contact.email if data["send_email"] else "",
            expected_total=data.get("expected_total"), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("boxoffice:reservation", number)
    messages.success(request, _("Reservation %(reservation)s paid: order %(number)s.") % {
        "reservation": found.number, "number": order.number})
    return redirect("boxoffice:order", order.number)


@sells
@require_POST
def cancel(request, number):
    found = _reservation(number)
    form = ReservationCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("boxoffice:reservation", number)
    try:
        released = services.cancel_reservation(reservation=found, reason=form.cleaned_data["reason"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reservation cancelled; %(n)s seat(s) back on sale.") % {"n": released})
    return redirect("boxoffice:reservation", number)

