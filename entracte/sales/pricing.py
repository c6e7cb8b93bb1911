"""The one price calculation. Pure: no Django, no database; Decimal only.

`price_cart` turns cart lines into a quote: each line's unit price from the price grid
(seat category × tariff of its performance) unless the line carries a price set by a
feature (a subscription line's price, say), the subtotal, the point of sale's order fee,
and the total to pay. docs/pricing.md gives the order in which later adjustments apply.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class PriceMissing(Exception):
    """The grid has no price for a line's seat category and tariff."""

    def __init__(self, line: CartLine):
        self.line = line
        super().__init__(f"no price for performance {line.performance} category {line.category} tariff {line.tariff}")


@dataclass(frozen=True, slots=True)
class CartLine:
    key: Hashable
    performance: int
    category: int
    tariff: int
    price: Decimal | None = None  # carried price, set by a feature; None: from the grid
    source: str = "grid"


@dataclass(frozen=True, slots=True)
class QuoteLine:
    key: Hashable
    unit_price: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class Quote:
    currency: str
    lines: tuple[QuoteLine, ...]
    subtotal: Decimal
    order_fee: Decimal
    total: Decimal

    def price_of(self, key: Hashable) -> Decimal:
        return next(line.unit_price for line in self.lines if line.key == key)


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """`amount` shared into `parts` cent amounts that add up to it exactly; the first ones
    take the leftover cents (a package price spread over its performances)."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    total = int(cents(amount) / CENT)
    base, extra = divmod(total, parts)
    return [(Decimal(base + (1 if i < extra else 0)) * CENT).quantize(CENT) for i in range(parts)]


def cents(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError("prices are Decimal")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


PriceGrid = Mapping[tuple[int, int, int], Decimal]  # (performance, category, tariff) → price


def price_cart(*, lines: Sequence[CartLine], grid: PriceGrid, order_fee: Decimal, currency: str) -> Quote:
    priced = []
    for line in lines:
        if line.price is not None:
            priced.append(QuoteLine(line.key, cents(line.price), line.source))
            continue
        amount = grid.get((line.performance, line.category, line.tariff))
        if amount is None:
            raise PriceMissing(line)
        priced.append(QuoteLine(line.key, cents(amount), "grid"))
    subtotal = sum((p.unit_price for p in priced), Decimal("0.00"))
    fee = cents(order_fee) if priced else Decimal("0.00")
    return Quote(currency, tuple(priced), cents(subtotal), fee, cents(subtotal + fee))
