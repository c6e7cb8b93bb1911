"""Sales reports: seats by state and category, revenue by tariff, end-of-day takings per
operator and payment method, their pages and CSV exports."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.roles import ADMINISTRATOR, OPERATOR
from entracte.customers.models import Contact
from entracte.inventory.models import PerformanceSeat
from entracte.sales import carts, checkout, refunds, reports
from entracte.sales.checkout import Tender

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(perf, web_pos):
    """On a 30-seat performance: a counter sale of 2 (cash + card terminal), one ticket of it
    cancelled and refunded; a web sale of 1 at the reduced tariff; one live hold, one expired
    hold, one blocked and one reserved seat."""
    counter = factories.point_of_sale("guichet", "boxoffice", fee="1.00")
    operator = factories.staff_user(OPERATOR, "ope@staff.example", points_of_sale=[counter])
    cat = SeatCategory.objects.get(code="a")
    plein, reduit = Tariff.objects.get(code="plein"), Tariff.objects.get(code="reduit")
    contact = Contact.objects.create(last_name="Durand", email="durand@example.org")

    cart = carts.create_cart(point_of_sale=counter)
    carts.add_best_available(cart=cart, performance=perf, category_id=cat.pk, quantity=2, tariff_id=plein.pk)
    counter_order = checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=contact, email=contact.email),
                                         tenders=[Tender("cash", Decimal("60.00")), Tender("card_terminal", None, {"reference": "T1"})],
                                         actor=operator)
    refunds.cancel_tickets(order=counter_order, ticket_ids=[counter_order.tickets.first().pk], actor=operator)

    cart = carts.create_cart(point_of_sale=web_pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=cat.pk, quantity=1, tariff_id=reduit.pk)
    checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=contact, email=contact.email), payment_method="demo_card",
                         payment_data=factories.GOOD_CARD)

    live, expired = carts.create_cart(point_of_sale=web_pos), carts.create_cart(point_of_sale=web_pos)
    carts.add_best_available(cart=live, performance=perf, category_id=cat.pk, quantity=1, tariff_id=plein.pk)
    carts.add_best_available(cart=expired, performance=perf, category_id=cat.pk, quantity=1, tariff_id=plein.pk)
    PerformanceSeat.objects.filter(hold_token=expired.token).update(hold_until=timezone.now() - timedelta(minutes=1))
    free = PerformanceSeat.objects.filter(performance=perf, state=PerformanceSeat.FREE).order_by("pk")
    PerformanceSeat.objects.filter(pk=free[0].pk).update(state=PerformanceSeat.BLOCKED)
    PerformanceSeat.objects.filter(pk=free[1].pk).update(state=PerformanceSeat.RESERVED)
    admin = factories.staff_user(ADMINISTRATOR, "admin@staff.example")
    return {"perf": perf, "operator": operator, "counter": counter, "admin": admin, "web": web_pos}


def test_performance_report_counts_every_seat_once_by_its_effective_state(scene):
    report = reports.performance_report(performance=scene["perf"])
    [line] = report.categories
    assert line.states == {"free": 25, "held": 1, "reserved": 1, "sold": 2, "blocked": 1}
    assert report.capacity == PerformanceSeat.objects.filter(performance=scene["perf"]).count() == 30
    by_tariff = {s.tariff.code: (s.tickets, s.revenue) for s in report.sales}
    assert by_tariff == {"plein": (1, Decimal("50.00")), "reduit": (1, Decimal("40.00"))}
    assert report.revenue == {"EUR": Decimal("90.00")} and report.tickets == 2


def test_cash_report_splits_takings_by_operator_point_of_sale_and_method(scene):
    report = reports.cash_report(start=timezone.localdate())
    groups = {(g.operator.email if g.operator else None, g.point_of_sale.code): g for g in report.groups}
    assert set(groups) == {("ope@staff.example", "guichet"), (None, "web")}
    counter = {line.method: (line.payments, line.refunds, line.count) for line in groups[("ope@staff.example", "guichet")].lines}
    # 101.00 paid (2 × 50 + 1 fee): 60 cash then 41 terminal. The 50.00 refund goes back to the
    # latest method first: 41 to the terminal, 9 in cash.
    assert counter == {"cash": (Decimal("60.00"), Decimal("-9.00"), 2),
                       "card_terminal": (Decimal("41.00"), Decimal("-41.00"), 2)}
    assert groups[("ope@staff.example", "guichet")].net_by_currency() == {"EUR": Decimal("51.00")}
    assert groups[(None, "web")].net_by_currency() == {"EUR": Decimal("42.00")}
    assert report.net_by_currency() == {"EUR": Decimal("93.00")}
    assert sum(line.count for line in report.totals) == 5


def test_cash_report_filters_by_day_operator_and_point_of_sale(scene):
    today = timezone.localdate()
    assert reports.cash_report(start=today - timedelta(days=1)).groups == []
    assert reports.cash_report(start=today + timedelta(days=1), end=today + timedelta(days=7)).groups == []
    only = reports.cash_report(start=today, operator_id=scene["operator"].pk)
    assert [g.operator for g in only.groups] == [scene["operator"]]
    web = reports.cash_report(start=today - timedelta(days=3), end=today, point_of_sale_id=scene["web"].pk)
    assert [g.point_of_sale for g in web.groups] == [scene["web"]]


def test_report_pages_show_the_figures_and_a_chart(client, scene):
    client.force_login(scene["admin"])
    index = client.get(reverse("boxoffice:reports")).content.decode()
    assert "2 / 30" in index and "90,00" in index
    page = client.get(reverse("boxoffice:report_performance", args=[scene["perf"].pk])).content.decode()
    assert "<svg" in page and 'class="state-sold"' in page and 'class="state-reserved"' in page
    assert "<td>Reduit</td><td>1</td><td>40,00 €</td>" in page
    cash = client.get(reverse("boxoffice:report_cash")).content.decode()
    assert "ope@staff.example" in cash and "51,00" in cash and "93,00" in cash


def _csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_exports(client, scene):
    client.force_login(scene["admin"])
    rows = _csv(client.get(reverse("boxoffice:report_performance_csv", args=[scene["perf"].pk])))
    assert ["Catégorie A", "2", "1", "1", "25", "1", "30"] in rows  # sold, reserved, held, free, blocked, total
    assert any(r[-2:] == ["90.00", "EUR"] for r in rows)
    rows = _csv(client.get(reverse("boxoffice:report_cash_csv"), {"start": timezone.localdate().isoformat()}))
    totals = [r for r in rows[1:] if r[0] == "Total"]
    assert sum(Decimal(r[6]) for r in totals) == Decimal("93.00")
    assert {r[0] for r in rows[1:]} == {"ope@staff.example", "En ligne (sans opérateur)", "Total"}


@pytest.mark.parametrize("query", [{"start": "pas une date"}, {"start": "2026-05-10", "end": "2026-05-01"},
                                   {"start": "2020-01-01", "end": "2026-01-01"}, {"operator": "999999"}])
def test_bad_report_periods_are_refused_with_a_message(client, scene, query):
    client.force_login(scene["admin"])
    page = client.get(reverse("boxoffice:report_cash"), query)
    assert page.status_code == 200 and 'class="errorlist' in page.content.decode()
    assert client.get(reverse("boxoffice:report_cash_csv"), query).status_code == 400


def test_operators_do_not_see_reports(client, scene):
    client.force_login(scene["operator"])
    assert client.get(reverse("boxoffice:report_cash")).status_code == 403
    assert "Rapports" not in client.get(reverse("boxoffice:home")).content.decode()


def test_an_operator_sees_his_own_takings_of_the_day_on_the_box_office_home(client, scene):
    other = factories.staff_user(OPERATOR, "other@staff.example", points_of_sale=[scene["counter"]])
    client.force_login(scene["operator"])
    page = client.get(reverse("boxoffice:home")).content.decode()
    assert "Mes encaissements du jour" in page and "51,00" in page
    client.force_login(other)
    page = client.get(reverse("boxoffice:home")).content.decode()
    assert "51,00" not in page and "Aucun encaissement aujourd" in page
