"""Catalogue operations that change state."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from entracte.core import audit
from entracte.core.errors import InvalidInput

from .models import Area, Hall, Seat, SeatCategory
from .seatmap import parse_seatmap


class SeatMapInvalid(InvalidInput):
    code = "seatmap_invalid"

    def __init__(self, errors: list[tuple[int, str, dict]]):
        self.errors = [(line, _(template) % params) for line, template, params in errors]
        lines = "; ".join(f"{_('line')} {n}: {msg}" for n, msg in self.errors[:50])
        super().__init__(_("The seat map was not imported: %(errors)s") % {"errors": lines})


@transaction.atomic
def import_seatmap(*, hall: Hall, text: str, actor=None) -> dict:
    """Create the hall's areas and seats from a CSV seat map. All or nothing."""
    categories = {c.code: c for c in SeatCategory.objects.all()}
    parsed = parse_seatmap(text, set(categories))
    if not parsed.errors and Seat.objects.filter(area__hall=hall).exists():
        parsed.errors.append((1, gettext_noop("hall %(hall)s already has a seat map"), {"hall": str(hall)}))
    if parsed.errors:
        raise SeatMapInvalid(parsed.errors)
    areas: dict[str, Area] = {}
    for sort, code in enumerate(dict.fromkeys([s.area for s in parsed.seats] + [s.area for s in parsed.standing])):
        areas[code] = Area.objects.create(hall=hall, code=code[:32].lower().replace(" ", "-"), name={"fr": code}, sort=sort)
    for standing in parsed.standing:
        area = areas[standing.area]
        area.kind, area.capacity, area.category = Area.STANDING, standing.capacity, categories[standing.category]
        area.save(update_fields=["kind", "capacity", "category"])
    Seat.objects.bulk_create(
        Seat(area=areas[s.area], row=s.row, number=s.number, x=s.x, y=s.y, position=s.position,
             category=categories[s.category], wheelchair=s.wheelchair, companion=s.companion)
        for s in parsed.seats
    )
    summary = {"areas": len(areas), "seats": len(parsed.seats), "standing": sum(s.capacity for s in parsed.standing)}
    audit.record(action="seatmap.imported", obj=hall, actor=actor, data=summary)
    return summary
