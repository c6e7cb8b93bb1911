"""Doors opening: S concurrent scanners read the tickets of one performance through the API.

    .venv/bin/python bench/scan.py [--scanners 20] [--seats 2000] [--passes 2] [--server uwsgi-router] [--workers 3] [--threads 2]

Runs the app under a WSGI server (uWSGI behind its HTTP router by default) on PostgreSQL (a
throwaway cluster, or DATABASE_URL) with one sold-out performance and its venue's four gates. Each scanner keeps
one connection open, stands at a gate, takes the next code from a shared list and posts it
to `/api/access/scan` with a controller's token; the list holds every ticket `--passes` times
(the second reading of a ticket answers "already scanned") plus 1 % unknown codes. Prints
scans/s, p50/p95/p99 latency and the outcomes, then checks in the database that no ticket
was admitted twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from httpclient import run
from onsale import (
    SERVERS,
    cpu_by_role,
    django_setup,
    interpreter,
    pct,
    pg_stats_print,
    pg_stats_reset,
    prepare,
    serve,
)
from pace import pace_ms
from pgcluster import cluster

TIME_LIMIT = 300.0


def sell_everything(setup: dict) -> tuple[list[str], str, list[int]]:
    """Every seat sold in one order (as if the on-sale happened); a controller and his token;
    the venue's four gates."""
    from decimal import Decimal

    from django.db import connection

    from entracte.access.models import Gate
    from entracte.catalog.models import Performance, PointOfSale
    from entracte.core.roles import CONTROLLER, assign_role
    from entracte.customers.models import ApiToken, Contact, User
    from entracte.inventory.models import PerformanceSeat
    from entracte.sales.models import Order, Ticket

    seats = list(PerformanceSeat.objects.filter(performance_id=setup["performance"]).values_list("id", "category_id"))
    contact = Contact.objects.create(email="bench@example.org")
    order = Order.objects.create(contact=contact, email=contact.email, point_of_sale=PointOfSale.objects.get(code="web"),
                                 currency="EUR", subtotal=Decimal("0"), order_fee=Decimal("0"), total=Decimal("0"))
    tickets = Ticket.objects.bulk_create(
        Ticket(order=order, performance_id=setup["performance"], performance_seat_id=pk, category_id=cat,
               tariff_id=setup["tariff"], price=Decimal("0")) for pk, cat in seats)
    PerformanceSeat.objects.filter(performance_id=setup["performance"]).update(state="sold")
    controller = User.objects.create_user(email="controle@bench.example", password="x")
    assign_role(controller, CONTROLLER)
    token = ApiToken.issue(user=controller, name="bench")
    venue = Performance.objects.select_related("hall").get(pk=setup["performance"]).hall.venue_id
    gates = [Gate.objects.create(venue_id=venue, name=f"Porte {n}").pk for n in range(1, 5)]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return [t.code for t in tickets], token, gates


async def scanner(base, queue, performance, gate, stats, token):
    from httpclient import Connection

    host, port = base.rsplit("/", 1)[1].split(":")
    connection = Connection(host, int(port), {"Authorization": f"Bearer {token}"})
    try:
        while queue:
            code = queue.pop()
            t0 = time.perf_counter()
            status, data = await connection.post("/api/access/scan", {"performance_id": performance, "code": code, "gate_id": gate})
            stats["latency"].append(time.perf_counter() - t0)
            stats["results"][data.get("result", f"http {status}")] += 1
    finally:
        connection.close()


async def doors(base, codes, performance, scanners, token, gates):
    stats = {"latency": [], "results": Counter()}
    queue = list(codes)
    start = time.perf_counter()
    # Bounded in time: a server that stops answering fails the run instead of hanging it.
    readers = [scanner(base, queue, performance, gates[i % len(gates)], stats, token) for i in range(scanners)]
    await asyncio.wait_for(asyncio.gather(*readers), timeout=TIME_LIMIT)
    stats["elapsed"] = time.perf_counter() - start
    return stats


def admitted_twice(performance: int) -> int:
    from django.db.models import Count

    from entracte.access.models import Scan

    return (Scan.objects.filter(performance_id=performance, result="valid").values("ticket")
            .annotate(n=Count("id")).filter(n__gt=1).count())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scanners", type=int, default=20)
    parser.add_argument("--seats", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--pg-stats", action="store_true", help="print PostgreSQL's costliest statements (pg_stat_statements)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread, uwsgi, uwsgi-router)")
    parser.add_argument("--warmup", type=int, default=1000, help="unknown codes read before the measured run")
    parser.add_argument("--server", choices=sorted(SERVERS), default="uwsgi-router",
                        help="uwsgi-router (uWSGI's HTTP router keeps the scanners' connections, as nginx would, and hands "
                             "requests to the workers' threads), uwsgi or gthread (a thread per open connection), "
                             "gunicorn (sync workers: a new connection per request)")
    args = parser.parse_args()
    extra = "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on" if args.pg_stats else ""
    with cluster(port=25435, extra_options=extra) as database_url:
        if "entracte_bench" in database_url:
            import subprocess

            subprocess.run(["psql", database_url.replace("/entracte_bench", "/postgres"), "-qc", "CREATE DATABASE entracte_bench"],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        django_setup(database_url)
        setup = prepare(args.seats)
        codes, token, gates = sell_everything(setup)
        readings = codes * args.passes + [f"UNKNOWN{i:06d}" for i in range(len(codes) // 100)]
        random.shuffle(readings)
        print(f"{len(codes)} tickets, {len(readings)} readings, {args.scanners} scanners, {args.server} with {args.workers} workers ({args.threads} threads), "
              f"PostgreSQL, {os.cpu_count()} cores")
        print(f"interpreter: {interpreter()}")
        servers = serve(database_url, args.workers, args.port, server=args.server, threads=args.threads)
        try:
            # The gates' devices are on before the doors open: every server thread has its
            # database connection and its prepared statements when the measured rush starts.
            warmup = [f"WARMUP{i:06d}" for i in range(args.warmup)]
            run(doors(f"http://127.0.0.1:{args.port}", warmup, setup["performance"], args.scanners, token, gates))
            if args.pg_stats:
                pg_stats_reset()
            pace_before = pace_ms()
            cpu_before = cpu_by_role(servers)
            stats = run(doors(f"http://127.0.0.1:{args.port}", readings, setup["performance"], args.scanners, token, gates))
            cpu_after = cpu_by_role(servers)
            pace_after = pace_ms()
        finally:
            for proc in servers:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
        n = len(stats["latency"])
        print(f"scans/s {n / stats['elapsed']:.0f}   ({n} scans in {stats['elapsed']:.2f} s)")
        print(f"latency p50 {pct(stats['latency'], 50):.1f} ms  p95 {pct(stats['latency'], 95):.1f} ms  "
              f"p99 {pct(stats['latency'], 99):.1f} ms")
        print(f"outcomes: {dict(stats['results'])}")
        print("CPU ms per scan: " + ", ".join(f"{role} {(cpu_after[role] - cpu_before[role]) * 1000 / max(n, 1):.2f}"
                                               for role in cpu_after))
        print(f"machine pace (bench/pace.py, lower is faster): {pace_before:.1f} ms before, {pace_after:.1f} ms after")
        if args.pg_stats:
            pg_stats_print(n, "scan")
        twice = admitted_twice(setup["performance"])
        print(f"database check: tickets admitted twice = {twice}")
        if twice or stats["results"]["valid"] != len(codes):
            print("FAILURE")
            sys.exit(1)


if __name__ == "__main__":
    main()
