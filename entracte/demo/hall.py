"""The demo opera house's seat map, written in the documented CSV format."""

import csv
import io

ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUV"  # no I or O, as many halls do


def _category(area: str, row_index: int, seat_index: int, width: int) -> str:
    centre = abs(seat_index - (width - 1) / 2) < width / 4
    if area == "orchestre":
        if row_index < 8:
            return "cat1" if centre else "cat2"
        return "cat2" if centre else "cat3"
    if area == "corbeille":
        return "cat2" if row_index < 3 else "cat3"
    return "cat3" if row_index < 4 else "cat4"


def opera_seatmap_csv() -> str:
    """Stalls of 20 rows × 32 with two aisles, a dress circle of 6 × 30, a balcony of
    8 × 30 and a standing gallery of 40: 1,060 seats and 40 standing places."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["area", "row", "number", "x", "y", "category", "wheelchair", "companion", "capacity"])
    layouts = [("orchestre", 20, 32, 80, 26), ("corbeille", 6, 30, 660, 28), ("balcon", 8, 30, 860, 28)]
    for area, rows, width, top, pitch in layouts:
        for r in range(rows):
            for s in range(width):
                x = 500 + (s - (width - 1) / 2) * 24
                if area == "orchestre":  # aisles after seat 8 and after seat 24
                    x += -30 if s < 8 else (30 if s >= 24 else 0)
                wheelchair = area == "orchestre" and r == rows - 1 and s in (0, width - 1)
                companion = area == "orchestre" and r == rows - 1 and s in (1, width - 2)
                writer.writerow([area, ROW_LETTERS[r], s + 1, round(x, 1), top + r * pitch,
                                 _category(area, r, s, width), "yes" if wheelchair else "", "yes" if companion else "", ""])
    writer.writerow(["paradis", "", "", "", "", "cat4", "", "", 40])
    return out.getvalue()
