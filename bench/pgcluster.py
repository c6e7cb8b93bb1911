"""A throwaway PostgreSQL 15 cluster for benchmarks (same settings as CI's .ci/pg.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager

PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")


def _as_pg(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def cluster(port: int = 25433, extra_options: str = ""):
    """Yield a DATABASE_URL; stop the server and delete its files afterwards. The benches' ports
    are below Linux's ephemeral range (32768-60999): a load generator's closed connections
    linger there in TIME_WAIT and once kept a cluster from binding its port."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield os.environ["DATABASE_URL"]
        return
    tmp = tempfile.mkdtemp(prefix="entracte-bench-pg.")
    os.chmod(tmp, 0o777)
    data = os.path.join(tmp, "data")
    subprocess.run(_as_pg([f"{PGBIN}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                   check=True, stdout=subprocess.DEVNULL)
    options = (f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c max_connections=500 -c shared_buffers=512MB "
               "-c synchronous_commit=off -c fsync=off -c full_page_writes=off " + extra_options)
    subprocess.run(_as_pg([f"{PGBIN}/pg_ctl", "-D", data, "-l", os.path.join(tmp, "log"), "-w", "-o", options, "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    try:
        # Through the Unix socket, as an app on the database's machine should connect
        # (docs/operations.md); BENCH_PG_TCP=1 for loopback TCP.
        if os.environ.get("BENCH_PG_TCP") == "1":
            yield f"postgres://postgres@127.0.0.1:{port}/entracte_bench"
        else:
            yield f"postgres://postgres@{tmp.replace('/', '%2F')}:{port}/entracte_bench"
    finally:
        subprocess.run(_as_pg([f"{PGBIN}/pg_ctl", "-D", data, "-m", "fast", "stop"]), stdout=subprocess.DEVNULL, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
