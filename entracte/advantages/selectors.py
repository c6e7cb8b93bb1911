"""Reading advantages, promo codes and the codes of a cart as the plain data of `rules`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, F, Q

from entracte.core.rawsql import as_decimal, fetch, in_list
from entracte.core.translated import tr
from entracte.customers.models import Contact, ContactIndicator

from . import rules
from .models import ACTIVE, Advantage, CartCode, CodeBatch, PromoCode, SingleUseCode

# What the rules need beside the advantage's row, in one round trip: validating a typed code
# reads it, and four ORM queries were a third of that (docs/performance.md).
_TERMS_SQL = """
    SELECT 'm', advantage_id, category_id, tariff_id, amount FROM advantages_advantageprice WHERE {ids}
    UNION ALL SELECT 'c', advantage_id, saleschannel_id, NULL, NULL FROM advantages_advantage_channels WHERE {ids}
    UNION ALL SELECT 'p', advantage_id, performance_id, NULL, NULL FROM advantages_advantage_performances WHERE {ids}
    UNION ALL SELECT 's', advantage_id, subscriptionproduct_id, NULL, NULL
        FROM advantages_advantage_subscription_products WHERE {ids}
"""  # the typed branch first: PostgreSQL resolves a chain of UNIONs pair by pair
CENT = Decimal("0.01")


def terms_of(advantages: Iterable[Advantage]) -> dict[int, rules.Terms]:
    advantages = list(advantages)
    ids = [a.pk for a in advantages]
    sets: dict[str, dict[int, set]] = {kind: {pk: set() for pk in ids} for kind in "cps"}
    prices: dict[int, dict] = {pk: {} for pk in ids}
    if ids:
        which, params = in_list("advantage_id", ids)
        for kind, adv, ref, tariff, amount in fetch(_TERMS_SQL.format(ids=which), params * 4):
            if kind == "m":
                prices[adv][(ref, tariff)] = as_decimal(amount).quantize(CENT)
            else:
                sets[kind][adv].add(ref)
    channels, performances, products = sets["c"], sets["p"], sets["s"]
    return {a.pk: rules.Terms(
        id=a.pk, label=tr(a.name), state=a.state, target=a.target, channels=frozenset(channels[a.pk]),
        starts_at=a.starts_at, ends_at=a.ends_at, end_rule=a.end_rule, tolerance_minutes=a.tolerance_minutes,
        quota=a.quota, used=a.used, max_per_order=a.max_per_order,
        indicator=(a.indicator_level.indicator_id, a.indicator_level.rank) if a.indicator_level_id else None,
        target_list=a.target_list_id, performances=frozenset(performances[a.pk]), prices=prices[a.pk],
        subscriptions=frozenset(products[a.pk]),
    ) for a in advantages}


def _advantages():
    return Advantage.objects.select_related("indicator_level")


def advantage_terms(pk: int) -> rules.Terms | None:
    found = terms_of(_advantages().filter(pk=pk))
    return found.get(pk)


def buyer_of(contact: Contact | None, cart=None) -> rules.Buyer:
    levels, lists = {}, frozenset()
    if contact is not None and contact.pk:
        levels = dict(ContactIndicator.objects.filter(contact=contact).values_list("indicator_id", "level__rank"))
        lists = frozenset(contact.target_lists.values_list("pk", flat=True))
    unlocked = frozenset()
    if cart is not None and cart.adjusted:
        unlocked = frozenset(CartCode.objects.filter(cart=cart, advantage__isnull=False).values_list("advantage_id", flat=True))
    return rules.Buyer(levels=levels, target_lists=lists, unlocked=unlocked)


@dataclass(frozen=True)
class Offer:
    """An advantage a buyer may use on a performance, with its prices there."""

    terms: rules.Terms
    prices: list[tuple[int, int, Decimal]]  # (seat category, tariff, amount)


def offers_for_performance(*, performance, buyer: rules.Buyer, channel_id: int, now: datetime) -> list[Offer]:
    """The advantages in operation on this performance that this buyer may use now."""
    # Any seat of the performance (no tariff chosen yet), one ticket: what `use_advantage` checks.
    seat = rules.Seat(performance.pk, performance.starts_at, performance.sales_close_at, category=0)
    found = []
    for terms in terms_of(_advantages().filter(state=ACTIVE, performances=performance).order_by("code")).values():
        if rules.refusal(terms, buyer=buyer, channel=channel_id, now=now, seat=seat, tickets=1) is not None:
            continue
        found.append(Offer(terms, sorted((c, t, a) for (c, t), a in terms.prices.items())))
    return found


def offers_for_subscription(*, product_id: int, buyer: rules.Buyer, channel_id: int, now: datetime) -> list[rules.Terms]:
    """The advantages in operation on this subscription product that this buyer may use now."""
    found = terms_of(_advantages().filter(state=ACTIVE, subscription_products=product_id).order_by("code"))
    return [t for t in found.values()
            if t.prices and rules.refusal(t, buyer=buyer, channel=channel_id, now=now, product=product_id, tickets=1) is None]


def available(*, channel_id: int, now: datetime) -> list[tuple[Advantage, rules.Terms]]:
    """The advantages in operation on this channel now, whatever their target: the box
    office's list, where the operator sees who may have each."""
    found = list(_advantages().filter(state=ACTIVE).filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
                 .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
                 .prefetch_related("performances__event", "subscription_products").order_by("family", "code"))
    terms = terms_of(found)
    return [(a, terms[a.pk]) for a in found if not terms[a.pk].channels or channel_id in terms[a.pk].channels]


def visible_to(*, contact: Contact, now: datetime) -> list[Advantage]:
    """For the personal space: the advantages in operation meant for this contact (general
    public, his indicator level, his target lists), valid now or later."""
    buyer = buyer_of(contact)
    candidates = _advantages().filter(state=ACTIVE, target__in=[rules.GENERAL, rules.INDICATOR, rules.CONTACTS]).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)).prefetch_related("performances__event", "subscription_products").order_by("code")
    terms = terms_of(candidates)
    return [a for a in candidates if rules.entitled(terms[a.pk], buyer)]


def promo_terms_of(promos: Iterable[PromoCode]) -> list[rules.PromoTerms]:
    promos = list(promos)
    channels: dict[int, set] = {p.pk: set() for p in promos}
    for promo, ch in PromoCode.channels.through.objects.filter(promocode_id__in=channels).values_list("promocode_id", "saleschannel_id"):
        channels[promo].add(ch)
    return [rules.PromoTerms(
        id=p.pk, label=tr(p.name), state=p.state, percent=p.value if p.kind == PromoCode.PERCENT else None,
        amount=p.value if p.kind == PromoCode.AMOUNT else None, min_amount=p.min_amount,
        indicator=(p.indicator_level.indicator_id, p.indicator_level.rank) if p.indicator_level_id else None,
        channels=frozenset(channels[p.pk]), starts_at=p.starts_at, ends_at=p.ends_at, max_uses=p.max_uses,
        max_uses_per_contact=p.max_uses_per_contact, used=p.used, combinable=p.combinable) for p in promos]


def codes_of_cart(cart) -> list[CartCode]:
    if not cart.adjusted:
        return []
    return list(CartCode.objects.filter(cart=cart).select_related("advantage", "promo", "single_use").order_by("pk"))


def promos_of_cart(cart) -> list[PromoCode]:
    return list(PromoCode.objects.filter(pk__in=CartCode.objects.filter(cart=cart, promo__isnull=False).values("promo_id"))
                .select_related("indicator_level").order_by("pk"))


def dashboard(*, season=None, by_requester: bool = True) -> tuple[list[dict], dict]:
    """Per requesting contact and advantage: codes generated, available, used, invalidated,
    and tickets scanned that were bought with them; with totals."""
    codes = SingleUseCode.objects.all()
    if season is not None:
        codes = codes.filter(advantage__season=season)
    keys = ["batch__requester", "advantage"] if by_requester else ["advantage"]
    rows = list(codes.values(*keys).annotate(
        generated=Count("pk"), available=Count("pk", filter=Q(state=SingleUseCode.AVAILABLE)),
        used=Count("pk", filter=Q(state=SingleUseCode.USED)),
        invalidated=Count("pk", filter=Q(state=SingleUseCode.INVALIDATED))).order_by(*keys))
    scanned = _scanned_by(codes, by_requester)
    contacts = {c.pk: c for c in Contact.objects.filter(pk__in={r.get("batch__requester") for r in rows})}
    advantages = {a.pk: a for a in Advantage.objects.filter(pk__in={r["advantage"] for r in rows})}
    for row in rows:
        key = (row["batch__requester"], row["advantage"]) if by_requester else (row["advantage"],)
        row["scanned"] = scanned.get(key, 0)
        row["requester"] = contacts.get(row.get("batch__requester"))
        row["advantage"] = advantages[row["advantage"]]
    totals = {k: sum(r[k] for r in rows) for k in ("generated", "available", "used", "invalidated", "scanned")}
    return rows, totals


def _scanned_by(codes, by_requester: bool) -> dict[tuple, int]:
    """Tickets scanned at the door that the orders using these codes bought with the codes'
    advantage: one grouped query over the tickets' advantage links."""
    keys = ["batch__requester", "advantage"] if by_requester else ["advantage"]
    rows = (codes.filter(state=SingleUseCode.USED, order__tickets__advantage_link__advantage=F("advantage"),
                         order__tickets__scanned_at__isnull=False)
            .values(*keys).annotate(n=Count("order__tickets")).order_by())
    return {tuple(row[k] for k in keys): row["n"] for row in rows}


def codes_tracked(*, state: str = "", batch: int | None = None, code: str = ""):
    """The tracking screen's codes, most recently used first."""
    from .codes import normalize

    codes = SingleUseCode.objects.select_related("advantage", "batch__requester", "used_by", "order").order_by("-used_at", "pk")
    if state in dict(SingleUseCode.STATES):
        codes = codes.filter(state=state)
    if batch is not None:
        codes = codes.filter(batch_id=batch)
    if code:
        codes = codes.filter(code=normalize(code))
    return codes


def batches(*, advantage=None):
    qs = CodeBatch.objects.select_related("advantage", "requester").order_by("-created_at")
    return qs.filter(advantage=advantage) if advantage is not None else qs
