"""Best-available allocation (pure): properties over random halls and occupancy."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from entracte.inventory.allocation import FreeSeat, best_available, runs, seat_score


@st.composite
def halls(draw):
    """A random hall: rows of random width with aisles, a random set of seats taken."""
    n_rows = draw(st.integers(1, 6))
    seats, taken = [], set()
    pk = 0
    for r in range(n_rows):
        width = draw(st.integers(1, 14))
        aisle = draw(st.one_of(st.none(), st.integers(1, max(1, width - 1))))
        for s in range(width):
            pk += 1
            position = s + 1 + (1 if aisle is not None and s >= aisle else 0)
            seat = FreeSeat(pk, r, position, float(s * 10), float(r * 10))
            if draw(st.booleans()):
                taken.add(pk)
            seats.append(seat)
    free = [s for s in seats if s.id not in taken]
    return free


def _contiguous(ids, free):
    by_id = {s.id: s for s in free}
    chosen = sorted((by_id[i] for i in ids), key=lambda s: s.position)
    return len({s.row for s in chosen}) == 1 and all(b.position == a.position + 1 for a, b in itertools.pairwise(chosen))


def _leaves_single(ids, free):
    chosen = set(ids)
    for run in runs(free):
        inside = [s.id in chosen for s in run]
        if any(inside):
            first, last = inside.index(True), len(inside) - 1 - inside[::-1].index(True)
            return first == 1 or len(run) - 1 - last == 1
    return False


@settings(max_examples=400, deadline=None)
@given(halls(), st.integers(1, 8))
def test_allocates_only_free_distinct_seats_or_none(free, n):
    ids = best_available(free, n, centre_x=40)
    if len(free) < n:
        assert ids is None
        return
    assert ids is not None and len(ids) == n
    assert len(set(ids)) == n
    assert set(ids) <= {s.id for s in free}


@settings(max_examples=400, deadline=None)
@given(halls(), st.integers(1, 8))
def test_contiguous_whenever_a_contiguous_block_exists(free, n):
    block_exists = any(len(run) >= n for run in runs(free)) if free else False
    ids = best_available(free, n, centre_x=40)
    if block_exists:
        assert _contiguous(ids, free)


@settings(max_examples=400, deadline=None)
@given(halls(), st.integers(1, 8))
def test_no_isolated_single_seat_when_a_clean_block_exists(free, n):
    clean_exists = any(
        len(run) >= n and any(start != 1 and len(run) - start - n != 1 for start in range(len(run) - n + 1))
        for run in (runs(free) if free else [])
    )
    ids = best_available(free, n, centre_x=40)
    if clean_exists:
        assert not _leaves_single(ids, free)


def _windows(free, n, centre_x):
    """Every n seats side by side: (leaves a single seat at an end, score, ids)."""
    for run in runs(free):
        for start in range(len(run) - n + 1):
            block = run[start:start + n]
            yield (start == 1 or len(run) - start - n == 1), sum(seat_score(s, centre_x, 0) for s in block), [s.id for s in block]


@settings(max_examples=400, deadline=None)
@given(halls(), st.integers(1, 8))
def test_the_best_window_of_the_best_kind_wins_and_kept_scores_change_nothing(free, n):
    windows = list(_windows(free, n, 40))
    ids = best_available(free, n, centre_x=40)
    clean = [(score, block) for lonely, score, block in windows if not lonely]
    pool = clean or [(score, block) for _lonely, score, block in windows]
    if pool:
        chosen = [score for score, block in pool if block == ids]
        assert chosen and chosen[0] <= min(score for score, _block in pool) + 1e-6
    assert best_available(free, n, centre_x=40, scores={s.id: seat_score(s, 40, 0) for s in free}) == ids


def _best_window(free, n, centre_x):
    """The rules stated plainly: of every n seats side by side, the lowest score then the lowest
    ids, among those leaving no single seat if there are any."""
    windows = list(_windows(free, n, centre_x))
    for leaves_single in (False, True):
        pool = [(round(score, 9), block) for lonely, score, block in windows if lonely == leaves_single]
        if pool:
            return min(pool)[1]
    return None


@settings(max_examples=600, deadline=None)
@given(halls(), st.integers(1, 8))
def test_the_answer_is_exactly_the_best_window_by_score_then_ids(free, n):
    """Runs that cannot beat the best clean window found are passed over: the answer is still
    the one of walking them all."""
    assert best_available(free, n, centre_x=40, scatter=False) == _best_window(free, n, 40)


def test_the_runs_passed_over_hold_no_better_window():
    # Five rows of 12; the front row's centre is free: rows behind cannot beat its best window.
    seats = [FreeSeat(r * 100 + i, r, i, float(i * 10), float(r * 10)) for r in range(5) for i in range(1, 13)]
    assert best_available(seats, 2, centre_x=65) == [6, 7]
    # Row 0 taken but for its two ends: the best clean window is now in row 1.
    free = [s for s in seats if s.row != 0 or s.position in (1, 12)]
    assert best_available(free, 2, centre_x=65) == [106, 107]


def test_prefers_the_centre_line():
    row = [FreeSeat(i, "A", i, float(i * 10), 0.0) for i in range(1, 11)]
    assert sorted(best_available(row, 2, centre_x=55)) == [5, 6]


def test_prefers_rows_nearer_the_stage_at_equal_centring():
    seats = [FreeSeat(r * 10 + i, r, i, float(i * 10), float(r * 10)) for r in range(3) for i in range(1, 5)]
    assert all(s // 10 == 0 for s in best_available(seats, 2, centre_x=25))


def test_avoids_leaving_one_seat_alone():
    # Free seats 1..5 in a row; the centre is at seat 2: taking 2-3 would strand seat 1.
    row = [FreeSeat(i, "A", i, float(i * 10), 0.0) for i in range(1, 6)]
    ids = sorted(best_available(row, 2, centre_x=20))
    assert ids in ([1, 2], [3, 4], [4, 5])


def test_aisle_breaks_contiguity_then_nearest_across_rows():
    # Row A: seats 1 and 3 free (2 taken); row B: seat 1 free. No two side by side.
    seats = [FreeSeat(1, "A", 1, 0.0, 0.0), FreeSeat(3, "A", 3, 20.0, 0.0), FreeSeat(4, "B", 1, 0.0, 10.0)]
    ids = best_available(seats, 2, centre_x=0)
    assert sorted(ids) == [1, 4]  # one behind the other beats two seats apart


def test_not_enough_seats():
    assert best_available([FreeSeat(1, "A", 1, 0, 0)], 2) is None


@settings(max_examples=600, deadline=None)
@given(halls(), st.integers(1, 8), st.booleans())
def test_the_seats_slots_change_nothing(free, n, scatter):
    """best_available with the hall's slots (slots_of, kept with the places) finds the runs
    from them: the same answer as from the seats themselves."""
    from random import Random

    from entracte.inventory.allocation import slots_of

    hall = list(free)
    Random(n).shuffle(hall)  # whatever order the seats come in
    slots = slots_of(hall)
    assert best_available(hall, n, centre_x=40, scatter=scatter, slots=slots) == best_available(
        free, n, centre_x=40, scatter=scatter)
