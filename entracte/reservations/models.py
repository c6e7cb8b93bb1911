"""Reservations: seats kept for a contact without payment until a deadline (an "option")."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import Performance, PointOfSale, Tariff
from entracte.customers.models import Contact, User
from entracte.inventory.models import PerformanceSeat
from entracte.sales import codes
from entracte.sales.models import Order


def reservation_number() -> str:
    return "R" + codes.random_code(9)


class Reservation(models.Model):
    PENDING, PAID, CANCELLED = "pending", "paid", "cancelled"
    STATUSES = [(PENDING, _("awaiting payment")), (PAID, _("paid")), (CANCELLED, _("cancelled"))]

    number = models.CharField(_("reservation number"), max_length=16, unique=True, default=reservation_number)
    # The holder name on the reserved seats (PerformanceSeat.hold_token), never shown.
    token = models.CharField(max_length=64, unique=True, default=codes.access_secret, editable=False)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("contact"))
    point_of_sale = models.ForeignKey(PointOfSale, on_delete=models.PROTECT, verbose_name=_("point of sale"))
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=PENDING)
    deadline = models.DateTimeField(_("pay by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    order = models.OneToOneField(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="reservation",
                                 verbose_name=_("order"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("paid or cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["deadline"]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return self.number


class ReservedSeat(models.Model):
    """A seat of the reservation with the tariff it will be sold at."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="seats")
    performance = models.ForeignKey(Performance, on_delete=models.PROTECT, verbose_name=_("performance"))
    performance_seat = models.ForeignKey(PerformanceSeat, on_delete=models.PROTECT, verbose_name=_("seat"))
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, verbose_name=_("tariff"))

    class Meta:
        verbose_name = _("reserved seat")
        verbose_name_plural = _("reserved seats")
        constraints = [models.UniqueConstraint(fields=["reservation", "performance_seat"], name="reserved_seat_once")]
