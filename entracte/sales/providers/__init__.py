from django.utils.translation import gettext_lazy as _

from entracte.core.errors import InvalidInput

from .base import PaymentDataInvalid, PaymentDeclined, PaymentProvider, PaymentResult
from .demo import DemoCardProvider

PROVIDERS: dict[str, PaymentProvider] = {p.code: p for p in (DemoCardProvider(),)}


class UnknownPaymentMethod(InvalidInput):
    code = "unknown_payment_method"
    default_message = _("This payment method is not available.")


def get_provider(code: str) -> PaymentProvider:
    try:
        return PROVIDERS[code]
    except KeyError:
        raise UnknownPaymentMethod() from None


__all__ = ["PROVIDERS", "PaymentDataInvalid", "PaymentDeclined", "PaymentProvider", "PaymentResult", "get_provider"]
