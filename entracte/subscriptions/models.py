"""Subscription products (what a venue offers) and subscriptions (what a contact bought)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import (
    Event,
    Named,
    Performance,
    SalesChannel,
    Season,
    SeatCategory,
    Tariff,
)
from entracte.core.translated import TranslatedField
from entracte.customers.models import Contact
from entracte.sales import codes
from entracte.sales.models import Order, Ticket


def subscription_number() -> str:
    return "A" + codes.random_code(9)


class SubscriptionProduct(Named):
    CALCULATED, FIXED, CHAMPIONSHIP = "calculated", "fixed", "championship"
    KINDS = [(CALCULATED, _("calculated price (choose N of M)")), (FIXED, _("fixed price")),
             (CHAMPIONSHIP, _("championship"))]

    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="subscription_products", verbose_name=_("season"))
    kind = models.CharField(_("kind"), max_length=12, choices=KINDS, default=CALCULATED)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = TranslatedField(_("description"), blank=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("competition"),
                              help_text=_("Championship only: every performance (match) of this event is in the subscription."))
    subscriber_tariffs = models.ManyToManyField(Tariff, related_name="+", verbose_name=_("subscriber tariffs"),
                                                help_text=_('Tariffs of the subscribers, e.g. "Abonné".'))
    channels = models.ManyToManyField(SalesChannel, blank=True, verbose_name=_("sales channels"))
    sales_open_at = models.DateTimeField(_("sales open at"))
    sales_close_at = models.DateTimeField(_("sales close at"))
    is_published = models.BooleanField(_("published"), default=True)
    min_performances = models.PositiveSmallIntegerField(
        _("minimum number of performances"), default=1, help_text=_("Calculated price only; the others take every performance."))
    max_performances = models.PositiveSmallIntegerField(_("maximum number of performances"), default=1)
    max_subscribers = models.PositiveSmallIntegerField(_("maximum subscribers per purchase"), default=10)
    extras_enabled = models.BooleanField(_("extra seats"), default=False,
                                         help_text=_("Calculated price only: buyers may add seats at guest tariffs to chosen performances."))
    extras_max_total = models.PositiveSmallIntegerField(_("maximum extra seats for the subscription"), default=0)
    extras_max_per_performance = models.PositiveSmallIntegerField(
        _("default maximum extra seats per performance"), default=0, help_text=_("Each line may override it."))
    extra_tariffs = models.ManyToManyField(Tariff, blank=True, related_name="+", verbose_name=_("tariffs of extra seats"),
                                           help_text=_("Guest or occasional tariffs, priced on each line."))
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    def clean(self):
        if self.kind == self.CHAMPIONSHIP and not self.event_id:
            raise ValidationError({"event": _("A championship subscription needs its competition.")})

    class Meta:
        verbose_name = _("subscription product")
        verbose_name_plural = _("subscription products")
        ordering = ["sort", "slug"]
        constraints = [
            models.CheckConstraint(condition=Q(sales_close_at__gt=models.F("sales_open_at")), name="sub_sales_window_ordered"),
            models.CheckConstraint(condition=Q(max_performances__gte=models.F("min_performances")), name="sub_min_le_max"),
            models.CheckConstraint(condition=Q(min_performances__gte=1) & Q(max_subscribers__gte=1), name="sub_at_least_one"),
        ]


class SubscriptionLine(models.Model):
    """A performance of a subscription, with its extra-seat limit."""

    product = models.ForeignKey(SubscriptionProduct, on_delete=models.CASCADE, related_name="lines", verbose_name=_("subscription"))
    performance = models.ForeignKey(Performance, on_delete=models.PROTECT, related_name="subscription_lines", verbose_name=_("performance"))
    extras_max = models.PositiveSmallIntegerField(
        _("maximum extra seats"), null=True, blank=True,
        help_text=_("Empty: the subscription's default. 0 forbids extra seats on this performance."))

    class Meta:
        verbose_name = _("subscription line")
        verbose_name_plural = _("subscription lines")
        constraints = [models.UniqueConstraint(fields=["product", "performance"], name="sub_line_once_per_performance")]

    def __str__(self):
        return str(self.performance)


class LinePrice(models.Model):
    """Calculated price: one seat of a line, per seat category and tariff (a subscriber's or an extra seat's)."""

    line = models.ForeignKey(SubscriptionLine, on_delete=models.CASCADE, related_name="prices", verbose_name=_("line"))
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("seat category"))
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, verbose_name=_("tariff"))
    amount = models.DecimalField(_("price"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("line price")
        verbose_name_plural = _("line prices")
        constraints = [
            models.UniqueConstraint(fields=["line", "category", "tariff"], name="line_price_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="line_price_not_negative"),
        ]


class PackagePrice(models.Model):
    """Fixed price and championship: the whole subscription for one subscriber, per seat category and tariff."""

    product = models.ForeignKey(SubscriptionProduct, on_delete=models.CASCADE, related_name="package_prices", verbose_name=_("subscription"))
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("seat category"))
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, verbose_name=_("tariff"))
    amount = models.DecimalField(_("price"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("package price")
        verbose_name_plural = _("package prices")
        constraints = [
            models.UniqueConstraint(fields=["product", "category", "tariff"], name="package_price_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="package_price_not_negative"),
        ]


class Subscription(models.Model):
    """A subscription a contact bought: created with its order, in the order's transaction."""

    number = models.CharField(_("subscription number"), max_length=16, unique=True, default=subscription_number)
    product = models.ForeignKey(SubscriptionProduct, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("subscription"))
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("order"))
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("contact"))
    subscribers = models.PositiveSmallIntegerField(_("subscribers"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.number


class SubscriptionTicket(models.Model):
    """Which subscription a ticket belongs to, and whether it is a subscriber's seat or an extra seat."""

    SUBSCRIBER, EXTRA = "subscriber", "extra"
    ROLES = [(SUBSCRIBER, _("subscriber")), (EXTRA, _("extra seat"))]

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("subscription"))
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="subscription_link", verbose_name=_("ticket"))
    line = models.ForeignKey(SubscriptionLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("line"))
    role = models.CharField(_("role"), max_length=10, choices=ROLES)

    class Meta:
        verbose_name = _("subscription ticket")
        verbose_name_plural = _("subscription tickets")
