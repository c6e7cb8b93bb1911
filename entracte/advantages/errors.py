"""Why an advantage, a code or a promo code is refused. Each message tells the buyer or the operator the reason."""

from django.utils.translation import gettext_lazy as _

from entracte.core.errors import Conflict, DomainError, InvalidInput


class AdvantageRefused(InvalidInput):
    code = "advantage_refused"
    default_message = _("This advantage cannot be used here.")


class AdvantageNotAvailable(AdvantageRefused):
    code = "advantage_not_available"
    default_message = _("This advantage is not available.")


class AdvantageOutsideWindow(AdvantageRefused):
    code = "advantage_outside_window"
    default_message = _("This advantage is not valid at this date.")


class AdvantageNotOnChannel(AdvantageRefused):
    code = "advantage_not_on_channel"
    default_message = _("This advantage is not sold here.")


class AdvantageSalesEnded(AdvantageRefused):
    code = "advantage_sales_ended"
    default_message = _("This advantage is no longer sold for this performance.")


class AdvantageNotForPerformance(AdvantageRefused):
    code = "advantage_not_for_performance"
    default_message = _("This advantage does not apply to this seat (performance, seat category or tariff).")


class AdvantageNotForSubscription(AdvantageRefused):
    code = "advantage_not_for_subscription"
    default_message = _("This advantage does not apply to this subscription.")


class AdvantageNotForYou(AdvantageRefused):
    code = "advantage_not_for_you"
    default_message = _("This advantage is reserved for other customers.")


class AdvantageNeedsCode(AdvantageRefused):
    code = "advantage_needs_code"
    default_message = _("Enter the advantage code first.")


class AdvantageTooManyTickets(AdvantageRefused):
    code = "advantage_too_many_tickets"
    default_message = _("This advantage gives at most %(max)s ticket(s) per order.")


class AdvantageQuotaReached(Conflict):
    code = "advantage_quota_reached"
    default_message = _("The tickets of this advantage are all sold.")


class CodeUnknown(InvalidInput):
    code = "code_unknown"
    default_message = _("This code is not valid. Check it and try again.")


class CodeUsed(Conflict):
    code = "code_used"
    default_message = _("This code has already been used.")


class CodeInvalidated(InvalidInput):
    code = "code_invalidated"
    default_message = _("This code has been cancelled by the venue.")


class CodeAlreadyInCart(InvalidInput):
    code = "code_already_in_cart"
    default_message = _("This code is already in your cart.")


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    default_message = _("Too many wrong codes. Try again in %(minutes)s minutes.")


class PromoRefused(InvalidInput):
    code = "promo_refused"
    default_message = _("This promo code cannot be used.")


class PromoNotCombinable(PromoRefused):
    code = "promo_not_combinable"
    default_message = _("This promo code cannot be combined with the one already in your cart.")


class PromoUsedUp(Conflict):
    code = "promo_used_up"
    default_message = _("This promo code has been used as many times as it may be.")
