"""Paying with the contact's balance. Unlike a card, the money is taken inside the order's
transaction (`capture`), so an order that fails leaves the balance untouched."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .base import PaymentProvider, PaymentResult


class BalanceProvider(PaymentProvider):
    code = method = "balance"
    label = _("Balance")
    in_transaction = True
    identified_buyer_only = True  # never a guest's: anyone can type a guest's email

    def authorize(self, *, amount, reference, data):
        return PaymentResult(self.code, reference, amount)

    def capture(self, *, contact, amount, order, actor=None) -> None:
        from entracte.sales import balance

        balance.spend(contact=contact, amount=amount.amount, currency=amount.currency, order=order, actor=actor)

    def void(self, *, result):
        return None
