from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from entracte.api import lanes
from entracte.api.schemas import Plain
from entracte.catalog import selectors as catalog
from entracte.core.errors import NotFound
from entracte.core.translated import tr
from entracte.customers.auth import BearerToken, OptionalBearerToken, StaffBearerToken
from entracte.customers.services import contact_for_user
from entracte.inventory import selectors as inventory

from . import carts, checkout, selectors, staff, tickets
from .models import Cart, Order

router = Router(tags=["sales"])


class CartIn(Plain):
    point_of_sale: str | None = Field(None, max_length=32, description="Point of sale code; the web shop's by default. Staff only for others.")


class CartItemOut(Plain):
    id: int
    performance_id: int
    seat_id: int
    label: str
    category_id: int
    tariff_id: int
    tariff: str
    unit_price: Decimal
    price_source: str = Field(description='"grid" (the price grid) or the feature that set the price, e.g. "subscription"')
    bundle_id: int | None = Field(None, description="Seats sold together (a subscription); removing one removes all")


class CartOut(Plain):
    token: str
    currency: str
    items: list[CartItemOut]
    subtotal: Decimal
    discount: Decimal = Field(description="Promo-code reductions, off the subtotal; total = subtotal - discount + order_fee")
    order_fee: Decimal
    total: Decimal
    expires_at: datetime | None


class BestAvailableIn(Plain):
    performance_id: int
    category_id: int
    tariff_id: int
    quantity: int = Field(ge=1, le=carts.MAX_SEATS_PER_REQUEST)


class ChosenSeatsIn(Plain):
    performance_id: int
    seat_ids: list[int] = Field(min_length=1, max_length=carts.MAX_SEATS_PER_REQUEST)
    tariff_id: int


class CardIn(Plain):
    number: str = Field(max_length=32)
    expiry: str = Field(max_length=8, description="MM/YY")
    cvc: str = Field(max_length=4)


class CheckoutIn(Plain):
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Required for a guest")
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    delivery_mode: Literal["eticket", "pickup"] = "eticket"
    payment_method: Literal["demo_card"] = "demo_card"
    card: CardIn | None = None
    expected_total: Decimal | None = Field(None, ge=0, le=Decimal("1000000"), decimal_places=2)
    language: Literal["fr", "en", "de", "es"] = "fr"


class TicketOut(Plain):
    code: str
    performance_id: int
    event: str
    starts_at: datetime
    seat: str
    category: str
    tariff: str
    price: Decimal
    status: str


class OrderOut(Plain):
    number: str
    status: str
    created_at: datetime
    currency: str
    subtotal: Decimal
    discount: Decimal = Field(description="Promo-code reductions; each ticket's price is net of its share")
    order_fee: Decimal
    total: Decimal
    tickets: list[TicketOut]
    tickets_pdf: str


class FieldErrorOut(Plain):
    field: str = Field(description="The input's path, dotted (empty for the body as a whole)")
    message: str


class ErrorOut(Plain):
    code: str
    message: str
    errors: list[FieldErrorOut] | None = Field(None, description="With `invalid_input` (422) only: each input refused, and why")
    categories_left: list[int] | None = Field(
        None, description="With `sold_out` only: the performance's other seat categories that may still have the seats "
                          "asked for at this tariff (none known sold out); an empty list: the performance is sold out")


ERRORS = {400: ErrorOut, 401: ErrorOut, 402: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _cart(token: str) -> Cart:
    cart = selectors.cart_by_token(token)
    if cart is None:
        raise NotFound()
    return cart


def _cart_out(cart: Cart, line_rows: list[tuple] | None = None) -> dict:
    """The cart as the API shows it; `line_rows`: its lines, if read already (by a hold)."""
    view = selectors.cart_view(cart, rows=line_rows)
    return {
        "token": cart.token, "currency": view.quote.currency, "subtotal": view.quote.subtotal, "discount": view.quote.discount,
        "order_fee": view.quote.order_fee, "total": view.quote.total, "expires_at": view.expires_at,
        "items": [
            {"id": i.id, "performance_id": i.performance_id, "seat_id": i.performance_seat_id,
             "label": i.label(), "category_id": i.category_id,
             "tariff_id": i.tariff_id, "tariff": tr(i.tariff_name), "unit_price": i.unit_price,
             "price_source": i.price_source, "bundle_id": i.bundle_id}
            for i in view.items
        ],
    }


def _ticket_out(t) -> dict:
    return {"code": t.code, "performance_id": t.performance_id, "event": tr(t.performance.event.name),
            "starts_at": t.performance.starts_at, "seat": tickets.seat_label(t), "category": tr(t.category.name),
            "tariff": tr(t.tariff.name), "price": t.price, "status": t.status}


def _order_out(order: Order, ticket_rows: list[dict] | None = None) -> dict:
    from django.urls import reverse

    return {
        "number": order.number, "status": order.status, "created_at": order.created_at, "currency": order.currency,
        "subtotal": order.subtotal, "discount": order.discount, "order_fee": order.order_fee, "total": order.total,
        "tickets_pdf": reverse("shop:order_pdf", args=[order.number, order.secret]),
        "tickets": ticket_rows if ticket_rows is not None else [_ticket_out(t) for t in selectors.tickets_of_order(order)],
    }


def _sold_out(order: Order) -> list[dict]:
    """The tickets of a just-placed order, from what the checkout already holds in memory."""
    return [
        {"code": t.code, "performance_id": line.performance_id, "event": tr(line.event_name), "starts_at": line.starts_at,
         "seat": tickets.seat_text(line.area_name, line.row, line.number), "category": tr(line.category_name),
         "tariff": tr(line.tariff_name), "price": t.price, "status": t.status}
        for t, line in order.sold
    ]


def _new_cart(user, code: str | None) -> dict:
    pos = catalog.point_of_sale(code) if code else catalog.web_point_of_sale()
    staff.check_may_sell_at(user, pos)
    return _cart_out(carts.create_cart(point_of_sale=pos), line_rows=[])  # a new cart has no lines to read


@router.post("/carts", response={201: CartOut, **ERRORS}, auth=OptionalBearerToken(), summary="Create a cart")
def create_cart(request, payload: CartIn | None = None):
    return Status(201, _new_cart(request.user, payload.point_of_sale if payload else None))


@router.get("/carts/{token}", response={200: CartOut, **ERRORS})
def get_cart(request, token: str):
    return _cart_out(_cart(token))


def _hold_best(token: str, payload: BestAvailableIn) -> dict:
    wanted = {"category_id": payload.category_id, "quantity": payload.quantity, "tariff_id": payload.tariff_id,
              "performance": catalog.performance_for_sale(payload.performance_id)}
    carts.refuse_best_available_early(token=token, **wanted)
    cart = _cart(token)
    held = carts.add_best_available(cart=cart, **wanted)
    return _cart_out(cart, held.line_rows)


def _hold_seats(token: str, payload: ChosenSeatsIn) -> dict:
    cart = _cart(token)
    held = carts.add_chosen_seats(cart=cart, performance=catalog.performance_for_sale(payload.performance_id),
                                  seat_ids=payload.seat_ids, tariff_id=payload.tariff_id)
    return _cart_out(cart, held.line_rows)


def _checkout(token: str, payload: CheckoutIn, user) -> dict:
    # The buyer's guest contact, if he buys as one, is read with the cart.
    found = selectors.cart_and_lines(token, guest_email=checkout.guest_email(user=user, email=payload.email))
    if found is None:
        raise NotFound()
    cart, line_rows, guest_found = found
    buyer = checkout.resolve_buyer(user=user, email=payload.email, first_name=payload.first_name,
                                   last_name=payload.last_name, language=payload.language, guest_found=guest_found)
    order = checkout.place_order(
        cart=cart, buyer=buyer,
        delivery_mode=payload.delivery_mode, payment_method=payload.payment_method,
        payment_data=payload.card.model_dump() if payload.card else {}, expected_total=payload.expected_total, actor=user,
        line_rows=line_rows,
    )
    return _order_out(order, _sold_out(order))


@router.post("/carts/{token}/best-available", response={200: CartOut, **ERRORS}, summary="Hold the best N free seats of a category")
def add_best_available(request, token: str, payload: BestAvailableIn):
    return _hold_best(token, payload)


@router.post("/carts/{token}/seats", response={200: CartOut, **ERRORS}, summary="Hold the seats picked on the seat map")
def add_seats(request, token: str, payload: ChosenSeatsIn):
    return _hold_seats(token, payload)


@router.delete("/carts/{token}/items/{item_id}", response={200: CartOut, **ERRORS}, summary="Remove a seat and free it")
def remove_item(request, token: str, item_id: int):
    cart = _cart(token)
    carts.remove_item(cart=cart, item_id=item_id)
    return _cart_out(cart)


@router.post("/carts/{token}/checkout", response={201: OrderOut, **ERRORS}, auth=OptionalBearerToken(),
             summary="Pay and turn the cart into an order with tickets")
def checkout_cart(request, token: str, payload: CheckoutIn):
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    return Status(201, _checkout(token, payload, user))


# The same endpoints on the lean lane (entracte/api/lanes.py), for the on-sale rush. A caller who
# may be signed in (a bearer token, a session cookie) is the endpoint's to identify.
def _anonymous(request) -> bool:
    return not request.META.get("HTTP_AUTHORIZATION") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _web_cart(request, data: CartIn, **_path) -> dict | None:
    """A cart of the web shop, open to everyone; a cart for another point of sale needs the
    caller's rights, which the endpoint checks."""
    return _new_cart(AnonymousUser(), None) if _anonymous(request) and not data.point_of_sale else None


new_cart_lane = lanes.body_lane(CartIn, CartOut, 201, _web_cart)
hold_best_lane = lanes.body_lane(BestAvailableIn, CartOut, 200, lambda request, data, token: _hold_best(token, data))
hold_seats_lane = lanes.body_lane(ChosenSeatsIn, CartOut, 200, lambda request, data, token: _hold_seats(token, data))


def _anonymous_checkout(request, data: CheckoutIn, token: str) -> dict | None:
    return _checkout(token, data, user=None) if _anonymous(request) else None


checkout_lane = lanes.body_lane(CheckoutIn, OrderOut, 201, _anonymous_checkout, vary=("Cookie",))


@router.get("/me/orders", response={200: list[OrderOut], **ERRORS}, auth=BearerToken(), summary="The caller's orders")
def my_orders(request):
    return [_order_out(o) for o in selectors.orders_of_contact(contact_for_user(request.auth))]


@router.get("/me/tickets", response={200: list[TicketOut], **ERRORS}, auth=BearerToken(), summary="The caller's tickets")
def my_tickets(request):
    return [_ticket_out(t) for t in selectors.tickets_of_contact(contact_for_user(request.auth))]


class PerformanceSalesOut(Schema):
    performance_id: int
    seats: dict[str, int]
    tickets: int
    revenue: Decimal


@router.get("/staff/performances/{performance_id}/sales", response={200: PerformanceSalesOut, **ERRORS},
            auth=StaffBearerToken("sales.view_reports"), tags=["staff"], summary="Seats by state, tickets and revenue of a performance")
def performance_sales(request, performance_id: int):
    from django.db.models import Count, Sum

    from entracte.catalog.models import Performance

    performance = get_object_or_404(Performance, pk=performance_id)
    sold = performance.tickets.filter(status="valid").aggregate(n=Count("id"), revenue=Sum("price"))
    return {"performance_id": performance.pk, "seats": inventory.state_counts(performance=performance, now=timezone.now()),
            "tickets": sold["n"], "revenue": sold["revenue"] or Decimal("0.00")}
