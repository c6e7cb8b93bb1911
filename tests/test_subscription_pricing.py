"""Property tests: a subscription's total is exactly the sum of its line prices for each
subscriber, plus its extra seats at their guest prices, plus the order fee."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from entracte.sales import pricing as cart_pricing
from entracte.subscriptions import rules
from entracte.subscriptions.pricing import Choice, Offer, OfferLine, Selection, quote

SUB_TARIFFS, EXTRA_TARIFFS, CATEGORIES = (1, 2), (10, 11), (100, 101)
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("999.99"), places=2)


@st.composite
def offers_and_selections(draw):
    n_lines = draw(st.integers(1, 12))
    lines = {}
    for pk in range(1, n_lines + 1):
        prices = {(c, t): draw(money) for c in CATEGORIES for t in SUB_TARIFFS + EXTRA_TARIFFS}
        lines[pk] = OfferLine(pk, pk * 7, f"perf {pk}", draw(st.integers(0, 3)), prices)
    offer = Offer("calculated", 1, n_lines, 10, frozenset(SUB_TARIFFS), frozenset(EXTRA_TARIFFS), 50, lines)
    chosen = draw(st.lists(st.sampled_from(sorted(lines)), min_size=1, max_size=n_lines, unique=True))
    subscribers = {t: draw(st.integers(0, 4)) for t in SUB_TARIFFS}
    if not any(subscribers.values()):
        subscribers[SUB_TARIFFS[0]] = 1
    choices = []
    for pk in chosen:
        budget = lines[pk].extras_max
        first = draw(st.integers(0, budget))
        extras = {EXTRA_TARIFFS[0]: first, EXTRA_TARIFFS[1]: draw(st.integers(0, budget - first))}
        choices.append(Choice(pk, draw(st.sampled_from(CATEGORIES)), {t: n for t, n in extras.items() if n}))
    return offer, Selection({t: n for t, n in subscribers.items() if n}, tuple(choices))


@settings(max_examples=300, deadline=None)
@given(offers_and_selections(), money)
def test_total_is_line_prices_times_subscribers_plus_extras_plus_fee(case, fee):
    offer, selection = case
    rules.check(offer, selection)
    priced = quote(offer, selection)
    expected = Decimal("0.00")
    for choice in selection.choices:
        prices = offer.lines[choice.line].prices
        expected += sum((prices[(choice.category, t)] * n for t, n in selection.subscribers.items()), Decimal("0"))
        expected += sum((prices[(choice.category, t)] * n for t, n in choice.extras.items()), Decimal("0"))
    assert priced.total == expected
    # Through the cart's one price function, seat by seat, with the order fee.
    lines = [cart_pricing.CartLine((i, k), 0, s.category, s.tariff, s.unit_price, "subscription")
             for i, s in enumerate(priced.seats) for k in range(s.count)]
    cart = cart_pricing.price_cart(lines=lines, grid={}, order_fee=fee, currency="EUR")
    assert cart.total == expected + fee
    assert len(lines) == sum(selection.subscribers.values()) * len(selection.choices) + selection.extra_count


@settings(max_examples=200, deadline=None)
@given(money, st.integers(1, 40))
def test_a_package_price_spread_over_its_performances_adds_up_to_the_cent(amount, parts):
    shares = cart_pricing.split_evenly(amount, parts)
    assert sum(shares) == amount and max(shares) - min(shares) <= Decimal("0.01") and min(shares) >= 0


@given(prices=st.lists(st.decimals(min_value=0, max_value=500, places=2), min_size=1, max_size=20),
       percent=st.one_of(st.none(), st.decimals(min_value="0.01", max_value=100, places=2)),
       amount=st.decimals(min_value="0.01", max_value=1000, places=2),
       minimum=st.decimals(min_value=0, max_value=2000, places=2), fee=st.decimals(min_value=0, max_value=10, places=2))
def test_reductions_fee_and_total_combine_in_the_documented_order(prices, percent, amount, minimum, fee):
    from entracte.sales.pricing import CartLine, Discount, price_cart

    lines = [CartLine(i, 1, 1, 1, p, "advantage") for i, p in enumerate(prices)]
    discounts = [Discount("p", "P", percent=percent, minimum=minimum) if percent else Discount("a", "A", amount=amount, minimum=minimum)]
    q = price_cart(lines=lines, grid={}, order_fee=fee, currency="EUR", discounts=discounts)
    assert q.subtotal == sum(prices)
    assert 0 <= q.discount <= q.subtotal and (q.discount == 0 or q.subtotal >= minimum)
    assert sum(line.discount for line in q.lines) == q.discount
    assert all(0 <= line.discount <= line.unit_price for line in q.lines)
    assert q.total == q.subtotal - q.discount + q.order_fee >= q.order_fee
