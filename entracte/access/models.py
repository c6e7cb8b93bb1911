"""Access control: the gates of a venue and every scan made at them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import Performance, Venue
from entracte.sales.models import Ticket


class Gate(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="gates", verbose_name=_("venue"))
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("gate")
        verbose_name_plural = _("gates")
        ordering = ["venue", "name"]
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="gate_name_unique_per_venue")]

    def __str__(self):
        return self.name


class Scan(models.Model):
    """One reading of a code at a gate, whatever its outcome (the door's log)."""

    VALID, ALREADY_SCANNED, CANCELLED, WRONG_PERFORMANCE, UNKNOWN = (
        "valid", "already_scanned", "cancelled", "wrong_performance", "unknown")
    RESULTS = [
        (VALID, _("valid")), (ALREADY_SCANNED, _("already scanned")), (CANCELLED, _("cancelled")),
        (WRONG_PERFORMANCE, _("wrong performance")), (UNKNOWN, _("unknown")),
    ]
    # Written at every reading, read rarely: no index of its own beside `scan_perf_result` (which
    # serves the performance) and those the foreign keys' deletions need.
    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="scans", verbose_name=_("performance"),
                                    db_index=False)
    gate = models.ForeignKey(Gate, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("gate"))
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans", verbose_name=_("ticket"))
    code = models.CharField(_("code read"), max_length=64)
    result = models.CharField(_("result"), max_length=20, choices=RESULTS)
    scanned_at = models.DateTimeField(_("scanned at"))
    scanned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("controller"))

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        permissions = [("scan", _("Can scan tickets at the door"))]
        indexes = [models.Index(fields=["performance", "result"], name="scan_perf_result")]
