"""The advantages' part of the one checkout (registered with sales.adjustments).

- Promo codes in a cart become reductions of its quote.
- Inside place_order's transaction, for the seats sold at an advantage's price: the buyer
  must still be entitled (his contact is known now), the price must be the advantage's, the
  quota is taken by one conditional UPDATE (`used + n <= quota`), and a single-use code is
  consumed by one conditional UPDATE (`state = 'available'`). A promo code that reduced the
  order is counted the same way and recorded with its amount. Any refusal rolls the order
  back and voids the payment, so a code is used once and a quota never exceeded whatever
  the concurrency (tests/test_advantages_race.py).
- A subscription bundle held at an advantage's prices is checked the same way: the buyer,
  the product, the prices it was held at; its subscriber seats count in the quota.
- Each ticket counted in a quota is linked to its advantage; cancelling it gives its place back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from entracte.catalog.models import Performance
from entracte.core import audit
from entracte.core.rawsql import execute, param_datetime
from entracte.sales import adjustments
from entracte.sales.errors import PriceChanged

from . import errors, rules, selectors
from .models import AdvantageTicket, CartCode, PromoUse, SingleUseCode
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


def _wanted(*, cart, view) -> bool:
    """An order to check: seats at an advantage's price, a subscription bought with an
    advantage, or codes entered in the cart (`adjusted`)."""
    return (cart.adjusted or any(line.price_source == SOURCE for line in view.items)
            or any(b["data"].get("advantage") for b in view.bundles))


@adjustments.on_placed(when=_wanted)
def check_and_consume(*, order, cart, view, sold, actor=None):
    seats = [(ticket, line) for ticket, line in sold if line.price_source == SOURCE]
    packs = [b for b in view.bundles if b["data"].get("advantage")]
    now = timezone.now()
    channel = cart.point_of_sale.channel_id
    codes = selectors.codes_of_cart(cart)
    buyer = selectors.buyer_of(order.contact, cart)
    _advantages(order, _group(seats, packs, sold), codes, buyer, channel, now, actor)
    _promos(order, view, codes, buyer, channel, now, actor)
    if codes:
        CartCode.objects.filter(cart=cart).delete()
        adjustments.unmark_adjusted(cart)


@dataclass
class _Use:
    """What one advantage gave in this order: seats at its price, subscriptions at its prices."""

    tickets: list = field(default_factory=list)          # every ticket it counts in its quota
    seats: list = field(default_factory=list)            # cart lines of single seats
    packs: list = field(default_factory=list)            # subscription bundles


def _group(seats, packs, sold) -> dict[int, _Use]:
    uses: dict[int, _Use] = {}
    for ticket, line in seats:
        use = uses.setdefault(line.price_ref, _Use())
        use.tickets.append(ticket)
        use.seats.append(line)
    for pack in packs:
        use = uses.setdefault(pack["data"]["advantage"], _Use())
        extras = set(pack["data"].get("extras", []))
        use.tickets += [t for t, line in sold if line.bundle_id == pack["id"] and line.performance_seat_id not in extras]
        use.packs.append(pack)
    return uses


def _advantages(order, uses: dict[int, _Use], codes, buyer, channel, now, actor):
    if not uses:
        return
    from .models import Advantage

    terms = selectors.terms_of(Advantage.objects.select_related("indicator_level").filter(pk__in=uses))
    performances = {p.pk: p for p in Performance.objects.filter(
        pk__in={line.performance_id for use in uses.values() for line in use.seats})}
    for advantage_id in sorted(uses):  # one order of row locks for every buyer
        use, t = uses[advantage_id], terms.get(advantage_id)
        if t is None:
            raise errors.AdvantageNotAvailable()
        n = len(use.tickets)
        for line in use.seats:
            perf = performances[line.performance_id]
            seat = rules.Seat(perf.pk, perf.starts_at, perf.sales_close_at, line.category_id)
            _refuse(rules.refusal(t, buyer=buyer, channel=channel, now=now, seat=seat, tariff=line.tariff_id, tickets=n))
            if t.prices[(line.category_id, line.tariff_id)] != line.carried_price:
                raise PriceChanged()
        for pack in use.packs:
            _refuse(rules.refusal(t, buyer=buyer, channel=channel, now=now, product=pack["ref"], tickets=n))
            if any(t.prices.get((c, tariff)) != Decimal(amount) for c, tariff, amount in pack["data"]["advantage_prices"]):
                raise PriceChanged()
        code = next((c for c in codes if c.advantage_id == advantage_id and c.single_use_id), None)
        if t.target == rules.SINGLE_USE:
            _consume(code, order, now)
        if GUARD:
            taken = execute("UPDATE advantages_advantage SET used = used + %s WHERE id = %s AND state = 'active' "
                            "AND (quota IS NULL OR used + %s <= quota)", [n, advantage_id, n])
        else:
            taken = 1 if t.quota is None or t.used + n <= t.quota else 0
            execute("UPDATE advantages_advantage SET used = %s WHERE id = %s", [t.used + n, advantage_id])
        if taken != 1:
            raise errors.AdvantageQuotaReached()
        AdvantageTicket.objects.bulk_create([AdvantageTicket(ticket=ticket, advantage_id=advantage_id) for ticket in use.tickets])
        audit.record(action="advantage.used", obj=order, actor=actor, data={
            "advantage": advantage_id, "tickets": n, "code": code.single_use.code if code and code.single_use_id else None})


def _refuse(refusal) -> None:
    if refusal is not None:
        raise refusal


@adjustments.on_cancelled
def give_back(*, order, ticket_ids, actor=None):
    """Cancelled tickets free their places in their advantages' quotas (a used code stays used)."""
    counts = dict(AdvantageTicket.objects.filter(ticket_id__in=ticket_ids).values_list("advantage_id")
                  .annotate(n=Count("pk")).order_by("advantage_id"))
    for advantage_id, n in counts.items():
        execute("UPDATE advantages_advantage SET used = used - %s WHERE id = %s AND used >= %s", [n, advantage_id, n])
    if counts:
        audit.record(action="advantage.given_back", obj=order, actor=actor, data={str(k): v for k, v in counts.items()})


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
