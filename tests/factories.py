"""Test data, built through the same services the application uses."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from entracte.catalog.models import (
    Contingent,
    Event,
    Hall,
    Performance,
    PointOfSale,
    Price,
    SalesChannel,
    Season,
    SeatCategory,
    Tariff,
    Venue,
)
from entracte.catalog.services import import_seatmap
from entracte.inventory.services import create_inventory

_counter = iter(range(1, 10**9))


def seatmap_csv(rows: int = 3, per_row: int = 10, category: str = "a", standing: int = 0, aisle_after: int | None = None) -> str:
    lines = ["area,row,number,x,y,category,wheelchair,companion,capacity"]
    for r in range(rows):
        for s in range(per_row):
            x = s * 10 + (15 if aisle_after is not None and s >= aisle_after else 0)
            lines.append(f"stalls,{chr(65 + r)},{s + 1},{x},{r * 10},{category},,,")
    if standing:
        lines.append(f"pit,,,,,{category},,,{standing}")
    return "\n".join(lines) + "\n"


def channels():
    return {code: SalesChannel.objects.get_or_create(code=code, defaults={"name": {"fr": code}})[0]
            for code in ("internet", "boxoffice", "phone")}


def point_of_sale(code="web", channel="internet", fee="2.00", hold_minutes=15) -> PointOfSale:
    ch = channels()[channel]
    return PointOfSale.objects.get_or_create(code=code, defaults={"channel": ch, "name": {"fr": code}, "order_fee": Decimal(fee), "hold_minutes": hold_minutes})[0]


def category(code="a", name="Catégorie A") -> SeatCategory:
    return SeatCategory.objects.get_or_create(code=code, defaults={"name": {"fr": name, "en": name}})[0]


def tariff(code="plein", on=("internet", "boxoffice", "phone")) -> Tariff:
    t, created = Tariff.objects.get_or_create(code=code, defaults={"name": {"fr": code.capitalize(), "en": code.capitalize()}})
    if created:
        ch = channels()
        t.channels.set([ch[c] for c in on])
    return t


def hall(csv_text: str | None = None, stage_x: float = 45.0) -> Hall:
    n = next(_counter)
    venue = Venue.objects.create(name={"fr": f"Théâtre {n}"})
    h = Hall.objects.create(venue=venue, name={"fr": f"Salle {n}"}, stage_x=stage_x, stage_y=-10)
    category("a")
    category("b", "Catégorie B")
    import_seatmap(hall=h, text=csv_text or seatmap_csv())
    return h


def performance(h: Hall | None = None, *, prices: dict | None = None, starts_in=timedelta(days=30), open_for=None, name="Carmen") -> Performance:
    n = next(_counter)
    h = h or hall()
    season = Season.objects.first() or Season.objects.create(name={"fr": "Saison test"}, starts_on="2026-01-01", ends_on="2027-12-31")
    event = Event.objects.create(season=season, slug=f"event-{n}", name={"fr": name, "en": name})
    now = timezone.now()
    perf = Performance.objects.create(event=event, hall=h, starts_at=now + starts_in, sales_open_at=now - timedelta(days=1),
                                      sales_close_at=now + starts_in - timedelta(minutes=30))
    prices = prices or {("a", "plein"): "50.00", ("a", "reduit"): "40.00", ("b", "plein"): "30.00"}
    for (cat, tar), amount in prices.items():
        Price.objects.create(performance=perf, category=category(cat), tariff=tariff(tar), amount=Decimal(amount))
    create_inventory(performance=perf)
    return perf


def contingent(code="vip", channels_allowed=("boxoffice",)) -> Contingent:
    c, created = Contingent.objects.get_or_create(code=code, defaults={"name": {"fr": code}})
    if created:
        ch = channels()
        c.channels.set([ch[x] for x in channels_allowed])
    return c


GOOD_CARD = {"number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}
DECLINED_CARD = {"number": "4000 0000 0000 0002", "expiry": "12/39", "cvc": "123"}


def staff_user(role: str, email: str | None = None, *, points_of_sale=()):
    """A staff account with one role (core/roles.py), operator of the given points of sale."""
    from entracte.core import roles
    from entracte.customers.models import User

    user = User.objects.create_user(email=email or f"{role}-{next(_counter)}@staff.example", password="pw-staff-123")
    roles.assign_role(user, role)
    for pos in points_of_sale:
        pos.operators.add(user)
    return user


def subscription_product(performances, *, slug=None, kind="calculated", min_performances=1, max_performances=None,
                         line_prices: dict | None = None, extras: dict | None = None, package_prices: dict | None = None,
                         on=("internet", "boxoffice", "phone"), extras_override: dict | None = None):
    """A subscription product over `performances`. `line_prices`: {(category, tariff): amount} on every line;
    `extras`: {"max_total": n, "per_performance": n, "tariffs": [codes]} turns extra seats on."""
    from entracte.subscriptions.models import (
        LinePrice,
        PackagePrice,
        SubscriptionLine,
        SubscriptionProduct,
    )

    now = timezone.now()
    season = performances[0].event.season
    product = SubscriptionProduct.objects.create(
        season=season, kind=kind, slug=slug or f"abo-{next(_counter)}", name={"fr": "Abonnement", "en": "Subscription"},
        sales_open_at=now - timedelta(days=1), sales_close_at=now + timedelta(days=20),
        min_performances=min_performances, max_performances=max_performances or len(performances),
        extras_enabled=bool(extras), extras_max_total=(extras or {}).get("max_total", 0),
        extras_max_per_performance=(extras or {}).get("per_performance", 0))
    product.subscriber_tariffs.set([tariff("abonne")])
    ch = channels()
    product.channels.set([ch[c] for c in on])
    if extras:
        product.extra_tariffs.set([tariff(code) for code in extras.get("tariffs", ["invite"])])
    line_prices = line_prices or {("a", "abonne"): "160.00", ("a", "invite"): "200.00", ("b", "abonne"): "100.00",
                                  ("b", "invite"): "120.00"}
    for perf in performances:
        line = SubscriptionLine.objects.create(product=product, performance=perf,
                                               extras_max=(extras_override or {}).get(perf.pk))
        for (cat, tar), amount in line_prices.items():
            LinePrice.objects.create(line=line, category=category(cat), tariff=tariff(tar), amount=Decimal(amount))
    for (cat, tar), amount in (package_prices or {}).items():
        PackagePrice.objects.create(product=product, category=category(cat), tariff=tariff(tar), amount=Decimal(amount))
    return product


def advantage(performances=(), *, code=None, target="general", prices=None, state="active", quota=None, max_per_order=None,
              access_code="", indicator_level=None, target_list=None, on=(), subscriptions=(), **fields):
    """An advantage in operation on these performances (or, with `subscriptions`, on these
    subscription products); prices {(category, tariff): amount} default to category a at the
    "partenaire" tariff, 20.00 (a tariff off the grid)."""
    from entracte.advantages.models import Advantage, AdvantagePrice

    n = next(_counter)
    perf = list(performances)
    season = perf[0].event.season if perf else subscriptions[0].season
    adv = Advantage.objects.create(
        code=code or f"adv-{n}", name={"fr": f"Offre {n}", "en": f"Offer {n}"}, season=season, state=state,
        family="subscriptions" if subscriptions else "events",
        target=target, quota=quota, max_per_order=max_per_order, access_code=access_code, indicator_level=indicator_level,
        target_list=target_list, **fields)
    adv.performances.set(perf)
    adv.subscription_products.set(subscriptions)
    if on:
        adv.channels.set([channels()[c] for c in on])
    for (cat, tar), amount in (prices or {("a", "partenaire"): "20.00"}).items():
        AdvantagePrice.objects.create(advantage=adv, category=category(cat), tariff=tariff(tar), amount=Decimal(amount))
    return adv


def promo(access_code="COUPON3", *, kind="percent", value="3", state="active", **fields):
    from entracte.advantages.models import PromoCode

    n = next(_counter)
    return PromoCode.objects.create(code=f"promo-{n}", name={"fr": f"Coupon {value}", "en": f"Coupon {value}"},
                                    access_code=access_code, kind=kind, value=Decimal(value), state=state, **fields)


def indicator(code="fidelite", levels=("occasionnel", "regulier", "assidu")):
    from entracte.customers.models import Indicator, IndicatorLevel

    ind = Indicator.objects.create(code=code, name={"fr": code.capitalize()})
    return ind, [IndicatorLevel.objects.create(indicator=ind, code=c, name={"fr": c.capitalize()}, rank=i)
                 for i, c in enumerate(levels)]
