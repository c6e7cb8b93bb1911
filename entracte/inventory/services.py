"""Taking and giving back seats. Every claim is one conditional UPDATE whose row count is checked.

Call these inside the caller's transaction (`transaction.atomic`): the sales services
compose them with cart and order writes so that everything commits or nothing does.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from entracte.catalog.models import Performance, SalesChannel
from entracte.core.locking import advisory_lock, advisory_locks
from entracte.core.rawsql import execute, in_list, param_datetime

from . import selectors
from .allocation import allocate_group, best_available, key_of, too_few
from .errors import NoBlockFree, SeatNotForSale, SeatUnavailable, SoldOut
from .models import PerformanceSeat

# The concurrency tests switch this off to prove that the race is real (the canary):
# without the guard a claim overwrites whatever state the seat is in, as naive
# read-then-write code would. It is never switched off outside those tests.
CLAIM_GUARD = True


def create_inventory(*, performance: Performance) -> int:
    """One inventory row per seat and per standing place of the performance's hall."""
    if PerformanceSeat.objects.filter(performance=performance).exists():
        return 0
    rows = [
        PerformanceSeat(performance=performance, seat_id=seat_id, area_id=area_id, category_id=category_id)
        for seat_id, area_id, category_id in performance.hall.areas.filter(kind="seated").values_list(
            "seats__id", "id", "seats__category_id"
        )
        if seat_id
    ]
    for area in performance.hall.areas.filter(kind="standing"):
        rows += [PerformanceSeat(performance=performance, area=area, category_id=area.category_id) for _ in range(area.capacity)]
    PerformanceSeat.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


# The hot-path writes are hand-written SQL: the ORM spent more CPU building each of these
# statements than PostgreSQL spent running it (docs/performance.md). The free condition is
# selectors.FREE_SQL, the same rule as selectors.free_q(); tests/test_carts.py checks they agree.
_TABLE = "inventory_performanceseat"


def _update(sql: str, params: list, ids) -> int:
    """Run `UPDATE … WHERE <conditions>` on the rows of `ids` only; return how many changed."""
    which, id_params = in_list("id", ids)
    return execute(f"{sql} AND {which}", [*params, *id_params], prepare=True)


def claim_statement(*, token: str, until: datetime, now: datetime) -> tuple[str, list]:
    """`UPDATE … SET <held by token until> WHERE <the seat is free>` and its parameters; the
    caller adds which seats (`AND id = …`) and checks how many rows changed. A caller may run
    it as a part of a larger statement (sales/carts.py), through the `claim` of the holds."""
    sql = f"UPDATE {_TABLE} SET state = 'held', hold_token = %s, hold_until = %s WHERE "
    params = [token, param_datetime(until)]
    if CLAIM_GUARD:
        sql += selectors.FREE_SQL
        params.append(param_datetime(now))
    else:
        sql += "1 = 1"
    return sql, params


def _claim(ids: list[int], *, token: str, until: datetime, now: datetime) -> int:
    sql, params = claim_statement(token=token, until=until, now=now)
    return _update(sql, params, ids)


# How a hold claims the seats it chose: given their ids, claim them (claim_statement()) and
# return how many it claimed; what else it writes must be conditional on claiming them all.
Claim = Callable[[list[int]], int]


def _undo_claim(ids: list[int], token: str) -> None:
    """Give back the part of a claim that succeeded. The ids were free before the claim, so
    any of them now held by `token` was taken by that very claim."""
    release(ids=ids, token=token)


# What this process last found of categories sold out: (performance, category, channel) ->
# _SoldOut. At the end of a rush every buyer still asking learns it, one request per category
# (800 requests at C=200 in bench/onsale.py). For these, check_not_sold_out() answers without
# the allocation lock or a transaction, and, for SOLD_OUT_MEMO_SECONDS after a read, without
# reading again as long as no hold of the category has expired since. So the seat of an
# expired hold is offered at once; a seat given back (a cart emptied, a refund, an unblock)
# at once by the process that gave it back, within SOLD_OUT_MEMO_SECONDS by the others
# (docs/architecture.md). The memo only ever answers "sold out": every hold is decided under the lock.
SOLD_OUT_MEMO_SECONDS = 1.0
_clock = time.monotonic


@dataclass(frozen=True)
class _SoldOut:
    free: int  # seats the channel could sell at the read
    read_at: float  # _clock() as the read began
    until: datetime | None  # the first expiry among the category's holds then

    def answers(self, quantity: int, now: datetime) -> bool:
        """Still sold out for `quantity` seats, without reading again."""
        return (too_few(self.free, quantity) and _clock() - self.read_at < SOLD_OUT_MEMO_SECONDS
                and (self.until is None or now < self.until))


_UNREAD = _SoldOut(0, float("-inf"), None)  # found sold out under the lock; read again before answering
_sold_out: dict[tuple[int, int, int], _SoldOut] = {}


def check_not_sold_out(*, performance: Performance, category_id: int, quantity: int, channel: SalesChannel,
                       now: datetime) -> None:
    """Raise SoldOut, outside any transaction and without waiting for the allocation lock,
    when a category this process found sold out still has fewer than `quantity` free seats.

    A read's answer is as sure as the one under the lock: it sees every committed change, and a
    seat only stops being free through a claim, so waiting for the claimers holding the lock
    could only find fewer free seats. A seat given back meanwhile is not ordered by the lock
    either. Costs nothing for a category not found sold out; one read at most per category
    and SOLD_OUT_MEMO_SECONDS otherwise."""
    key = (performance.pk, category_id, channel.pk)
    memo = _sold_out.get(key)
    if memo is None:
        return
    if memo.answers(quantity, now):
        raise SoldOut()
    read_at = _clock()
    free, first_expiry = selectors.free_count(performance=performance, category_id=category_id, channel=channel, now=now)
    if too_few(free, quantity):
        _sold_out[key] = _SoldOut(free, read_at, first_expiry)
        raise SoldOut()
    _sold_out.pop(key, None)


def known_sold_out(*, performance: Performance, category_ids: frozenset[int], quantity: int, channel: SalesChannel,
                   now: datetime) -> set[int]:
    """Those of the categories this process knows to have fewer than `quantity` free seats: the
    ones whose memo would answer check_not_sold_out() without a read. No query."""
    known = set()
    for category_id in category_ids:
        memo = _sold_out.get((performance.pk, category_id, channel.pk))
        if memo is not None and memo.answers(quantity, now):
            known.add(category_id)
    return known


def forget_sold_out() -> None:
    _sold_out.clear()


def seats_returned() -> None:
    """Seats come back on sale: forget what this process found sold out, now and once the
    change commits (a read in between did not see it)."""
    forget_sold_out()
    transaction.on_commit(forget_sold_out)


def hold_best_available(*, performance: Performance, category_id: int, quantity: int,
                        channel: SalesChannel, token: str, until: datetime, now: datetime,
                        claim: Claim | None = None) -> list[int]:
    """Hold the best `quantity` free seats of a category; return their inventory ids. `claim`:
    how to claim them, if not by claim_statement() alone."""
    claim = claim or functools.partial(_claim, token=token, until=until, now=now)
    # The hall's places (cached for PLACES_SECONDS) read before the lock when they are not in
    # this process's cache yet, not while every other buyer of the category waits for it: at
    # the start of a rush on a 20,000-seat hall each process's first hold read them under the
    # lock (docs/performance.md, session 18).
    selectors.places(performance)
    if CLAIM_GUARD:
        advisory_lock("allocate", performance.pk, category_id)
    for _attempt in range(3):
        free, known = selectors.free_places(performance=performance, category_id=category_id, channel=channel, now=now)
        ids = best_available(free, quantity, centre_x=performance.hall.stage_x, stage_y=performance.hall.stage_y,
                             scores=known.scores, slots=known.slots)
        if ids is None:
            if len(_sold_out) > 10_000:  # bounded: performances come and go
                _sold_out.clear()
            _sold_out[(performance.pk, category_id, channel.pk)] = _UNREAD
            raise SoldOut()
        if claim(ids) == len(ids):
            return ids
        # A buyer who picked seats on the map took one of ours meanwhile: undo and look again.
        _undo_claim(ids, token)
    raise SeatUnavailable()


@dataclass(frozen=True)
class GroupRequest:
    """One block to hold: `members` side by side plus `extras` contiguous with them."""

    performance: Performance
    category_id: int
    members: int
    extras: int


def hold_groups(*, requests: list[GroupRequest], channel: SalesChannel, token: str, until: datetime,
                now: datetime) -> list[tuple[list[int], list[int]]]:
    """Hold one block per request, all of them or none (a subscription's performances): return
    each block's members' and extras' inventory ids. Each block prefers the members' seats of
    the previous request when they are free. Raises NoBlockFree naming the first performance
    without a block.

    Three statements whatever the number of performances: the allocation locks, one read of
    the free seats and one conditional claim (docs/performance.md, subscription allocation)."""
    if not requests:
        return []
    if CLAIM_GUARD:
        advisory_locks([("allocate", r.performance.pk, r.category_id) for r in requests])
    for _attempt in range(3):
        free = selectors.free_seats_of_many(pairs=[(r.performance, r.category_id) for r in requests], channel=channel, now=now)
        found, prefer, taken = [], [], set()
        for r in requests:
            seats = [s for s in free[(r.performance.pk, r.category_id)] if s.id not in taken]
            block = allocate_group(seats, r.members, r.extras, prefer=prefer, centre_x=r.performance.hall.stage_x,
                                   stage_y=r.performance.hall.stage_y)
            if block is None:
                raise NoBlockFree(performance=r.performance.pk, category=r.category_id)
            found.append(block)
            taken.update(block[0] + block[1])
            members = set(block[0])
            prefer = [key_of(s) for s in seats if s.id in members]
        ids = [pk for members_ids, extra_ids in found for pk in members_ids + extra_ids]
        if _claim(ids, token=token, until=until, now=now) == len(ids):
            return found
        # A buyer who picked seats on the map took one of ours meanwhile: undo and look again.
        _undo_claim(ids, token)
    raise SeatUnavailable()


def hold_chosen(*, performance: Performance, ids: list[int], channel: SalesChannel, token: str,
                until: datetime, now: datetime, claim: Claim | None = None) -> list[int]:
    """Hold exactly the seats the buyer picked, or none of them. `claim`: as for hold_best_available."""
    claim = claim or functools.partial(_claim, token=token, until=until, now=now)
    ids = sorted(set(ids))
    sellable = PerformanceSeat.objects.filter(performance=performance, id__in=ids).filter(selectors.channel_q(channel))
    if sellable.count() != len(ids):
        raise SeatNotForSale()
    if claim(ids) != len(ids):
        _undo_claim(ids, token)
        raise SeatUnavailable()
    return ids




# A holder's unexpired holds (the one statement of that rule in SQL); parameters: token, now.
HELD_BY_SQL = "state = 'held' AND hold_token = %s AND hold_until >= %s"
# Moves a holder's unexpired holds to a new expiry; parameters: until, token, now. The caller
# adds which seats: no index reads hold_token (models.PerformanceSeat), so seats are named by id.
EXTEND_HOLD_SQL = f"UPDATE {_TABLE} SET hold_until = %s WHERE {HELD_BY_SQL}"


def extend_hold(*, token: str, until: datetime, now: datetime, ids: list[int]) -> int:
    """Move the holder's unexpired holds among `ids` to `until`; return how many."""
    return _update(EXTEND_HOLD_SQL, [param_datetime(until), token, param_datetime(now)], ids)


def release(*, ids: list[int], token: str) -> int:
    seats_returned()
    return _update(f"UPDATE {_TABLE} SET state = 'free', hold_token = '', hold_until = NULL "
                   "WHERE state = 'held' AND hold_token = %s", [token], ids)


SELL_SQL = f"UPDATE {_TABLE} SET state = 'sold', hold_token = '', hold_until = NULL"
# Turns a holder's unexpired holds into sales; parameters: token, now (then the ids' condition).
MARK_SOLD_SQL = f"{SELL_SQL} WHERE {HELD_BY_SQL}"


def mark_sold(*, ids: list[int], token: str, now: datetime) -> int:
    """Turn the holder's unexpired holds into sales. The caller checks the row count."""
    return _update(MARK_SOLD_SQL, [token, param_datetime(now)], ids)


def assign_contingent(*, ids: list[int], contingent, actor=None) -> int:
    """Put seats in a contingent (None takes them out). Sold or held seats keep their state."""
    from entracte.core import audit

    seats_returned()  # seats taken out of a contingent may now be sold on more channels
    changed = PerformanceSeat.objects.filter(id__in=ids).update(contingent=contingent)
    audit.record(action="inventory.contingent_assigned", object_type="inventory.performanceseat", object_id=",".join(map(str, ids[:50])),
                 actor=actor, data={"contingent": getattr(contingent, "code", None), "seats": changed})
    return changed


def release_sold(*, ids: list[int]) -> int:
    """Put sold seats back on sale (their tickets were cancelled). The caller checks the row count."""
    seats_returned()
    return _update(f"UPDATE {_TABLE} SET state = 'free', hold_token = '', hold_until = NULL WHERE state = 'sold'", [], ids)


# Reservations (pay later): the seats are 'reserved' with the reservation's token as holder
# and no expiry of their own; the deadline lives on the reservation, and staff release
# overdue ones. Each move checks state and holder in the UPDATE, so two operators acting on
# one reservation at once cannot both move its seats.
def reserve_held(*, ids: list[int], token: str, holder: str, now: datetime) -> int:
    """Turn a cart's unexpired holds into seats reserved for `holder`. The caller checks the row count."""
    return _update(f"UPDATE {_TABLE} SET state = 'reserved', hold_token = %s, hold_until = NULL WHERE {HELD_BY_SQL}",
                   [holder, token, param_datetime(now)], ids)


def hold_reserved(*, ids: list[int], holder: str, token: str, until: datetime) -> int:
    """Move seats reserved for `holder` into a cart's hold, to be paid. The caller checks the row count."""
    return _update(f"UPDATE {_TABLE} SET state = 'held', hold_token = %s, hold_until = %s "
                   "WHERE state = 'reserved' AND hold_token = %s", [token, param_datetime(until), holder], ids)


def release_reserved(*, ids: list[int], holder: str) -> int:
    """Put seats reserved for `holder` back on sale. The caller checks the row count."""
    seats_returned()
    return _update(f"UPDATE {_TABLE} SET state = 'free', hold_token = '', hold_until = NULL "
                   "WHERE state = 'reserved' AND hold_token = %s", [holder], ids)
