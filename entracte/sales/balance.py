"""A contact's balance: credit the venue owes him, spent on later orders.

Every change locks the contact's row first (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's
immediate transactions serialise writers), then reads the current balance and writes one
`BalanceEntry`. Two checkouts spending the same balance at once therefore run one after
the other, and the second sees what the first left: a balance never goes below zero (a
check constraint on `balance_after` backs this up).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from entracte.core import audit
from entracte.core.errors import Conflict, InvalidInput
from entracte.customers.models import Contact

from .models import BalanceEntry, Order


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    default_message = _("The balance is not enough for this amount.")


def balance_of(contact: Contact, currency: str) -> Decimal:
    total = BalanceEntry.objects.filter(contact=contact, currency=currency).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0.00")


def _write(*, contact: Contact, amount: Decimal, currency: str, reason: str, note: str = "", order: Order | None = None,
           actor=None) -> BalanceEntry:
    if amount == 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("An amount must be non-zero, to the cent."))
    with transaction.atomic():
        Contact.objects.select_for_update().filter(pk=contact.pk).values_list("pk", flat=True).get()
        after = balance_of(contact, currency) + amount
        if after < 0:
            raise InsufficientBalance()
        entry = BalanceEntry.objects.create(contact=contact, amount=amount, currency=currency, balance_after=after,
                                            reason=reason, note=note[:200], order=order,
                                            created_by=actor if getattr(actor, "is_staff", False) else None)
        audit.record(action=f"balance.{reason}", obj=entry, actor=actor,
                     data={"contact": contact.pk, "amount": str(amount), "currency": currency, "order": getattr(order, "pk", None)})
    return entry


def credit(*, contact: Contact, amount: Decimal, currency: str, reason: str = BalanceEntry.GOODWILL, note: str = "",
           order: Order | None = None, actor=None) -> BalanceEntry:
    if amount <= 0:
        raise InvalidInput(_("A credit must be a positive amount."))
    return _write(contact=contact, amount=amount, currency=currency, reason=reason, note=note, order=order, actor=actor)


def spend(*, contact: Contact, amount: Decimal, currency: str, order: Order, actor=None) -> BalanceEntry:
    if amount <= 0:
        raise InvalidInput(_("An amount to spend must be positive."))
    return _write(contact=contact, amount=-amount, currency=currency, reason=BalanceEntry.SPEND, order=order, actor=actor)
