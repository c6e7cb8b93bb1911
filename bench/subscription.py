"""Subscription allocation: price and hold a 35-performance subscription for 4 subscribers
and 2 extra seats per performance, in a 2,000-seat hall that is 80 % sold.

    .venv/bin/python bench/subscription.py [--runs 40] [--performances 35] [--sold 0.8]

On PostgreSQL (a throwaway cluster, or DATABASE_URL). Each run creates a cart, calls
`subscriptions.services.hold_subscription` (rules, price, and for each performance a block
of 6 seats side by side held in one transaction) and then empties the cart, so every run
meets the same 80 %-sold hall. Prints p50/p95/p99 of the whole call and how many runs
found room; checks no seat is left held.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from onsale import django_setup, pct, prepare
from pgcluster import cluster


def season(setup: dict, performances: int, sold: float, seed: int = 7) -> dict:
    """`performances` performances in the bench hall, each sold to `sold` in groups of 1 to 6
    seats (what an on-sale leaves), and a calculated-price subscription of all of them."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from entracte.catalog.models import Performance, SalesChannel, Tariff
    from entracte.inventory.models import PerformanceSeat
    from entracte.inventory.services import create_inventory
    from entracte.subscriptions.models import LinePrice, SubscriptionLine, SubscriptionProduct

    rng = random.Random(seed)
    first = Performance.objects.get(pk=setup["performance"])
    perfs = [first]
    for i in range(1, performances):
        perfs.append(Performance.objects.create(
            event=first.event, hall=first.hall, starts_at=first.starts_at + timedelta(days=i),
            sales_open_at=first.sales_open_at, sales_close_at=first.sales_close_at + timedelta(days=i)))
        create_inventory(performance=perfs[-1])
    for perf in perfs:
        rows: dict = {}
        for pk, row, position in PerformanceSeat.objects.filter(performance=perf).values_list("pk", "seat__row", "seat__position"):
            rows.setdefault(row, []).append((position, pk))
        taken = []
        for seats in rows.values():
            seats.sort()
            i = 0
            while i < len(seats):
                size = rng.randint(1, 6)
                if rng.random() < sold:
                    taken += [pk for _p, pk in seats[i:i + size]]
                i += size
        PerformanceSeat.objects.filter(pk__in=taken).update(state="sold")
    web = SalesChannel.objects.get(code="internet")
    abonne, invite = (Tariff.objects.create(code=c, name={"fr": c}) for c in ("abonne", "invite"))
    now = timezone.now()
    product = SubscriptionProduct.objects.create(
        season=first.event.season, slug="bench", name={"fr": "Bench"}, sales_open_at=now - timedelta(days=1),
        sales_close_at=now + timedelta(days=20), min_performances=4, max_performances=performances, max_subscribers=10,
        extras_enabled=True, extras_max_total=2 * performances, extras_max_per_performance=2)
    product.subscriber_tariffs.set([abonne])
    product.extra_tariffs.set([invite])
    product.channels.set([web])
    for perf in perfs:
        line = SubscriptionLine.objects.create(product=product, performance=perf)
        LinePrice.objects.bulk_create([LinePrice(line=line, category_id=c, tariff=t, amount=Decimal(a))
                                       for c in setup["categories"] for t, a in ((abonne, "40.00"), (invite, "50.00"))])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    free = PerformanceSeat.objects.filter(state="free").count() / PerformanceSeat.objects.count()
    return {"product": product.pk, "abonne": abonne.pk, "invite": invite.pk, "free": free}


def run(setup: dict, data: dict, runs: int) -> None:
    from entracte.catalog.models import PointOfSale
    from entracte.core.errors import DomainError
    from entracte.inventory.models import PerformanceSeat
    from entracte.sales import carts
    from entracte.subscriptions import services
    from entracte.subscriptions.models import SubscriptionProduct
    from entracte.subscriptions.pricing import Choice, Selection

    web = PointOfSale.objects.get(code="web")
    product = SubscriptionProduct.objects.get(pk=data["product"])
    lines = list(product.lines.order_by("pk").values_list("pk", flat=True))
    times, outcomes = [], {}
    for i in range(runs):
        category = setup["categories"][i % 2 + 1]  # the middle categories, where seats are most contested
        selection = Selection({data["abonne"]: 4}, tuple(Choice(line, category, {data["invite"]: 2}) for line in lines))
        cart = carts.create_cart(point_of_sale=web)
        started = time.perf_counter()
        try:
            services.hold_subscription(cart=cart, product=product, selection=selection)
            outcome = "held"
        except DomainError as exc:
            outcome = exc.code
        times.append(time.perf_counter() - started)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        carts.empty_cart(cart=cart)
    left = PerformanceSeat.objects.filter(state="held").count()
    print(f"performances: {len(lines)}, seats per performance: {setup['capacity']}, free: {data['free']:.1%}")
    print(f"runs: {runs}, outcomes: {outcomes}, seats left held: {left}")
    print(f"hold_subscription ms: p50 {pct(times, 50):.1f}  p95 {pct(times, 95):.1f}  p99 {pct(times, 99):.1f}  "
          f"max {max(times) * 1000:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--performances", type=int, default=35)
    parser.add_argument("--sold", type=float, default=0.8)
    parser.add_argument("--seats", type=int, default=2000)
    args = parser.parse_args()
    with cluster() as url:
        if "entracte_bench" in url:
            subprocess.run(["psql", url.replace("/entracte_bench", "/postgres"), "-qc", "CREATE DATABASE entracte_bench"],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        django_setup(url)
        setup = prepare(args.seats)
        data = season(setup, args.performances, args.sold)
        run(setup, data, args.runs)


if __name__ == "__main__":
    main()
