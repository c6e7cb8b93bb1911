"""Single-use codes: generate and store 100,000 codes (target ≤ 10 s), then validate a code in
a cart with 1,000,000 codes in the database (target p99 ≤ 20 ms).

    .venv/bin/python bench/codes.py [--generate 100000] [--stored 1000000] [--checks 500]

On PostgreSQL (a throwaway cluster, or DATABASE_URL). "Generate" times
`batches.insert_codes` in chunks, as the background task runs them (without the email).
"Validate" times `services.apply_code` on a fresh cart for random stored codes (the lookup,
the state and rules checks, the cart code insert), then removes the code from the cart.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from onsale import django_setup, pct, prepare
from pgcluster import cluster


def run(setup: dict, generate: int, stored: int, checks: int) -> None:
    from django.db import connection

    from entracte.advantages import batches, services
    from entracte.advantages.models import Advantage, AdvantagePrice, CodeBatch, SingleUseCode
    from entracte.catalog.models import Performance, PointOfSale, Tariff
    from entracte.customers.models import Contact
    from entracte.sales import carts

    perf = Performance.objects.get(pk=setup["performance"])
    adv = Advantage.objects.create(code="bench", name={"fr": "Bench"}, season=perf.event.season, state="active",
                                   target="single_use")
    adv.performances.set([perf])
    tariff = Tariff.objects.create(code="partenaire", name={"fr": "Partenaire"})
    AdvantagePrice.objects.create(advantage=adv, category_id=setup["categories"][0], tariff=tariff, amount="20.00")
    requester = Contact.objects.create(last_name="Partner SA", kind="organisation")

    def batch_of(n):
        return CodeBatch.objects.create(advantage=adv, requester=requester, count=n)

    batch = batch_of(generate)
    started = time.perf_counter()
    done = 0
    while done < generate:
        done += batches.insert_codes(batch, min(batches.CHUNK, generate - done))
    elapsed = time.perf_counter() - started
    print(f"generate and store {generate} codes: {elapsed:.2f} s ({generate / elapsed:,.0f} codes/s)")

    rest = stored - generate
    filler = batch_of(max(rest, 0))
    while rest > 0:
        rest -= batches.insert_codes(filler, min(50_000, rest))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE advantages_singleusecode")
    print(f"codes stored: {SingleUseCode.objects.count()}")

    web = PointOfSale.objects.get(code="web")
    codes = list(SingleUseCode.objects.order_by("?").values_list("code", flat=True)[:checks])
    cart = carts.create_cart(point_of_sale=web)
    times = []
    for code in codes:
        typed = f"{code[:4]}-{code[4:8]}-{code[8:]}".lower()
        t0 = time.perf_counter()
        cart_code = services.apply_code(cart=cart, typed=typed, address="10.0.0.1")
        times.append(time.perf_counter() - t0)
        services.remove_code(cart=cart, code_id=cart_code.pk)
    print(f"validate a code in a cart ({len(times)} checks): p50 {pct(times, 50):.2f} ms  p95 {pct(times, 95):.2f} ms  "
          f"p99 {pct(times, 99):.2f} ms  max {max(times) * 1000:.2f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", type=int, default=100_000)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--checks", type=int, default=500)
    args = parser.parse_args()
    with cluster() as url:
        if "entracte_bench" in url:
            subprocess.run(["psql", url.replace("/entracte_bench", "/postgres"), "-qc", "CREATE DATABASE entracte_bench"],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        django_setup(url)
        setup = prepare(500)
        run(setup, args.generate, args.stored, args.checks)


if __name__ == "__main__":
    main()
