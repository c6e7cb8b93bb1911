"""The payment provider interface. A provider authorises an amount and can void it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from entracte.core.errors import DomainError, InvalidInput
from entracte.core.money import Money


class PaymentDeclined(DomainError):
    code = "payment_declined"
    status = 402
    default_message = _("The payment was declined. No money was taken; your seats are still held.")


class PaymentDataInvalid(InvalidInput):
    code = "payment_data_invalid"
    default_message = _("The payment details are not valid.")


@dataclass(frozen=True)
class PaymentResult:
    provider: str
    reference: str
    amount: Money
    details: dict = field(default_factory=dict)


class PaymentProvider:
    code: str = ""
    method: str = ""  # what the payment record says the customer paid with
    label = ""
    channels: frozenset[str] | None = None  # sales channel codes where it is offered; None: all
    in_transaction = False          # True: the money moves in the order's transaction (`capture`)
    identified_buyer_only = False   # True: not for guest buyers on the web

    def offered_on(self, channel_code: str) -> bool:
        return self.channels is None or channel_code in self.channels

    def authorize(self, *, amount: Money, reference: str, data: dict) -> PaymentResult:
        """Take the money or raise PaymentDeclined / PaymentDataInvalid. Called outside any transaction."""
        raise NotImplementedError

    def void(self, *, result: PaymentResult) -> None:
        """Give back an authorisation whose order could not be created."""
        raise NotImplementedError
