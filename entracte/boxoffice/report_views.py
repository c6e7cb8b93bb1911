"""Sales report pages and their CSV exports (permission sales.view_reports).

The figures come from sales/reports.py; these views parse the request, call it and render
a table, a chart or a CSV file. CSV files are UTF-8 with a byte-order mark (so spreadsheet
programs show accents right), comma-separated, with a dot as the decimal mark.
"""

from __future__ import annotations

import csv
from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from entracte.catalog.models import Performance
from entracte.core.translated import tr
from entracte.sales import reports

from .forms import CashReportForm
from .permissions import staff_required

views_reports = staff_required("sales.view_reports")

# Chart colours per seat state, and the order the bars stack in.
STATE_COLOURS = {"sold": "#8e1b2e", "reserved": "#d98c1f", "held": "#3b7dd8", "free": "#cfe3cf", "blocked": "#777777"}
CHART_WIDTH = 600


def _state_labels() -> dict[str, str]:
    return {"sold": _("sold"), "reserved": _("reserved"), "held": _("held"), "free": _("free"), "blocked": _("blocked")}


def _csv_response(filename: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, csv.writer(response)


def _chart(report: reports.PerformanceReport) -> list[dict]:
    """One horizontal bar per seat category, split by seat state, widths in SVG units."""
    bars = []
    for index, line in enumerate(report.categories):
        x, segments = 0.0, []
        for state, colour in STATE_COLOURS.items():
            count = line.states[state]
            if count:
                width = CHART_WIDTH * count / line.total
                segments.append({"state": state, "count": count, "x": round(x, 2), "width": round(width, 2),
                                 "colour": colour})
                x += width
        bars.append({"label": tr(line.category.name), "y": index * 34, "segments": segments, "total": line.total})
    return bars


@views_reports
def index(request):
    now = timezone.now()
    performances = list(Performance.objects.filter(starts_at__gte=now - timedelta(days=31))
                        .select_related("event", "hall__venue").order_by("starts_at")[:200])
    summary = reports.performances_summary(performance_ids=[p.pk for p in performances], now=now)
    return render(request, "boxoffice/reports/index.html", {
        "rows": [(p, summary[p.pk]) for p in performances],
        "today": timezone.localdate(),
    })


@views_reports
def performance(request, pk):
    perf = get_object_or_404(Performance.objects.select_related("event", "hall__venue"), pk=pk)
    report = reports.performance_report(performance=perf)
    labels = _state_labels()
    return render(request, "boxoffice/reports/performance.html", {
        "report": report, "performance": perf, "bars": _chart(report),
        "states": [(s, labels[s], STATE_COLOURS[s]) for s in STATE_COLOURS],
        "chart_width": CHART_WIDTH, "chart_height": 34 * len(report.categories),
    })


@views_reports
def performance_csv(request, pk):
    perf = get_object_or_404(Performance, pk=pk)
    report = reports.performance_report(performance=perf)
    response, writer = _csv_response(f"sales-performance-{perf.pk}.csv")
    writer.writerow([_("Performance"), str(perf)])
    writer.writerow([])
    writer.writerow([_("Seat category"), *_state_labels().values(), _("Total")])
    for line in report.categories:
        writer.writerow([tr(line.category.name), *(line.states[s] for s in STATE_COLOURS), line.total])
    writer.writerow([_("Total"), *(report.states[s] for s in STATE_COLOURS), report.capacity])
    writer.writerow([])
    writer.writerow([_("Seat category"), _("Tariff"), _("Tickets"), _("Revenue"), _("Currency")])
    for sale in report.sales:
        writer.writerow([tr(sale.category.name), tr(sale.tariff.name), sale.tickets, sale.revenue, sale.currency])
    for currency, amount in sorted(report.revenue.items()):
        writer.writerow([_("Total"), "", report.tickets, amount, currency])
    return response


def _cash_form(request) -> CashReportForm:
    data = request.GET.copy()
    data.setdefault("start", timezone.localdate().isoformat())
    return CashReportForm(data)


@views_reports
def cash(request):
    form = _cash_form(request)
    report = None
    if form.is_valid():
        report = reports.cash_report(start=form.cleaned_data["start"], end=form.cleaned_data["end"],
                                     operator_id=getattr(form.cleaned_data["operator"], "pk", None),
                                     point_of_sale_id=getattr(form.cleaned_data["point_of_sale"], "pk", None))
    return render(request, "boxoffice/reports/cash.html", {"form": form, "report": report,
                                                           "query": request.GET.urlencode()})


@views_reports
def cash_csv(request):
    form = _cash_form(request)
    if not form.is_valid():
        return render(request, "boxoffice/reports/cash.html", {"form": form, "report": None}, status=400)
    data = form.cleaned_data
    report = reports.cash_report(start=data["start"], end=data["end"], operator_id=getattr(data["operator"], "pk", None),
                                 point_of_sale_id=getattr(data["point_of_sale"], "pk", None))
    response, writer = _csv_response(f"takings-{report.start.isoformat()}-{report.end.isoformat()}.csv")
    writer.writerow([_("Operator"), _("Point of sale"), _("Payment method"), _("Movements"), _("Payments"), _("Refunds"),
                     _("Net"), _("Currency")])
    for group in report.groups:
        operator = group.operator.email if group.operator else _("Online (no operator)")
        for line in group.lines:
            writer.writerow([operator, tr(group.point_of_sale.name), line.label, line.count, line.payments, line.refunds,
                             line.net, line.currency])
    for line in report.totals:
        writer.writerow([_("Total"), "", line.label, line.count, line.payments, line.refunds, line.net, line.currency])
    return response


