"""Who may use an advantage or a promo code, where and when. Pure: plain data in, the
refusal (an error to raise, with its reason) or None out. The services read the data;
docs/advantages.md states the rules in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from entracte.sales import pricing

from . import errors

ACTIVE = "active"
GENERAL, INDICATOR, PARTNER, CONTACTS, SINGLE_USE = "general", "indicator", "partner", "contacts", "single_use"
PERFORMANCE_END, START_TOLERANCE, NO_LIMIT = "performance", "tolerance", "none"
CODED = (PARTNER, SINGLE_USE)


@dataclass(frozen=True)
class Buyer:
    """What the rules know of who buys: his indicator levels (indicator → rank), his target
    lists, and the advantages the codes in his cart unlock."""

    levels: Mapping[int, int] = field(default_factory=dict)
    target_lists: frozenset[int] = frozenset()
    unlocked: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Terms:
    id: int
    label: str
    state: str
    target: str
    channels: frozenset[int]              # empty: every channel
    starts_at: datetime | None
    ends_at: datetime | None
    end_rule: str
    tolerance_minutes: int
    quota: int | None
    used: int
    max_per_order: int | None
    indicator: tuple[int, int] | None     # (indicator, minimum rank)
    target_list: int | None
    performances: frozenset[int]
    prices: Mapping[tuple[int, int], Decimal]  # (seat category, tariff) → advantaged price
    subscriptions: frozenset[int] = frozenset()  # subscription products (subscriptions family)


@dataclass(frozen=True)
class Seat:
    performance: int
    starts_at: datetime
    sales_close_at: datetime
    category: int


def _window(starts_at, ends_at, now) -> bool:
    return (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)


def _level_reached(levels: Mapping[int, int], required: tuple[int, int] | None) -> bool:
    return required is not None and levels.get(required[0], -1) >= required[1]


def entitled(terms: Terms, buyer: Buyer) -> bool:
    """The target alone: is this buyer one of the advantage's public?"""
    if terms.target == GENERAL:
        return True
    if terms.target == INDICATOR:
        return _level_reached(buyer.levels, terms.indicator)
    if terms.target == CONTACTS:
        return terms.target_list is not None and terms.target_list in buyer.target_lists
    return terms.id in buyer.unlocked  # partner and single-use: a code in the cart


def sales_end(terms: Terms, seat: Seat) -> datetime | None:
    if terms.end_rule == PERFORMANCE_END:
        return seat.sales_close_at
    if terms.end_rule == START_TOLERANCE:
        return seat.starts_at + timedelta(minutes=terms.tolerance_minutes)
    return None


def refusal(terms: Terms, *, buyer: Buyer, channel: int, now: datetime, seat: Seat | None = None,
            tariff: int | None = None, product: int | None = None,
            tickets: int = 0) -> errors.AdvantageRefused | errors.AdvantageQuotaReached | None:
    """Why this buyer may not use the advantage (on this seat at this tariff, or on this
    subscription product, with `tickets` tickets of it in the order), or None. Checked in this
    order, so the reason given is the most general one that applies. A subscription's
    advantage ends with the subscription's sale: the end-of-sale rule is for seats."""
    if terms.state != ACTIVE:
        return errors.AdvantageNotAvailable()
    if terms.channels and channel not in terms.channels:
        return errors.AdvantageNotOnChannel()
    if not _window(terms.starts_at, terms.ends_at, now):
        return errors.AdvantageOutsideWindow()
    if not entitled(terms, buyer):
        return errors.AdvantageNeedsCode() if terms.target in CODED else errors.AdvantageNotForYou()
    if seat is not None:
        if seat.performance not in terms.performances or (tariff is not None and (seat.category, tariff) not in terms.prices):
            return errors.AdvantageNotForPerformance()
        end = sales_end(terms, seat)
        if end is not None and now >= end:
            return errors.AdvantageSalesEnded()
    if product is not None and product not in terms.subscriptions:
        return errors.AdvantageNotForSubscription()
    if terms.max_per_order is not None and tickets > terms.max_per_order:
        return errors.AdvantageTooManyTickets(errors.AdvantageTooManyTickets.default_message % {"max": terms.max_per_order})
    if terms.quota is not None and terms.used + tickets > terms.quota:
        return errors.AdvantageQuotaReached()
    return None


@dataclass(frozen=True)
class PromoTerms:
    id: int
    label: str
    state: str
    percent: Decimal | None
    amount: Decimal | None
    min_amount: Decimal
    indicator: tuple[int, int] | None
    channels: frozenset[int]
    starts_at: datetime | None
    ends_at: datetime | None
    max_uses: int | None
    max_uses_per_contact: int | None
    used: int
    combinable: bool

    def discount(self) -> pricing.Discount:
        return pricing.Discount(("promo", self.id), self.label, percent=self.percent, amount=self.amount,
                                minimum=self.min_amount)


def promo_refusal(terms: PromoTerms, *, buyer: Buyer | None, channel: int, now: datetime,
                  others: tuple[PromoTerms, ...] = (), contact_uses: int = 0) -> errors.PromoRefused | errors.PromoUsedUp | None:
    """Why the promo code may not be used, or None. `buyer` None: the buyer is not known yet
    (a visitor not logged in), so a code needing an indicator level waits for the checkout.
    The minimum cart amount is not a refusal: the cart shows the code as not applying yet."""
    if terms.state != ACTIVE:
        return errors.PromoRefused(errors.PromoRefused.default_message)
    if terms.channels and channel not in terms.channels:
        return errors.PromoRefused(_msg("not_channel"))
    if not _window(terms.starts_at, terms.ends_at, now):
        return errors.PromoRefused(_msg("window"))
    if terms.indicator is not None and buyer is not None and not _level_reached(buyer.levels, terms.indicator):
        return errors.PromoRefused(_msg("not_for_you"))
    if others and not (terms.combinable and all(o.combinable for o in others)):
        return errors.PromoNotCombinable()
    if terms.max_uses is not None and terms.used >= terms.max_uses:
        return errors.PromoUsedUp()
    if terms.max_uses_per_contact is not None and contact_uses >= terms.max_uses_per_contact:
        return errors.PromoRefused(_msg("per_contact"))
    return None


def _msg(reason: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "not_channel": _("This promo code is not valid here."),
        "window": _("This promo code is not valid at this date."),
        "not_for_you": _("This promo code is reserved for other customers."),
        "per_contact": _("You have already used this promo code as many times as it may be."),
    }[reason]
