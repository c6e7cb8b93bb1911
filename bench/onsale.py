"""Season-opening rush on one performance: C concurrent buyers each take 2 best-available
seats and check out through the API until the performance is sold out.

    .venv/bin/python bench/onsale.py [--concurrency 50 200] [--rounds 10] [--no-warm-up] [--seats 2000]
                                     [--server uwsgi-router] [--workers 3] [--threads 2] [--when-fast MS] [--performances N]

A warm-up rush first (not counted), then `--rounds` rushes at each concurrency in
counterbalanced order (200, 50, 50, 200, 200, 50, ...), each selling a performance of its own to
new buyers. Each rush is printed; a concurrency's rate is all of its rushes' orders over all of
their time, and the C=200 / C=50 ratio is taken between those. On this shared machine two rushes
of 1.5 s with nothing changed differ by up to 15 %; pooling several of them evens out the
machine's swings instead of leaving the verdict to one pair, and the counterbalanced order keeps
a drift of the machine's speed during the run from favouring either concurrency
(docs/performance.md, sessions 20 and 22).

With `--performances N`, N performances of the same hall go on sale at once and each buyer
picks a performance and a category at random among those not sold out: a rush N times as long
at the cost per order of one performance, to see whether the rate is sustained (the orders
completed in each second are printed).

Runs the app under a WSGI server (uWSGI behind its HTTP router by default) on PostgreSQL (a throwaway cluster, or DATABASE_URL), prints
orders/s, tickets/s, latency percentiles of the hold and of the checkout, errors by code,
then checks in the database that no seat has two valid tickets and sold <= capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from httpclient import run
from pace import pace_ms
from pgcluster import cluster

CARD = {"number": "4242424242424242", "expiry": "12/39", "cvc": "123"}


def django_setup(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "entracte.settings")
    import django

    django.setup()


def prepare(seats: int, performances: int = 1, history: int = 0, rushes: int = 1) -> dict:
    """A fresh database with, for each of `rushes` rushes, `performances` performances of one
    hall of `seats` seats in 4 categories, after `history` past performances of the hall sold
    out (seed_history). Each rush sells performances of its own, as a new opening would: the
    earlier rushes' sales stay behind it as history. `performance`: the first one (for the
    benches that sell one)."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from entracte.catalog.models import (
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

    per_row = 50
    rows = seats // per_row
    cats = [SeatCategory.objects.create(code=f"c{i}", name={"fr": f"Cat {i}"}, sort=i) for i in range(1, 5)]
    lines = ["area,row,number,x,y,category"]
    for r in range(rows):
        code = cats[min(3, r * 4 // rows)].code
        for s in range(per_row):
            lines.append(f"main,R{r + 1},{s + 1},{s * 10},{r * 10},{code}")
    venue = Venue.objects.create(name={"fr": "Bench"})
    hall = Hall.objects.create(venue=venue, name={"fr": "Bench"}, stage_x=per_row * 5, stage_y=-10)
    import_seatmap(hall=hall, text="\n".join(lines))
    web = SalesChannel.objects.create(code="internet", name={"fr": "Internet"})
    PointOfSale.objects.create(code="web", channel=web, name={"fr": "Web"}, order_fee=Decimal("2.00"), hold_minutes=15)
    tariff = Tariff.objects.create(code="plein", name={"fr": "Plein"})
    tariff.channels.set([web])
    season = Season.objects.create(name={"fr": "Bench"}, starts_on="2026-01-01", ends_on="2030-01-01")
    event = Event.objects.create(season=season, slug="bench", name={"fr": "Bench"})
    now = timezone.now()
    seed_history(event, hall, cats, tariff, web, history)
    perfs = []
    for day in range(performances * rushes):
        perf = Performance.objects.create(event=event, hall=hall, starts_at=now + timedelta(days=30 + day),
                                          sales_open_at=now - timedelta(days=1), sales_close_at=now + timedelta(days=29))
        for i, cat in enumerate(cats):
            Price.objects.create(performance=perf, category=cat, tariff=tariff, amount=Decimal(100 - 20 * i))
        total = create_inventory(performance=perf)
        perfs.append(perf.pk)
    connection.close()
    return {"performance": perfs[0], "rushes": [perfs[k * performances:(k + 1) * performances] for k in range(rushes)],
            "categories": [c.pk for c in cats], "tariff": tariff.pk, "capacity": total}


def seed_history(event, hall, categories, tariff, channel, performances: int) -> None:
    """A venue's past sales: `performances` past performances of the hall, each sold out in
    orders of 2 tickets with their payments. Without them the rush would start on empty
    order and ticket tables, analysed empty: PostgreSQL then plans the foreign-key checks of
    the tickets and payments (cached for the connection's life) as sequential scans of the
    orders, and each check costs more as the rush adds orders (docs/performance.md, session 18)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from entracte.catalog.models import Performance, PointOfSale, Price
    from entracte.customers.models import Contact
    from entracte.inventory.models import PerformanceSeat
    from entracte.inventory.services import create_inventory
    from entracte.sales.models import Order, Payment, Ticket

    contact = Contact.objects.create(email="history@example.org")
    point_of_sale = PointOfSale.objects.get(channel=channel)
    now = timezone.now()
    for day in range(1, performances + 1):
        perf = Performance.objects.create(event=event, hall=hall, starts_at=now - timedelta(days=day),
                                          sales_open_at=now - timedelta(days=90 + day),
                                          sales_close_at=now - timedelta(days=day))
        prices = {c.pk: Decimal(100 - 20 * i) for i, c in enumerate(categories)}
        Price.objects.bulk_create(Price(performance=perf, category_id=c, tariff=tariff, amount=a) for c, a in prices.items())
        create_inventory(performance=perf)
        seats = list(PerformanceSeat.objects.filter(performance=perf).order_by("id").values_list("id", "category_id"))
        pairs = [seats[i:i + 2] for i in range(0, len(seats) - 1, 2)]
        orders = Order.objects.bulk_create(
            Order(contact=contact, email=contact.email, point_of_sale=point_of_sale, currency="EUR",
                  subtotal=sum(prices[c] for _s, c in pair), order_fee=point_of_sale.order_fee,
                  total=sum(prices[c] for _s, c in pair) + point_of_sale.order_fee) for pair in pairs)
        Ticket.objects.bulk_create(
            Ticket(order=order, performance=perf, performance_seat_id=seat, category_id=c, tariff=tariff, price=prices[c])
            for order, pair in zip(orders, pairs, strict=True) for seat, c in pair)
        Payment.objects.bulk_create(
            Payment(order=order, contact=contact, method="card", provider="demo_card", amount=order.total, currency="EUR")
            for order in orders)
        PerformanceSeat.objects.filter(performance=perf).update(state="sold")


def before_rush() -> None:
    """The previous rush's finished tasks deleted, the tables vacuumed and analysed."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="SUCCESSFUL").delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE") if connection.vendor == "postgresql" else None
    connection.close()


def verify(performances: list[int], capacity: int) -> dict:
    """Tickets and sold seats over all the performances; `oversold`: the tickets beyond
    `capacity`, summed over the performances."""
    from django.db.models import Count

    from entracte.inventory.models import PerformanceSeat
    from entracte.sales.models import Ticket

    valid = Ticket.objects.filter(performance_id__in=performances, status="valid")
    doubled = valid.values("performance_seat").annotate(n=Count("id")).filter(n__gt=1).count()
    sold = PerformanceSeat.objects.filter(performance_id__in=performances, state="sold").count()
    per_performance = valid.values("performance_id").annotate(n=Count("id"))
    return {"tickets": valid.count(), "seats_sold": sold, "seats_with_two_valid_tickets": doubled,
            "oversold": sum(max(0, row["n"] - capacity) for row in per_performance)}


def emails_drained(timeout: float = 120.0) -> float | None:
    """Wait until every confirmation email due has been sent (no order left in the outbox, no
    email task waiting or running); return how long that took, None if it did not happen."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from entracte.sales.models import Order

    # One connection for the whole wait: a new one per poll forked a PostgreSQL backend each
    # time, and their CPU counted as the rush's.
    start = time.perf_counter()
    try:
        while time.perf_counter() - start < timeout:
            if not (Order.objects.filter(confirmation_due=True).exists()
                    or DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()):
                return time.perf_counter() - start
            time.sleep(0.2)
        return None
    finally:
        connection.close()


def cpu_by_role(servers: list[subprocess.Popen]) -> dict[str, float]:
    """CPU seconds used so far by each part of the run, read from /proc (Linux): the app
    server is the first of `servers` with its child processes, the task worker the second.
    PostgreSQL's includes what its exited processes used (the postmaster's reaped children:
    autovacuum workers come and go during a rush), and the app server's likewise."""
    tick = os.sysconf("SC_CLK_TCK")
    roles = {"app server": 0.0, "task worker": 0.0, "postgresql": 0.0, "load generator": 0.0}
    processes = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        processes[int(entry)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / tick,
                                 (int(fields[13]) + int(fields[14])) / tick)
    app, worker = servers[0].pid, servers[1].pid
    for pid, (comm, parent, seconds, reaped) in processes.items():
        if pid == os.getpid():
            roles["load generator"] += seconds
        elif pid == worker:
            roles["task worker"] += seconds
        elif pid == app or parent == app:
            roles["app server"] += seconds + reaped
        elif comm.startswith("postgres"):
            roles["postgresql"] += seconds + reaped
    return roles


def pg_stats_reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        cursor.execute("SELECT pg_stat_statements_reset()")
    connection.close()


def pg_stats_print(orders: int, unit: str = "order") -> None:
    """PostgreSQL's time per order (or other unit of work), by statement (planning + execution),
    costliest first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT calls, total_plan_time, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 90)
                          FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 15""")
        rows = cursor.fetchall()
    connection.close()
    print(f"  PostgreSQL time per {unit} (ms): plan / exec / calls per {unit} / statement")
    for calls, plan, exe, query in rows:
        print(f"    {plan / max(orders, 1):6.3f} {exe / max(orders, 1):6.3f} {calls / max(orders, 1):5.2f}  {query}")


def per_second(stats: dict) -> list[int]:
    """Orders completed in each whole second of the rush (the last, partial second left out)."""
    counts = [0] * int(stats["elapsed"])
    for at in stats["done"]:
        second = int(at - stats["start"])
        if second < len(counts):
            counts[second] += 1
    return counts


def requests_made(stats: dict, concurrency: int) -> str:
    """How many requests the rush took per order (each buyer's new cart, every hold, the ones
    answered "sold out" included, every checkout) and when its first and last orders came:
    what a rush costs beyond its orders (docs/performance.md, session 19)."""
    requests = concurrency + len(stats["hold"]) + len(stats["checkout"])
    line = f"requests: {requests}, {requests / max(stats['orders'], 1):.2f} per order"
    if stats["done"]:
        line += (f"; first order {(min(stats['done']) - stats['start']) * 1000:.0f} ms after the start, "
                 f"the last {(stats['start'] + stats['elapsed'] - max(stats['done'])) * 1000:.0f} ms before the end")
    return line


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] * 1000


async def timed_post(connection, path, body, stats, name):
    """POST, record the latency under `name`; return (status, body), or None on a transport error."""
    t0 = time.perf_counter()
    try:
        status, data = await connection.post(path, body)
    except (ConnectionError, OSError, ValueError) as exc:
        stats["errors"][f"{name}:{type(exc).__name__}"] += 1
        return None
    stats[name].append(time.perf_counter() - t0)
    return status, data


async def buyer(base, setup, stats, deadline, number: int):
    from httpclient import Connection

    host, port = base.rsplit("/", 1)[1].split(":")
    connection = Connection(host, int(port))
    try:
        # New guests at every rush: each makes his contact with his first order.
        await _buy(connection, setup, stats, deadline, f"buyer{number}.rush{setup.get('rush', 0)}@example.org")
    finally:
        connection.close()


async def _buy(connection, setup, stats, deadline, email: str):
    """One buyer (a guest contact of its own) on one connection."""
    token = (await connection.post("/api/carts", {}))[1]["token"]
    choices = [(p, c) for p in setup["performances"] for c in setup["categories"]]
    while choices and time.perf_counter() < deadline:
        choice = random.choice(choices)
        performance, category = choice
        body = {"performance_id": performance, "category_id": category, "tariff_id": setup["tariff"], "quantity": 2}
        answer = await timed_post(connection, f"/api/carts/{token}/best-available", body, stats, "hold")
        if answer is None:
            continue
        status, data = answer
        if status != 200:
            stats["errors"][f"hold:{data.get('code', status)}"] += 1
            if data.get("code") == "sold_out":
                # The answer names the performance's other categories that may still have seats.
                left = set(data.get("categories_left", ()))
                choices = [(p, c) for p, c in choices if p != performance or c in left]
            continue
        answer = await timed_post(connection, f"/api/carts/{token}/checkout",
                                  {"email": email, "card": CARD}, stats, "checkout")
        if answer is None:
            continue
        status, data = answer
        if status == 201:
            stats["orders"] += 1
            stats["done"].append(time.perf_counter())
            stats["tickets"] += len(data["tickets"])
        else:
            stats["errors"][f"checkout:{data.get('code', status)}"] += 1


async def rush(base: str, setup: dict, concurrency: int, time_limit: float) -> dict:
    """C buyers, each on its own connection (bench/httpclient.py), until sold out or the time limit."""
    stats = {"hold": [], "checkout": [], "orders": 0, "tickets": 0, "errors": Counter(), "done": [],
             "concurrency": concurrency}
    start = stats["start"] = time.perf_counter()
    deadline = start + time_limit
    await asyncio.wait_for(asyncio.gather(*(buyer(base, setup, stats, deadline, i) for i in range(concurrency))),
                           timeout=time_limit + 60)
    stats["elapsed"] = time.perf_counter() - start
    return stats


SERVERS = {
    # name: command line after the executable; {workers}, {port}, {threads}, {socket} are filled in.
    "gunicorn": ["gunicorn", "entracte.wsgi", "--bind", "127.0.0.1:{port}", "--workers", "{workers}", "--worker-class", "sync",
                 "--backlog", "2048", "--log-level", "warning", "--timeout", "60"],
    "gthread": ["gunicorn", "entracte.wsgi", "--bind", "127.0.0.1:{port}", "--workers", "{workers}", "--worker-class", "gthread",
                "--threads", "{threads}", "--backlog", "2048", "--log-level", "warning", "--timeout", "60", "--keep-alive", "30"],
    "uwsgi": ["uwsgi", "--http11-socket", "127.0.0.1:{port}", "--module", "entracte.wsgi:application", "--processes", "{workers}",
              "--threads", "{threads}", "--master", "--die-on-term", "--disable-logging", "--need-app", "--lazy-apps",
              "--listen", "128", "--so-keepalive"],
    # The router hands each request to the workers over a Unix socket ({socket}): half the
    # router's CPU per request of the loopback TCP socket it opens by default (docs/performance.md).
    "uwsgi-router": ["uwsgi", "--http", "127.0.0.1:{port}", "--http-keepalive", "--socket", "{socket}", "--http-to", "{socket}",
                     "--module", "entracte.wsgi:application",
                     "--processes", "{workers}", "--threads", "{threads}", "--master", "--die-on-term", "--disable-logging",
                     "--need-app", "--lazy-apps", "--listen", "1024"],
}


# The server and the task worker run on the interpreter (and in the environment) this bench
# runs on: which CPython build it is changes the figures (docs/performance.md, session 14).
BIN = Path(sys.executable).parent


def interpreter() -> str:
    """Which Python runs the bench, and whether its libpython is a shared library (pyenv's
    default build) or linked into the executable (Debian's, built with PGO and LTO)."""
    with open("/proc/self/maps") as maps:
        shared = "libpython" in maps.read()
    return (f"{platform.python_implementation()} {platform.python_version()} at {os.path.realpath(sys.executable)}, "
            f"libpython {'shared' if shared else 'static'}")


def serve(database_url: str, workers: int, port: int, server: str = "gunicorn", threads: int = 4,
          worker_nice: int = 0) -> list[subprocess.Popen]:
    """The app server plus one task worker sending the confirmation emails, as in production
    (docs/operations.md: the worker at a lower CPU priority than the web server, `worker_nice`)."""
    import tempfile

    var = tempfile.mkdtemp(prefix="entracte-bench-var.")
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "CONN_MAX_AGE": "600", "LOG_LEVEL": "ERROR",
           "ALLOWED_HOSTS": "127.0.0.1", "ENTRACTE_TASKS": "database",
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "ENTRACTE_VAR_DIR": var}
    exe, *rest = SERVERS[server]
    socket = os.path.join(var, "uwsgi.sock")
    cmd = [str(BIN / exe), *(a.format(workers=workers, port=port, threads=threads, socket=socket) for a in rest)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    # `nice` execs the worker: the same process (its CPU is counted by pid, cpu_by_role).
    worker = subprocess.Popen(["nice", "-n", str(worker_nice), str(BIN / "python"), "manage.py", "db_worker", "--interval", "0.5"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import http.client
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/events", timeout=1)
            time.sleep(2)  # the other workers finish starting before the CPU counts begin
            return [proc, worker]
        except (OSError, http.client.HTTPException):  # not listening, or not answering, yet
            time.sleep(0.2)
    proc.kill()
    worker.kill()
    raise RuntimeError("gunicorn did not start")


def wait_for_pace(below_ms: float, limit_s: float) -> float:
    """The machine's pace once it is below `below_ms`, or when `limit_s` seconds have passed;
    says how long it waited. The VM's slow phases come from outside (docs/performance.md,
    session 16): this chooses the moment a rush starts, never what it measures."""
    start = time.monotonic()
    while (pace := pace_ms()) >= below_ms and time.monotonic() - start < limit_s:
        time.sleep(0.5)
    waited = time.monotonic() - start
    print(f"\n(waited {waited:.0f} s for a pace below {below_ms:g} ms: "
          + (f"{pace:.1f} ms)" if pace < below_ms else f"not reached, {pace:.1f} ms; the rush starts anyway)"))
    return pace


def counterbalanced(concurrencies: list[int], rounds: int) -> list[int]:
    """The order of the counted rushes: each round reverses the one before (200, 50, 50, 200, 200,
    50, ...), so that a machine growing slower or faster during the run favours neither
    concurrency; plain alternation (50, 200, 50, 200, ...) always ran C=200 one rush later. The
    last concurrency given goes first, right after the warm-up: whatever that place costs falls
    on C=200, against its target."""
    return [c for round_ in range(rounds) for c in (concurrencies[::-1] if round_ % 2 == 0 else concurrencies)]


def pooled(rushes: list[tuple[int, float]]) -> float:
    """The rate over several rushes of one concurrency: all their orders over all their time."""
    return sum(n for n, _ in rushes) / sum(t for _, t in rushes)


def report(stats: dict, drained: float | None, cpu_used: dict[str, float], check: dict, pace: tuple[float, float]) -> None:
    """What one rush did: its rate, latencies, errors, CPU per order, the database check."""
    rate = stats["orders"] / stats["elapsed"]
    print(f"  orders/s {rate:.1f}   tickets/s {stats['tickets'] / stats['elapsed']:.1f}")
    if seconds := per_second(stats):
        print(f"  orders in each whole second: {seconds}; slowest {min(seconds)}")
    print("  " + requests_made(stats, stats["concurrency"]))
    for name in ("hold", "checkout"):
        lat = stats[name]
        print(f"  {name:8s} n={len(lat):5d}  p50 {pct(lat, 50):7.1f} ms  p95 {pct(lat, 95):7.1f} ms  p99 {pct(lat, 99):7.1f} ms")
    print(f"  errors by code: {dict(stats['errors'])}")
    print("  confirmation emails: " + ("all sent " + f"{drained:.1f} s after the rush" if drained is not None
                                        else "NOT all sent 120 s after the rush"))
    print("  CPU ms per order: " + ", ".join(
        f"{role} {seconds * 1000 / max(stats['orders'], 1):.2f}" for role, seconds in cpu_used.items()))
    print(f"  database check: {check}")
    print(f"  machine pace (bench/pace.py, lower is faster): {pace[0]:.1f} ms before, {pace[1]:.1f} ms after")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seats", type=int, default=2000)
    parser.add_argument("--performances", type=int, default=1,
                        help="performances of the hall on sale at once (the buyers spread over them at random)")
    parser.add_argument("--history", type=int, default=5,
                        help="past performances of the hall sold out before the rush (the venue's sales history)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: 3 for uWSGI, 4 for gunicorn)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread, uwsgi, uwsgi-router)")
    parser.add_argument("--server", choices=sorted(SERVERS), default="uwsgi-router",
                        help="uwsgi-router (default: uWSGI's HTTP router keeps the buyers' connections, as nginx would, and "
                             "hands requests to 3 workers x 2 threads), gunicorn (4 sync workers, a new connection per "
                             "request), gthread or uwsgi (a thread per open connection)")
    parser.add_argument("--worker-nice", type=int, default=10,
                        help="niceness of the task worker sending the emails (docs/operations.md; 0: the web server's priority)")
    parser.add_argument("--pg-stats", action="store_true", help="print PostgreSQL's costliest statements (pg_stat_statements)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="rushes at each concurrency, in counterbalanced order (200, 50, 50, 200, 200, 50, ...): each "
                             "concurrency's rate is over all of its rushes (docs/performance.md, sessions 20 and 22)")
    parser.add_argument("--warm-up", action=argparse.BooleanOptionalAction, default=True,
                        help="a first rush at the first concurrency, not counted: the fresh server's processes warm up on it")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--when-fast", type=float, default=None, metavar="MS",
                        help="start each rush only once the machine's pace (bench/pace.py) is below MS, waiting up to "
                             "--wait-limit seconds (default: start at once); the pace is printed either way")
    parser.add_argument("--wait-limit", type=float, default=900.0)
    args = parser.parse_args()
    if args.workers is None:
        args.workers = 3 if args.server.startswith("uwsgi") else 4

    extra = "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on" if args.pg_stats else ""
    with cluster(extra_options=extra) as database_url:
        if "entracte_bench" in database_url:
            subprocess.run(["psql", database_url.replace("/entracte_bench", "/postgres"), "-qc", "CREATE DATABASE entracte_bench"],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        django_setup(database_url)
        setup = prepare(args.seats, args.performances, args.history, args.warm_up + len(args.concurrency) * args.rounds)
        print(f"{args.performances} performance(s) of {setup['capacity']} seats after {args.history} sold out, {args.server} with {args.workers} workers, PostgreSQL, {os.cpu_count()} cores, "
              f"task worker at nice {args.worker_nice}")
        print(f"interpreter: {interpreter()}")
        servers = serve(database_url, args.workers, args.port, args.server, threads=args.threads,
                        worker_nice=args.worker_nice)
        schedule = ([args.concurrency[0]] if args.warm_up else []) + counterbalanced(args.concurrency, args.rounds)
        rates: dict[int, list[tuple[int, float]]] = {}
        try:
            for number, (c, performances) in enumerate(zip(schedule, setup["rushes"], strict=True)):
                warm_up = args.warm_up and number == 0
                before_rush()
                if args.pg_stats:
                    pg_stats_reset()
                pace_before = pace_ms() if args.when_fast is None else wait_for_pace(args.when_fast, args.wait_limit)
                cpu_before = cpu_by_role(servers)
                stats = run(rush(f"http://127.0.0.1:{args.port}", {**setup, "performances": performances, "rush": number},
                                 c, args.time_limit))
                # The confirmation emails are sent in the background: count the worker's CPU
                # until the last one is out.
                drained = emails_drained()
                cpu_used = {role: seconds - cpu_before[role] for role, seconds in cpu_by_role(servers).items()}
                check = verify(performances, setup["capacity"])
                print("\n" + ("warm-up rush, not counted: " if warm_up else "") + f"C={c}: {stats['orders']} orders, "
                      f"{stats['tickets']} tickets in {stats['elapsed']:.2f} s")
                report(stats, drained, cpu_used, check, (pace_before, pace_ms()))
                if args.pg_stats:
                    pg_stats_print(stats["orders"])
                if check["seats_with_two_valid_tickets"] or check["oversold"]:
                    print("  OVERSOLD: FAILURE")
                    sys.exit(1)
                if not warm_up:
                    rates.setdefault(c, []).append((stats["orders"], stats["elapsed"]))
            print()
            for c, rushes in rates.items():
                print(f"C={c}: {sum(n for n, _ in rushes)} orders in {len(rushes)} rush(es) of {sum(t for _, t in rushes):.2f} s: "
                      f"{pooled(rushes):.1f} orders/s (rush by rush {', '.join(f'{n / t:.1f}' for n, t in rushes)})")
            if len(rates) == 2:
                low, high = sorted(rates)
                pairs = ", ".join(f"{(n2 / t2) / (n1 / t1):.0%}" for (n1, t1), (n2, t2) in zip(rates[low], rates[high]))
                print(f"\nC={high} rate / C={low} rate = {pooled(rates[high]) / pooled(rates[low]):.1%} (rush by rush {pairs})")
        finally:
            for proc in servers:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
