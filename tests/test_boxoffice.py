"""Box-office and phone sales through the operator's pages, and who may reach them."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.models import AuditEntry
from entracte.core.roles import OPERATOR
from entracte.customers.models import Contact
from entracte.inventory.models import PerformanceSeat
from entracte.sales.models import Order, Payment

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(db):
    return factories.point_of_sale("guichet", "boxoffice", fee="1.00")


@pytest.fixture
def operator(counter):
    return factories.staff_user(OPERATOR, "op@staff.example", points_of_sale=[counter])


@pytest.fixture
def desk(client, operator):
    client.force_login(operator)
    return client


def _hold_two(desk, perf, tariff="plein"):
    return desk.post(reverse("boxoffice:add_best", args=[perf.pk]), {
        "category": SeatCategory.objects.get(code="a").pk, "quantity": 2, "tariff": Tariff.objects.get(code=tariff).pk})


def test_operator_sells_to_a_new_contact_with_a_split_payment(desk, perf, operator, counter, django_capture_on_commit_callbacks):
    _hold_two(desk, perf)
    response = desk.post(reverse("boxoffice:contact_new"), {"kind": "individual", "last_name": "Durand", "first_name": "Alice",
                                                           "email": "alice@example.org", "phone": "06 11 22 33 44"})
    assert response.status_code == 302
    contact = Contact.objects.get(last_name="Durand")
    page = desk.get(reverse("boxoffice:sale"))
    assert "Durand" in page.content.decode() and page.context["view"].quote.total == Decimal("101.00")
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(reverse("boxoffice:sale"), {
            "cash": "41.00", "card_terminal": "60.00", "card_terminal_reference": "SLIP-77", "delivery_mode": "pickup",
            "send_email": "on", "expected_total": "101.00"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("boxoffice:order", args=[order.number])
    assert order.contact == contact and order.total == Decimal("101.00") and order.created_by == operator
    assert order.point_of_sale == counter and order.tickets.count() == 2
    payments = {p.method: p for p in Payment.objects.filter(order=order)}
    assert {m: p.amount for m, p in payments.items()} == {"cash": Decimal("41.00"), "card_terminal": Decimal("60.00")}
    assert payments["card_terminal"].reference == "SLIP-77" and payments["cash"].created_by == operator
    assert PerformanceSeat.objects.filter(performance=perf, state="sold").count() == 2
    entry = AuditEntry.objects.get(action="order.placed")
    assert entry.actor == operator and entry.channel == "boxoffice"
    assert AuditEntry.objects.filter(action="contact.created", actor=operator).exists()
    assert order.email == "alice@example.org", order.email
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    pdf = desk.get(reverse("boxoffice:order_pdf", args=[order.number]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_anonymous_cash_sale_sends_no_email(desk, perf, django_capture_on_commit_callbacks):
    _hold_two(desk, perf)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("boxoffice:sale"), {"delivery_mode": "pickup"})  # no amounts: the whole total in cash
    order = Order.objects.get()
    assert order.contact.kind == Contact.ANONYMOUS and order.email == ""
    assert list(order.payments.values_list("method", "amount")) == [("cash", Decimal("101.00"))]
    assert mail.outbox == []


def test_payments_that_do_not_add_up_sell_nothing(desk, perf):
    _hold_two(desk, perf)
    page = desk.post(reverse("boxoffice:sale"), {"cash": "50.00", "cheque": "50.00", "delivery_mode": "pickup"}, follow=True)
    assert "101" in page.content.decode() and not Order.objects.exists() and not Payment.objects.exists()
    assert PerformanceSeat.objects.filter(performance=perf, state="held").count() == 2  # still in the sale


def test_changing_a_tariff_reprices_the_sale(desk, perf):
    _hold_two(desk, perf)
    item = desk.get(reverse("boxoffice:sale")).context["view"].items[0]
    desk.post(reverse("boxoffice:change_tariff", args=[item.id]), {"tariff": Tariff.objects.get(code="reduit").pk})
    assert desk.get(reverse("boxoffice:sale")).context["view"].quote.total == Decimal("91.00")


def test_an_operator_sells_only_at_his_points_of_sale(client, perf, counter):
    phone = factories.point_of_sale("tel", "phone")
    operator = factories.staff_user(OPERATOR, points_of_sale=[phone])
    client.force_login(operator)
    client.post(reverse("boxoffice:home"), {"point_of_sale": counter.pk})
    assert client.session["bo_pos"] == phone.pk  # refused: stays on his own
    _hold_two(client, perf)
    cart = client.get(reverse("boxoffice:sale")).context["view"].cart
    assert cart.point_of_sale == phone


def test_an_operator_without_a_point_of_sale_is_told_so(client, perf, counter):
    client.force_login(factories.staff_user(OPERATOR))
    page = client.get(reverse("boxoffice:home"))
    assert page.context["pos"] is None and "opérateur d'aucun point de vente" in page.content.decode()


def test_staff_api_cart_needs_the_right_point_of_sale(client, counter, operator):
    from entracte.customers.models import ApiToken

    other = factories.staff_user(OPERATOR)
    for user, expected in ((operator, 201), (other, 403)):
        token = ApiToken.issue(user=user, name="t")
        response = client.post("/api/carts", {"point_of_sale": "guichet"}, content_type="application/json",
                               headers={"authorization": f"Bearer {token}"})
        assert response.status_code == expected, response.content
    assert client.post("/api/carts", {"point_of_sale": "guichet"}, content_type="application/json").status_code == 403


def test_box_office_payment_methods_are_not_offered_on_the_web(perf, web_pos):
    from entracte.sales import carts, checkout
    from entracte.sales.providers import UnknownPaymentMethod

    cart = carts.create_cart(point_of_sale=web_pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=1,
                             tariff_id=Tariff.objects.get(code="plein").pk)
    buyer = checkout.resolve_buyer(email="a@example.org")
    with pytest.raises(UnknownPaymentMethod):
        checkout.place_order(cart=cart, buyer=buyer, tenders=[checkout.Tender("cash")])
    assert not Order.objects.exists()


def test_contact_search_by_name_email_phone_and_number(desk):
    from entracte.customers.services import search_contacts

    alice = Contact.objects.create(first_name="Alice", last_name="Durand", email="alice@example.org", phone="06 11 22 33 44")
    Contact.objects.create(first_name="Bob", last_name="Martin", email="bob@example.org")
    for query in ("durand", "Alice Durand", "alice@example", "06 11 22", "0611223344"[:6], alice.number, str(alice.pk)):
        assert alice in list(search_contacts(query)), query
    assert [c.last_name for c in search_contacts("martin")] == ["Martin"]
    page = desk.get(reverse("boxoffice:contacts"), {"q": "durand"})
    assert alice.number in page.content.decode()


def test_organisation_with_its_people(desk):
    desk.post(reverse("boxoffice:contact_new"), {"kind": "organisation", "last_name": "CE Valmont"})
    company = Contact.objects.get(last_name="CE Valmont")
    desk.post(reverse("boxoffice:contact_new"), {"kind": "individual", "last_name": "Petit", "organisation": company.pk})
    page = desk.get(reverse("boxoffice:contact", args=[company.pk]))
    assert company.kind == "organisation" and "Petit" in page.content.decode()


def test_abandoning_a_sale_frees_its_seats(desk, perf):
    _hold_two(desk, perf)
    desk.post(reverse("boxoffice:cancel_sale"))
    assert PerformanceSeat.objects.filter(performance=perf, state="held").count() == 0
    assert not Order.objects.exists()


def test_emailing_tickets_again_checks_the_address_and_is_audited(desk, perf, operator, django_capture_on_commit_callbacks):
    _hold_two(desk, perf)
    desk.post(reverse("boxoffice:sale"), {"delivery_mode": "pickup"})
    order = Order.objects.get()
    desk.post(reverse("boxoffice:email_order", args=[order.number]), {"email": "not an address"})
    order.refresh_from_db()
    assert order.email == "" and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("boxoffice:email_order", args=[order.number]), {"email": "Later@Example.org"})
    order.refresh_from_db()
    assert order.email == "later@example.org" and [m.to for m in mail.outbox] == [["later@example.org"]]
    assert AuditEntry.objects.filter(action="order.tickets_emailed", actor=operator).exists()
