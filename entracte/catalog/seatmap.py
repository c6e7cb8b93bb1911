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
from statistics import median

REQUIRED = ("area", "row", "number", "x", "y", "category")
OPTIONAL = ("wheelchair", "companion", "capacity")
TRUE = {"1", "yes", "y", "true", "oui", "x"}
FALSE = {"", "0", "no", "n", "false", "non"}
# Two neighbours further apart than this many times the row's usual spacing are
# separated by an aisle: they do not count as side by side.
AISLE_FACTOR = 1.6


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
    errors: list[tuple[int, str]] = field(default_factory=list)


def parse_seatmap(text: str, known_categories: set[str]) -> ParsedMap:
    result = ParsedMap()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append((1, "missing columns: " + ", ".join(missing)))
        return result
    reader.fieldnames = header
    seen: dict[tuple[str, str, str], int] = {}
    standing_seen: dict[str, int] = {}
    for line_no, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        errors = []
        area = row["area"]
        if not area:
            errors.append("area is empty")
        category = row["category"]
        if category not in known_categories:
            errors.append(f"unknown seat category {category!r}")
        is_standing = not row["row"] and not row["number"]
        if is_standing:
            try:
                capacity = int(row.get("capacity") or "0")
            except ValueError:
                capacity = -1
            if capacity <= 0:
                errors.append("a standing area needs a capacity greater than 0")
            elif area in standing_seen:
                errors.append(f"standing area {area!r} already defined on line {standing_seen[area]}")
            if not errors:
                standing_seen[area] = line_no
                result.standing.append(ParsedStanding(line_no, area, category, capacity))
        else:
            if not row["row"] or not row["number"]:
                errors.append("a seat needs both a row and a number")
            coords = []
            for axis in ("x", "y"):
                try:
                    value = float(row[axis])
                    if not math.isfinite(value):
                        raise ValueError
                    coords.append(value)
                except ValueError:
                    errors.append(f"{axis} is not a number: {row[axis]!r}")
            flags = []
            for flag in ("wheelchair", "companion"):
                value = row.get(flag, "").lower()
                if value not in TRUE | FALSE:
                    errors.append(f"{flag} must be yes or no, not {row.get(flag)!r}")
                flags.append(value in TRUE)
            key = (area, row["row"], row["number"])
            if key in seen:
                errors.append(f"seat {area} {row['row']}-{row['number']} already defined on line {seen[key]}")
            if not errors:
                seen[key] = line_no
                result.seats.append(ParsedSeat(line_no, area, row["row"], row["number"], coords[0], coords[1], category, flags[0], flags[1]))
        result.errors.extend((line_no, e) for e in errors)
    clash = set(standing_seen) & {s.area for s in result.seats}
    for area in sorted(clash):
        result.errors.append((standing_seen[area], f"area {area!r} has both seats and a standing capacity"))
    if not result.seats and not result.standing and not result.errors:
        result.errors.append((1, "the file holds no seats"))
    _number_positions(result.seats)
    return result


def _number_positions(seats: list[ParsedSeat]) -> None:
    """Give each seat its position in its row, leaving a gap at each aisle."""
    rows: dict[tuple[str, str], list[ParsedSeat]] = {}
    for seat in seats:
        rows.setdefault((seat.area, seat.row), []).append(seat)
    for row in rows.values():
        row.sort(key=lambda s: s.x)
        gaps = [b.x - a.x for a, b in zip(row, row[1:])]
        usual = median(gaps) if gaps else 0
        position = 1
        for i, seat in enumerate(row):
            if i and usual > 0 and gaps[i - 1] > AISLE_FACTOR * usual:
                position += 1
            seat.position = position
            position += 1
