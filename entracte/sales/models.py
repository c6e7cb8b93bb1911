"""Carts, orders, tickets and payments."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import Performance, PointOfSale, SeatCategory, Tariff
from entracte.customers.models import Contact, User
from entracte.inventory.models import PerformanceSeat

from . import codes


class Cart(models.Model):
    """A visitor's basket. Its token is the holder name on the seats it holds."""

    # Unique by a constraint, not unique=True: on PostgreSQL that also built a second, LIKE-pattern
    # index, which nothing reads and every new row paid for (docs/performance.md). Same below.
    token = models.CharField(max_length=64, default=codes.access_secret)
    point_of_sale = models.ForeignKey(PointOfSale, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a feature attached codes or reductions (sales/adjustments.py): the cart reads
    # them only then, so that plain carts pay nothing for the feature.
    adjusted = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [models.UniqueConstraint(fields=["token"], name="cart_token_unique")]


class CartBundle(models.Model):
    """Seats a feature put in the cart together and sells together (e.g. a subscription).

    `kind` names the feature; the feature registers what happens when the bundle is sold
    (sales/bundles.py), so sales never imports it. Removing one seat removes the bundle.
    """

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="bundles")
    kind = models.CharField(max_length=16)
    ref = models.PositiveIntegerField(help_text="The feature's own id (e.g. the subscription product).")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)


GRID = "grid"


class CartItem(models.Model):
    """A seat in a cart with the tariff chosen for it. Valid while the seat's hold is.

    Its price comes from the performance's price grid, unless a feature set it: then
    `unit_price` carries it and `price_source`/`price_ref` say where it came from
    (e.g. "subscription" and the subscription line)."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    performance = models.ForeignKey(Performance, on_delete=models.CASCADE)
    performance_seat = models.ForeignKey(PerformanceSeat, on_delete=models.CASCADE)
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT)
    price_source = models.CharField(max_length=16, default=GRID, db_default=GRID)
    price_ref = models.PositiveIntegerField(null=True, blank=True)
    unit_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    bundle = models.ForeignKey(CartBundle, null=True, blank=True, on_delete=models.CASCADE, related_name="items")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart", "performance_seat"], name="cart_item_seat_once"),
            models.CheckConstraint(condition=Q(price_source=GRID) | Q(unit_price__gte=0), name="cart_item_carried_price"),
        ]


class Order(models.Model):
    PAID, PARTLY_CANCELLED, CANCELLED = "paid", "partial", "cancelled"
    STATUSES = [(PAID, _("paid")), (PARTLY_CANCELLED, _("partly cancelled")), (CANCELLED, _("cancelled"))]
    ETICKET, PICKUP = "eticket", "pickup"
    DELIVERY_MODES = [(ETICKET, _("E-ticket")), (PICKUP, _("Pick-up at the box office"))]

    number = models.CharField(_("order number"), max_length=16, default=codes.order_number)  # unique: Meta
    secret = models.CharField(max_length=64, default=codes.access_secret, editable=False)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="orders", verbose_name=_("contact"))
    email = models.EmailField(_("email"), blank=True, help_text=_("Where the tickets are sent; empty for an anonymous sale at the counter."))
    point_of_sale = models.ForeignKey(PointOfSale, on_delete=models.PROTECT, verbose_name=_("point of sale"))
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=PAID)
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), max_digits=10, decimal_places=2)
    discount = models.DecimalField(_("reductions"), max_digits=10, decimal_places=2, default=Decimal("0.00"),
                                   db_default=Decimal("0.00"), help_text=_("Promo codes, off the subtotal."))
    order_fee = models.DecimalField(_("order fee"), max_digits=8, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2)
    delivery_mode = models.CharField(_("delivery"), max_length=10, choices=DELIVERY_MODES, default=ETICKET)
    language = models.CharField(max_length=5, default="fr")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The confirmation email is still to be sent: the order row is its outbox, written in the
    # order's own INSERT; the task worker sends due confirmations in batches (sales/emails.py).
    confirmation_due = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        permissions = [
            ("sell", _("Can sell and reserve at the box office and by phone")),
            ("refund", _("Can cancel tickets and refund")),
            ("view_reports", _("Can view sales reports")),
        ]
        indexes = [models.Index(fields=["id"], condition=Q(confirmation_due=True), name="order_confirmation_due")]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="order_number_unique",
                                    violation_error_message=_("Another order already has this number.")),
            models.CheckConstraint(condition=Q(total=models.F("subtotal") - models.F("discount") + models.F("order_fee")),
                                   name="order_total_adds_up_with_discount"),
            models.CheckConstraint(condition=Q(discount__gte=0) & Q(discount__lte=models.F("subtotal")), name="order_discount_within_subtotal"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self):
        return self.number


class Ticket(models.Model):
    VALID, CANCELLED = "valid", "cancelled"
    STATUSES = [(VALID, _("valid")), (CANCELLED, _("cancelled"))]

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("order"))
    performance = models.ForeignKey(Performance, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("performance"))
    performance_seat = models.ForeignKey(PerformanceSeat, on_delete=models.PROTECT, verbose_name=_("seat"))
    category = models.ForeignKey(SeatCategory, on_delete=models.PROTECT, verbose_name=_("seat category"))
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, verbose_name=_("tariff"))
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2, help_text=_("What was paid for it, after reductions."))
    discount = models.DecimalField(_("reduction"), max_digits=8, decimal_places=2, default=Decimal("0.00"),
                                   db_default=Decimal("0.00"), help_text=_("Its share of the order's promo reductions."))
    price_source = models.CharField(_("price from"), max_length=16, default=GRID)
    price_ref = models.PositiveIntegerField(null=True, blank=True, help_text=_("The feature's own id (an advantage, a subscription line)."))
    code = models.CharField(_("ticket code"), max_length=32, default=codes.ticket_code)  # unique: Meta
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=VALID)
    created_at = models.DateTimeField(auto_now_add=True)
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    # The gate of the scan that admitted it, beside its time: "already scanned" answers from the
    # ticket's own row (access/services.py). No index, so that the scan's update stays a HOT one.
    scanned_gate = models.ForeignKey("access.Gate", null=True, blank=True, on_delete=models.SET_NULL, db_index=False,
                                     related_name="+", verbose_name=_("scanned at gate"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="ticket_code_unique",
                                    violation_error_message=_("Another ticket already has this code.")),
            # The database itself refuses a second valid ticket for one seat of one performance.
            models.UniqueConstraint(fields=["performance_seat"], condition=Q(status="valid"), name="one_valid_ticket_per_seat"),
            models.CheckConstraint(condition=Q(price__gte=0), name="ticket_price_not_negative"),
        ]

    def __str__(self):
        return self.code


class Payment(models.Model):
    """A money movement on an order: a payment (positive) or a refund (negative)."""

    PAYMENT, REFUND = "payment", "refund"
    KINDS = [(PAYMENT, _("payment")), (REFUND, _("refund"))]

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments", verbose_name=_("order"))
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="payments", verbose_name=_("contact"))
    kind = models.CharField(_("kind"), max_length=8, choices=KINDS, default=PAYMENT)
    method = models.CharField(_("method"), max_length=20)
    provider = models.CharField(_("provider"), max_length=20)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    @property
    def method_label(self):
        from .providers import PROVIDERS

        provider = PROVIDERS.get(self.provider)
        return provider.label if provider is not None and provider.label else self.method

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")


class BalanceEntry(models.Model):
    """One line of a contact's balance (credit the venue owes him): positive adds, negative spends.

    The balance is the sum of the lines; `balance_after` keeps the running figure for display.
    Lines are only written by `sales/balance.py`, under a lock on the contact, so the balance
    never goes below zero.
    """

    GOODWILL, REFUND, SPEND = "goodwill", "refund", "spend"
    REASONS = [(GOODWILL, _("credit by staff")), (REFUND, _("refund to balance")), (SPEND, _("spent on an order"))]

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="balance_entries", verbose_name=_("contact"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    balance_after = models.DecimalField(_("balance after"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=10, choices=REASONS)
    note = models.CharField(_("note"), max_length=200, blank=True)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="balance_entries", verbose_name=_("order"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("balance entry")
        verbose_name_plural = _("balance entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="balance_never_below_zero"),
            models.CheckConstraint(condition=~Q(amount=0), name="balance_entry_not_zero"),
        ]
