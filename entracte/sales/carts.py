"""Cart operations: holding seats with a tariff each, removing them, changing tariffs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from entracte.catalog import selectors as catalog
from entracte.catalog.models import Performance, PointOfSale, SeatCategory, Tariff
from entracte.core.errors import InvalidInput, NotFound
from entracte.core.rawsql import db, execute, fetch, in_list, insert, param_datetime
from entracte.inventory import services as inventory
from entracte.inventory.errors import SoldOut
from entracte.inventory.models import PerformanceSeat

from . import selectors
from .errors import BundledSeat, CartFull, SalesClosed, TariffNotAvailable
from .models import GRID, Cart, CartBundle, CartItem

MAX_SEATS_PER_CART = 20
MAX_SEATS_PER_REQUEST = 10


def create_cart(*, point_of_sale: PointOfSale) -> Cart:
    """A new, empty cart. The lean insert (core/rawsql.py): every buyer of a rush starts here,
    and the ORM's save cost twice the whole insert (docs/performance.md)."""
    cart = Cart(point_of_sale=point_of_sale)
    insert([cart])
    return cart


def _check_sellable(*, cart: Cart, performance: Performance, tariff_id: int, categories: set[int], now) -> None:
    """The performance is on sale and the tariff is sold on this channel with a price for each category."""
    if not performance.on_sale(now):
        raise SalesClosed()
    priced = catalog.priced_categories(performance_id=performance.pk, tariff_id=tariff_id,
                                       channel_id=cart.point_of_sale.channel_id)
    if categories and categories <= priced:
        return
    # The refusal path may afford to say precisely what is wrong.
    if not Tariff.objects.filter(pk=tariff_id).exists() or len(categories) != SeatCategory.objects.filter(pk__in=categories).count():
        raise NotFound()
    raise TariffNotAvailable()


def _check_quantity(adding: int) -> None:
    if not 1 <= adding <= MAX_SEATS_PER_REQUEST:
        raise InvalidInput(InvalidInput.default_message)


class Held(NamedTuple):
    """A cart line a hold just added (what callers of the holds read of it; a model instance
    per line cost the hold more than its SQL, docs/performance.md)."""

    id: int
    performance_seat_id: int


def hold_window(cart: Cart, now):
    """Until when a seat added to this cart now is held."""
    return now + timedelta(minutes=cart.point_of_sale.hold_minutes)


def drop_stale_items(ids: list[int]) -> None:
    """Before recording new holds on these seats: lines left on them by a hold that expired
    (another cart's, or this one's) are stale."""
    which, params = in_list("performance_seat_id", ids)
    execute(f"DELETE FROM sales_cartitem WHERE {which}", params, prepare=True)


# The seats of a cart's lines: how a cart's holds are found (no index reads hold_token).
_CART_SEATS = "id IN (SELECT performance_seat_id FROM sales_cartitem WHERE cart_id = %s)"


def extend_cart_hold(*, cart: Cart, until, now) -> int:
    """Move the unexpired holds of the cart's seats to `until` (one timer for the whole cart);
    return how many."""
    return execute(f"{inventory.EXTEND_HOLD_SQL} AND {_CART_SEATS}",
                   [param_datetime(until), cart.token, param_datetime(now), cart.pk], prepare=True)


class HeldSeats(list):
    """The cart lines a hold added (Held), and `line_rows`: every line of the cart as the hold
    left it, in the rows selectors.cart_view reads, when the hold's statement read them too
    (PostgreSQL), else None."""

    line_rows: list[tuple] | None = None


# PostgreSQL: the claim, the cart's writes and the read of its lines as one statement (one round
# trip instead of three, docs/performance.md). Every write is conditional on the claim taking all
# the seats (the hold undoes a partial claim and looks again). The stale lines are gone before
# the new ones go in (a cart may take back a seat its own expired hold had). The lines are read
# in the statement's snapshot, before its own writes: the cart's other lines and the new ones,
# with the new seats' and the moved timers' values as the statement wrote them.
_HOLD_ONE_STATEMENT = """
    WITH claimed AS ({claim} AND id = ANY(%s) RETURNING id),
    n AS (SELECT count(*) AS n FROM claimed),
    stale AS (DELETE FROM sales_cartitem WHERE performance_seat_id = ANY(%s) AND (SELECT n FROM n) = %s RETURNING 1),
    items AS (INSERT INTO sales_cartitem (cart_id, performance_id, performance_seat_id, tariff_id)
              SELECT %s, %s, seat, %s FROM unnest(CAST(%s AS bigint[])) AS seat
              WHERE (SELECT count(*) FROM stale) >= 0 AND (SELECT n FROM n) = %s
              RETURNING id, performance_id, performance_seat_id, tariff_id, price_source, price_ref, unit_price, bundle_id),
    held AS ({extend} AND {cart_seats} AND NOT id = ANY(%s) AND (SELECT n FROM n) = %s RETURNING id),
    ci AS (SELECT id, performance_id, performance_seat_id, tariff_id, price_source, price_ref, unit_price, bundle_id
           FROM sales_cartitem WHERE cart_id = %s AND NOT performance_seat_id = ANY(%s)
           UNION ALL SELECT * FROM items)
    SELECT (SELECT n FROM n), (SELECT count(*) FROM held), {columns}
    FROM (SELECT 1) AS one LEFT JOIN (ci {joins}) ON true {order}
"""
# The lines' seats and performances by primary key, one lookup per line: the planner cannot
# tell how few lines `ci` has, and joined the whole inventory and programme by hash instead
# (0.45 ms for a hold of 2 seats, docs/performance.md). OFFSET 0 keeps each lookup apart.
_JOINS_BY_KEY = (selectors.LINE_JOINS
                 .replace("JOIN inventory_performanceseat ps ON ps.id = ci.performance_seat_id",
                          "JOIN LATERAL (SELECT * FROM inventory_performanceseat WHERE id = ci.performance_seat_id "
                          "OFFSET 0) ps ON true")
                 .replace("JOIN catalog_performance p ON p.id = ci.performance_id",
                          "JOIN LATERAL (SELECT * FROM catalog_performance WHERE id = ci.performance_id OFFSET 0) p ON true"))
assert _JOINS_BY_KEY.count("LATERAL") == 2
_NEW = "ci.id IN (SELECT id FROM items)"
_LINE_COLUMNS_AFTER_HOLD = selectors.line_columns(
    state=f"CASE WHEN {_NEW} THEN 'held' ELSE ps.state END",
    holder=f"CASE WHEN {_NEW} THEN CAST(%s AS varchar) ELSE ps.hold_token END",
    until=f"CASE WHEN {_NEW} OR ps.id IN (SELECT id FROM held) THEN CAST(%s AS timestamptz) ELSE ps.hold_until END")


def _hold(cart: Cart, performance: Performance, tariff_id: int, now,
          take: Callable[[inventory.Claim | None], list[int]]) -> HeldSeats:
    """Hold seats for the cart (`take`: an inventory hold, given how to claim) and record them
    in it, giving the whole cart one timer. Inside the hold's transaction. Hand-written SQL
    (docs/performance.md)."""
    until = hold_window(cart, now)
    if db().vendor != "postgresql":
        return _attach(cart, performance, take(None), tariff_id, now, until)
    done = {}

    def claim(ids: list[int]) -> int:
        claim_sql, claim_params = inventory.claim_statement(token=cart.token, until=until, now=now)
        sql = _HOLD_ONE_STATEMENT.format(claim=claim_sql, extend=inventory.EXTEND_HOLD_SQL, cart_seats=_CART_SEATS,
                                         columns=_LINE_COLUMNS_AFTER_HOLD, joins=_JOINS_BY_KEY,
                                         order=selectors.LINE_ORDER)
        n = len(ids)
        found = fetch(sql, [*claim_params, ids, ids, n, cart.pk, performance.pk, tariff_id, ids, n,
                            param_datetime(until), cart.token, param_datetime(now), cart.pk, ids, n, cart.pk, ids,
                            cart.token, param_datetime(until)], prepare=True)
        done["claimed"], done["held"], done["rows"] = found[0][0], found[0][1], [r[2:] for r in found if r[2] is not None]
        return done["claimed"]

    ids = take(claim)
    _check_cart_limit(cart, done["held"] + len(ids))
    mine = set(ids)
    result = HeldSeats(sorted(Held(row[0], row[2]) for row in done["rows"] if row[2] in mine))
    result.line_rows = done["rows"]
    return result


def _attach(cart: Cart, performance: Performance, ids: list[int], tariff_id: int, now, until) -> HeldSeats:
    """SQLite: record the held seats in the cart and give the whole cart one timer, step by step."""
    drop_stale_items(ids)
    rows = fetch(
        "INSERT INTO sales_cartitem (cart_id, performance_id, performance_seat_id, tariff_id) VALUES "
        + ", ".join(["(%s, %s, %s, %s)"] * len(ids)) + " RETURNING id, performance_seat_id",
        [value for seat in ids for value in (cart.pk, performance.pk, seat, tariff_id)],
    )
    _check_cart_limit(cart, extend_cart_hold(cart=cart, until=until, now=now))
    return HeldSeats(Held(pk, seat) for pk, seat in sorted(rows))


def _check_cart_limit(cart: Cart, held: int) -> None:
    """Raising rolls the whole hold back. A subscription's seats do not count against the
    limit; counting them apart costs a query, paid only past the limit."""
    if held > MAX_SEATS_PER_CART and _loose_seats(cart) > MAX_SEATS_PER_CART:
        raise CartFull(CartFull.default_message % {"max": MAX_SEATS_PER_CART})


def _loose_seats(cart: Cart) -> int:
    return CartItem.objects.filter(cart=cart, bundle__isnull=True).count()


@contextmanager
def naming_categories_left(*, cart: Cart, performance: Performance, category_id: int, quantity: int,
                           tariff_id: int, now) -> Iterator[None]:
    """A `sold_out` refusal raised inside names the performance's other categories that may
    still have `quantity` seats at this tariff: those priced for it on the cart's channel and
    not known sold out by this process (no query). A buyer then asks there, or stops on an
    empty list, instead of trying each category in turn (docs/architecture.md)."""
    try:
        yield
    except SoldOut as exc:
        channel = cart.point_of_sale.channel
        priced = catalog.priced_categories(performance_id=performance.pk, tariff_id=tariff_id, channel_id=channel.pk)
        known = inventory.known_sold_out(performance=performance, category_ids=priced, quantity=quantity,
                                         channel=channel, now=now)
        exc.answer["categories_left"] = sorted(priced - known - {category_id})
        raise


def check_best_available(*, cart: Cart, performance: Performance, category_id: int, quantity: int,
                         tariff_id: int, now) -> None:
    """What add_best_available() checks before holding anything; raises its refusal. Needs only
    the cart's point of sale (selectors.cart_read_before() is enough)."""
    _check_quantity(quantity)
    _check_sellable(cart=cart, performance=performance, tariff_id=tariff_id, categories={category_id}, now=now)
    with naming_categories_left(cart=cart, performance=performance, category_id=category_id, quantity=quantity,
                                tariff_id=tariff_id, now=now):
        inventory.check_not_sold_out(performance=performance, category_id=category_id, quantity=quantity,
                                     channel=cart.point_of_sale.channel, now=now)


def refuse_best_available_early(*, token: str, performance: Performance, category_id: int, quantity: int,
                                tariff_id: int) -> None:
    """Raise add_best_available()'s refusal, if it has one, without reading the cart: on a cart
    this process read before, the same checks in the same order, on what never changes in a
    cart. A category sold out answers most requests at the end of a rush (docs/architecture.md)."""
    known = selectors.cart_read_before(token)
    if known is not None:
        check_best_available(cart=known, performance=performance, category_id=category_id, quantity=quantity,
                             tariff_id=tariff_id, now=timezone.now())


def add_best_available(*, cart: Cart, performance: Performance, category_id: int, quantity: int,
                       tariff_id: int) -> HeldSeats:
    now = timezone.now()
    check_best_available(cart=cart, performance=performance, category_id=category_id, quantity=quantity,
                         tariff_id=tariff_id, now=now)
    with naming_categories_left(cart=cart, performance=performance, category_id=category_id, quantity=quantity,
                                tariff_id=tariff_id, now=now), transaction.atomic():
        return _hold(cart, performance, tariff_id, now, lambda claim: inventory.hold_best_available(
            performance=performance, category_id=category_id, quantity=quantity, channel=cart.point_of_sale.channel,
            token=cart.token, until=hold_window(cart, now), now=now, claim=claim))


def add_chosen_seats(*, cart: Cart, performance: Performance, seat_ids: list[int], tariff_id: int) -> HeldSeats:
    now = timezone.now()
    seat_ids = sorted(set(seat_ids))
    _check_quantity(len(seat_ids))
    categories = set(PerformanceSeat.objects.filter(performance=performance, id__in=seat_ids).values_list("category_id", flat=True))
    if len(categories) == 0:
        raise NotFound()
    _check_sellable(cart=cart, performance=performance, tariff_id=tariff_id, categories=categories, now=now)
    with transaction.atomic():
        return _hold(cart, performance, tariff_id, now, lambda claim: inventory.hold_chosen(
            performance=performance, ids=seat_ids, channel=cart.point_of_sale.channel,
            token=cart.token, until=hold_window(cart, now), now=now, claim=claim))


def _item(cart: Cart, item_id: int) -> CartItem:
    try:
        return CartItem.objects.select_related("performance_seat", "performance").get(cart=cart, id=item_id)
    except CartItem.DoesNotExist:
        raise NotFound() from None


def remove_item(*, cart: Cart, item_id: int) -> None:
    """Remove a seat; a seat of a bundle (a subscription) takes its whole bundle with it."""
    with transaction.atomic():
        item = _item(cart, item_id)
        if item.bundle_id is not None:
            remove_bundle(cart=cart, bundle_id=item.bundle_id)
            return
        inventory.release(ids=[item.performance_seat_id], token=cart.token)
        item.delete()


def remove_bundle(*, cart: Cart, bundle_id: int) -> None:
    with transaction.atomic():
        bundle = CartBundle.objects.filter(cart=cart, id=bundle_id).first()
        if bundle is None:
            raise NotFound()
        ids = list(bundle.items.values_list("performance_seat_id", flat=True))
        if ids:
            inventory.release(ids=ids, token=cart.token)
        bundle.items.all().delete()
        bundle.delete()


def empty_cart(*, cart: Cart) -> None:
    """Release every seat the cart holds and drop its lines (a sale abandoned at the counter)."""
    with transaction.atomic():
        ids = list(cart.items.values_list("performance_seat_id", flat=True))
        if ids:
            inventory.release(ids=ids, token=cart.token)
        cart.items.all().delete()
        cart.bundles.all().delete()


def change_tariff(*, cart: Cart, item_id: int, tariff_id: int) -> CartItem:
    item = _item(cart, item_id)
    if item.bundle_id is not None:
        raise BundledSeat()
    _check_sellable(cart=cart, performance=item.performance, tariff_id=tariff_id,
                    categories={item.performance_seat.category_id}, now=timezone.now())
    item.tariff_id, item.price_source, item.price_ref, item.unit_price = tariff_id, GRID, None, None
    item.save(update_fields=["tariff", "price_source", "price_ref", "unit_price"])
    return item


def price_by_feature(*, cart: Cart, item_id: int, tariff_id: int, source: str, ref: int, price) -> CartItem:
    """A feature (an advantage) gives a loose seat its tariff and its price; the feature has
    checked the buyer's right to them, and checks it again at checkout."""
    item = _item(cart, item_id)
    if item.bundle_id is not None:
        raise BundledSeat()
    item.tariff_id, item.price_source, item.price_ref, item.unit_price = tariff_id, source, ref, price
    item.save(update_fields=["tariff", "price_source", "price_ref", "unit_price"])
    return item
