"""Sales reports: the figures a venue manager looks at. Read-only queries, no business rule.

- `performance_report`: seats by effective state and seat category (an expired hold counts
  as free, as everywhere else), tickets and revenue by category and tariff.
- `cash_report`: money taken per operator, point of sale and payment method over a period
  (the end-of-day cash report), from the Payment rows: payments and refunds, so the net is
  what should be in the till.

Revenue is the price of valid tickets; order fees are reported apart (they belong to an
order, not to one performance). Amounts are grouped by currency and never added across
currencies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from entracte.catalog.models import Performance, PointOfSale, SeatCategory, Tariff
from entracte.customers.models import User
from entracte.inventory.models import PerformanceSeat

from .models import Payment, Ticket
from .providers import PROVIDERS

ZERO = Decimal("0.00")
STATES = [s for s, _ in PerformanceSeat.STATES]


@dataclass
class CategoryCounts:
    category: SeatCategory
    states: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.states.values())


@dataclass
class TariffSales:
    category: SeatCategory
    tariff: Tariff
    currency: str
    tickets: int
    revenue: Decimal


@dataclass
class PerformanceReport:
    performance: Performance
    categories: list[CategoryCounts]
    sales: list[TariffSales]
    states: dict[str, int]
    tickets: int
    revenue: dict[str, Decimal]  # currency → amount

    @property
    def capacity(self) -> int:
        return sum(self.states.values())


def _state_counts_by_category(performance: Performance, now: datetime) -> dict[int, dict[str, int]]:
    live_hold = Q(state=PerformanceSeat.HELD, hold_until__gte=now)
    expired_hold = Q(state=PerformanceSeat.HELD, hold_until__lt=now)
    rows = (PerformanceSeat.objects.filter(performance=performance).values("category_id").annotate(
        free=Count("id", filter=Q(state=PerformanceSeat.FREE) | expired_hold),
        held=Count("id", filter=live_hold),
        reserved=Count("id", filter=Q(state=PerformanceSeat.RESERVED)),
        sold=Count("id", filter=Q(state=PerformanceSeat.SOLD)),
        blocked=Count("id", filter=Q(state=PerformanceSeat.BLOCKED)),
    ))
    return {row.pop("category_id"): row for row in rows}


def performance_report(*, performance: Performance, now: datetime | None = None) -> PerformanceReport:
    now = now or timezone.now()
    by_category = _state_counts_by_category(performance, now)
    categories = {c.pk: c for c in SeatCategory.objects.filter(pk__in=by_category)}
    sales_rows = (Ticket.objects.filter(performance=performance, status=Ticket.VALID)
                  .values("category_id", "tariff_id", "order__currency")
                  .annotate(tickets=Count("id"), revenue=Sum("price")))
    sales_rows = list(sales_rows)
    categories.update({c.pk: c for c in SeatCategory.objects.filter(
        pk__in={r["category_id"] for r in sales_rows} - set(categories))})
    tariffs = {t.pk: t for t in Tariff.objects.filter(pk__in={r["tariff_id"] for r in sales_rows})}

    lines = [CategoryCounts(categories[pk], {s: by_category.get(pk, {}).get(s, 0) for s in STATES})
             for pk in by_category]
    lines.sort(key=lambda line: (line.category.sort, line.category.code))
    sales = [TariffSales(categories[r["category_id"]], tariffs[r["tariff_id"]], r["order__currency"], r["tickets"],
                         r["revenue"] or ZERO) for r in sales_rows]
    sales.sort(key=lambda s: (s.category.sort, s.category.code, s.tariff.sort, s.tariff.code, s.currency))
    revenue: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in sales:
        revenue[line.currency] += line.revenue
    return PerformanceReport(
        performance=performance, categories=lines, sales=sales,
        states={s: sum(line.states[s] for line in lines) for s in STATES},
        tickets=sum(s.tickets for s in sales), revenue=dict(revenue),
    )


@dataclass
class TakingsLine:
    method: str
    currency: str
    payments: Decimal = ZERO
    refunds: Decimal = ZERO  # negative or zero
    count: int = 0

    @property
    def net(self) -> Decimal:
        return self.payments + self.refunds

    @property
    def label(self) -> str:
        provider = PROVIDERS.get(self.method)
        return str(provider.label) if provider is not None and provider.label else self.method


@dataclass
class OperatorTakings:
    operator: User | None
    point_of_sale: PointOfSale
    lines: list[TakingsLine] = field(default_factory=list)

    def net_by_currency(self) -> dict[str, Decimal]:
        return _net_by_currency(self.lines)


@dataclass
class CashReport:
    start: date
    end: date  # inclusive
    groups: list[OperatorTakings]
    totals: list[TakingsLine]  # per method and currency, all operators

    def net_by_currency(self) -> dict[str, Decimal]:
        return _net_by_currency(self.totals)


def _net_by_currency(lines) -> dict[str, Decimal]:
    nets: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        nets[line.currency] += line.net
    return dict(nets)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the start of `start` to the end of `end`, in the venue's time zone."""
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def cash_report(*, start: date, end: date | None = None, operator_id: int | None = None,
                point_of_sale_id: int | None = None) -> CashReport:
    """Takings per operator, point of sale and payment method between two days (inclusive).

    A payment made by a spectator on the web has no operator: it is listed under its online
    point of sale with operator None."""
    end = end or start
    since, until = day_bounds(start, end)
    payments = Payment.objects.filter(created_at__gte=since, created_at__lt=until)
    if operator_id is not None:
        payments = payments.filter(created_by_id=operator_id)
    if point_of_sale_id is not None:
        payments = payments.filter(order__point_of_sale_id=point_of_sale_id)
    rows = (payments.values("created_by_id", "order__point_of_sale_id", "provider", "currency")
            .annotate(count=Count("id"),
                      paid=Sum("amount", filter=Q(kind=Payment.PAYMENT)),
                      refunded=Sum("amount", filter=Q(kind=Payment.REFUND))))
    rows = list(rows)
    users = {u.pk: u for u in User.objects.filter(pk__in={r["created_by_id"] for r in rows if r["created_by_id"]})}
    places = {p.pk: p for p in PointOfSale.objects.filter(pk__in={r["order__point_of_sale_id"] for r in rows})}
    groups: dict[tuple, OperatorTakings] = {}
    totals: dict[tuple, TakingsLine] = {}
    for r in rows:
        key = (r["created_by_id"], r["order__point_of_sale_id"])
        group = groups.setdefault(key, OperatorTakings(users.get(r["created_by_id"]), places[r["order__point_of_sale_id"]]))
        line = TakingsLine(r["provider"], r["currency"], r["paid"] or ZERO, r["refunded"] or ZERO, r["count"])
        group.lines.append(line)
        total = totals.setdefault((line.method, line.currency), TakingsLine(line.method, line.currency))
        total.payments += line.payments
        total.refunds += line.refunds
        total.count += line.count

    def method_order(line: TakingsLine):
        return (list(PROVIDERS).index(line.method) if line.method in PROVIDERS else len(PROVIDERS), line.method, line.currency)

    for group in groups.values():
        group.lines.sort(key=method_order)
    ordered = sorted(groups.values(), key=lambda g: (g.operator is None, g.operator.email if g.operator else "",
                                                   g.point_of_sale.pk))
    return CashReport(start=start, end=end, groups=ordered, totals=sorted(totals.values(), key=method_order))


def performances_summary(*, performance_ids: list[int], now: datetime | None = None) -> dict[int, dict]:
    """For a list of performances: capacity, seats sold, reserved and held, valid tickets'
    revenue per currency. Two grouped queries, whatever the number of performances."""
    now = now or timezone.now()
    summary = {pk: {"capacity": 0, "sold": 0, "reserved": 0, "held": 0, "revenue": {}} for pk in performance_ids}
    seats = (PerformanceSeat.objects.filter(performance_id__in=performance_ids).values("performance_id").annotate(
        capacity=Count("id"),
        sold=Count("id", filter=Q(state=PerformanceSeat.SOLD)),
        reserved=Count("id", filter=Q(state=PerformanceSeat.RESERVED)),
        held=Count("id", filter=Q(state=PerformanceSeat.HELD, hold_until__gte=now)),
    ))
    for row in seats:
        summary[row.pop("performance_id")].update(row)
    money = (Ticket.objects.filter(performance_id__in=performance_ids, status=Ticket.VALID)
             .values("performance_id", "order__currency").annotate(revenue=Sum("price")))
    for row in money:
        summary[row["performance_id"]]["revenue"][row["order__currency"]] = row["revenue"] or ZERO
    return summary
