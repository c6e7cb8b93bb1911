"""The server's WSGI module (entracte/wsgi.py): what a server process does as it starts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_server_process_keeps_what_it_loaded_out_of_the_garbage_collector():
    """Every full collection walked the ~100,000 objects a process loads at start (55-80 ms of
    CPU, with the GIL held, docs/performance.md session 20): they are frozen once loaded."""
    code = "import gc, entracte.wsgi; print(gc.get_freeze_count())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "DJANGO_SETTINGS_MODULE": "entracte.settings"})
    assert int(out.stdout.split()[-1]) > 50_000, out.stdout
