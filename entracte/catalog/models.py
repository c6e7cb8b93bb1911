"""The venue's catalogue: seasons, halls and seat maps, events, performances, prices, channels."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entracte.core.translated import TranslatedField, tr


class Named(models.Model):
    name = TranslatedField(_("name"))

    class Meta:
        abstract = True

    def __str__(self):
        return tr(self.name)


class Season(Named):
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    currency = models.CharField(_("currency"), max_length=3, default=settings.ENTRACTE_CURRENCY)

    class Meta:
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="season_dates_ordered")]


class Venue(Named):
    address = models.TextField(_("address"), blank=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")


class Hall(Named):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="halls", verbose_name=_("venue"))
    stage_x = models.FloatField(_("stage centre line (x)"), default=0, help_text=_("x coordinate of the stage's centre line on the seat map; best seats are nearest to it."))
    stage_y = models.FloatField(_("stage edge (y)"), default=0)

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")

    def __str__(self):
        return f"{tr(self.venue.name)} — {tr(self.name)}"


class SeatCategory(Named):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#888888", help_text=_("Seat map colour, e.g. #c0392b"))
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("seat category")
        verbose_name_plural = _("seat categories")
        ordering = ["sort", "code"]


class Area(Named):
    SEATED, STANDING = "seated", "standing"
    KINDS = [(SEATED, _("seated")), (STANDING, _("standing"))]
    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="areas", verbose_name=_("hall"))
    code = models.SlugField(_("code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=KINDS, default=SEATED)
    capacity = models.PositiveIntegerField(_("capacity"), default=0, help_text=_("Standing areas only."))
    category = models.ForeignKey(SeatCategory, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("seat category"), help_text=_("Standing areas only."))
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["hall", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["hall", "code"], name="area_code_unique_in_hall")]


class Seat(models.Model):
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="seats", verbose_name=_("area"))
    row = models.CharField(_("row"), max_length=8)
    number = models.CharField(_("number"), max_length=8)
    x = models.FloatField()
    y = models.FloatField()
    # Order of the seat in its row; an aisle leaves a gap, so seats are side by side
    # exactly when their positions are consecutive. Computed by the seat-map import.
    position = models.PositiveIntegerField(_("position in row"), default=0)
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("default seat category"))
    wheelchair = models.BooleanField(_("wheelchair space"), default=False)
    companion = models.BooleanField(_("companion seat"), default=False)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["area", "row", "position"]
        constraints = [models.UniqueConstraint(fields=["area", "row", "number"], name="seat_unique_in_area")]

    def __str__(self):
        return f"{tr(self.area.name)} {self.row}-{self.number}"


class SalesChannel(Named):
    INTERNET, BOX_OFFICE, PHONE = "internet", "boxoffice", "phone"
    code = models.SlugField(_("code"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")


class PointOfSale(Named):
    channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="points_of_sale", verbose_name=_("sales channel"))
    code = models.SlugField(_("code"), max_length=32, unique=True)
    order_fee = models.DecimalField(_("order fee"), max_digits=8, decimal_places=2, default=0)
    hold_minutes = models.PositiveSmallIntegerField(_("hold duration (minutes)"), default=settings.ENTRACTE_DEFAULT_HOLD_MINUTES)
    is_active = models.BooleanField(_("active"), default=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="points_of_sale", verbose_name=_("operators"),
        help_text=_("Staff who may sell here. Administrators may sell everywhere."))

    class Meta:
        verbose_name = _("point of sale")
        verbose_name_plural = _("points of sale")
        constraints = [
            models.CheckConstraint(condition=Q(order_fee__gte=0), name="pos_fee_not_negative"),
            models.CheckConstraint(condition=Q(hold_minutes__gte=1), name="pos_hold_at_least_one_minute"),
        ]


class Tariff(Named):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    channels = models.ManyToManyField(SalesChannel, blank=True, verbose_name=_("sales channels"), help_text=_("Channels on which this tariff is sold."))
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["sort", "code"]


class Contingent(Named):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    channels = models.ManyToManyField(SalesChannel, blank=True, verbose_name=_("authorized sales channels"))

    class Meta:
        verbose_name = _("contingent")
        verbose_name_plural = _("contingents")


class Event(Named):
    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="events", verbose_name=_("season"))
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = TranslatedField(_("description"), blank=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["sort", "slug"]


class Performance(models.Model):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="performances", verbose_name=_("event"))
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="performances", verbose_name=_("hall"))
    starts_at = models.DateTimeField(_("starts at"))
    sales_open_at = models.DateTimeField(_("sales open at"))
    sales_close_at = models.DateTimeField(_("sales close at"))
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("performance")
        verbose_name_plural = _("performances")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(sales_close_at__gt=models.F("sales_open_at")), name="perf_sales_window_ordered"),
            models.CheckConstraint(condition=Q(sales_close_at__lte=models.F("starts_at")), name="perf_sales_close_before_start"),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{tr(self.event.name)} — {local:%d/%m/%Y %H:%M}"

    def on_sale(self, now=None) -> bool:
        return on_sale(self.is_published, self.sales_open_at, self.sales_close_at, now or timezone.now())


def on_sale(is_published: bool, sales_open_at, sales_close_at, now) -> bool:
    """The one definition of "this performance is on sale now"."""
    return bool(is_published) and sales_open_at <= now < sales_close_at


class Price(models.Model):
    """One cell of a performance's price grid: seat category × tariff → amount."""

    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="prices", verbose_name=_("performance"))
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("seat category"))
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, verbose_name=_("tariff"))
    amount = models.DecimalField(_("price"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("price grid")
        constraints = [
            models.UniqueConstraint(fields=["performance", "category", "tariff"], name="price_cell_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="price_not_negative"),
        ]
