from django.utils.translation import gettext_lazy as _

from entracte.core.errors import Conflict, InvalidInput


class SoldOut(Conflict):
    code = "sold_out"
    default_message = _("There are not enough free seats left in this category.")


class SeatUnavailable(Conflict):
    code = "seat_unavailable"
    default_message = _("One or more of the chosen seats have just been taken. Please choose others.")


class SeatNotForSale(InvalidInput):
    code = "seat_not_for_sale"
    default_message = _("One or more of the chosen seats are not on sale here.")


class NoBlockFree(Conflict):
    code = "no_block_free"
    default_message = _("There are not enough free seats side by side in this category.")
