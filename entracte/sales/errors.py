from django.utils.translation import gettext_lazy as _

from entracte.core.errors import Conflict, InvalidInput


class SalesClosed(Conflict):
    code = "sales_closed"
    default_message = _("This performance is not on sale.")


class TariffNotAvailable(InvalidInput):
    code = "tariff_not_available"
    default_message = _("This tariff is not on sale for this seat category on this channel.")


class CartEmpty(InvalidInput):
    code = "cart_empty"
    default_message = _("Your cart is empty.")


class CartFull(InvalidInput):
    code = "cart_full"
    default_message = _("A cart holds at most %(max)s seats.")


class HoldExpired(Conflict):
    code = "hold_expired"
    default_message = _("The time to pay for some of your seats ran out; they were released. Please choose seats again.")


class PriceChanged(Conflict):
    code = "price_changed"
    default_message = _("The amount due is not the one you saw. Please check your cart again.")


class BundledSeat(InvalidInput):
    code = "bundled_seat"
    default_message = _("This seat belongs to a subscription: its tariff is set by the subscription. "
                        "Remove the subscription to choose again.")
