"""How a seat is named on screens: "Orchestre · A-12", or the area alone for a standing place."""

from entracte.core.translated import tr


def seat_label(area_name, row: str | None, number: str | None) -> str:
    if row:
        return f"{tr(area_name)} · {row}-{number}"
    return tr(area_name)
