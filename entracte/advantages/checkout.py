"""The advantages' part of the one checkout (registered with sales.adjustments).

- Promo codes in a cart become reductions of its quote.
- Inside place_order's transaction, for the seats sold at an advantage's price: the buyer
  must still be entitled (his contact is known now), the price must be the advantage's, the
  quota is taken by one conditional UPDATE (`used + n <= quota`), and a single-use code is
  consumed by one conditional UPDATE (`state = 'available'`). A promo code that reduced the
  order is counted the same way and recorded with its amount. Any refusal rolls the order
  back and voids the payment, so a code is used once and a quota never exceeded whatever
  the concurrency (tests/test_advantages_race.py).
"""

from __future__ import annotations

from django.utils import timezone

from entracte.catalog.models import Performance
from entracte.core import audit
from entracte.core.rawsql import execute, param_datetime
from entracte.sales import adjustments
from entracte.sales.errors import PriceChanged

from . import errors, rules, selectors
from .models import CartCode, PromoUse, SingleUseCode
from .services import SOURCE

# The race tests switch this off to prove the race is real (the canary): without the guard
# the quota and the code are checked by reading, then written, as naive code would. It is
# never switched off outside those tests.
GUARD = True


@adjustments.discount_source
def promo_discounts(*, cart, items, now):
    terms = selectors.promo_terms_of(selectors.promos_of_cart(cart))
    channel = cart.point_of_sale.channel_id
    return [t.discount() for t in terms if rules.promo_refusal(t, buyer=None, channel=channel, now=now) is None]


@adjustments.on_placed
def check_and_consume(*, order, cart, view, sold, actor=None):
    advantaged = [line for _ticket, line in sold if line.price_source == SOURCE]
    if not advantaged and not cart.adjusted:
        return
    now = timezone.now()
    channel = cart.point_of_sale.channel_id
    codes = selectors.codes_of_cart(cart)
    buyer = selectors.buyer_of(order.contact, cart)
    _advantages(order, advantaged, codes, buyer, channel, now, actor)
    _promos(order, view, codes, buyer, channel, now, actor)
    if codes:
        CartCode.objects.filter(cart=cart).delete()
        adjustments.unmark_adjusted(cart)


def _advantages(order, lines, codes, buyer, channel, now, actor):
    by_advantage: dict[int, list] = {}
    for line in lines:
        by_advantage.setdefault(line.price_ref, []).append(line)
    if not by_advantage:
        return
    from .models import Advantage

    terms = selectors.terms_of(Advantage.objects.select_related("indicator_level").filter(pk__in=by_advantage))
    performances = {p.pk: p for p in Performance.objects.filter(pk__in={line.performance_id for line in lines})}
    for advantage_id in sorted(by_advantage):  # one order of row locks for every buyer
        mine = by_advantage[advantage_id]
        t = terms.get(advantage_id)
        if t is None:
            raise errors.AdvantageNotAvailable()
        for line in mine:
            perf = performances[line.performance_id]
            seat = rules.Seat(perf.pk, perf.starts_at, perf.sales_close_at, line.category_id)
            refusal = rules.refusal(t, buyer=buyer, channel=channel, now=now, seat=seat, tariff=line.tariff_id,
                                    tickets=len(mine))
            if refusal is not None:
                raise refusal
            if t.prices[(line.category_id, line.tariff_id)] != line.carried_price:
                raise PriceChanged()
        code = next((c for c in codes if c.advantage_id == advantage_id and c.single_use_id), None)
        if t.target == rules.SINGLE_USE:
            _consume(code, order, now)
        if GUARD:
            taken = execute("UPDATE advantages_advantage SET used = used + %s WHERE id = %s AND state = 'active' "
                            "AND (quota IS NULL OR used + %s <= quota)", [len(mine), advantage_id, len(mine)])
        else:
            taken = 1 if t.quota is None or t.used + len(mine) <= t.quota else 0
            execute("UPDATE advantages_advantage SET used = %s WHERE id = %s", [t.used + len(mine), advantage_id])
        if taken != 1:
            raise errors.AdvantageQuotaReached()
        audit.record(action="advantage.used", obj=order, actor=actor, data={
            "advantage": advantage_id, "tickets": len(mine), "code": code.single_use.code if code and code.single_use_id else None})


def _consume(code, order, now):
    if code is None:
        raise errors.AdvantageNeedsCode()
    guard = " AND state = 'available'" if GUARD else ""
    if not GUARD and SingleUseCode.objects.filter(pk=code.single_use_id, state=SingleUseCode.AVAILABLE).exists() is False:
        raise errors.CodeUsed()
    used = execute("UPDATE advantages_singleusecode SET state = 'used', used_at = %s, used_by_id = %s, order_id = %s "
                   "WHERE id = %s" + guard, [param_datetime(now), order.contact_id, order.pk, code.single_use_id])
    if used != 1:
        state = SingleUseCode.objects.filter(pk=code.single_use_id).values_list("state", flat=True).first()
        raise errors.CodeInvalidated() if state == SingleUseCode.INVALIDATED else errors.CodeUsed()


def _promos(order, view, codes, buyer, channel, now, actor):
    applied = {d.key: d for d in view.quote.discounts if d.applies and d.amount > 0}
    promo_codes = [c for c in codes if c.promo_id is not None and ("promo", c.promo_id) in applied]
    if len(promo_codes) != len(applied):
        raise PriceChanged()  # a code was removed from the cart after it was priced: price it again
    for code in sorted(promo_codes, key=lambda c: c.promo_id):
        taken = execute("UPDATE advantages_promocode SET used = used + 1 WHERE id = %s AND state = 'active' "
                        "AND (max_uses IS NULL OR used < max_uses)", [code.promo_id])
        if taken != 1:
            raise errors.PromoUsedUp()
        # The promo's row is locked now: counting this contact's uses cannot race another checkout.
        terms, = selectors.promo_terms_of([code.promo])
        uses = PromoUse.objects.filter(promo_id=code.promo_id, contact=order.contact).count()
        refusal = rules.promo_refusal(terms, buyer=buyer, channel=channel, now=now, contact_uses=uses)
        if refusal is not None and not isinstance(refusal, errors.PromoUsedUp):
            raise refusal
        amount = applied[("promo", code.promo_id)].amount
        PromoUse.objects.create(promo_id=code.promo_id, order=order, contact=order.contact, amount=amount)
        audit.record(action="promo.used", obj=order, actor=actor, data={"promo": code.promo_id, "amount": str(amount)})
