"""In-process cost of one scan at the door, through the WSGI application of entracte/wsgi.py
(the scan's lean lane) but without HTTP or a load generator: the app's CPU per scan and
PostgreSQL's (its backend's CPU from /proc). Every ticket of a sold-out performance is read
once (valid) and half of them a second time (already scanned); with --profile, the top
functions by own time.

    .venv/bin/python bench/scanpath.py [--seats 2000] [--profile]

Needs PostgreSQL (a throwaway cluster is started unless DATABASE_URL points to one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from onsale import django_setup, prepare  # noqa: E402
from pgcluster import cluster  # noqa: E402
from scan import sell_everything  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seats", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with cluster(port=25436) as url:
        subprocess.run(["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", "CREATE DATABASE entracte_bench"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        django_setup(url)
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        setup = prepare(args.seats)
        codes, token, gates = sell_everything(setup)
        from django.db import connection
        from django.test import RequestFactory

        from entracte.wsgi import application

        application.tidy_connections = lambda: None  # as the test client: one connection throughout
        factory = RequestFactory()

        def environ(code: str) -> dict:
            body = json.dumps({"performance_id": setup["performance"], "code": code, "gate_id": gates[0]})
            return factory.post("/api/access/scan", body, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {token}").environ

        def scan(env) -> tuple[int, bytes]:
            answer = {}
            content = b"".join(application(env, lambda status, headers: answer.update(status=int(status[:3]))))
            return answer["status"], content

        for i in range(300):  # warm up: connection, prepared statements, caches
            scan(environ(f"WARMUP{i:06d}"))
        readings = [environ(code) for code in codes + codes[: len(codes) // 2]]  # built before the clock starts
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]

        def backend_cpu() -> float:
            with open(f"/proc/{backend}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
        pg_before, t0 = backend_cpu(), time.process_time()
        for env in readings:
            status, content = scan(env)
            if status != 200:
                raise SystemExit(f"scan: {status} {content[:200]}")
        app, pg = time.process_time() - t0, backend_cpu() - pg_before
        if profiler:
            profiler.disable()
        n = len(readings)
        print(f"{n} scans in-process: app {app / n * 1000:.3f} ms CPU, PostgreSQL {pg / n * 1000:.3f} ms CPU per scan")
        if profiler:
            import pstats

            pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        connection.close()


if __name__ == "__main__":
    main()
