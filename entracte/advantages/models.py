"""Advantages (special prices for a target), single-use codes, promo codes, and the codes a
cart carries. The rules that read them are in `rules.py`; docs/advantages.md explains them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import Named, Performance, SalesChannel, Season, SeatCategory, Tariff
from entracte.core.translated import TranslatedField
from entracte.customers.models import Contact, IndicatorLevel, TargetList, User
from entracte.sales.models import Cart, Order, Ticket
from entracte.subscriptions.models import SubscriptionProduct

DRAFT, ACTIVE, CLOSED = "draft", "active", "closed"
LIFECYCLE = [(DRAFT, _("draft")), (ACTIVE, _("in operation")), (CLOSED, _("closed"))]


class Advantage(Named):
    """Advantaged prices on chosen performances, for a target, on chosen channels."""

    GENERAL, INDICATOR, PARTNER, CONTACTS, SINGLE_USE = "general", "indicator", "partner", "contacts", "single_use"
    TARGETS = [(GENERAL, _("general public")), (INDICATOR, _("indicator level")), (PARTNER, _("partner (shared access code)")),
               (CONTACTS, _("contacts of a target list")), (SINGLE_USE, _("single-use codes"))]
    PERFORMANCE_END, START_TOLERANCE, NO_LIMIT = "performance", "tolerance", "none"
    END_RULES = [(PERFORMANCE_END, _("the performance's end of sale")),
                 (START_TOLERANCE, _("performance start + tolerance")), (NO_LIMIT, _("no limit"))]
    EVENTS, SUBSCRIPTIONS = "events", "subscriptions"
    FAMILIES = [(EVENTS, _("events (performances)")), (SUBSCRIPTIONS, _("subscriptions"))]

    code = models.SlugField(_("code"), max_length=40, unique=True)
    family = models.CharField(_("product family"), max_length=16, choices=FAMILIES, default=EVENTS)
    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="advantages", verbose_name=_("season"))
    description = TranslatedField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=8, choices=LIFECYCLE, default=DRAFT)
    target = models.CharField(_("target"), max_length=12, choices=TARGETS, default=GENERAL)
    indicator_level = models.ForeignKey(IndicatorLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("indicator level"),
                                        help_text=_("Indicator target: contacts at this level or above."))
    target_list = models.ForeignKey(TargetList, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("target list"))
    access_code = models.CharField(_("access code"), max_length=32, blank=True,
                                   help_text=_("Partner target: the code shared with the partner's customers."))
    channels = models.ManyToManyField(SalesChannel, blank=True, verbose_name=_("sales channels"),
                                      help_text=_("Empty: every channel."))
    performances = models.ManyToManyField(Performance, blank=True, related_name="advantages", verbose_name=_("performances"),
                                          help_text=_("Events family: the performances the advantage applies to."))
    subscription_products = models.ManyToManyField(
        SubscriptionProduct, blank=True, related_name="advantages", verbose_name=_("subscriptions"),
        help_text=_("Subscriptions family: its prices replace the subscriber prices (per seat on a calculated-price "
                    "subscription, the whole package on a fixed-price or championship one)."))
    starts_at = models.DateTimeField(_("valid from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    end_rule = models.CharField(_("end of sale"), max_length=12, choices=END_RULES, default=PERFORMANCE_END)
    tolerance_minutes = models.IntegerField(_("tolerance (minutes)"), default=0,
                                            help_text=_("With “performance start + tolerance”; negative: before the start."))
    quota = models.PositiveIntegerField(_("quota of tickets"), null=True, blank=True, help_text=_("Empty: no quota."))
    used = models.PositiveIntegerField(_("tickets sold"), default=0, editable=False)
    max_per_order = models.PositiveSmallIntegerField(
        _("maximum tickets per order"), null=True, blank=True,
        help_text=_("Empty: no limit. With single-use codes: the tickets one code gives."))

    class Meta:
        verbose_name = _("advantage")
        verbose_name_plural = _("advantages")
        ordering = ["season", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(quota__isnull=True) | Q(used__lte=models.F("quota")), name="advantage_quota_kept"),
            models.CheckConstraint(condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                                   name="advantage_window_ordered"),
        ]

    def clean(self):
        from .codes import normalize

        needs = {self.INDICATOR: ("indicator_level", self.indicator_level_id), self.CONTACTS: ("target_list", self.target_list_id),
                 self.PARTNER: ("access_code", self.access_code)}
        if self.target in needs and not needs[self.target][1]:
            field = needs[self.target][0]
            raise ValidationError({field: _("This target needs it.")})
        if self.access_code:
            self.access_code = normalize(self.access_code)
            _check_access_code_free(self.access_code, advantage=self)


def _check_access_code_free(code: str, *, advantage=None, promo=None) -> None:
    """A typed code must name one thing: partner codes and promo codes share one namespace."""
    advantages = Advantage.objects.filter(access_code=code).exclude(pk=getattr(advantage, "pk", None))
    promos = PromoCode.objects.filter(access_code=code).exclude(pk=getattr(promo, "pk", None))
    if advantages.exists() or promos.exists():
        raise ValidationError({"access_code": _("Another advantage or promo code already uses this code.")})


class AdvantagePrice(models.Model):
    advantage = models.ForeignKey(Advantage, on_delete=models.CASCADE, related_name="prices", verbose_name=_("advantage"))
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("seat category"))
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, verbose_name=_("tariff"))
    amount = models.DecimalField(_("price"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("advantaged price")
        verbose_name_plural = _("advantaged prices")
        constraints = [models.UniqueConstraint(fields=["advantage", "category", "tariff"], name="advantage_price_once"),
                       models.CheckConstraint(condition=Q(amount__gte=0), name="advantage_price_not_negative")]


class AdvantageTicket(models.Model):
    """A ticket counted in an advantage's quota: written at checkout, read when the ticket is
    cancelled (its place goes back to the quota) and by the codes' dashboard (tickets scanned)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="advantage_link", verbose_name=_("ticket"))
    advantage = models.ForeignKey(Advantage, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("advantage"))

    class Meta:
        verbose_name = _("ticket sold with an advantage")
        verbose_name_plural = _("tickets sold with an advantage")


class CodeBatch(models.Model):
    """Single-use codes generated for a requesting contact (e.g. a partner company)."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATES = [(PENDING, _("waiting")), (RUNNING, _("generating")), (DONE, _("done")), (FAILED, _("failed"))]
    CSV, PDF = "csv", "pdf"
    DOCUMENTS = [(CSV, _("CSV list")), (PDF, _("PDF list"))]

    advantage = models.ForeignKey(Advantage, on_delete=models.PROTECT, related_name="batches", verbose_name=_("advantage"))
    requester = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="code_batches", verbose_name=_("requesting contact"))
    count = models.PositiveIntegerField(_("number of codes"))
    document = models.CharField(_("document type"), max_length=4, choices=DOCUMENTS, default=CSV)
    language = models.CharField(_("language"), max_length=5, default="fr")
    note = models.CharField(_("remark"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=STATES, default=PENDING)
    generated = models.PositiveIntegerField(_("generated"), default=0)
    sent_to = models.EmailField(_("sent to"), blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("batch of single-use codes")
        verbose_name_plural = _("batches of single-use codes")
        ordering = ["-created_at"]


class SingleUseCode(models.Model):
    AVAILABLE, USED, INVALIDATED = "available", "used", "invalid"
    STATES = [(AVAILABLE, _("available")), (USED, _("used")), (INVALIDATED, _("invalidated"))]

    code = models.CharField(_("code"), max_length=16, unique=True)
    advantage = models.ForeignKey(Advantage, on_delete=models.PROTECT, related_name="codes", verbose_name=_("advantage"))
    batch = models.ForeignKey(CodeBatch, on_delete=models.PROTECT, related_name="codes", verbose_name=_("batch"))
    state = models.CharField(_("state"), max_length=10, choices=STATES, default=AVAILABLE)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_by = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("used by"))
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("order"))
    invalidated_at = models.DateTimeField(_("invalidated at"), null=True, blank=True)
    invalidated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("single-use code")
        verbose_name_plural = _("single-use codes")
        indexes = [models.Index(fields=["batch", "state"], name="code_batch_state")]

    def __str__(self):
        from .codes import display

        return display(self.code)


class PromoCode(Named):
    """A reduction on the whole cart for anyone who knows the code, under conditions."""

    PERCENT, AMOUNT = "percent", "amount"
    KINDS = [(PERCENT, _("percentage of the cart")), (AMOUNT, _("fixed amount"))]

    code = models.SlugField(_("code"), max_length=40, unique=True)
    access_code = models.CharField(_("access code"), max_length=32, unique=True, help_text=_("What the buyer types."))
    state = models.CharField(_("state"), max_length=8, choices=LIFECYCLE, default=DRAFT)
    kind = models.CharField(_("kind"), max_length=8, choices=KINDS, default=PERCENT)
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=2, help_text=_("A percentage (e.g. 3) or an amount."))
    min_amount = models.DecimalField(_("minimum cart amount"), max_digits=10, decimal_places=2, default=0)
    indicator_level = models.ForeignKey(IndicatorLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("indicator level"), help_text=_("Only for contacts at this level or above."))
    channels = models.ManyToManyField(SalesChannel, blank=True, verbose_name=_("sales channels"),
                                      help_text=_("Empty: every channel."))
    starts_at = models.DateTimeField(_("valid from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses in total"), null=True, blank=True)
    max_uses_per_contact = models.PositiveIntegerField(_("maximum uses per contact"), null=True, blank=True)
    used = models.PositiveIntegerField(_("uses"), default=0, editable=False)
    combinable = models.BooleanField(_("combinable"), default=False,
                                     help_text=_("May be used in one cart with other combinable promo codes."))

    class Meta:
        verbose_name = _("promo code")
        verbose_name_plural = _("promo codes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(used__lte=models.F("max_uses")), name="promo_uses_kept"),
            models.CheckConstraint(condition=Q(value__gt=0) & (Q(kind="amount") | Q(value__lte=100)), name="promo_value_valid"),
        ]

    def clean(self):
        from .codes import normalize

        self.access_code = normalize(self.access_code or "")
        if self.access_code:
            _check_access_code_free(self.access_code, promo=self)


class PromoUse(models.Model):
    promo = models.ForeignKey(PromoCode, on_delete=models.PROTECT, related_name="uses", verbose_name=_("promo code"))
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+", verbose_name=_("order"))
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", verbose_name=_("contact"))
    amount = models.DecimalField(_("reduction"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("use of a promo code")
        verbose_name_plural = _("uses of promo codes")


class CartCode(models.Model):
    """A code a buyer entered in a cart: it unlocks an advantage or applies a promo code.
    Nothing is consumed until the checkout, which re-checks everything."""

    PARTNER, SINGLE_USE, PROMO = "partner", "single_use", "promo"
    KINDS = [(PARTNER, _("partner code")), (SINGLE_USE, _("single-use code")), (PROMO, _("promo code"))]

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="codes")
    kind = models.CharField(max_length=10, choices=KINDS)
    advantage = models.ForeignKey(Advantage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    single_use = models.ForeignKey(SingleUseCode, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    promo = models.ForeignKey(PromoCode, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cart", "advantage"], name="cart_code_advantage_once"),
                       models.UniqueConstraint(fields=["cart", "promo"], name="cart_code_promo_once")]


class CodeAttempt(models.Model):
    """A wrong code typed, by cart and by address: what the guessing limit counts. In the
    database so that every server process counts the same attempts."""

    key = models.CharField(max_length=80)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="code_attempt_key_at")]
