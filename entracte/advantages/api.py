"""Advantages API: the advantages a buyer may use on a performance; applying and removing
codes on a cart and giving a cart seat an advantage's tariff; staff endpoints for code
batches, the dashboard and invalidation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from entracte.catalog import selectors as catalog
from entracte.core.translated import tr
from entracte.customers.auth import OptionalBearerToken, StaffBearerToken
from entracte.customers.models import Contact
from entracte.customers.services import spectator_contact
from entracte.sales.api import ERRORS, CartOut, _cart, _cart_out

from . import batches, selectors, services
from .codes import display
from .models import Advantage, CodeBatch

router = Router(tags=["advantages"])


def _contact(request):
    return spectator_contact(getattr(request, "user", None))


class OfferPriceOut(Schema):
    category_id: int
    tariff_id: int
    amount: Decimal


class OfferOut(Schema):
    advantage_id: int
    name: str
    target: str
    prices: list[OfferPriceOut]


@router.get("/performances/{performance_id}/advantages", response={200: list[OfferOut], **ERRORS}, auth=OptionalBearerToken(),
            summary="Advantages the caller may use on a performance")
def offers(request, performance_id: int, cart: str | None = None):
    """With a bearer token: those meant for the caller too (indicator level, target lists);
    with `cart`: those unlocked by the codes in that cart."""
    performance = catalog.performance(performance_id)
    cart_obj = _cart(cart) if cart else None
    found = selectors.offers_for_performance(performance=performance, buyer=selectors.buyer_of(_contact(request), cart_obj),
                                             channel_id=catalog.web_point_of_sale().channel_id, now=timezone.now())
    return [{"advantage_id": o.terms.id, "name": o.terms.label, "target": o.terms.target,
             "prices": [{"category_id": c, "tariff_id": t, "amount": a} for c, t, a in o.prices]} for o in found]


@router.get("/subscriptions/{slug}/advantages", response={200: list[OfferOut], **ERRORS}, auth=OptionalBearerToken(),
            summary="Advantages the caller may use on a subscription")
def subscription_offers(request, slug: str, cart: str | None = None):
    """Prices per seat category and tariff: one seat on each performance of a calculated-price
    subscription, the whole package otherwise. Hold with POST /carts/{token}/subscriptions and
    its `advantage_id`."""
    from entracte.subscriptions import selectors as subscriptions

    product = subscriptions.product_by_slug(slug)
    cart_obj = _cart(cart) if cart else None
    found = selectors.offers_for_subscription(product_id=product.pk, buyer=selectors.buyer_of(_contact(request), cart_obj),
                                              channel_id=catalog.web_point_of_sale().channel_id, now=timezone.now())
    return [{"advantage_id": t.id, "name": t.label, "target": t.target,
             "prices": [{"category_id": c, "tariff_id": tariff, "amount": a} for (c, tariff), a in sorted(t.prices.items())]}
            for t in found]


class CodeIn(Schema):
    code: str = Field(max_length=64, description="A partner, single-use or promo code, in any case, dashes allowed")


class CartCodeOut(Schema):
    id: int
    kind: str
    name: str


class CartWithCodesOut(CartOut):
    codes: list[CartCodeOut]


def _with_codes(cart) -> dict:
    out = _cart_out(cart)
    out["codes"] = [{"id": c.pk, "kind": c.kind, "name": tr((c.promo or c.advantage).name)} for c in selectors.codes_of_cart(cart)]
    return out


@router.post("/carts/{token}/codes", response={200: CartWithCodesOut, **ERRORS}, auth=OptionalBearerToken(),
             summary="Apply a code to a cart")
def apply_code(request, token: str, payload: CodeIn):
    """Wrong codes are counted per cart and per address: past the limit, 429 `too_many_attempts`."""
    cart = _cart(token)
    services.apply_code(cart=cart, typed=payload.code, contact=_contact(request), address=request.META.get("REMOTE_ADDR"))
    return _with_codes(cart)


@router.delete("/carts/{token}/codes/{code_id}", response={200: CartWithCodesOut, **ERRORS}, summary="Remove a code from a cart")
def remove_code(request, token: str, code_id: int):
    cart = _cart(token)
    services.remove_code(cart=cart, code_id=code_id)
    return _with_codes(cart)


class UseAdvantageIn(Schema):
    advantage_id: int
    tariff_id: int


@router.post("/carts/{token}/items/{item_id}/advantage", response={200: CartWithCodesOut, **ERRORS}, auth=OptionalBearerToken(),
             summary="Give a cart seat an advantage's tariff and price")
def use_advantage(request, token: str, item_id: int, payload: UseAdvantageIn):
    cart = _cart(token)
    services.use_advantage(cart=cart, item_id=item_id, advantage_id=payload.advantage_id, tariff_id=payload.tariff_id,
                           contact=_contact(request))
    return _with_codes(cart)


class BatchIn(Schema):
    advantage_id: int
    requester_id: int
    count: int = Field(ge=1, le=batches.MAX_BATCH)
    document: str = Field("csv", pattern="^(csv|pdf)$")
    language: str = Field("fr", pattern="^(fr|en|de|es)$")
    note: str = Field("", max_length=200)


class BatchOut(Schema):
    id: int
    advantage_id: int
    requester_id: int
    count: int
    generated: int
    state: str
    created_at: datetime


def _batch_out(b: CodeBatch) -> dict:
    return {"id": b.pk, "advantage_id": b.advantage_id, "requester_id": b.requester_id, "count": b.count,
            "generated": b.generated, "state": b.state, "created_at": b.created_at}


@router.post("/staff/code-batches", response={201: BatchOut, **ERRORS}, auth=StaffBearerToken("advantages.add_codebatch"),
             tags=["staff"], summary="Generate a batch of single-use codes (background task)")
def create_batch(request, payload: BatchIn):
    advantage = get_object_or_404(Advantage, pk=payload.advantage_id)
    requester = get_object_or_404(Contact.objects.exclude(kind=Contact.ANONYMOUS), pk=payload.requester_id)
    batch = batches.request_batch(advantage=advantage, requester=requester, count=payload.count, document=payload.document,
                                  language=payload.language, note=payload.note, actor=request.auth)
    batch.refresh_from_db()
    return Status(201, _batch_out(batch))


@router.get("/staff/code-batches/{batch_id}", response={200: BatchOut, **ERRORS}, auth=StaffBearerToken("advantages.view_singleusecode"),
            tags=["staff"], summary="A batch and its progress")
def get_batch(request, batch_id: int):
    return _batch_out(get_object_or_404(CodeBatch, pk=batch_id))


class CodeOut(Schema):
    id: int
    code: str
    state: str
    used_at: datetime | None
    used_by_id: int | None
    order_number: str | None


@router.get("/staff/code-batches/{batch_id}/codes", response={200: list[CodeOut], **ERRORS},
            auth=StaffBearerToken("advantages.view_singleusecode"), tags=["staff"], summary="The codes of a batch and their use")
def batch_codes(request, batch_id: int):
    batch = get_object_or_404(CodeBatch, pk=batch_id)
    return [{"id": c.pk, "code": display(c.code), "state": c.state, "used_at": c.used_at, "used_by_id": c.used_by_id,
             "order_number": c.order.number if c.order_id else None}
            for c in batch.codes.select_related("order").order_by("pk")]


class DashboardRowOut(Schema):
    requester_id: int | None
    advantage_id: int
    generated: int
    available: int
    used: int
    scanned: int
    invalidated: int


class DashboardOut(Schema):
    rows: list[DashboardRowOut]
    totals: dict[str, int]


@router.get("/staff/codes/dashboard", response={200: DashboardOut, **ERRORS}, auth=StaffBearerToken("advantages.view_singleusecode"),
            tags=["staff"], summary="Codes per requesting contact and advantage, with totals")
def dashboard(request, season_id: int | None = None):
    from entracte.catalog.models import Season

    season = get_object_or_404(Season, pk=season_id) if season_id is not None else None
    rows, totals = selectors.dashboard(season=season)
    return {"rows": [{**{k: r[k] for k in ("generated", "available", "used", "scanned", "invalidated")},
                      "requester_id": r["requester"].pk if r["requester"] else None, "advantage_id": r["advantage"].pk}
                     for r in rows], "totals": totals}


class InvalidateIn(Schema):
    code_ids: list[int] = Field(min_length=1, max_length=10000)


class InvalidateOut(Schema):
    invalidated: int


@router.post("/staff/codes/invalidate", response={200: InvalidateOut, **ERRORS},
             auth=StaffBearerToken("advantages.change_singleusecode"), tags=["staff"], summary="Invalidate codes")
def invalidate(request, payload: InvalidateIn):
    return {"invalidated": services.invalidate(code_ids=payload.code_ids, actor=request.auth)}
