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
    # No index of its own: the unique (performance, seat) and the (performance, category) index
    # both start with it.
    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="inventory",
                                    verbose_name=_("performance"), db_index=False)
    # Null for a place in a standing area: standing areas sell against their capacity,
    # one row per place, so every rule below works the same for them.
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("seat"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("area"))
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("seat category"))
    contingent = models.ForeignKey(Contingent, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("contingent"))
    state = models.CharField(_("state"), max_length=8, choices=STATES, default=FREE)
    # A held seat belongs to the holder (a cart token) until hold_until. Past that it
    # counts as free everywhere, with no cleanup job needed.
    # state, hold_token and hold_until change at every claim and sale, so no index holds them:
    # an update that changes no indexed column is a HOT update on PostgreSQL, written in the
    # heap page alone, where one touching an indexed column writes a new entry in every index
    # of the table (docs/performance.md). Seats are found by performance and category, or by
    # id (a cart's lines name their seats), never by holder.
    hold_token = models.CharField(max_length=64, blank=True, default="")
    hold_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("performance seat")
        verbose_name_plural = _("performance seats")
        indexes = [models.Index(fields=["performance", "category"], name="seat_performance_category")]
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
