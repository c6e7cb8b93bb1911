"""Lays out the seat map picture: SVG coordinates, colours and labels for each seat."""

from __future__ import annotations

from django.utils.translation import gettext as _

from entracte.catalog import selectors as catalog
from entracte.catalog.models import Area, Tariff
from entracte.core.translated import tr

MARGIN = 30
RADIUS = 7


def build_seat_map(performance, seats: list[dict], categories) -> dict:
    if not seats:
        return {"seats": [], "width": 0, "height": 0}
    colors = {c.id: c.color for c in categories}
    names = {c.id: tr(c.name) for c in categories}
    areas = {a.id: tr(a.name) for a in Area.objects.filter(hall=performance.hall)}
    min_x, max_x = min(s["x"] for s in seats) - 10, max(s["x"] for s in seats)
    min_y, max_y = min(s["y"] for s in seats), max(s["y"] for s in seats)
    placed = []
    for seat in seats:
        state = seat["state"]
        label = _("%(area)s, row %(row)s, seat %(number)s, %(category)s") % {
            "area": areas.get(seat["area_id"], ""), "row": seat["row"], "number": seat["number"],
            "category": names.get(seat["category_id"], ""),
        }
        if seat["wheelchair"]:
            label += ", " + _("wheelchair space")
        placed.append({
            **seat, "cx": round(seat["x"] - min_x + MARGIN, 1), "cy": round(seat["y"] - min_y + MARGIN + 40, 1),
            "color": colors.get(seat["category_id"], "#888") if state != "taken" else "#d0d0d0",
            "label": label, "pickable": state == "free" and seat["category_id"] in colors,
        })
    rows: dict = {}
    for seat in placed:  # one row letter left of each row
        key = (seat["area_id"], seat["row"])
        if key not in rows or seat["cx"] < rows[key]["x"] + 16:
            rows[key] = {"x": seat["cx"] - 16, "y": seat["cy"] + 4, "label": seat["row"]}
    width = max_x - min_x + 2 * MARGIN
    return {
        "seats": placed, "rows": list(rows.values()), "width": round(width, 1), "height": round(max_y - min_y + 2 * MARGIN + 40, 1), "radius": RADIUS,
        "stage_x": round(performance.hall.stage_x - min_x + MARGIN, 1),
        "stage_left": round(performance.hall.stage_x - min_x + MARGIN - 120, 1),
        "legend": [{"color": c.color, "name": tr(c.name)} for c in categories],
    }


def performance_page(performance, point_of_sale, *, token: str, now, max_quantity: int) -> dict:
    """What a page selling one performance shows on a point of sale's channel: prices and free
    seats per category, the tariffs, the seat map. The shop and the box office both use it."""
    from entracte.inventory import selectors as inventory

    channel = point_of_sale.channel
    free = inventory.availability(performance=performance, channel=channel, now=now)
    table = catalog.price_table(performance, channel)
    for row in table:
        row["free"] = free.get(row["category"].id, 0)
    seats = inventory.seat_map(performance=performance, channel=channel, now=now, token=token)
    return {
        "performance": performance, "table": table, "on_sale": performance.on_sale(now),
        "tariffs": Tariff.objects.filter(channels=channel, price__performance=performance).distinct(),
        "seatmap": build_seat_map(performance, seats, [row["category"] for row in table]),
        "currency": performance.event.season.currency, "quantities": range(1, max_quantity + 1),
    }
