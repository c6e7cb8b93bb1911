"""Bundles: seats a feature puts in a cart together and sells together (a subscription).

A feature app holds the seats with the cart's token, then calls `attach_bundle` in the same
transaction with the price of each seat (computed by the feature's pure pricing). At
checkout `place_order` calls the feature's registered handler inside the order's
transaction, so what the feature records about the sale (e.g. the subscription and which
tickets are subscriber or extra seats) commits with the order or not at all.
Sales never imports a feature: the feature registers itself here (its AppConfig.ready).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from entracte.core.rawsql import as_json, fetch, in_list

from .carts import drop_stale_items
from .models import Cart, CartBundle, CartItem

_ON_SOLD: dict[str, Callable] = {}


def on_sold(kind: str):
    """Register the handler called when a bundle of `kind` is sold:
    handler(order=, bundle=, sold=[(ticket, cart line), …], actor=)."""
    def register(handler):
        _ON_SOLD[kind] = handler
        return handler
    return register


@dataclass(frozen=True)
class BundleSeat:
    performance_id: int
    performance_seat_id: int
    tariff_id: int
    price: Decimal
    price_ref: int | None = None


def attach_bundle(*, cart: Cart, kind: str, ref: int, data: dict, source: str, seats: list[BundleSeat]) -> CartBundle:
    """Record seats the cart's token already holds as one bundle. Inside the hold's transaction."""
    ids = [seat.performance_seat_id for seat in seats]
    bundle = CartBundle.objects.create(cart=cart, kind=kind, ref=ref, data=data)
    drop_stale_items(ids)
    CartItem.objects.bulk_create([
        CartItem(cart=cart, bundle=bundle, performance_id=seat.performance_id, performance_seat_id=seat.performance_seat_id,
                 tariff_id=seat.tariff_id, price_source=source, price_ref=seat.price_ref, unit_price=seat.price)
        for seat in seats])
    return bundle


def labels(bundle_ids: set[int]) -> dict[int, dict]:
    """Each bundle's kind and data, for showing it in a cart."""
    if not bundle_ids:
        return {}
    which, params = in_list("id", sorted(bundle_ids))
    rows = fetch(f"SELECT id, kind, ref, data FROM sales_cartbundle WHERE {which}", params)
    return {pk: {"kind": kind, "ref": ref, "data": as_json(data)} for pk, kind, ref, data in rows}


def sold(*, order, sold_lines: list, actor=None) -> None:
    """Inside place_order's transaction: hand each sold bundle to its feature."""
    groups: dict[int, list] = {}
    for ticket, line in sold_lines:
        if line.bundle_id is not None:
            groups.setdefault(line.bundle_id, []).append((ticket, line))
    if not groups:
        return
    for bundle in CartBundle.objects.filter(id__in=groups).order_by("id"):
        handler = _ON_SOLD.get(bundle.kind)
        if handler is None:
            raise LookupError(f"no handler for bundles of kind {bundle.kind!r}")
        handler(order=order, bundle=bundle, sold=groups[bundle.pk], actor=actor)
