"""In-process cost of one order on the hot path (hold 2 best-available + checkout), through
the WSGI application of entracte/wsgi.py (the lean lanes, then Django) but without HTTP or a
load generator. Prints app CPU ms per
request and SQL statements per request, the cost of a hold answered "sold out" and of a new cart, then the task worker's CPU per order to send the
confirmation emails those orders left due (as the worker does, in batches, to files); with
--profile, the top functions by cumulative time.

    .venv/bin/python bench/hotpath.py [--orders 300] [--profile]

Needs PostgreSQL (a throwaway cluster is started unless DATABASE_URL points to one).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from inprocess import application, database, profiled
from inprocess import backend_cpu as backend_clock
from onsale import CARD, prepare
from pace import pace_ms


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the statements of the last hold and checkout")
    args = parser.parse_args()
    # As in production: the emails go to the task worker (measured apart below), to files.
    os.environ.update(ENTRACTE_TASKS="database", EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                      ENTRACTE_VAR_DIR=tempfile.mkdtemp(prefix="entracte-hotpath-var."))
    with database(port=25434):
        setup = prepare(max(2000, args.orders * 3 + 100))
        from django.db import connection, reset_queries
        from django.test import RequestFactory

        call, factory = application(), RequestFactory()

        def post(url, data):
            return call(factory.post(url, data, content_type="application/json").environ)

        token = json.loads(post("/api/carts", "{}")[1])["token"]
        hold_url, checkout_url = f"/api/carts/{token}/best-available", f"/api/carts/{token}/checkout"
        backend_cpu = backend_clock()

        def one_order(stats, email="bench@example.org"):
            checkout_body = json.dumps({"email": email, "card": CARD})
            body = json.dumps({"performance_id": setup["performance"], "category_id": random.choice(setup["categories"]),
                               "tariff_id": setup["tariff"], "quantity": 2})
            for name, url, data, expect in (("hold", hold_url, body, 200), ("checkout", checkout_url, checkout_body, 201)):
                connection.force_debug_cursor = True
                reset_queries()
                t0 = time.process_time()
                status, content = post(url, data)
                stats[name] += time.process_time() - t0
                stats[name + "_sql"] += len(connection.queries)
                stats[name + "_last"] = [q["sql"] for q in connection.queries]
                if status != expect:
                    raise SystemExit(f"{name}: {status} {content[:200]}")

        for _ in range(20):  # warm up
            one_order({"hold": 0, "checkout": 0, "hold_sql": 0, "checkout_sql": 0})
        stats = {"hold": 0.0, "checkout": 0.0, "hold_sql": 0, "checkout_sql": 0}
        pace_before = pace_ms()
        pg_before = backend_cpu()
        with profiled(args.profile, sort=os.environ.get("PROFILE_SORT", "cumulative"), top=70):
            for _ in range(args.orders):
                one_order(stats)
        n = args.orders
        pg = backend_cpu() - pg_before
        print(f"{n} orders in-process: hold {stats['hold'] / n * 1000:.2f} ms CPU, {stats['hold_sql'] / n:.1f} SQL; "
              f"checkout {stats['checkout'] / n * 1000:.2f} ms CPU, {stats['checkout_sql'] / n:.1f} SQL; "
              f"PostgreSQL {pg / n * 1000:.2f} ms CPU per order")
        print(f"machine pace (bench/pace.py, lower is faster): {pace_before:.1f} ms before, {pace_ms():.1f} ms after")
        if args.sql:
            for name in ("hold", "checkout"):
                print(f"{name}:")
                for sql in stats[name + "_last"]:
                    print("   ", " ".join(sql.split())[:160])
        # Every buyer's first order makes his guest contact (at C=200, 150 more than at C=50).
        first = {"hold": 0.0, "checkout": 0.0, "hold_sql": 0, "checkout_sql": 0}
        pg_before = backend_cpu()
        for i in range(args.orders // 2):
            one_order(first, email=f"first{i}@example.org")
        n = args.orders // 2
        print(f"first order of a new guest: checkout {first['checkout'] / n * 1000:.2f} ms CPU, "
              f"{first['checkout_sql'] / n:.1f} SQL; PostgreSQL {(backend_cpu() - pg_before) / n * 1000:.2f} ms CPU per order")
        if args.sql:
            for sql in first["checkout_last"]:
                print("   ", " ".join(sql.split())[:160])
        # The end of a rush: buyers still asking for a category sold out (at C=200, 800 of them).
        from entracte.inventory.models import PerformanceSeat

        sold_out = setup["categories"][0]
        PerformanceSeat.objects.filter(performance_id=setup["performance"], category_id=sold_out).update(state="sold")
        sold_out_body = json.dumps({"performance_id": setup["performance"], "category_id": sold_out,
                                    "tariff_id": setup["tariff"], "quantity": 2})
        pg_before, t0 = backend_cpu(), time.process_time()
        for _ in range(args.orders):
            status, content = post(hold_url, sold_out_body)
            if status != 409:
                raise SystemExit(f"sold-out hold: {status} {content[:200]}")
        print(f"sold-out hold: {(time.process_time() - t0) / args.orders * 1000:.2f} ms CPU, "
              f"PostgreSQL {(backend_cpu() - pg_before) / args.orders * 1000:.2f} ms")
        if args.sql:
            connection.force_debug_cursor = True
            reset_queries()
            post(hold_url, sold_out_body)
            for query in connection.queries:
                print("   ", " ".join(query["sql"].split())[:160])
            connection.force_debug_cursor = False
        # Every buyer starts with a new cart (at C=200, 150 more of them than at C=50).
        pg_before, t0 = backend_cpu(), time.process_time()
        for _ in range(args.orders):
            status, content = post("/api/carts", "{}")
            if status != 201:
                raise SystemExit(f"new cart: {status} {content[:200]}")
        print(f"new cart: {(time.process_time() - t0) / args.orders * 1000:.2f} ms CPU, "
              f"PostgreSQL {(backend_cpu() - pg_before) / args.orders * 1000:.2f} ms")
        from entracte.sales.emails import send_due_confirmations

        t0 = time.process_time()
        sent = send_due_confirmations.call()
        print(f"confirmation emails: {sent} orders, {(time.process_time() - t0) / max(sent, 1) * 1000:.2f} ms CPU per order")
        connection.close()


if __name__ == "__main__":
    main()
