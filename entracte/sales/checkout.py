"""Checkout: from a cart of held seats to a paid order with its tickets.

1. The cart is priced by `pricing.price_cart` (the one price calculation).
2. The holds are extended by a grace period so the payment cannot outlive them.
3. The provider authorises the amount, outside any transaction.
4. One transaction turns the holds into sales (conditional update, row count checked)
   and creates the order, its tickets and the payment record. If the seats are no longer
   the cart's, the authorisation is voided and nothing is created.
5. After commit, the confirmation email is sent (from the order's outbox flag, sales/emails.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entracte.core import audit
from entracte.core.errors import InvalidInput, NotFound
from entracte.core.money import Money
from entracte.core.rawsql import execute
from entracte.customers.models import Contact
from entracte.customers.services import contact_for_user, guest_contact, save_guest
from entracte.inventory import services as inventory

from . import adjustments, bundles, emails, selectors, writes
from .carts import remove_bundle
from .errors import CartEmpty, HoldExpired, PriceChanged, SalesClosed
from .models import Cart, CartItem, Order, Payment, Ticket
from .providers import PaymentProvider, PaymentResult, UnknownPaymentMethod, get_provider


@dataclass(frozen=True)
class Buyer:
    contact: Contact
    email: str
    language: str = "fr"


def _spectator(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and not user.is_staff


def guest_email(*, user=None, email: str | None = None) -> str | None:
    """The email whose guest contact resolve_buyer() makes the buyer, or None (a signed-in
    spectator buys as himself; no email, no guest): for a caller reading that contact ahead."""
    return None if _spectator(user) else (email or None)


def resolve_buyer(*, user=None, email: str | None = None, first_name: str = "", last_name: str = "",
                  language: str = "fr", guest_found: tuple | None = None) -> Buyer:
    """Who buys: a logged-in spectator buys as his own contact; anyone else (a visitor, or
    staff selling for someone) as the guest contact of the email given (`guest_found`: as
    customers.guest_contact's `found`, for guest_email()). An email's first guest contact is
    not written here but with the order (place_order): a sale that fails leaves none."""
    if _spectator(user):
        contact = contact_for_user(user)
    elif email:
        contact = guest_contact(email=email, first_name=first_name, last_name=last_name, language=language,
                                found=guest_found, save=False)
    else:
        raise InvalidInput(_("An email address is required to buy without an account."))
    return Buyer(contact=contact, email=contact.email, language=language[:2])


@dataclass(frozen=True)
class Tender:
    """One part of a payment: a method and its amount; `amount=None` takes whatever remains due."""

    method: str
    amount: Decimal | None = None
    data: dict = field(default_factory=dict)


class PaymentsDoNotAddUp(InvalidInput):
    code = "payments_do_not_add_up"


def split_payment(*, tenders: list[Tender], total: Decimal, channel: str) -> list[tuple[PaymentProvider, Decimal, dict]]:
    """Each tender's provider and amount; together they pay exactly `total`. An operator may
    split a payment between methods; a method must be offered on the cart's channel."""
    if total == 0:
        return []
    if sum(1 for t in tenders if t.amount is None) > 1:
        raise PaymentsDoNotAddUp(_("Only one payment method can take the remaining amount."))
    fixed = Decimal("0.00")
    for tender in tenders:
        if tender.amount is not None:
            if tender.amount < 0 or tender.amount != tender.amount.quantize(Decimal("0.01")):
                raise PaymentsDoNotAddUp(_("A payment amount must be positive, to the cent."))
            fixed += tender.amount
    rest = total - fixed
    parts = []
    for tender in tenders:
        amount = rest if tender.amount is None else tender.amount
        if amount > 0:
            parts.append((get_provider(tender.method, channel=channel), amount, tender.data))
    paid = sum((amount for _p, amount, _d in parts), Decimal("0.00"))
    if rest < 0 or paid != total:
        raise PaymentsDoNotAddUp(_("The payments add up to %(paid)s but %(due)s is due.") % {"paid": paid, "due": total})
    return parts


def _authorize_all(parts, *, currency: str, cart: Cart, actor) -> list[tuple[PaymentProvider, PaymentResult]]:
    """Authorise each part outside any transaction; if one fails, give back the others."""
    done: list[tuple[PaymentProvider, PaymentResult]] = []
    for provider, amount, data in parts:
        try:
            done.append((provider, provider.authorize(amount=Money(amount, currency), reference=f"cart:{cart.pk}", data=data)))
        except Exception as exc:
            _void_all(done)
            audit.record(action="payment.refused", obj=cart, actor=actor, channel=cart.point_of_sale.channel.code,
                         data={"amount": str(amount), "method": provider.code,
                               "reason": getattr(exc, "code", type(exc).__name__)})
            raise
    return done


def _void_all(done) -> None:
    for provider, result in done:
        provider.void(result=result)


def forget_expired(*, cart: Cart, lines) -> None:
    """Drop cart lines whose hold ran out (their seats are free again already). A bundle
    (a subscription) is sold whole or not at all: one expired seat drops the whole bundle."""
    CartItem.objects.filter(cart=cart, id__in=[line.id for line in lines]).delete()
    for bundle_id in {line.bundle_id for line in lines if line.bundle_id is not None}:
        try:
            remove_bundle(cart=cart, bundle_id=bundle_id)
        except NotFound:
            pass


def _nothing_between(*, cart: Cart, view, authorized) -> bool:
    """No feature has anything to do inside the order's transaction (no bundle to hand over,
    no advantage or promo code to check, no money moved by a provider in the transaction): the
    sale's writes may then go as one statement (writes.sell_and_record)."""
    return (not any(item.bundle_id for item in view.items) and not adjustments.placed_wanted(cart=cart, view=view)
            and not any(provider.in_transaction for provider, _result in authorized))


def _payments(order: Order, buyer: Buyer, authorized, currency: str, staff) -> list[Payment]:
    return [Payment(order=order, contact=buyer.contact, method=provider.method, provider=provider.code,
                    reference=result.reference, amount=result.amount.amount, currency=currency, created_by=staff)
            for provider, result in authorized]


def place_order(*, cart: Cart, buyer: Buyer, delivery_mode: str = Order.ETICKET, payment_method: str = "demo_card",
                payment_data: dict | None = None, tenders: list[Tender] | None = None,
                expected_total: Decimal | None = None, actor=None, line_rows: list[tuple] | None = None) -> Order:
    """Sell the cart, paid by one method (`payment_method`) or split between `tenders`.
    The returned order carries `sold`: (ticket, cart line) pairs. `line_rows`: the cart's
    lines as selectors.cart_and_lines read them with the cart, if the caller did."""
    now = timezone.now()
    view = selectors.cart_view(cart, now, line_rows)
    if view.expired:
        forget_expired(cart=cart, lines=view.expired)
        raise HoldExpired()
    if not view.items:
        raise CartEmpty()
    if any(not item.on_sale(now) for item in view.items):
        raise SalesClosed()
    if delivery_mode not in dict(Order.DELIVERY_MODES):
        delivery_mode = Order.ETICKET
    quote = view.quote
    if expected_total is not None and Decimal(expected_total) != quote.total:
        raise PriceChanged()
    channel = cart.point_of_sale.channel.code
    parts = split_payment(tenders=tenders or [Tender(payment_method, None, payment_data or {})], total=quote.total,
                          channel=channel)
    staff = actor if getattr(actor, "is_staff", False) else None
    if any(p.identified_buyer_only for p, _a, _d in parts) and buyer.contact.is_guest and staff is None:
        raise UnknownPaymentMethod()
    seat_ids = [item.performance_seat_id for item in view.items]
    grace = now + timedelta(minutes=settings.ENTRACTE_PAYMENT_GRACE_MINUTES)
    if view.expires_at < grace and inventory.extend_hold(ids=seat_ids, token=cart.token, until=grace, now=now) != len(seat_ids):
        raise HoldExpired()

    priced = {line.key: line for line in quote.lines}
    new_guest = buyer.contact if buyer.contact.pk is None else None  # written with the sale, or not at all
    authorized = _authorize_all(parts, currency=quote.currency, cart=cart, actor=actor)
    try:
        order = Order(
            contact=buyer.contact, email=buyer.email, point_of_sale=cart.point_of_sale, currency=quote.currency,
            subtotal=quote.subtotal, discount=quote.discount, order_fee=quote.order_fee, total=quote.total,
            delivery_mode=delivery_mode,
            language=buyer.language, created_by=staff, confirmation_due=bool(buyer.email),
        )
        tickets = [
            Ticket(order=order, performance_id=item.performance_id, performance_seat_id=item.performance_seat_id,
                   category_id=item.category_id, tariff_id=item.tariff_id, price=priced[item.id].net,
                   discount=priced[item.id].discount, price_source=item.price_source, price_ref=item.price_ref)
            for item in view.items
        ]
        sold = list(zip(tickets, view.items))
        audit_data = {"total": str(quote.total), "currency": quote.currency, "tickets": len(seat_ids),
                      "payments": [[p.code, str(r.amount.amount)] for p, r in authorized]}
        if _nothing_between(cart=cart, view=view, authorized=authorized):
            payments = _payments(order, buyer, authorized, quote.currency, staff)
            entry = audit.entry(action="order.placed", object_type=Order._meta.label_lower, actor=actor, channel=channel,
                                data=audit_data)
            if not writes.sell_and_record(seat_ids=seat_ids, token=cart.token, now=timezone.now(), cart_id=cart.pk,
                                          order=order, tickets=tickets, payments=payments, entry=entry,
                                          new_guest=new_guest):
                raise HoldExpired()
        else:
            with transaction.atomic():
                if new_guest is not None:  # an email's first order: its guest contact comes with it
                    order.contact = save_guest(new_guest)
                if not writes.sell(seat_ids=seat_ids, token=cart.token, now=timezone.now(), order=order, tickets=tickets):
                    raise HoldExpired()
                bundles.sold(order=order, sold_lines=sold, actor=actor)
                adjustments.placed(order=order, cart=cart, view=view, sold=sold, actor=actor)
                for provider, result in authorized:
                    if provider.in_transaction:  # e.g. the balance: raising here rolls the order back
                        provider.capture(contact=buyer.contact, amount=result.amount, order=order, actor=actor)
                writes.record(cart_id=cart.pk, payments=_payments(order, buyer, authorized, quote.currency, staff),
                              entry=audit.entry(action="order.placed", obj=order, actor=actor, channel=channel,
                                                data=audit_data))
                if any(item.bundle_id for item in view.items):
                    execute("DELETE FROM sales_cartbundle WHERE cart_id = %s", [cart.pk])
    except Exception:
        _void_all(authorized)
        if new_guest is not None:  # rolled back with the sale: unsaved again, for another try
            new_guest.pk, new_guest._state.adding, new_guest._state.db = None, True, None
        raise
    if order.confirmation_due:
        # After the sale, outside the try above: should the email's trigger fail, the order stands
        # and its payment is not voided (the email stays due and goes with the next order's).
        transaction.on_commit(emails.confirmations_due, robust=True)
    # What was sold, in memory, so that callers can answer without reading it back.
    order.sold = sold
    return order
