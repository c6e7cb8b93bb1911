"""What a subscription selection must respect. Plain Python over the plain data of
`pricing.Offer`; each broken rule raises its domain error (errors.py) with a message that
names the performance concerned."""

from __future__ import annotations

from . import errors
from .pricing import Offer, Selection


def check(offer: Offer, selection: Selection) -> None:
    _check_subscribers(offer, selection)
    _check_performances(offer, selection)
    _check_prices(offer, selection)
    _check_extras(offer, selection)


def _check_subscribers(offer: Offer, selection: Selection) -> None:
    counts = selection.subscribers
    if (any(n < 0 for n in counts.values()) or not 1 <= selection.subscriber_count <= offer.max_subscribers
            or any(t not in offer.subscriber_tariffs for t, n in counts.items() if n > 0)):
        raise errors.SubscribersInvalid(errors.SubscribersInvalid.default_message % {"max": offer.max_subscribers})


def _check_performances(offer: Offer, selection: Selection) -> None:
    chosen = [c.line for c in selection.choices]
    if len(set(chosen)) != len(chosen) or any(line not in offer.lines for line in chosen):
        raise errors.PerformanceNotInSubscription()
    low, high = (len(offer.lines), len(offer.lines)) if offer.is_package else (offer.min_performances, offer.max_performances)
    if len(chosen) < low:
        raise errors.TooFewPerformances(errors.TooFewPerformances.default_message % {"min": low, "n": len(chosen)})
    if len(chosen) > high:
        raise errors.TooManyPerformances(errors.TooManyPerformances.default_message % {"max": high, "n": len(chosen)})


def _not_offered(offer: Offer, line: int):
    return errors.CategoryNotOffered(errors.CategoryNotOffered.default_message % {"performance": offer.lines[line].label})


def _check_prices(offer: Offer, selection: Selection) -> None:
    tariffs = [t for t, n in selection.subscribers.items() if n > 0]
    if offer.is_package and len({c.category for c in selection.choices}) > 1:
        raise _not_offered(offer, selection.choices[-1].line)  # a package is one seat category throughout
    for choice in selection.choices:
        if not offer.offers_category(choice.line, choice.category, tariffs):
            raise _not_offered(offer, choice.line)


def _check_extras(offer: Offer, selection: Selection) -> None:
    for choice in selection.choices:
        line = offer.lines[choice.line]
        if any(n < 0 for n in choice.extras.values()):
            raise errors.ExtrasNotAllowed(errors.ExtrasNotAllowed.default_message % {"performance": line.label})
        wanted = choice.extra_count
        if not wanted:
            continue
        if line.extras_max == 0:
            raise errors.ExtrasNotAllowed(errors.ExtrasNotAllowed.default_message % {"performance": line.label})
        if wanted > line.extras_max:
            raise errors.TooManyExtrasOnPerformance(errors.TooManyExtrasOnPerformance.default_message % {
                "performance": line.label, "max": line.extras_max})
        for tariff, n in choice.extras.items():
            if n > 0 and (tariff not in offer.extra_tariffs or (choice.category, tariff) not in line.prices):
                raise errors.ExtraTariffNotAllowed()
    if selection.extra_count > offer.extras_max_total:
        raise errors.TooManyExtras(errors.TooManyExtras.default_message % {
            "max": offer.extras_max_total, "n": selection.extra_count})
