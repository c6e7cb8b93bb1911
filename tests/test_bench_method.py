"""The on-sale bench's order of rushes (bench/onsale.py): the C=200 / C=50 verdict rests on it.

A drift of the shared machine's speed during a run must not favour either concurrency, and
whatever the first counted rush costs must fall on C=200, against its target
(docs/performance.md, session 22).
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def onsale():
    spec = importlib.util.spec_from_file_location("bench_onsale", ROOT / "bench" / "onsale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("rounds", [2, 4, 10])
def test_each_concurrency_runs_as_often_and_as_late_on_average(onsale, rounds):
    schedule = onsale.counterbalanced([50, 200], rounds)
    places = {c: [i for i, each in enumerate(schedule) if each == c] for c in (50, 200)}
    assert len(places[50]) == len(places[200]) == rounds
    # Equal mean places: a speed drifting linearly through the run costs both the same.
    assert sum(places[50]) == sum(places[200])


def test_the_higher_concurrency_goes_first_and_rounds_pair_neighbours(onsale):
    schedule = onsale.counterbalanced([50, 200], 5)
    assert schedule == [200, 50, 50, 200, 200, 50, 50, 200, 200, 50]
    # Each round is one rush of each, next to each other: the printed rush-by-rush ratios pair them.
    assert all(sorted(schedule[i:i + 2]) == [50, 200] for i in range(0, 10, 2))
