"""Cancelling tickets of an order, whole or part, and refunding them.

In one transaction, with the order's row locked (two operators refunding the same order
run one after the other):
1. the chosen tickets go from valid to cancelled (conditional update, row count checked);
2. their seats are free again at once;
3. the refund is their prices, plus the order fee when no valid ticket is left;
   it never exceeds what was paid and not yet refunded;
4. the money goes back by the original methods (latest payment first, each up to what it
   paid) or to the contact's balance, or not at all ("none": e.g. a refused late request);
   each movement is a negative `Payment` of kind refund; a refund to the balance also
   writes a balance credit;
5. the order becomes partly cancelled or cancelled. Its `total` stays what was sold;
   what was paid and refunded is in its payments.
Card money refunded "by the original method" is recorded here; the demo provider moves no
real money. A real online provider would be called after commit.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entracte.core import audit
from entracte.core.errors import Conflict, InvalidInput
from entracte.core.rawsql import execute, in_list, param_datetime
from entracte.inventory import services as inventory

from . import adjustments, balance
from .models import BalanceEntry, Order, Payment, Ticket

ORIGINAL, TO_BALANCE, NO_REFUND = "original", "balance", "none"
REFUND_MODES = (ORIGINAL, TO_BALANCE, NO_REFUND)


class TicketsNotCancellable(Conflict):
    code = "tickets_not_cancellable"
    default_message = _("Some of these tickets are not valid tickets of this order (already cancelled?).")


def paid_and_refunded(order: Order) -> tuple[Decimal, Decimal]:
    sums = dict(order.payments.values_list("kind").annotate(s=Sum("amount")))
    return sums.get(Payment.PAYMENT) or Decimal("0.00"), -(sums.get(Payment.REFUND) or Decimal("0.00"))


def _by_original_methods(order: Order, amount: Decimal) -> list[tuple[Payment, Decimal]]:
    """Split a refund over the methods the order was paid with, the latest first, each up to
    what it paid less what was already refunded to it."""
    left: dict[tuple, Decimal] = {}
    latest: dict[tuple, Payment] = {}
    for payment in order.payments.order_by("created_at", "pk"):
        key = (payment.provider, payment.method)
        left[key] = left.get(key, Decimal("0.00")) + payment.amount
        if payment.kind == Payment.PAYMENT:
            latest[key] = payment
    plan = []
    for key, payment in sorted(latest.items(), key=lambda kv: (kv[1].created_at, kv[1].pk), reverse=True):
        take = min(amount, left[key])
        if take > 0:
            plan.append((payment, take))
            amount -= take
    return plan


def cancel_tickets(*, order: Order, ticket_ids: list[int], refund_to: str = ORIGINAL, note: str = "", actor=None) -> Decimal:
    """Cancel these tickets of the order and refund them; return the amount refunded."""
    if refund_to not in REFUND_MODES:
        raise InvalidInput(_("Choose how to refund."))
    ticket_ids = sorted(set(ticket_ids))
    if not ticket_ids:
        raise InvalidInput(_("Choose at least one ticket to cancel."))
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        tickets = list(Ticket.objects.filter(order=order, pk__in=ticket_ids, status=Ticket.VALID))
        if len(tickets) != len(ticket_ids):
            raise TicketsNotCancellable()
        which, id_params = in_list("id", ticket_ids)
        changed = execute(
            f"UPDATE sales_ticket SET status = 'cancelled', cancelled_at = %s WHERE order_id = %s AND status = 'valid' AND {which}",
            [param_datetime(now), order.pk, *id_params])
        if changed != len(ticket_ids):
            raise TicketsNotCancellable()
        inventory.release_sold(ids=[t.performance_seat_id for t in tickets])
        adjustments.cancelled(order=order, ticket_ids=ticket_ids, actor=actor)
        still_valid = order.tickets.filter(status=Ticket.VALID).exists()
        due_back = sum((t.price for t in tickets), Decimal("0.00")) + (Decimal("0.00") if still_valid else order.order_fee)
        paid, refunded = paid_and_refunded(order)
        amount = min(due_back, paid - refunded) if refund_to != NO_REFUND else Decimal("0.00")
        staff = actor if getattr(actor, "is_staff", False) else None
        if amount > 0 and refund_to == TO_BALANCE:
            Payment.objects.create(order=order, contact=order.contact, kind=Payment.REFUND, method="balance", provider="balance",
                                   amount=-amount, currency=order.currency, created_by=staff, reference="refund")
            balance.credit(contact=order.contact, amount=amount, currency=order.currency, reason=BalanceEntry.REFUND,
                           note=note, order=order, actor=actor)
        elif amount > 0:
            for payment, part in _by_original_methods(order, amount):
                Payment.objects.create(order=order, contact=order.contact, kind=Payment.REFUND, method=payment.method,
                                       provider=payment.provider, amount=-part, currency=order.currency, created_by=staff,
                                       reference=f"refund:{payment.reference}"[:64])
                if payment.provider == "balance":
                    balance.credit(contact=order.contact, amount=part, currency=order.currency,
                                   reason=BalanceEntry.REFUND, note=note, order=order, actor=actor)
        order.status = Order.PARTLY_CANCELLED if still_valid else Order.CANCELLED
        order.save(update_fields=["status"])
        audit.record(action="order.tickets_cancelled", obj=order, actor=actor, channel=order.point_of_sale.channel.code,
                     data={"tickets": ticket_ids, "refund_to": refund_to, "refunded": str(amount), "note": note[:200]})
    return amount
