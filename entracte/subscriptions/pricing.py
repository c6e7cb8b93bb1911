"""The price of a subscription selection. Pure: no Django, no database; Decimal only.

A calculated-price subscription costs, for each chosen performance (line), the line's price
in the chosen seat category for each subscriber's tariff, plus each extra seat at its guest
tariff's price on that line. A fixed-price or championship subscription costs its package
price per subscriber, spread over its performances to the cent so that every ticket has a
price (refunds and resale need one) and the tickets add up to the package price exactly.
The result is one price per seat; the cart then adds the order fee (sales/pricing.py).

An advantage on a subscription (`with_subscriber_prices`) replaces the subscriber prices:
its tariffs become the subscriber tariffs, and its price per seat category is the price of
one seat on every line (calculated price) or of the whole package (fixed price and
championship). Extra seats keep the line's guest prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from entracte.sales.pricing import cents, split_evenly

CALCULATED = "calculated"
SUBSCRIBER, EXTRA = "subscriber", "extra"


@dataclass(frozen=True)
class OfferLine:
    id: int
    performance: int
    label: str
    extras_max: int  # effective limit: 0 when extra seats are off or forbidden here
    prices: Mapping[tuple[int, int], Decimal] = field(default_factory=dict)  # (category, tariff) → one seat


@dataclass(frozen=True)
class Offer:
    """What a subscription product allows, as plain data."""

    kind: str
    min_performances: int
    max_performances: int
    max_subscribers: int
    subscriber_tariffs: frozenset[int]
    extra_tariffs: frozenset[int]
    extras_max_total: int
    lines: Mapping[int, OfferLine]
    package_prices: Mapping[tuple[int, int], Decimal] = field(default_factory=dict)  # (category, tariff) → whole package
    special_prices: Mapping[tuple[int, int], Decimal] | None = None  # an advantage's: replaces the two above for subscribers

    @property
    def is_package(self) -> bool:
        return self.kind != CALCULATED

    def subscriber_prices(self, line: int) -> Mapping[tuple[int, int], Decimal]:
        """Where a subscriber's price on this line comes from: an advantage, the package or the line."""
        if self.special_prices is not None:
            return self.special_prices
        return self.package_prices if self.is_package else self.lines[line].prices

    def offers_category(self, line: int, category: int, tariffs) -> bool:
        """A seat category is offered on a line when it is priced for every subscriber tariff
        chosen (and, at an advantage's prices, when the product itself offers it there)."""
        prices = self.subscriber_prices(line)
        if self.special_prices is not None:
            own = self.package_prices if self.is_package else self.lines[line].prices
            if not any(c == category for c, _t in own):
                return False
        return all((category, t) in prices for t in tariffs)

    def categories(self, line: int, tariffs) -> set[int]:
        return {c for c, _t in self.subscriber_prices(line) if self.offers_category(line, c, tariffs)}


@dataclass(frozen=True)
class SpecialPrices:
    """An advantage's subscriber prices, and which advantage gives them (its checkout checks it again)."""

    advantage: int
    prices: Mapping[tuple[int, int], Decimal]


def with_subscriber_prices(offer: Offer, prices: Mapping[tuple[int, int], Decimal]) -> Offer:
    """The offer at an advantage's prices: (category, tariff) → one seat (calculated) or the package."""
    return replace(offer, subscriber_tariffs=frozenset(t for _c, t in prices), special_prices=dict(prices))


@dataclass(frozen=True)
class Choice:
    line: int
    category: int
    extras: Mapping[int, int] = field(default_factory=dict)  # guest tariff → number of extra seats

    @property
    def extra_count(self) -> int:
        return sum(self.extras.values())


@dataclass(frozen=True)
class Selection:
    subscribers: Mapping[int, int]  # subscriber tariff → number of subscribers
    choices: tuple[Choice, ...]

    @property
    def subscriber_count(self) -> int:
        return sum(self.subscribers.values())

    @property
    def extra_count(self) -> int:
        return sum(c.extra_count for c in self.choices)


@dataclass(frozen=True)
class SeatPrice:
    line: int
    category: int
    tariff: int
    role: str
    unit_price: Decimal
    count: int


@dataclass(frozen=True)
class SubscriptionQuote:
    seats: tuple[SeatPrice, ...]
    total: Decimal  # before the order fee

    def of_line(self, line: int) -> list[SeatPrice]:
        return [s for s in self.seats if s.line == line]

    def line_total(self, line: int) -> Decimal:
        return sum((s.unit_price * s.count for s in self.of_line(line)), Decimal("0.00"))


def quote(offer: Offer, selection: Selection) -> SubscriptionQuote:
    """Price a selection that `rules.check` accepted (a missing price raises KeyError)."""
    seats: list[SeatPrice] = []
    lines = sorted(c.line for c in selection.choices)
    for choice in selection.choices:
        line = offer.lines[choice.line]
        for tariff, count in sorted(selection.subscribers.items()):
            if count <= 0:
                continue
            price = offer.subscriber_prices(choice.line)[(choice.category, tariff)]
            if offer.is_package:
                unit = split_evenly(price, len(lines))[lines.index(choice.line)]
            else:
                unit = cents(price)
            seats.append(SeatPrice(choice.line, choice.category, tariff, SUBSCRIBER, unit, count))
        for tariff, count in sorted(choice.extras.items()):
            if count > 0:
                seats.append(SeatPrice(choice.line, choice.category, tariff, EXTRA, cents(line.prices[(choice.category, tariff)]), count))
    total = sum((s.unit_price * s.count for s in seats), Decimal("0.00"))
    return SubscriptionQuote(tuple(seats), cents(total))
