from django.utils.translation import gettext_lazy as _

from entracte.core.errors import InvalidInput

from .balance import BalanceProvider
from .base import PaymentDataInvalid, PaymentDeclined, PaymentProvider, PaymentResult
from .demo import DemoCardProvider
from .recorded import CARD_TERMINAL, CASH, CHEQUE

PROVIDERS: dict[str, PaymentProvider] = {p.code: p for p in (DemoCardProvider(), CASH, CARD_TERMINAL, CHEQUE, BalanceProvider())}


class UnknownPaymentMethod(InvalidInput):
    code = "unknown_payment_method"
    default_message = _("This payment method is not available.")


def get_provider(code: str, *, channel: str | None = None) -> PaymentProvider:
    """The provider of a payment method, if it is offered on the channel (when one is given)."""
    provider = PROVIDERS.get(code)
    if provider is None or (channel is not None and not provider.offered_on(channel)):
        raise UnknownPaymentMethod()
    return provider


def providers_for(channel: str) -> list[PaymentProvider]:
    return [p for p in PROVIDERS.values() if p.offered_on(channel)]


__all__ = ["PROVIDERS", "PaymentDataInvalid", "PaymentDeclined", "PaymentProvider", "PaymentResult", "get_provider", "providers_for"]
