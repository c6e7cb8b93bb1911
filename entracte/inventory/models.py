"""Per-performance seat inventory: one row per seat (or standing place) and performance."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import Area, Contingent, Performance, Seat, SeatCategory


class PerformanceSeat(models.Model):
    FREE, HELD, RESERVED, SOLD, BLOCKED = "free", "held", "reserved", "sold", "blocked"
    STATES = [
        (FREE, _("free")),
        (HELD, _("held")),
        (RESERVED, _("reserved")),
        (SOLD, _("sold")),
        (BLOCKED, _("blocked")),
    ]
    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="inventory", verbose_name=_("performance"))
    # Null for a place in a standing area: standing areas sell against their capacity,
    # one row per place, so every rule below works the same for them.
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("seat"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("area"))
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("seat category"))
    contingent = models.ForeignKey(Contingent, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("contingent"))
    state = models.CharField(_("state"), max_length=8, choices=STATES, default=FREE)
    # A held seat belongs to the holder (a cart token) until hold_until. Past that it
    # counts as free everywhere, with no cleanup job needed.
    # Indexed in Meta: db_index=True also built a LIKE-pattern index on PostgreSQL, which nothing
    # reads and every claim and sale paid for (docs/performance.md).
    hold_token = models.CharField(max_length=64, blank=True, default="")
    hold_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("performance seat")
        verbose_name_plural = _("performance seats")
        indexes = [models.Index(fields=["performance", "category", "state"]), models.Index(fields=["hold_token"], name="seat_hold_token")]
        constraints = [
            models.UniqueConstraint(fields=["performance", "seat"], name="one_inventory_row_per_seat"),
            models.CheckConstraint(
                condition=~Q(state="held") | (Q(hold_until__isnull=False) & ~Q(hold_token="")),
                name="held_seat_has_holder_and_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.performance_id}/{self.seat or self.area}: {self.state}"

    def label(self) -> str:
        from .labels import seat_label

        return seat_label(self.area.name, self.seat.row if self.seat_id else None, self.seat.number if self.seat_id else None)
