"""Reservations at the box office and on the phone: seats kept for a contact until paid."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.models import AuditEntry
from entracte.core.roles import OPERATOR
from entracte.customers.models import Contact
from entracte.customers.services import anonymous_contact
from entracte.inventory.errors import SoldOut
from entracte.inventory.models import PerformanceSeat
from entracte.reservations import selectors, services
from entracte.reservations.models import Reservation
from entracte.sales import carts, checkout
from entracte.sales.models import Order, Payment, Ticket

from . import factories
from .test_concurrency import _run_threads

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(db):
    return factories.point_of_sale("telephone", "phone", fee="2.00")


@pytest.fixture
def counter(db):
    return factories.point_of_sale("guichet", "boxoffice", fee="1.00")


@pytest.fixture
def operator(phone, counter):
    return factories.staff_user(OPERATOR, "op@staff.example", points_of_sale=[phone, counter])


@pytest.fixture
def contact(db):
    return Contact.objects.create(last_name="Martin", first_name="Paul", email="paul@example.org", phone="06 12 34 56 78")


def _cart(pos, perf, n=2, tariff="plein"):
    cart = carts.create_cart(point_of_sale=pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=n,
                             tariff_id=Tariff.objects.get(code=tariff).pk)
    return cart


def _reserve(pos, perf, contact, operator, n=2, days=2):
    cart = _cart(pos, perf, n)
    ids = list(cart.items.values_list("performance_seat_id", flat=True))
    reservation = services.reserve_cart(cart=cart, contact=contact, deadline=timezone.now() + timedelta(days=days),
                                        actor=operator)
    return reservation, ids


def _states(ids):
    return sorted(PerformanceSeat.objects.filter(id__in=ids).values_list("state", flat=True))


def test_reserved_seats_leave_sale_until_paid(perf, phone, contact, operator, web_pos):
    reservation, ids = _reserve(phone, perf, contact, operator)
    assert reservation.status == Reservation.PENDING and reservation.created_by == operator
    assert _states(ids) == ["reserved", "reserved"]
    assert reservation.seats.count() == 2 and not carts.Cart.objects.get(point_of_sale=phone).items.exists()
    assert AuditEntry.objects.filter(action="reservation.created", object_id=str(reservation.pk), actor=operator).exists()
    # Nobody else can take them, not even once every hold in the hall has expired.
    PerformanceSeat.objects.filter(performance=perf, state="free").update(state="sold")
    with pytest.raises(SoldOut):
        _cart(web_pos, perf, 1)
    assert _states(ids) == ["reserved", "reserved"]


def test_paying_a_reservation_sells_its_seats_through_the_checkout(perf, phone, counter, contact, operator):
    reservation, ids = _reserve(phone, perf, contact, operator)
    view = selectors.view(reservation, counter)
    assert view.quote.total == Decimal("101.00")  # 2 × 50.00 + the counter's 1.00 fee
    order = services.pay_reservation(reservation=reservation, point_of_sale=counter, actor=operator,
                                     tenders=[checkout.Tender("cash", Decimal("1.00")), checkout.Tender("cheque")],
                                     expected_total=Decimal("101.00"))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.PAID and reservation.order == order and reservation.closed_at
    assert order.contact == contact and order.point_of_sale == counter and order.total == Decimal("101.00")
    assert sorted(order.tickets.values_list("performance_seat_id", flat=True)) == sorted(ids)
    assert {p.method: p.amount for p in order.payments.all()} == {"cash": Decimal("1.00"), "cheque": Decimal("100.00")}
    assert _states(ids) == ["sold", "sold"]
    with pytest.raises(services.ReservationClosed):
        services.pay_reservation(reservation=reservation, tenders=[checkout.Tender("cash")], actor=operator)


def test_a_failed_payment_gives_the_seats_back_to_the_reservation(perf, phone, contact, operator):
    reservation, ids = _reserve(phone, perf, contact, operator)
    with pytest.raises(checkout.PaymentsDoNotAddUp):
        services.pay_reservation(reservation=reservation, actor=operator,
                                 tenders=[checkout.Tender("cash", Decimal("10.00"))])
    reservation.refresh_from_db()
    assert reservation.status == Reservation.PENDING and _states(ids) == ["reserved", "reserved"]
    assert not Order.objects.exists() and not Payment.objects.exists()
    order = services.pay_reservation(reservation=reservation, actor=operator, tenders=[checkout.Tender("cash")])
    assert order.total == Decimal("102.00")  # the phone's 2.00 fee: paid where it was made


def test_cancelling_a_reservation_puts_its_seats_back_on_sale(perf, phone, contact, operator):
    reservation, ids = _reserve(phone, perf, contact, operator)
    assert services.cancel_reservation(reservation=reservation, reason="Client injoignable", actor=operator) == 2
    reservation.refresh_from_db()
    assert reservation.status == Reservation.CANCELLED and reservation.cancel_reason == "Client injoignable"
    assert _states(ids) == ["free", "free"]
    with pytest.raises(services.ReservationClosed):
        services.pay_reservation(reservation=reservation, tenders=[checkout.Tender("cash")], actor=operator)
    with pytest.raises(services.ReservationClosed):
        services.cancel_reservation(reservation=reservation, actor=operator)


def test_an_overdue_reservation_keeps_its_seats_until_staff_decide(perf, phone, contact, operator):
    reservation, ids = _reserve(phone, perf, contact, operator)
    Reservation.objects.filter(pk=reservation.pk).update(deadline=timezone.now() - timedelta(hours=1))
    assert _states(ids) == ["reserved", "reserved"]
    assert [r.pk for r in selectors.pending()] == [reservation.pk]
    services.pay_reservation(reservation=reservation, tenders=[checkout.Tender("cash")], actor=operator)
    assert _states(ids) == ["sold", "sold"]


@pytest.mark.parametrize("case", ["anonymous", "web", "past", "after_sales_close"])
def test_a_refused_reservation_changes_nothing(perf, phone, web_pos, contact, operator, case):
    pos = web_pos if case == "web" else phone
    who = anonymous_contact() if case == "anonymous" else contact
    deadline = {"past": timezone.now() - timedelta(minutes=1),
                "after_sales_close": perf.sales_close_at + timedelta(minutes=1)}.get(case, timezone.now() + timedelta(days=1))
    expected = {"anonymous": services.ReservationNeedsContact, "web": services.ReservationNotAllowed,
                "past": services.DeadlineInvalid, "after_sales_close": services.DeadlineInvalid}[case]
    cart = _cart(pos, perf)
    with pytest.raises(expected) as raised:
        services.reserve_cart(cart=cart, contact=who, deadline=deadline, actor=operator)
    assert str(raised.value.message)
    assert not Reservation.objects.exists()
    assert _states(cart.items.values_list("performance_seat_id", flat=True)) == ["held", "held"]


@pytest.mark.django_db(transaction=True)
def test_operators_paying_and_cancelling_one_reservation_at_once_never_both_win():
    phone = factories.point_of_sale("telephone", "phone", fee="0.00")
    perf = factories.performance()
    operator = factories.staff_user(OPERATOR, points_of_sale=[phone])
    contact = Contact.objects.create(last_name="Martin", email="m@example.org")
    reservation, ids = _reserve(phone, perf, contact, operator)
    n = 12 if connection.vendor == "postgresql" else 6
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def operator_acts(i):
        try:
            barrier.wait(timeout=60)
            if i % 2:
                services.cancel_reservation(reservation=reservation, actor=operator)
                results[i] = "cancelled"
            else:
                services.pay_reservation(reservation=reservation, tenders=[checkout.Tender("cash")], actor=operator)
                results[i] = "paid"
        except Exception as exc:  # noqa: BLE001
            results[i] = getattr(exc, "code", type(exc).__name__)
        finally:
            connections.close_all()

    _run_threads(operator_acts, n)
    winners = [r for r in results if r in ("paid", "cancelled")]
    assert len(winners) == 1, results
    assert set(results) - {"paid", "cancelled"} <= {"reservation_closed", "reservation_busy"}, results
    reservation.refresh_from_db()
    if winners == ["paid"]:
        assert reservation.status == Reservation.PAID and _states(ids) == ["sold", "sold"]
        assert Ticket.objects.filter(status="valid").count() == 2 and Order.objects.count() == 1
    else:
        assert reservation.status == Reservation.CANCELLED and _states(ids) == ["free", "free"]
        assert not Order.objects.exists()


def test_phone_operator_reserves_then_pays_at_the_counter_through_the_pages(client, perf, phone, counter, contact, operator):
    client.force_login(operator)
    client.post(reverse("boxoffice:home"), {"point_of_sale": phone.pk})
    client.post(reverse("boxoffice:add_best", args=[perf.pk]), {
        "category": SeatCategory.objects.get(code="a").pk, "quantity": 2, "tariff": Tariff.objects.get(code="plein").pk})
    page = client.get(reverse("boxoffice:sale")).content.decode()
    assert 'id="reserve-form"' not in page  # no contact yet: an anonymous sale cannot be reserved
    client.post(reverse("boxoffice:attach_contact"), {"contact": contact.pk})
    page = client.get(reverse("boxoffice:sale")).content.decode()
    assert 'id="reserve-form"' in page
    deadline = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("boxoffice:reserve"), {"deadline": deadline, "note": "Rappeler mardi"})
    reservation = Reservation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("boxoffice:reservation", args=[reservation.number])
    assert reservation.contact == contact and reservation.point_of_sale == phone and reservation.note == "Rappeler mardi"
    assert reservation.number in client.get(reverse("boxoffice:reservations")).content.decode()
    assert reservation.number in client.get(reverse("boxoffice:contact", args=[contact.pk])).content.decode()

    client.post(reverse("boxoffice:home"), {"point_of_sale": counter.pk})  # the contact comes to the counter
    page = client.get(reverse("boxoffice:reservation", args=[reservation.number]))
    assert page.context["view"].quote.total == Decimal("101.00")
    response = client.post(reverse("boxoffice:pay_reservation", args=[reservation.number]), {
        "cash": "", "card_terminal": "101.00", "card_terminal_reference": "T-9", "delivery_mode": "pickup",
        "expected_total": "101.00"})
    order = Order.objects.get()
    assert response["Location"] == reverse("boxoffice:order", args=[order.number])
    assert order.point_of_sale == counter and order.created_by == operator
    reservation.refresh_from_db()
    link = reverse("boxoffice:reservation", args=[reservation.number])
    assert reservation.order == order and link not in client.get(reverse("boxoffice:reservations")).content.decode()


def test_a_bad_deadline_on_the_page_is_refused_with_a_message(client, perf, phone, contact, operator):
    client.force_login(operator)
    client.post(reverse("boxoffice:home"), {"point_of_sale": phone.pk})
    client.post(reverse("boxoffice:add_best", args=[perf.pk]), {
        "category": SeatCategory.objects.get(code="a").pk, "quantity": 1, "tariff": Tariff.objects.get(code="plein").pk})
    client.post(reverse("boxoffice:attach_contact"), {"contact": contact.pk})
    for deadline in ("demain", (timezone.localtime() + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")):
        page = client.post(reverse("boxoffice:reserve"), {"deadline": deadline}, follow=True).content.decode()
        assert 'class="error"' in page
    assert not Reservation.objects.exists()
    assert PerformanceSeat.objects.filter(performance=perf, state="held").count() == 1


def test_a_phone_reservation_shows_in_the_spectators_personal_space(client, perf, phone, operator):
    from entracte.customers.models import User
    from entracte.customers.services import contact_for_user

    user = User.objects.create_user(email="paul@example.org", password="pw-spectator-1")
    reservation, _ids = _reserve(phone, perf, contact_for_user(user), operator)
    client.force_login(user)
    page = client.get(reverse("shop:account")).content.decode()
    assert reservation.number in page and "Mes réservations en attente de paiement" in page
    services.cancel_reservation(reservation=reservation, actor=operator)
    assert reservation.number not in client.get(reverse("shop:account")).content.decode()


def test_a_too_long_cancel_reason_is_refused_and_the_reservation_kept(client, perf, phone, contact, operator):
    reservation, ids = _reserve(phone, perf, contact, operator)
    client.force_login(operator)
    page = client.post(reverse("boxoffice:cancel_reservation", args=[reservation.number]), {"reason": "x" * 201},
                       follow=True).content.decode()
    assert 'class="error"' in page and "200" in page
    reservation.refresh_from_db()
    assert reservation.status == Reservation.PENDING and _states(ids) == ["reserved", "reserved"]
    client.post(reverse("boxoffice:cancel_reservation", args=[reservation.number]), {"reason": "Doublon"})
    reservation.refresh_from_db()
    assert reservation.status == Reservation.CANCELLED and reservation.cancel_reason == "Doublon"
