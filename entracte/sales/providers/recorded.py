"""Payments taken outside the system at a counter or on the phone, and recorded as such.

The operator has the money (cash in the till, a card terminal's slip, a cheque): the
provider only records it, with the reference the operator typed (terminal slip or cheque
number). Offered only on the box-office and phone channels.
"""

from __future__ import annotations

import secrets

from django.utils.translation import gettext_lazy as _

from .base import PaymentProvider, PaymentResult

STAFF_CHANNELS = frozenset({"boxoffice", "phone"})


class RecordedPaymentProvider(PaymentProvider):
    channels = STAFF_CHANNELS

    def __init__(self, code: str, label):
        self.code = self.method = code
        self.label = label

    def authorize(self, *, amount, reference, data):
        typed = str(data.get("reference", "")).strip()[:64]
        return PaymentResult(self.code, typed or f"{self.code}_{secrets.token_hex(6)}", amount)

    def void(self, *, result):
        return None


CASH = RecordedPaymentProvider("cash", _("Cash"))
CARD_TERMINAL = RecordedPaymentProvider("card_terminal", _("Card (terminal)"))
CHEQUE = RecordedPaymentProvider("cheque", _("Cheque"))
