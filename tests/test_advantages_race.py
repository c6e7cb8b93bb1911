"""A single-use code is used once, and an advantage's quota never exceeded, whatever the
concurrency. Like tests/test_concurrency.py: on PostgreSQL the canary first runs the race
with the guard off (checks by reading, as naive code would) and must overspend, proving the
race is real; then the guarded race must not. 200 carts on PostgreSQL; SQLite serialises
writers, so 20 carts there (and no canary: it cannot interleave)."""

from __future__ import annotations

import threading
import unittest.mock
from collections import Counter

import pytest
from django.db import connection, connections

from entracte.advantages import checkout as advantage_checkout
from entracte.advantages import services, throttle
from entracte.advantages.codes import generate
from entracte.advantages.models import CodeBatch, SingleUseCode
from entracte.core.errors import DomainError
from entracte.customers.models import Contact
from entracte.customers.services import guest_contact
from entracte.sales import carts, checkout, selectors
from entracte.sales.models import Ticket

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)


def _carts() -> int:
    return 200 if connection.vendor == "postgresql" else 20


def _prepared(perf, adv, n, code=None):
    """n carts of one seat each at the advantage's price (and its code when given)."""
    pos = factories.point_of_sale()
    cat, plein, partenaire = factories.category("a").pk, factories.tariff("plein").pk, factories.tariff("partenaire").pk
    result = []
    for _ in range(n):
        cart = carts.create_cart(point_of_sale=pos)
        carts.add_best_available(cart=cart, performance=perf, category_id=cat, quantity=1, tariff_id=plein)
        if code is not None:
            services.apply_code(cart=cart, typed=code.code)
        item = selectors.cart_view(cart).items[0]
        services.use_advantage(cart=cart, item_id=item.id, advantage_id=adv.pk, tariff_id=partenaire)
        result.append(cart)
    return result


def _race(n: int, attempt) -> Counter:
    """Run attempt(i) for i in 0..n-1 in n threads released together; count the outcomes
    ("ok", a domain error's code, or a crash)."""
    barrier = threading.Barrier(n)
    outcome: list = [None] * n

    def runner(i):
        try:
            barrier.wait(timeout=120)
            attempt(i)
            outcome[i] = "ok"
        except DomainError as exc:
            outcome[i] = exc.code
        except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported by the assertion
            outcome[i] = "crash:" + type(exc).__name__ + ":" + str(exc)[:120]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return Counter(outcome)


def _checkout_all(cart_list) -> Counter:
    contact = guest_contact(email="racer@example.org")
    return _race(len(cart_list), lambda i: checkout.place_order(
        cart=cart_list[i], buyer=checkout.Buyer(contact=contact, email=contact.email), payment_data=factories.GOOD_CARD))


def _hall_for(n):
    factories.point_of_sale()
    return factories.performance(factories.hall(factories.seatmap_csv(rows=max(1, n // 20), per_row=20)))


def _single_use_race(guard: bool):
    n = _carts()
    perf = _hall_for(n)
    adv = factories.advantage([perf], target="single_use")
    code = SingleUseCode.objects.create(code=generate(), advantage=adv, batch=CodeBatch.objects.create(
        advantage=adv, requester=Contact.objects.create(last_name="Partner"), count=1))
    with unittest.mock.patch.object(advantage_checkout, "GUARD", guard):
        outcome = _checkout_all(_prepared(perf, adv, n, code))
    return outcome, Ticket.objects.filter(price_source="advantage").count()


def _canary(race, overspent, what: str) -> None:
    """Run the race with the guard off until it overspends, three times at most. A race it
    interleaves only by chance: once in CI every thread but the first read the code after the
    first had committed (199 `code_used`, 1 `ok`), which proves nothing either way. Each attempt
    on a performance, advantage and code of its own, its tickets deleted after it."""
    outcomes = []
    for _attempt in range(3):
        outcome, sold = race()
        Ticket.objects.all().delete()  # a fresh start for the next attempt or the guarded race
        if overspent(sold):
            return
        outcomes.append(outcome)
    pytest.fail(f"the canary did not {what} in three races: {outcomes}")


def test_a_single_use_code_is_used_once_by_200_carts_checking_out_together():
    if connection.vendor == "postgresql":
        _canary(lambda: _single_use_race(guard=False), lambda sold: sold > 1, "overspend the code")
    outcome, sold = _single_use_race(guard=True)
    assert sold == 1 and outcome["ok"] == 1, outcome
    assert set(outcome) <= {"ok", "code_used"}, outcome


def _quota_race(guard: bool, quota: int):
    n = _carts()
    perf = _hall_for(n)
    adv = factories.advantage([perf], target="general", quota=quota)
    with unittest.mock.patch.object(advantage_checkout, "GUARD", guard):
        outcome = _checkout_all(_prepared(perf, adv, n))
    return outcome, Ticket.objects.filter(price_source="advantage", price_ref=adv.pk).count(), adv


def test_an_advantage_quota_is_never_exceeded_by_carts_checking_out_together():
    quota = 7
    if connection.vendor == "postgresql":
        _canary(lambda: _quota_race(guard=False, quota=quota)[:2], lambda sold: sold > quota, "exceed the quota")
    outcome, sold, adv = _quota_race(guard=True, quota=quota)
    adv.refresh_from_db()
    assert sold == quota == adv.used and outcome["ok"] == quota, outcome
    assert set(outcome) <= {"ok", "advantage_quota_reached"}, outcome


def _guessing_race(guard: bool, n: int) -> Counter:
    cart = carts.create_cart(point_of_sale=factories.point_of_sale())
    with unittest.mock.patch.object(throttle, "GUARD", guard):
        return _race(n, lambda i: services.apply_code(cart=cart, typed=f"WRONG{i:04d}", address="203.0.113.7"))


def test_wrong_codes_typed_together_are_counted_exactly(settings):
    """10 wrong codes per cart are looked up; past that, every attempt is refused unseen."""
    settings.ENTRACTE_CODE_ATTEMPTS_PER_CART = 10
    n = 60 if connection.vendor == "postgresql" else 20
    if connection.vendor == "postgresql":
        canary = _guessing_race(guard=False, n=n)
        assert canary["code_unknown"] > 10, f"the canary did not overrun the limit: {canary}"
        from entracte.advantages.models import CodeAttempt

        CodeAttempt.objects.all().delete()
    outcome = _guessing_race(guard=True, n=n)
    assert outcome["code_unknown"] == 10 and outcome["too_many_attempts"] == n - 10, outcome
