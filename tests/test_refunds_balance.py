"""Cancellations, refunds and the contact's balance: amounts stay consistent, every movement
is recorded, a balance never goes below zero."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.urls import reverse

from entracte.access import services as access
from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.models import AuditEntry
from entracte.core.roles import CONTROLLER, OPERATOR
from entracte.customers.models import Contact, User
from entracte.inventory.models import PerformanceSeat
from entracte.sales import balance, carts, checkout, refunds
from entracte.sales.models import BalanceEntry, Order, Payment, Ticket
from entracte.sales.providers import UnknownPaymentMethod

from . import factories
from .test_concurrency import _run_threads

pytestmark = pytest.mark.django_db

EUR = "EUR"


@pytest.fixture
def counter(db):
    return factories.point_of_sale("guichet", "boxoffice", fee="1.00")


@pytest.fixture
def operator(counter):
    return factories.staff_user(OPERATOR, points_of_sale=[counter])


def _cart(pos, perf, n=2, tariff="plein"):
    cart = carts.create_cart(point_of_sale=pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=n,
                             tariff_id=Tariff.objects.get(code=tariff).pk)
    return cart


def _sell(pos, perf, contact, tenders, actor, n=2):
    return checkout.place_order(cart=_cart(pos, perf, n), buyer=checkout.Buyer(contact=contact, email=contact.email),
                                tenders=tenders, actor=actor)


def _consistent(order):
    """What was paid less refunded equals what is still sold (prices, plus the fee while a ticket is valid)."""
    order.refresh_from_db()
    paid, refunded = refunds.paid_and_refunded(order)
    valid = list(order.tickets.filter(status="valid"))
    assert paid - refunded == sum((t.price for t in valid), Decimal("0")) + (order.order_fee if valid else 0)


def test_partial_then_full_cancellation_by_the_original_methods(perf, counter, operator):
    contact = Contact.objects.create(last_name="Durand", email="d@example.org")
    order = _sell(counter, perf, contact, [checkout.Tender("cash", Decimal("41.00")), checkout.Tender("card_terminal")], operator)
    first, second = order.tickets.order_by("pk")
    assert refunds.cancel_tickets(order=order, ticket_ids=[first.pk], actor=operator) == Decimal("50.00")
    order.refresh_from_db()
    assert order.status == Order.PARTLY_CANCELLED
    assert PerformanceSeat.objects.get(pk=first.performance_seat_id).state == "free"
    refund, = Payment.objects.filter(order=order, kind="refund")
    assert (refund.method, refund.amount, refund.created_by) == ("card_terminal", Decimal("-50.00"), operator)
    _consistent(order)
    # the rest: the fee comes back with the last ticket, spread over what each method still holds
    assert refunds.cancel_tickets(order=order, ticket_ids=[second.pk], actor=operator) == Decimal("51.00")
    order.refresh_from_db()
    assert order.status == Order.CANCELLED
    by_method = {m: a for m, a in Payment.objects.filter(order=order, kind="refund").values_list("method", "amount")
                 if m == "cash"}
    assert by_method == {"cash": Decimal("-41.00")}
    _consistent(order)
    paid, refunded = refunds.paid_and_refunded(order)
    assert refunded == paid == Decimal("101.00")
    assert AuditEntry.objects.filter(action="order.tickets_cancelled", actor=operator).count() == 2


def test_a_cancelled_ticket_cannot_be_cancelled_again_nor_scan_valid(perf, counter, operator):
    contact = Contact.objects.create(last_name="D", email="d@example.org")
    order = _sell(counter, perf, contact, [checkout.Tender("cash")], operator)
    ticket = order.tickets.first()
    refunds.cancel_tickets(order=order, ticket_ids=[ticket.pk], actor=operator)
    with pytest.raises(refunds.TicketsNotCancellable):
        refunds.cancel_tickets(order=order, ticket_ids=[ticket.pk], actor=operator)
    assert Payment.objects.filter(order=order, kind="refund").count() == 1
    assert access.scan_ticket(code=ticket.code, performance_id=perf.pk).result == "cancelled"
    other = Order.objects.create(contact=contact, email="", point_of_sale=counter, currency=EUR, subtotal=0, order_fee=0, total=0)
    with pytest.raises(refunds.TicketsNotCancellable):  # a ticket of another order
        refunds.cancel_tickets(order=other, ticket_ids=[order.tickets.last().pk], actor=operator)


def test_refund_to_balance_then_spend_it_at_the_box_office(perf, counter, operator):
    contact = Contact.objects.create(last_name="D", email="d@example.org")
    order = _sell(counter, perf, contact, [checkout.Tender("cash")], operator)
    refunds.cancel_tickets(order=order, ticket_ids=list(order.tickets.values_list("pk", flat=True)),
                           refund_to=refunds.TO_BALANCE, actor=operator)
    assert balance.balance_of(contact, EUR) == Decimal("101.00")
    assert BalanceEntry.objects.get(contact=contact).order == order
    again = _sell(counter, perf, contact, [checkout.Tender("balance", Decimal("60.00")), checkout.Tender("cheque")], operator)
    assert balance.balance_of(contact, EUR) == Decimal("41.00")
    assert set(again.payments.values_list("method", "amount")) == {("balance", Decimal("60.00")), ("cheque", Decimal("41.00"))}
    with pytest.raises(balance.InsufficientBalance):
        _sell(counter, perf, contact, [checkout.Tender("balance")], operator)  # 101 due, 41 left
    assert balance.balance_of(contact, EUR) == Decimal("41.00") and Order.objects.count() == 2
    # refunding an order paid partly from the balance gives that part back to the balance
    refunds.cancel_tickets(order=again, ticket_ids=list(again.tickets.values_list("pk", flat=True)), actor=operator)
    assert balance.balance_of(contact, EUR) == Decimal("101.00")
    _consistent(again)


def test_a_guest_cannot_spend_a_balance_on_the_web(perf, web_pos):
    contact = Contact.objects.create(email="guest@example.org")
    balance.credit(contact=contact, amount=Decimal("500.00"), currency=EUR)
    cart = _cart(web_pos, perf)
    with pytest.raises(UnknownPaymentMethod):
        checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=contact, email=contact.email),
                             tenders=[checkout.Tender("balance")])
    assert balance.balance_of(contact, EUR) == Decimal("500.00")


def test_shop_checkout_uses_my_balance_then_the_card(client, perf, web_pos, django_capture_on_commit_callbacks):
    user = User.objects.create_user(email="fan@example.org", password="pw-fan-12345")
    contact = Contact.objects.create(user=user, email=user.email)
    balance.credit(contact=contact, amount=Decimal("30.00"), currency=EUR, note="geste")
    client.force_login(user)
    client.post(reverse("shop:add_best", args=[perf.pk]), {"category": SeatCategory.objects.get(code="a").pk, "quantity": 2,
                                                          "tariff": Tariff.objects.get(code="plein").pk})
    page = client.get(reverse("shop:checkout")).content.decode()
    assert "Use my balance" in page or "Utiliser mon solde" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("shop:checkout"), {"use_balance": "on", "delivery_mode": "eticket", "card_number": "4242 4242 4242 4242",
                                               "card_expiry": "12/39", "card_cvc": "123", "expected_total": "102.00"})
    order = Order.objects.get()
    assert set(order.payments.values_list("method", "amount")) == {("balance", Decimal("30.00")), ("card", Decimal("72.00"))}
    assert balance.balance_of(contact, EUR) == 0
    import re

    shown = re.search(r'id="balance">([^<]*)<', client.get(reverse("shop:account")).content.decode()).group(1)
    assert shown.startswith(("0,00", "0.00")), shown


def test_operator_cancels_on_the_order_page_and_credits_a_contact(client, perf, counter, operator):
    contact = Contact.objects.create(last_name="D", email="d@example.org")
    order = _sell(counter, perf, contact, [checkout.Tender("cash")], operator)
    ticket = order.tickets.first()
    client.force_login(operator)
    client.post(reverse("boxoffice:order", args=[order.number]), {"tickets": [ticket.pk], "refund_to": "balance", "note": "malade"})
    assert Ticket.objects.get(pk=ticket.pk).status == "cancelled" and balance.balance_of(contact, EUR) == Decimal("50.00")
    client.post(reverse("boxoffice:credit_contact", args=[contact.pk]), {"amount": "10.00", "note": "retard"})
    assert balance.balance_of(contact, EUR) == Decimal("60.00")
    assert "60,00" in client.get(reverse("boxoffice:contact", args=[contact.pk])).content.decode()
    client.force_login(factories.staff_user(CONTROLLER))
    assert client.post(reverse("boxoffice:order", args=[order.number]), {"tickets": [ticket.pk]}).status_code == 403
    assert client.post(reverse("boxoffice:credit_contact", args=[contact.pk]), {"amount": "10.00", "note": "x"}).status_code == 403
    assert balance.balance_of(contact, EUR) == Decimal("60.00")


@pytest.mark.django_db(transaction=True)
def test_canary_naive_balance_spending_goes_below_zero():
    """Read the balance, then write: with the reads interleaved, spenders overdraw it."""
    contact = Contact.objects.create(email="x@example.org")
    balance.credit(contact=contact, amount=Decimal("100.00"), currency=EUR)
    n = 10
    barrier = threading.Barrier(n)

    def spender(i):
        try:
            seen = balance.balance_of(contact, EUR)
            barrier.wait(timeout=60)
            if seen >= 50:
                BalanceEntry.objects.create(contact=contact, amount=Decimal("-50.00"), currency=EUR, balance_after=0,
                                            reason=BalanceEntry.SPEND)
        finally:
            connections.close_all()

    _run_threads(spender, n)
    assert balance.balance_of(contact, EUR) < 0


@pytest.mark.django_db(transaction=True)
def test_many_checkouts_spending_one_balance_never_overdraw_it():
    pos = factories.point_of_sale("guichet", "boxoffice", fee="0.00")
    perf = factories.performance()
    operator = factories.staff_user(OPERATOR, points_of_sale=[pos])
    contact = Contact.objects.create(email="x@example.org")
    balance.credit(contact=contact, amount=Decimal("100.00"), currency=EUR)
    n = 20 if connection.vendor == "postgresql" else 8
    cart_list = [_cart(pos, perf, n=1) for _ in range(n)]  # 50.00 each
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def buyer(i):
        try:
            barrier.wait(timeout=60)
            checkout.place_order(cart=cart_list[i], buyer=checkout.Buyer(contact=contact, email=""),
                                 tenders=[checkout.Tender("balance")], actor=operator)
            results[i] = "ok"
        except Exception as exc:  # noqa: BLE001
            results[i] = getattr(exc, "code", type(exc).__name__)
        finally:
            connections.close_all()

    _run_threads(buyer, n)
    assert results.count("ok") == 2, results
    assert set(results) == {"ok", "insufficient_balance"}, results
    assert balance.balance_of(contact, EUR) == 0
    assert Order.objects.count() == 2 and Ticket.objects.filter(status="valid").count() == 2
    assert PerformanceSeat.objects.filter(performance=perf, state="sold").count() == 2
