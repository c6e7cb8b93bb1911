"""The price calculation (pure): exact to the cent, never a float."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entracte.core.money import Money
from entracte.sales.pricing import CartLine, PriceMissing, price_cart

amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999.99"), places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), max_size=30),
       st.dictionaries(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), amounts, min_size=27, max_size=27),
       amounts)
def test_total_is_the_exact_sum_of_lines_plus_fee(keys, grid, fee):
    grid = {(p, c, t): grid.get((p, c, t), Decimal("10.00")) for p in range(1, 4) for c in range(1, 4) for t in range(1, 4)}
    lines = [CartLine(i, *k) for i, k in enumerate(keys)]
    quote = price_cart(lines=lines, grid=grid, order_fee=fee, currency="EUR")
    expected = sum((grid[k] for k in keys), Decimal("0"))
    assert quote.subtotal == expected
    assert quote.order_fee == (fee if keys else Decimal("0"))
    assert quote.total == expected + quote.order_fee
    assert all(isinstance(line.unit_price, Decimal) for line in quote.lines)
    assert quote.total.as_tuple().exponent == -2


def test_missing_price_is_refused():
    with pytest.raises(PriceMissing):
        price_cart(lines=[CartLine(1, 1, 1, 9)], grid={(1, 1, 1): Decimal("5")}, order_fee=Decimal("0"), currency="EUR")


def test_empty_cart_has_no_fee():
    assert price_cart(lines=[], grid={}, order_fee=Decimal("2.00"), currency="EUR").total == Decimal("0.00")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(0.1, "EUR")
    with pytest.raises(ValueError):
        Money(Decimal("1"), "EUR") + Money(Decimal("1"), "USD")
    assert Money(Decimal("0.105"), "EUR").amount == Decimal("0.11")
