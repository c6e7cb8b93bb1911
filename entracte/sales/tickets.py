"""E-tickets: a QR code per ticket and a PDF with one ticket per page."""

from __future__ import annotations

import io

import segno
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from entracte.core.translated import tr


def qr_png(code: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_svg(code: str) -> str:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def _latin(text: str) -> str:
    # The PDF's built-in fonts cover Windows-1252 (French, German, Spanish, €).
    return str(text).encode("cp1252", "replace").decode("cp1252")


def seat_text(area_name, row, number) -> str:
    """The seat in words, as printed on the ticket."""
    if row:
        return _("%(area)s, row %(row)s, seat %(number)s") % {"area": tr(area_name), "row": row, "number": number}
    return _("%(area)s, standing") % {"area": tr(area_name)}


def seat_label(ticket) -> str:
    ps = ticket.performance_seat
    return seat_text(ps.area.name, ps.seat.row if ps.seat_id else None, ps.seat.number if ps.seat_id else None)


def render_pdf(order, tickets) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin(_("Tickets for order %(number)s") % {"number": order.number}))
    for ticket in tickets:
        perf = ticket.performance
        pdf.add_page()
        pdf.set_draw_color(40, 40, 40)
        pdf.rect(15, 15, 180, 110)
        pdf.set_xy(22, 22)
        pdf.set_font("Helvetica", "B", 20)
        pdf.multi_cell(110, 9, _latin(tr(perf.event.name)))
        pdf.set_font("Helvetica", "", 12)
        starts = timezone.localtime(perf.starts_at)
        lines = [
            date_format(starts, "l j F Y, H:i"),
            f"{tr(perf.hall.venue.name)} - {tr(perf.hall.name)}",
            seat_label(ticket),
            f"{tr(ticket.category.name)} - {tr(ticket.tariff.name)}",
            f"{_('Price')}: {ticket.price} {order.currency}",
            f"{_('Order')}: {order.number}",
            f"{_('Ticket')}: {ticket.code}",
        ]
        for line in lines:
            pdf.set_x(22)
            pdf.cell(110, 7, _latin(line), new_x="LMARGIN", new_y="NEXT")
        pdf.image(io.BytesIO(qr_png(ticket.code)), x=140, y=30, w=50, h=50)
        pdf.set_xy(22, 112)
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(170, 5, _latin(_("Show this ticket at the entrance. Each code is valid for one entry.")))
    return bytes(pdf.output())
