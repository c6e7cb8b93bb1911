"""Read queries on the inventory."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db.models import Count, Q

from entracte.catalog import cache
from entracte.catalog.models import Contingent, Performance, SalesChannel, SeatCategory
from entracte.core.rawsql import as_datetime, fetch, in_list, param_datetime

from .allocation import FreeSeat, seat_score, slots_of
from .models import PerformanceSeat

# Standing places go after every seated place of the same category.
STANDING_DISTANCE = 10**6


def free_q(now: datetime) -> Q:
    """A seat is free if nobody holds it, or if its hold has expired."""
    return Q(state=PerformanceSeat.FREE) | Q(state=PerformanceSeat.HELD, hold_until__lt=now)


def channel_q(channel: SalesChannel) -> Q:
    """Seats outside any contingent, or in a contingent the channel may sell (one SQL subquery)."""
    allowed = Contingent.channels.through.objects.filter(saleschannel_id=channel.pk).values("contingent_id")
    return Q(contingent__isnull=True) | Q(contingent_id__in=allowed)


# free_q() in SQL, for the hand-written statements of the hot path; one parameter: now.
FREE_SQL = "(state = 'free' OR (state = 'held' AND hold_until < %s))"

# A place as allocation sees it: its inventory id, where it is, and its area.
_PLACES = """
    SELECT {columns}ps.id, s.area_id, s.row, s.position, s.x, s.y, ps.area_id
    FROM inventory_performanceseat ps
    LEFT JOIN catalog_seat s ON s.id = ps.seat_id
    WHERE {which}"""
# Free for a channel (free_q() and channel_q()); parameters: now, the channel.
_FREE_FOR_CHANNEL_IS = """(ps.state = 'free' OR (ps.state = 'held' AND ps.hold_until < %s))
      AND (ps.contingent_id IS NULL OR ps.contingent_id IN (
           SELECT contingent_id FROM catalog_contingent_channels WHERE saleschannel_id = %s))"""
_FREE_FOR_CHANNEL = f"\n      AND {_FREE_FOR_CHANNEL_IS}\n"
_FREE_SEATS = _PLACES + _FREE_FOR_CHANNEL
FREE_IDS_SQL = ("SELECT ps.id FROM inventory_performanceseat ps WHERE ps.performance_id = %s AND ps.category_id = %s"
                + _FREE_FOR_CHANNEL)
PLACES_SQL = _PLACES.format(columns="", which="ps.performance_id = %s")
# How many seats of a category are free for a channel, and the first expiry among its
# unexpired holds (when a seat may come back without anyone writing); parameters: now, the
# channel, now, the performance, the category.
FREE_COUNT_SQL = (f"SELECT SUM(CASE WHEN {_FREE_FOR_CHANNEL_IS} THEN 1 ELSE 0 END), "
                  "MIN(CASE WHEN ps.state = 'held' AND ps.hold_until >= %s THEN ps.hold_until END) "
                  "FROM inventory_performanceseat ps WHERE ps.performance_id = %s AND ps.category_id = %s")


# A performance's places are kept longer than the rest of the catalogue: rebuilding the map of
# a 4,000-seat hall every 2 s in each process cost 7 % of the app's CPU in a rush. A seat
# moved on the map reaches other processes' allocation that late at most; it only decides
# which free seats are offered, never whether a seat may be sold.
PLACES_SECONDS = 300


class Places(NamedTuple):
    """Every place of a performance as allocation sees it, by inventory id, and its score
    (allocation.seat_score: nearer the stage's centre is better)."""

    seats: dict[int, FreeSeat]
    scores: dict[int, float]
    slots: dict[int, int]  # allocation.slots_of()


def places(performance: Performance, *, fresh: bool = False) -> Places:
    """The places of a performance from the catalogue cache (catalog/cache.py): a place's
    position in the hall changes only with the seat map, so the hot read of free seats needs
    their ids only."""
    key = ("places", performance.pk)
    if fresh:
        cache.forget(key)

    def load() -> Places:
        hall = performance.hall
        seats = {row[0]: _free_seat(row[:-1], row[-1], hall) for row in fetch(PLACES_SQL, [performance.pk])}
        return Places(seats, {pk: seat_score(s, hall.stage_x, hall.stage_y) for pk, s in seats.items()},
                      slots_of(seats.values()))

    return cache.remember(key, load, seconds=PLACES_SECONDS)


def free_places(*, performance: Performance, category_id: int, channel: SalesChannel,
                now: datetime) -> tuple[list[FreeSeat], Places]:
    """The free seats of a category that the channel may sell, and the performance's places
    (their scores and slots for allocation). Hand-written SQL: this read runs on every
    best-available hold and the ORM tripled its cost (docs/performance.md). It states the same rule as free_q() and channel_q();
    tests/test_carts.py checks both agree. Only the ids are read; where the seats are comes
    from places()."""
    ids = [row[0] for row in fetch(FREE_IDS_SQL, [performance.pk, category_id, param_datetime(now), channel.pk], prepare=True)]
    known = places(performance)
    try:
        return list(map(known.seats.__getitem__, ids)), known
    except KeyError:  # places added since they were cached
        known = places(performance, fresh=True)
        return [known.seats[pk] for pk in ids], known


def free_count(*, performance: Performance, category_id: int, channel: SalesChannel,
               now: datetime) -> tuple[int, datetime | None]:
    """How many seats of a category the channel may sell now (free_places(), counted), and
    the first expiry among the category's unexpired holds: until then, no seat comes back
    unless someone gives it back."""
    (free, first_expiry), = fetch(FREE_COUNT_SQL, [param_datetime(now), channel.pk, param_datetime(now), performance.pk,
                                                   category_id], prepare=True)
    return free or 0, as_datetime(first_expiry)


def free_seats_for_allocation(*, performance: Performance, category_id: int, channel: SalesChannel,
                              now: datetime) -> list[FreeSeat]:
    """The free seats of a category that the channel may sell (free_places())."""
    return free_places(performance=performance, category_id=category_id, channel=channel, now=now)[0]


def free_seats_of_many(*, pairs: list[tuple[Performance, int]], channel: SalesChannel,
                       now: datetime) -> dict[tuple[int, int], list[FreeSeat]]:
    """free_seats_for_allocation for several (performance, category) pairs in one query."""
    performances = {p.pk: p for p, _c in pairs}
    categories = sorted({c for _p, c in pairs})
    wanted = {(p.pk, c) for p, c in pairs}
    in_performances, performance_params = in_list("ps.performance_id", performances)
    in_categories, category_params = in_list("ps.category_id", categories)
    sql = _FREE_SEATS.format(
        columns="ps.performance_id, ps.category_id, ",
        which=f"{in_performances} AND {in_categories}")
    result: dict[tuple[int, int], list[FreeSeat]] = {key: [] for key in wanted}
    for row in fetch(sql, [*performance_params, *category_params, param_datetime(now), channel.pk]):
        key = (row[0], row[1])
        if key in wanted:
            result[key].append(_free_seat(row[2:-1], row[-1], performances[row[0]].hall))
    return result


def _free_seat(row, place_area, hall) -> FreeSeat:
    pk, area_id, seat_row, position, x, y = row
    if area_id is None:  # standing place: all side by side, after the seated ones
        return FreeSeat(pk, ("standing", place_area), pk, hall.stage_x, hall.stage_y + STANDING_DISTANCE)
    return FreeSeat(pk, (area_id, seat_row), position, x, y)


def availability(*, performance: Performance, channel: SalesChannel, now: datetime) -> dict[int, int]:
    """Free seats per seat category id, for this channel."""
    rows = (
        PerformanceSeat.objects.filter(performance=performance)
        .filter(free_q(now))
        .filter(channel_q(channel))
        .values("category_id")
        .annotate(n=Count("id"))
    )
    counts = {c.id: 0 for c in SeatCategory.objects.filter(performanceseat__performance=performance).distinct()}
    counts.update({r["category_id"]: r["n"] for r in rows})
    return counts


def seat_map(*, performance: Performance, channel: SalesChannel, now: datetime, token: str = "") -> list[dict]:
    """Every seated place with its public state: free, mine (held by this cart) or taken."""
    allowed = set(Contingent.objects.filter(channels=channel).values_list("id", flat=True))
    rows = (
        PerformanceSeat.objects.filter(performance=performance, seat__isnull=False)
        .values_list("id", "seat__area_id", "seat__row", "seat__number", "seat__x", "seat__y", "category_id",
                     "contingent_id", "state", "hold_token", "hold_until", "seat__wheelchair", "seat__companion")
        .order_by("seat__area_id", "seat__row", "seat__position")
    )
    result = []
    for pk, area, row, number, x, y, category, contingent, state, holder, until, wheelchair, companion in rows:
        expired = state == PerformanceSeat.HELD and until is not None and until < now
        if token and state == PerformanceSeat.HELD and holder == token and not expired:
            public = "mine"
        elif (state == PerformanceSeat.FREE or expired) and (contingent is None or contingent in allowed):
            public = "free"
        else:
            public = "taken"
        result.append({"id": pk, "area_id": area, "row": row, "number": number, "x": x, "y": y,
                       "category_id": category, "state": public, "wheelchair": wheelchair, "companion": companion})
    return result


def state_counts(*, performance: Performance, now: datetime) -> dict[str, int]:
    """Seats by effective state (an expired hold counts as free)."""
    counts = {s: 0 for s, _ in PerformanceSeat.STATES}
    for row in PerformanceSeat.objects.filter(performance=performance).values("state").annotate(n=Count("id")):
        counts[row["state"]] += row["n"]
    expired = PerformanceSeat.objects.filter(performance=performance, state=PerformanceSeat.HELD, hold_until__lt=now).count()
    counts[PerformanceSeat.HELD] -= expired
    counts[PerformanceSeat.FREE] += expired
    return counts
