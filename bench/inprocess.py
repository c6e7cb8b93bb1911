"""What the in-process benches share (hotpath.py, scanpath.py): a throwaway PostgreSQL with
Django set up on it, the WSGI application of entracte/wsgi.py called directly, and the CPU
time of this connection's PostgreSQL backend."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from onsale import django_setup
from pgcluster import cluster


@contextmanager
def database(port: int) -> Iterator[str]:
    """A throwaway cluster (or DATABASE_URL's) with the bench database, Django set up on it
    and every host allowed (requests are built by Django's RequestFactory)."""
    with cluster(port=port) as url:
        subprocess.run(["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", "CREATE DATABASE entracte_bench"],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        django_setup(url)
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        yield url


def application() -> Callable[[dict], tuple[int, bytes]]:
    """`call(environ) -> (status, body)` through entracte/wsgi.py's application, keeping one
    database connection throughout (as Django's test client does)."""
    from entracte.wsgi import application as wsgi

    wsgi.tidy_connections = lambda: None

    def call(environ: dict) -> tuple[int, bytes]:
        answer = {}
        content = b"".join(wsgi(environ, lambda status, headers: answer.update(status=int(status[:3]))))
        return answer["status"], content

    return call


def backend_cpu() -> Callable[[], float]:
    """A clock: CPU seconds the PostgreSQL backend of this thread's connection has used (Linux
    /proc; the database on the same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def clock() -> float:
        with open(f"/proc/{backend}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return clock


@contextmanager
def profiled(enabled: bool, sort: str = "tottime", top: int = 40) -> Iterator[None]:
    """cProfile on process time around the block, its top functions printed after (when enabled)."""
    if not enabled:
        yield
        return
    import cProfile
    import pstats
    import time

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        pstats.Stats(profiler).sort_stats(sort).print_stats(top)
