"""Read queries for carts, orders and tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from entracte.catalog import selectors as catalog
from entracte.catalog.models import on_sale
from entracte.core.rawsql import as_datetime, as_decimal, fetch, in_list
from entracte.customers import services as customers
from entracte.inventory.labels import seat_label
from entracte.inventory.models import PerformanceSeat

from . import adjustments, bundles, pricing
from .models import Cart, Order, Ticket


@dataclass
class CartLine:
    """A seat in a cart, read in one query with everything the cart, checkout and API show."""

    id: int
    performance_id: int
    performance_seat_id: int
    category_id: int
    tariff_id: int
    held_by_cart: bool
    hold_until: datetime | None
    starts_at: datetime
    sales_open_at: datetime
    sales_close_at: datetime
    is_published: bool
    event_name: dict
    currency: str
    area_name: dict
    row: str | None
    number: str | None
    category_name: dict
    tariff_name: dict
    grid_price: Decimal | None
    price_source: str = "grid"
    price_ref: int | None = None
    carried_price: Decimal | None = None
    bundle_id: int | None = None
    unit_price: Decimal | None = None

    @property
    def pk(self) -> int:
        return self.id

    def label(self) -> str:
        return seat_label(self.area_name, self.row, self.number)

    def on_sale(self, now: datetime) -> bool:
        return on_sale(self.is_published, self.sales_open_at, self.sales_close_at, now)


@dataclass
class CartView:
    cart: Cart
    items: list[CartLine]          # seats still held, each with its unit_price
    expired: list[CartLine]        # seats whose hold ran out
    quote: pricing.Quote
    expires_at: datetime | None
    bundles: list[dict] = field(default_factory=list)  # {id, kind, data, items, total}: seats sold together

    @property
    def loose(self) -> list[CartLine]:
        """The seats that belong to no bundle."""
        return [i for i in self.items if i.bundle_id is None]


def cart_by_token(token: str) -> Cart | None:
    """The cart of a token, with its point of sale (from the catalogue cache), in one short query:
    every cart request starts here."""
    rows = fetch("SELECT id, point_of_sale_id, created_at, adjusted FROM sales_cart WHERE token = %s", [token], prepare=True)
    if not rows:
        return None
    pk, pos_id, created_at, adjusted = rows[0]
    if len(_read_carts) >= 100_000:  # bounded: carts come and go
        _read_carts.clear()
    _read_carts[token] = (pk, pos_id, created_at)
    return _cart(token, pk, pos_id, created_at, adjusted)


# The carts this process has read, by token: (id, point of sale, creation), which never change
# (nor is a cart ever deleted); `adjusted` does, and is not kept.
_read_carts: dict[str, tuple] = {}


def cart_read_before(token: str) -> Cart | None:
    """The cart of a token as this process read it before, without reading it again, or None.
    Its `adjusted` is unknown (None): for refusing a request on what never changes in a cart
    (its point of sale), at the end of a rush most of the requests (docs/performance.md, session 19)."""
    found = _read_carts.get(token)
    if found is None:
        return None
    cart = _cart(token, *found, adjusted=False)
    cart.adjusted = None
    return cart


# Names come from the catalogue cache, not from SQL: PostgreSQL planned this read with its
# names as joins in ~2.4 ms, as scalar subqueries in ~0.5 ms, and plans this shape in a
# fraction of that (docs/performance.md). The price, which is charged, is always read here.
def line_columns(state: str = "ps.state", holder: str = "ps.hold_token", until: str = "ps.hold_until") -> str:
    """The columns of a cart line (cart_lines() reads them in this order) over `ci` (the lines)
    joined by LINE_JOINS; a statement that changes the seats as it reads gives their new
    state, holder and expiry as expressions."""
    return _LINE_COLUMNS.format(state=state, holder=holder, until=until)


_LINE_COLUMNS = """
    ci.id, ci.performance_id, ci.performance_seat_id, ps.category_id, ci.tariff_id,
    {state}, {holder}, {until},
    p.starts_at, p.sales_open_at, p.sales_close_at, p.is_published, p.event_id, ps.area_id,
    st.row, st.number,
    (SELECT pr.amount FROM catalog_price pr WHERE pr.performance_id = ci.performance_id
         AND pr.category_id = ps.category_id AND pr.tariff_id = ci.tariff_id),
    ci.price_source, ci.price_ref, ci.unit_price, ci.bundle_id"""
LINE_JOINS = """
    JOIN inventory_performanceseat ps ON ps.id = ci.performance_seat_id
    JOIN catalog_performance p ON p.id = ci.performance_id
    LEFT JOIN catalog_seat st ON st.id = ps.seat_id"""
LINE_ORDER = "ORDER BY p.starts_at, st.row, st.position, ci.id"
CART_LINES_SQL = f"SELECT {line_columns()} FROM sales_cartitem ci {LINE_JOINS} WHERE ci.cart_id = %s {LINE_ORDER}"
# A cart and its lines in one read (a cart without lines gives one row of NULL line columns).
_CART_COLUMNS = "c.id, c.point_of_sale_id, c.created_at, c.adjusted"
CART_AND_LINES_SQL = (f"SELECT {_CART_COLUMNS}, {line_columns()} FROM sales_cart c "
                      f"LEFT JOIN (sales_cartitem ci {LINE_JOINS}) ON ci.cart_id = c.id WHERE c.token = %s {LINE_ORDER}")


def _cart(token: str, pk, pos_id, created_at, adjusted) -> Cart:
    cart = Cart(id=pk, token=token, point_of_sale_id=pos_id, created_at=as_datetime(created_at), adjusted=bool(adjusted))
    cart._state.adding, cart._state.db = False, "default"
    cart.point_of_sale = catalog.point_of_sale_by_id(pos_id)
    return cart


_CART_LINES_AND_GUEST_SQL = CART_AND_LINES_SQL.replace(
    "SELECT c.id,", f"SELECT ({customers.GUEST_CONTACT_SQL}), c.id,", 1)


def cart_and_lines(token: str, guest_email: str | None = None) -> tuple[Cart, list[tuple], tuple | None] | None:
    """The cart of a token and its lines' rows (for cart_view's `rows`) in one read: the
    checkout's first, which needs both; with `guest_email`, that email's guest contact too (for
    customers.guest_contact's `found`, else None)."""
    if guest_email is None:
        found = fetch(CART_AND_LINES_SQL, [token], prepare=True)
        guest = None
    else:
        found = fetch(_CART_LINES_AND_GUEST_SQL, [customers.guest_email(guest_email), token], prepare=True)
        guest = (found[0][0],) if found else None
        found = [row[1:] for row in found]
    if not found:
        return None
    return _cart(token, *found[0][:4]), [row[4:] for row in found if row[4] is not None], guest


def cart_lines(cart: Cart, now: datetime, rows: list[tuple] | None = None) -> list[CartLine]:
    """Hand-written SQL: read on every cart change and checkout; the ORM version with eight
    select_related joins cost five times more (docs/performance.md). `rows`: the lines as
    CART_LINES_SQL gives them, when the caller read them already."""
    lines = []
    if rows is None:
        rows = fetch(CART_LINES_SQL, [cart.pk], prepare=True)
    for (pk, perf, seat, category, tariff, state, holder, until, starts, opens, closes, published,
         event, area, row, number, amount, source, ref, carried, bundle) in rows:
        until = as_datetime(until)
        held = state == PerformanceSeat.HELD and holder == cart.token and until is not None and until >= now
        event_name, currency = catalog.event_name_and_currency(event)
        lines.append(CartLine(pk, perf, seat, category, tariff, held, until, as_datetime(starts), as_datetime(opens),
                              as_datetime(closes), bool(published), event_name, currency, catalog.name_of("area", area),
                              row, number, catalog.name_of("seatcategory", category), catalog.name_of("tariff", tariff),
                              as_decimal(amount), source, ref, as_decimal(carried), bundle))
    return lines


def cart_view(cart: Cart, now: datetime | None = None, rows: list[tuple] | None = None) -> CartView:
    """The cart's lines, priced. `rows`: its lines as read already (cart_and_lines)."""
    now = now or timezone.now()
    lines = cart_lines(cart, now, rows)
    items = [line for line in lines if line.held_by_cart]
    expired = [line for line in lines if not line.held_by_cart]
    grid = {(i.performance_id, i.category_id, i.tariff_id): i.grid_price for i in items if i.grid_price is not None}
    currencies = {i.currency for i in items}
    quote = pricing.price_cart(
        lines=[pricing.CartLine(i.id, i.performance_id, i.category_id, i.tariff_id, i.carried_price, i.price_source)
               for i in items], grid=grid,
        order_fee=cart.point_of_sale.order_fee,
        currency=currencies.pop() if len(currencies) == 1 else settings.ENTRACTE_CURRENCY,
        discounts=adjustments.discounts(cart=cart, items=items, now=now),
    )
    for item in items:
        item.unit_price = quote.price_of(item.id)
    groups = []
    for pk, info in sorted(bundles.labels({i.bundle_id for i in items if i.bundle_id is not None}).items()):
        members = [i for i in items if i.bundle_id == pk]
        groups.append({"id": pk, **info, "items": members,
                       "total": sum((i.unit_price for i in members), Decimal("0.00"))})
    return CartView(cart, items, expired, quote, min((i.hold_until for i in items), default=None), groups)


def orders_of_contact(contact):
    return (
        Order.objects.filter(contact=contact)
        .prefetch_related(Prefetch("tickets", queryset=_tickets()))
        .order_by("-created_at")
    )


def _tickets():
    return Ticket.objects.select_related(
        "performance__event", "performance__hall__venue", "performance_seat__seat", "performance_seat__area", "tariff", "category"
    ).order_by("performance__starts_at", "performance_seat__seat__row", "performance_seat__seat__position")


def tickets_of_order(order: Order):
    return _tickets().filter(order=order)


class TicketLine(NamedTuple):
    """A ticket as an email lists it; names are translatable dicts from the catalogue cache."""

    order_id: int
    event_name: dict
    starts_at: datetime
    area_name: dict
    row: str | None
    number: str | None
    tariff_name: dict
    price: Decimal

    @property
    def seat(self) -> str:
        return seat_label(self.area_name, self.row, self.number)


def ticket_lines(order_ids: list[int]) -> list[TicketLine]:
    """The tickets of these orders, by order, then as on the ticket list. Hand-written SQL with
    names from the cache: the confirmation emails of a rush read it once per batch, and the
    ORM version (six related models per ticket) cost more than rendering the emails."""
    which, params = in_list("t.order_id", order_ids)
    rows = fetch(f"""
        SELECT t.order_id, p.event_id, p.starts_at, ps.area_id, st.row, st.number, t.tariff_id, t.price
        FROM sales_ticket t
        JOIN catalog_performance p ON p.id = t.performance_id
        JOIN inventory_performanceseat ps ON ps.id = t.performance_seat_id
        LEFT JOIN catalog_seat st ON st.id = ps.seat_id
        WHERE {which}
        ORDER BY t.order_id, p.starts_at, st.row, st.position, t.id""", params)
    return [TicketLine(order, catalog.event_name_and_currency(event)[0], as_datetime(starts), catalog.name_of("area", area),
                       row, number, catalog.name_of("tariff", tariff), as_decimal(price))
            for order, event, starts, area, row, number, tariff, price in rows]


def tickets_of_contact(contact):
    return _tickets().filter(order__contact=contact)


def order_by_secret(number: str, secret: str) -> Order | None:
    import hmac

    order = Order.objects.filter(number=number).select_related("contact", "point_of_sale").first()
    if order is None or not hmac.compare_digest(order.secret, secret):
        return None
    return order


def tariff_choices(view: CartView) -> dict[int, list]:
    """Per cart line: the tariffs it may switch to (sold on the cart's channel, priced for its seat category)."""
    from entracte.catalog.models import Tariff

    wanted = {(i.performance_id, i.category_id) for i in view.items}
    choices: dict[tuple, list] = {}
    for performance_id, category_id in wanted:
        choices[(performance_id, category_id)] = list(Tariff.objects.filter(
            channels=view.cart.point_of_sale.channel_id, price__performance_id=performance_id,
            price__category_id=category_id).distinct().order_by("sort", "pk"))
    return {i.id: choices[(i.performance_id, i.category_id)] for i in view.items}
