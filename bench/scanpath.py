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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from inprocess import application, database, profiled
from inprocess import backend_cpu as backend_clock
from onsale import prepare
from scan import sell_everything


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seats", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with database(port=25436):
        setup = prepare(args.seats)
        codes, token, gates = sell_everything(setup)
        from django.db import connection
        from django.test import RequestFactory

        scan, factory = application(), RequestFactory()

        def environ(code: str) -> dict:
            body = json.dumps({"performance_id": setup["performance"], "code": code, "gate_id": gates[0]})
            return factory.post("/api/access/scan", body, content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {token}").environ

        for i in range(300):  # warm up: connection, prepared statements, caches
            scan(environ(f"WARMUP{i:06d}"))
        readings = [environ(code) for code in codes + codes[: len(codes) // 2]]  # built before the clock starts
        backend_cpu = backend_clock()

        n = len(readings)
        with profiled(args.profile):
            pg_before, t0 = backend_cpu(), time.process_time()
            for env in readings:
                status, content = scan(env)
                if status != 200:
                    raise SystemExit(f"scan: {status} {content[:200]}")
            app, pg = time.process_time() - t0, backend_cpu() - pg_before
            print(f"{n} scans in-process: app {app / n * 1000:.3f} ms CPU, PostgreSQL {pg / n * 1000:.3f} ms CPU per scan")
        connection.close()


if __name__ == "__main__":
    main()
