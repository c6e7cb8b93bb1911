"""The machine's pace at the moment of a run: how long a fixed piece of pure-Python work takes.

The benchmark VM goes through slow phases in which the same code costs up to twice the CPU
time per order (docs/performance.md, sessions 14–16), with no CPU steal reported. A run's
figures mean little without knowing the phase it ran in, so the benches print this pace next
to them. It is printed, never used to correct a figure.

The work is fixed and deterministic (JSON, dicts, sorting, string formatting: what a request
spends its Python on); the median of a few repetitions, single-threaded, with the rest of the
machine idle.
"""

from __future__ import annotations

import json
import time

_DOCUMENT = [{"id": i, "row": f"R{i % 40:02d}", "position": i % 50, "x": (i * 7) % 101 - 50.0, "y": i // 50 * 1.5,
              "category": ["A", "B", "C", "D"][i % 4], "price": f"{20 + i % 60}.50"} for i in range(2000)]


def _work() -> int:
    text = json.dumps(_DOCUMENT)
    seats = json.loads(text)
    by_row: dict[str, list[dict]] = {}
    for seat in seats:
        by_row.setdefault(seat["row"], []).append(seat)
    total = 0
    for row in by_row.values():
        row.sort(key=lambda s: (abs(s["x"]) + 0.35 * s["y"], s["id"]))
        total += sum(len(f"{s['row']}-{s['position']} {s['category']} {s['price']}") for s in row[:20])
    return total


def pace_ms(repeat: int = 9) -> float:
    """Milliseconds of CPU for the fixed work, the median of `repeat` (lower: a faster
    machine; about 0.2 s in all)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(4):
            _work()
        times.append(time.process_time() - start)
    return sorted(times)[repeat // 2] * 1000


if __name__ == "__main__":
    print(f"machine pace: {pace_ms():.1f} ms of reference work")
