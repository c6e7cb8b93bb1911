"""Parsing a seat-map CSV file (format in docs/seatmap-format.md). Pure: no database.

Columns: area, row, number, x, y, category, wheelchair, companion, capacity.
A seated place is a line with row and number. A standing area is one line with an
empty row and number and a capacity > 0. Errors carry the file's line number.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

REQUIRED = ("area", "row", "number", "x", "y", "category")
OPTIONAL = ("wheelchair", "companion", "capacity")
TRUE = {"1", "yes", "y", "true", "oui", "x"}
FALSE = {"", "0", "no", "n", "false", "non"}
# Two neighbours further apart than this many times the row's usual spacing are
# separated by an aisle: they do not count as side by side.
AISLE_FACTOR = 1.6


def _(message: str) -> str:
    """Marks a message for translation; the caller translates it (this module stays pure)."""
    return message


@dataclass
class ParsedSeat:
    line: int
    area: str
    row: str
    number: str
    x: float
    y: float
    category: str
    wheelchair: bool = False
    companion: bool = False
    position: int = 0


@dataclass
class ParsedStanding:
    line: int
    area: str
    category: str
    capacity: int


@dataclass
class ParsedMap:
    seats: list[ParsedSeat] = field(default_factory=list)
    standing: list[ParsedStanding] = field(default_factory=list)
    errors: list[tuple[int, str, dict]] = field(default_factory=list)  # line, message template, parameters


def parse_seatmap(text: str, known_categories: set[str]) -> ParsedMap:
    result = ParsedMap()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append((1, _("missing columns: %(columns)s"), {"columns": ", ".join(missing)}))
        return result
    reader.fieldnames = header
    seen: dict[tuple[str, str, str], int] = {}
    standing_seen: dict[str, int] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        errors = []
        if any("\x00" in value for value in row.values()):  # PostgreSQL refuses NUL in text (core/inputs.py)
            errors.append((_("the line contains a character that is not allowed (NUL)"), {}))
        area = row["area"]
        if not area:
            errors.append((_("the area is empty"), {}))
        category = row["category"]
        if category not in known_categories:
            errors.append((_("unknown seat category %(category)r"), {"category": category}))
        is_standing = not row["row"] and not row["number"]
        if is_standing:
            try:
                capacity = int(row.get("capacity") or "0")
            except ValueError:
                capacity = -1
            if capacity <= 0:
                errors.append((_("a standing area needs a capacity greater than 0"), {}))
            elif area in standing_seen:
                errors.append((_("standing area %(area)r is already defined on line %(line)s"), {"area": area, "line": standing_seen[area]}))
            if not errors:
                standing_seen[area] = line_no
                result.standing.append(ParsedStanding(line_no, area, category, capacity))
        else:
            if not row["row"] or not row["number"]:
                errors.append((_("a seat needs both a row and a number"), {}))
            coords = []
            for axis in ("x", "y"):
                try:
                    value = float(row[axis])
                    if not math.isfinite(value):
                        raise ValueError
                    coords.append(value)
                except ValueError:
                    errors.append((_("%(axis)s is not a number: %(value)r"), {"axis": axis, "value": row[axis]}))
            flags = []
            for flag in ("wheelchair", "companion"):
                value = row.get(flag, "").lower()
                if value not in TRUE | FALSE:
                    errors.append((_("%(column)s must be yes or no, not %(value)r"), {"column": flag, "value": row.get(flag)}))
                flags.append(value in TRUE)
            key = (area, row["row"], row["number"])
            if key in seen:
                errors.append((_("seat %(seat)s is already defined on line %(line)s"), {"seat": f"{area} {row['row']}-{row['number']}", "line": seen[key]}))
            if not errors:
                seen[key] = line_no
                result.seats.append(ParsedSeat(line_no, area, row["row"], row["number"], coords[0], coords[1], category, flags[0], flags[1]))
        result.errors.extend((line_no, message, params) for message, params in errors)
    clash = set(standing_seen) & {s.area for s in result.seats}
    for area in sorted(clash):
        result.errors.append((standing_seen[area], _("area %(area)r has both seats and a standing capacity"), {"area": area}))
    if not result.seats and not result.standing and not result.errors:
        result.errors.append((1, _("the file holds no seats"), {}))
    _number_positions(result.seats)
    return result


def _number_positions(seats: list[ParsedSeat]) -> None:
    """Give each seat its position in its row, leaving a gap at each aisle."""
    rows: dict[tuple[str, str], list[ParsedSeat]] = {}
    for seat in seats:
        rows.setdefault((seat.area, seat.row), []).append(seat)
    for row in rows.values():
        row.sort(key=lambda s: s.x)
        gaps = [b.x - a.x for a, b in pairwise(row)]
        usual = median(gaps) if gaps else 0
        position = 1
        for i, seat in enumerate(row):
            if i and usual > 0 and gaps[i - 1] > AISLE_FACTOR * usual:
                position += 1
            seat.position = position
            position += 1
