"""Who on the staff may sell where: one rule for the box-office pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import PointOfSale, SalesChannel
from entracte.core.errors import PermissionDenied

STAFF_CHANNELS = (SalesChannel.BOX_OFFICE, SalesChannel.PHONE)


class NotYourPointOfSale(PermissionDenied):
    code = "point_of_sale_forbidden"
    default_message = _("You are not allowed to sell at this point of sale.")


def may_sell(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm("sales.sell"))


def points_of_sale_for(user):
    """The active points of sale where this staff member may sell: all of them for an
    administrator, those he is an operator of for anyone else with the right to sell."""
    if not may_sell(user):
        return PointOfSale.objects.none()
    qs = PointOfSale.objects.filter(is_active=True, channel__code__in=STAFF_CHANNELS).select_related("channel").order_by("channel__code", "code")
    # Whoever may configure points of sale (administrators) may sell at all of them.
    return qs if user.has_perm("catalog.change_pointofsale") else qs.filter(operators=user)


def check_may_sell_at(user, point_of_sale: PointOfSale) -> None:
    if point_of_sale.channel.code == SalesChannel.INTERNET:
        return  # the web shop is open to everyone
    if not points_of_sale_for(user).filter(pk=point_of_sale.pk).exists():
        raise NotYourPointOfSale()
