"""The offline demo card provider: checks a card form like a real gateway, takes no money.

Test numbers (docs/payments.md): 4242 4242 4242 4242 is accepted; 4000 0000 0000 0002 is
declined; any other number that fails the Luhn check is refused as invalid.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import PaymentDataInvalid, PaymentDeclined, PaymentProvider, PaymentResult

DECLINED_NUMBER = "4000000000000002"


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
    return checksum % 10 == 0


class DemoCardProvider(PaymentProvider):
    code = "demo_card"
    method = "card"
    label = gettext_lazy("Card (online)")
    channels = frozenset({"internet", "phone"})

    def authorize(self, *, amount, reference, data):
        number = re.sub(r"[\s-]", "", str(data.get("number", "")))
        expiry = str(data.get("expiry", "")).strip()
        cvc = str(data.get("cvc", "")).strip()
        if not re.fullmatch(r"\d{13,19}", number) or not luhn_ok(number):
            raise PaymentDataInvalid(_("The card number is not valid."))
        match = re.fullmatch(r"(\d{1,2})\s*/\s*(\d{2}|\d{4})", expiry)
        if not match or not 1 <= int(match.group(1)) <= 12:
            raise PaymentDataInvalid(_("The expiry date must be written MM/YY."))
        month, year = int(match.group(1)), int(match.group(2))
        year = year + 2000 if year < 100 else year
        today = date.today()
        if (year, month) < (today.year, today.month):
            raise PaymentDataInvalid(_("The card has expired."))
        if not re.fullmatch(r"\d{3,4}", cvc):
            raise PaymentDataInvalid(_("The security code must be 3 or 4 digits."))
        if number == DECLINED_NUMBER:
            raise PaymentDeclined()
        return PaymentResult(self.code, "demo_" + secrets.token_hex(8), amount, {"last4": number[-4:]})

    def void(self, *, result):
        return None
