"""The one price calculation. Pure: no Django, no database; Decimal only.

`price_cart` turns cart lines into a quote, in the order docs/pricing.md sets out:
1. each line's unit price: the price it carries when a feature set one (a subscription
   line, an advantage), else the price grid (seat category × tariff of its performance);
2. the subtotal;
3. the reductions (promo codes), one after the other on what is left of the subtotal, each
   spread over the lines to the cent (each ticket records what it really cost);
4. the point of sale's order fee, never reduced;
5. the total to pay. The contact's balance then pays part of it, at checkout.
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
class Discount:
    """A reduction of the cart (a promo code): a percentage of, or an amount off, what is left
    of the subtotal, if the subtotal reaches `minimum`."""

    key: Hashable
    label: str
    percent: Decimal | None = None
    amount: Decimal | None = None
    minimum: Decimal = Decimal("0.00")

    def __post_init__(self):
        if (self.percent is None) == (self.amount is None):
            raise ValueError("a discount is a percentage or an amount")
        value = self.percent if self.percent is not None else self.amount
        if not isinstance(value, Decimal) or value <= 0 or (self.percent is not None and value > 100):
            raise ValueError("a discount is a positive Decimal (a percentage at most 100)")


@dataclass(frozen=True, slots=True)
class AppliedDiscount:
    key: Hashable
    label: str
    amount: Decimal     # what it takes off; 0 when its minimum is not reached
    applies: bool


@dataclass(frozen=True, slots=True)
class QuoteLine:
    key: Hashable
    unit_price: Decimal
    source: str
    discount: Decimal = Decimal("0.00")  # its share of the reductions

    @property
    def net(self) -> Decimal:
        return self.unit_price - self.discount


@dataclass(frozen=True, slots=True)
class Quote:
    currency: str
    lines: tuple[QuoteLine, ...]
    subtotal: Decimal
    order_fee: Decimal
    total: Decimal
    discounts: tuple[AppliedDiscount, ...] = ()
    discount: Decimal = Decimal("0.00")

    def price_of(self, key: Hashable) -> Decimal:
        return next(line.unit_price for line in self.lines if line.key == key)

    def line(self, key: Hashable) -> QuoteLine:
        return next(line for line in self.lines if line.key == key)


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """`amount` shared into `parts` cent amounts that add up to it exactly; the first ones
    take the leftover cents (a package price spread over its performances)."""
    if parts <= 0:
        raise ValueError("parts must be positive")
    total = int(cents(amount) / CENT)
    base, extra = divmod(total, parts)
    return [(Decimal(base + (1 if i < extra else 0)) * CENT).quantize(CENT) for i in range(parts)]


def split_proportionally(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`amount` shared in proportion to `weights`, in cents that add up to it exactly (the
    largest remainders take the leftover cents; ties go to the first). No share exceeds its
    weight when `amount` does not exceed their sum."""
    total_weight = sum(weights, Decimal("0"))
    if total_weight <= 0:
        return [Decimal("0.00")] * len(weights)
    units = int(cents(amount) / CENT)
    exact = [Decimal(units) * w / total_weight for w in weights]
    shares = [int(e) for e in exact]  # floor: weights and amount are not negative
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[:units - sum(shares)]:
        shares[i] += 1
    return [(Decimal(n) * CENT).quantize(CENT) for n in shares]


def cents(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError("prices are Decimal")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


PriceGrid = Mapping[tuple[int, int, int], Decimal]  # (performance, category, tariff) → price


def price_cart(*, lines: Sequence[CartLine], grid: PriceGrid, order_fee: Decimal, currency: str,
               discounts: Sequence[Discount] = ()) -> Quote:
    priced = []
    for line in lines:
        if line.price is not None:
            priced.append(QuoteLine(line.key, cents(line.price), line.source))
            continue
        amount = grid.get((line.performance, line.category, line.tariff))
        if amount is None:
            raise PriceMissing(line)
        priced.append(QuoteLine(line.key, cents(amount), "grid"))
    subtotal = cents(sum((p.unit_price for p in priced), Decimal("0.00")))
    applied, left = [], subtotal
    for discount in discounts:
        if not priced or subtotal < discount.minimum:
            applied.append(AppliedDiscount(discount.key, discount.label, Decimal("0.00"), False))
            continue
        off = cents(left * discount.percent / 100) if discount.percent is not None else cents(discount.amount)
        off = min(off, left)
        left -= off
        applied.append(AppliedDiscount(discount.key, discount.label, off, True))
    reduction = subtotal - left
    if reduction:
        shares = split_proportionally(reduction, [p.unit_price for p in priced])
        priced = [QuoteLine(p.key, p.unit_price, p.source, share) for p, share in zip(priced, shares)]
    fee = cents(order_fee) if priced else Decimal("0.00")
    return Quote(currency, tuple(priced), subtotal, fee, cents(left + fee), tuple(applied), reduction)
