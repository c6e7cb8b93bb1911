"""Best-available seat allocation. Pure: no Django, no database.

Rules, in order (docs/allocation.md):
1. N seats side by side in one row, leaving no single isolated free seat beside them;
2. failing that, N seats side by side in one row even if one seat is left isolated;
3. failing that, the N free seats nearest to each other across rows.
Within each rule the best seats win: nearest the stage centre line, then nearest the stage.
"""

from __future__ import annotations

import heapq
import math
import operator
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import pairwise
from typing import NamedTuple

# How much one unit of distance from the stage weighs against one unit of distance
# from the centre line in a seat's score.
ROW_WEIGHT = 0.35
# Candidate anchors examined for a scattered allocation (rule 3).
SCATTER_ANCHORS = 40


class FreeSeat(NamedTuple):
    """A free seat as allocation sees it. A named tuple: hundreds are built per hold, and a
    frozen dataclass cost three times more to build (docs/performance.md)."""

    id: int
    row: Hashable  # seats with the same row key and consecutive positions are side by side
    position: int
    x: float
    y: float


def seat_score(seat: FreeSeat, centre_x: float, stage_y: float) -> float:
    return abs(seat.x - centre_x) + ROW_WEIGHT * abs(seat.y - stage_y)


_position = operator.attrgetter("position")
_bound = operator.itemgetter(0)


def runs(seats: Sequence[FreeSeat]) -> list[list[FreeSeat]]:
    """Maximal blocks of free seats side by side."""
    by_row: dict[Hashable, list[FreeSeat]] = {}
    for seat in seats:
        by_row.setdefault(seat.row, []).append(seat)
    result: list[list[FreeSeat]] = []
    for row in by_row.values():
        row.sort(key=_position)
        current = [row[0]]
        for seat in row[1:]:
            if seat.position == current[-1].position + 1:
                current.append(seat)
            else:
                result.append(current)
                current = [seat]
        result.append(current)
    return result


def slots_of(seats: Iterable[FreeSeat]) -> dict[int, int]:
    """Each seat's slot, by id: two seats are side by side exactly when their slots follow each
    other. For best_available's `slots`, kept with the seats by whoever keeps them."""
    by_row: dict[Hashable, list[FreeSeat]] = {}
    for seat in seats:
        by_row.setdefault(seat.row, []).append(seat)
    slots: dict[int, int] = {}
    base = 0
    for row in by_row.values():
        low = min(seat.position for seat in row)
        for seat in row:
            slots[seat.id] = base + seat.position - low
        base += max(seat.position for seat in row) - low + 2  # a gap: rows never touch
    return slots


def _id_runs(seats: Sequence[FreeSeat], slots: Mapping[int, int]) -> list[list[int]]:
    """runs() as ids, from the seats' slots: one sort of ints and one pass (runs() grouped and
    sorted the seats themselves, the most of a hold's allocation time)."""
    ordered = sorted((seat.id for seat in seats), key=slots.__getitem__)
    at = [slots[pk] for pk in ordered]
    bounds = [0, *(k for k in range(1, len(at)) if at[k] - at[k - 1] != 1), len(ordered)]
    return [ordered[a:b] for a, b in pairwise(bounds)]


def too_few(free: int, n: int) -> bool:
    """No allocation of n seats among `free` free ones: the one rule of "sold out" for best
    available, which best_available() (with scatter) and a sold-out check without the lock
    both apply."""
    return free < n


def best_available(seats: Sequence[FreeSeat], n: int, *, centre_x: float = 0.0, stage_y: float = 0.0,
                   scatter: bool = True, scores: Mapping[int, float] | None = None,
                   slots: Mapping[int, int] | None = None) -> list[int] | None:
    """Ids of the n seats to allocate, or None when fewer than n are free (or, with
    `scatter=False`, when no n seats are side by side). `scores`: each seat's seat_score() by
    id, and `slots`: slots_of() the hall's seats, if the caller keeps them (they depend on the
    hall only)."""
    if n <= 0:
        raise ValueError("n must be positive")
    if too_few(len(seats), n):
        return None
    score = scores if scores is not None else {s.id: seat_score(s, centre_x, stage_y) for s in seats}
    # The best window so far of each kind: its rounded score and ids; lowest wins, ids break ties.
    clean_key = lonely_key = math.inf
    clean: list[int] | None = None
    lonely: list[int] | None = None
    id_runs = _id_runs(seats, slots) if slots is not None else ([s.id for s in run] for run in runs(seats))
    # The runs long enough, each with the least any n of its seats can score (n times its best
    # seat's), walked in that order: once a clean window is found, the runs whose bound is above
    # it cannot hold the answer and are not walked. In a large hall most of them are not
    # (docs/allocation.md). The margin is far above the rounding of the windows' sums, so that
    # a run passed over could not have produced a window of the same rounded score either.
    bounded = []
    for ids in id_runs:
        if len(ids) >= n:
            values = [score[i] for i in ids]
            bounded.append((n * min(values), ids, values))
    bounded.sort(key=_bound)
    for bound, ids, values in bounded:
        if bound > clean_key + 1e-9 + 1e-6 * abs(clean_key):
            break
        size = len(ids)
        window = sum(values[:n])
        last = size - n
        for start in range(last + 1):
            if start:
                window += values[start + n - 1] - values[start - 1]
            # Most windows cannot win: a sum above the best by more than the rounding is passed
            # over before it is rounded or built into a candidate (this loop runs under the
            # category's allocation lock, once per window of every free run).
            if start == 1 or last - start == 1:  # it would leave a single seat at one end
                if window > lonely_key + 1e-9:
                    continue
                key, candidate = round(window, 9), ids[start:start + n]
                if key < lonely_key or (key == lonely_key and candidate < lonely):
                    lonely_key, lonely = key, candidate
            else:
                if window > clean_key + 1e-9:
                    continue
                key, candidate = round(window, 9), ids[start:start + n]
                if key < clean_key or (key == clean_key and candidate < clean):
                    clean_key, clean = key, candidate
    if clean:
        return clean
    if lonely:
        return lonely
    return _nearest_group(seats, n, score) if scatter else None


SeatKey = tuple[Hashable, int]  # (row key, position): the same seat in any performance of a hall


def key_of(seat: FreeSeat) -> SeatKey:
    return (seat.row, seat.position)


def allocate_group(seats: Sequence[FreeSeat], members: int, extras: int, *, prefer: Sequence[SeatKey] = (),
                   centre_x: float = 0.0, stage_y: float = 0.0) -> tuple[list[int], list[int]] | None:
    """A block of `members + extras` seats side by side: the members' ids (side by side
    within the block, the best of it) and the extra seats' ids (the rest, contiguous with
    them). With `prefer` (the members' seats elsewhere), those same seats when they are
    all free, widened by the extras. None when no such block is free."""
    n = members + extras
    if members <= 0 or extras < 0:
        raise ValueError("a group has at least one member and no negative extras")
    score = {s.id: seat_score(s, centre_x, stage_y) for s in seats}
    block = _widen_preferred(seats, prefer, n, score) if len(prefer) == members else None
    if block is None:
        block = best_available(seats, n, centre_x=centre_x, stage_y=stage_y, scatter=False)
    if block is None:
        return None
    # The members take the best window of the block; the block is one run, in seat order.
    order = {s.id: (s.position) for s in seats}
    block = sorted(block, key=order.__getitem__)
    start = min(range(extras + 1), key=lambda i: (round(sum(score[x] for x in block[i:i + members]), 9), i))
    return block[start:start + members], block[:start] + block[start + members:]


def _widen_preferred(seats, prefer, n, score) -> list[int] | None:
    wanted = set(prefer)
    for run in runs(seats):
        keys = [key_of(s) for s in run]
        hits = [i for i, k in enumerate(keys) if k in wanted]
        if len(hits) != len(wanted):
            continue
        first, last = hits[0], hits[-1]
        if last - first + 1 != len(wanted) or len(run) < n:
            return None  # not side by side any more, or no room for the extras
        best = None
        for start in range(max(0, last + 1 - n), min(first, len(run) - n) + 1):
            candidate = (round(sum(score[s.id] for s in run[start:start + n]), 9), start)
            if best is None or candidate < best:
                best = candidate
        return [s.id for s in run[best[1]:best[1] + n]] if best else None
    return None


def _nearest_group(seats: Sequence[FreeSeat], n: int, score: dict[int, float]) -> list[int]:
    anchors = heapq.nsmallest(SCATTER_ANCHORS, seats, key=lambda s: (score[s.id], s.id))
    best: tuple[float, float, list[int]] | None = None
    for anchor in anchors:
        nearest = heapq.nsmallest(
            n, seats, key=lambda s: (math.hypot(s.x - anchor.x, s.y - anchor.y), score[s.id], s.id)
        )
        spread = sum(math.hypot(s.x - anchor.x, s.y - anchor.y) for s in nearest)
        quality = sum(score[s.id] for s in nearest)
        candidate = (round(spread, 9), round(quality, 9), sorted(s.id for s in nearest))
        if best is None or candidate < best:
            best = candidate
    assert best is not None
    return best[2]
