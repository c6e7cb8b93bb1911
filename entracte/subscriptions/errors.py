from django.utils.translation import gettext_lazy as _

from entracte.core.errors import Conflict, InvalidInput


class SubscriptionNotOnSale(Conflict):
    code = "subscription_not_on_sale"
    default_message = _("This subscription is not on sale here.")


class SubscribersInvalid(InvalidInput):
    code = "subscribers_invalid"
    default_message = _("Choose between 1 and %(max)s subscribers, with the subscription's tariffs.")


class TooFewPerformances(InvalidInput):
    code = "too_few_performances"
    default_message = _("Choose at least %(min)s performances (you chose %(n)s).")


class TooManyPerformances(InvalidInput):
    code = "too_many_performances"
    default_message = _("Choose at most %(max)s performances (you chose %(n)s).")


class PerformanceNotInSubscription(InvalidInput):
    code = "performance_not_in_subscription"
    default_message = _("A chosen performance is not part of this subscription.")


class CategoryNotOffered(InvalidInput):
    code = "category_not_offered"
    default_message = _("%(performance)s: this seat category is not offered in the subscription.")


class ExtrasNotAllowed(InvalidInput):
    code = "extras_not_allowed"
    default_message = _("%(performance)s: extra seats are not allowed on this performance.")


class TooManyExtrasOnPerformance(InvalidInput):
    code = "too_many_extras_on_performance"
    default_message = _("%(performance)s: at most %(max)s extra seat(s) on this performance.")


class TooManyExtras(InvalidInput):
    code = "too_many_extras"
    default_message = _("At most %(max)s extra seats for the whole subscription (you chose %(n)s).")


class ExtraTariffNotAllowed(InvalidInput):
    code = "extra_tariff_not_allowed"
    default_message = _("This tariff is not offered for extra seats.")


class NoContiguousBlock(Conflict):
    code = "no_contiguous_block"
    default_message = _("%(performance)s: no %(n)s seats side by side are free in %(category)s.")
    fits_message = _("It fits in: %(categories)s.")
    nowhere_message = _("No seat category has that many seats side by side left.")
