"""Checkout: an order and its tickets exist exactly when the payment succeeded."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from entracte.catalog.models import SeatCategory, Tariff
from entracte.core.models import AuditEntry
from entracte.customers.services import guest_contact
from entracte.inventory.models import PerformanceSeat
from entracte.sales import carts, checkout, tickets
from entracte.sales.errors import CartEmpty, HoldExpired, PriceChanged
from entracte.sales.models import Order, Payment, Ticket
from entracte.sales.providers import PaymentDataInvalid, PaymentDeclined

from . import factories
from .factories import DECLINED_CARD, GOOD_CARD

pytestmark = pytest.mark.django_db(transaction=True)


def _filled_cart(perf, pos, n=2):
    cart = carts.create_cart(point_of_sale=pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=n,
                             tariff_id=Tariff.objects.get(code="plein").pk)
    return cart


def _buyer(email="guest@example.org"):
    return checkout.Buyer(contact=guest_contact(email=email), email=email)


def test_paid_order_with_tickets_payment_audit_and_email(perf, web_pos):
    cart = _filled_cart(perf, web_pos)
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD, expected_total=Decimal("102.00"))
    assert (order.subtotal, order.order_fee, order.total, order.currency) == (Decimal("100.00"), Decimal("2.00"), Decimal("102.00"), "EUR")
    assert order.tickets.count() == 2 and all(t.price == Decimal("50.00") for t in order.tickets.all())
    assert PerformanceSeat.objects.filter(performance=perf, state="sold").count() == 2
    payment = Payment.objects.get(order=order)
    assert payment.amount == Decimal("102.00") and payment.contact == order.contact and payment.method == "card"
    assert AuditEntry.objects.filter(action="order.placed", object_id=str(order.pk)).exists()
    assert not cart.items.exists()
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    assert order.secret in mail.outbox[0].body


def test_the_confirmation_writes_names_as_they_are_in_text_and_escaped_in_html(web_pos):
    perf = factories.performance(name="Roméo & Juliette <opéra>")
    order = checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=_buyer(), payment_data=GOOD_CARD)
    sent = mail.outbox[-1]
    html = sent.alternatives[0][0]
    assert sent.subject == f"Votre commande {order.number} est confirmée"
    assert sent.body.count("Roméo & Juliette <opéra>, ") == 2 and "&amp;" not in sent.body
    assert html.count("Roméo &amp; Juliette &lt;opéra&gt;, ") == 2 and "<opéra>" not in html
    assert "Total payé : 102,00 €" in sent.body and "<strong>102,00 €</strong>" in html


def test_ticket_codes_are_long_random_and_distinct(perf, web_pos):
    order = checkout.place_order(cart=_filled_cart(perf, web_pos, 4), buyer=_buyer(), payment_data=GOOD_CARD)
    codes = [t.code for t in order.tickets.all()]
    assert len(set(codes)) == 4 and all(len(c) == 24 for c in codes)


def test_the_database_refuses_a_ticket_code_or_order_number_twice(perf, web_pos):
    from django.db import IntegrityError, transaction

    first = checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=_buyer(), payment_data=GOOD_CARD)
    second = checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=_buyer(), payment_data=GOOD_CARD)
    one, other = first.tickets.first(), second.tickets.first()
    for change in (lambda: Ticket.objects.filter(pk=other.pk).update(code=one.code),
                   lambda: Order.objects.filter(pk=second.pk).update(number=first.number)):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()
    # A form (the admin's ticket page) says it in words, in the staff's language.
    from django.core.exceptions import ValidationError
    from django.utils import translation

    other.code = one.code
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert refused.value.messages == ["Un autre billet a déjà ce code."]


def test_declined_card_creates_nothing_and_keeps_the_holds(perf, web_pos):
    cart = _filled_cart(perf, web_pos)
    with pytest.raises(PaymentDeclined):
        checkout.place_order(cart=cart, buyer=_buyer(), payment_data=DECLINED_CARD)
    assert not Order.objects.exists() and not Ticket.objects.exists() and not Payment.objects.exists()
    assert PerformanceSeat.objects.filter(performance=perf, state="held", hold_token=cart.token).count() == 2
    assert AuditEntry.objects.filter(action="payment.refused").exists()
    order = checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD)  # retry with another card
    assert order.tickets.count() == 2


@pytest.mark.parametrize("card", [
    {"number": "4242 4242 4242 4241", "expiry": "12/39", "cvc": "123"},
    {"number": "4242424242424242", "expiry": "13/39", "cvc": "123"},
    {"number": "4242424242424242", "expiry": "01/20", "cvc": "123"},
    {"number": "4242424242424242", "expiry": "12/39", "cvc": "12"},
    {},
])
def test_invalid_card_data(perf, web_pos, card):
    with pytest.raises(PaymentDataInvalid):
        checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=_buyer(), payment_data=card)
    assert not Order.objects.exists()


def test_tampered_or_stale_total_is_refused(perf, web_pos):
    with pytest.raises(PriceChanged):
        checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=_buyer(), payment_data=GOOD_CARD, expected_total=Decimal("1.00"))
    assert not Order.objects.exists()


def test_expired_hold_is_refused_and_released(perf, web_pos):
    cart = _filled_cart(perf, web_pos)
    PerformanceSeat.objects.filter(hold_token=cart.token).update(hold_until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(HoldExpired):
        checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD)
    assert not Order.objects.exists() and not cart.items.exists()
    with pytest.raises(CartEmpty):
        checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD)


@pytest.mark.parametrize("at_once", [True, False], ids=["sell_and_record", "sell_then_record"])
def test_seat_taken_after_expiry_during_payment_is_never_sold_twice(perf, web_pos, monkeypatch, at_once):
    """If another buyer took the seats after our hold ran out, the order is not created, and
    the seat still ours is not sold either: whether the sale's writes go as one statement or
    in a transaction around the features' handlers."""
    if not at_once:
        monkeypatch.setattr(checkout, "_nothing_between", lambda **_kw: False)
    cart = _filled_cart(perf, web_pos)
    ids = list(PerformanceSeat.objects.filter(hold_token=cart.token).values_list("id", flat=True))
    original = checkout._authorize_all

    def thief(*args, **kwargs):  # the competing write lands between payment and sale
        authorized = original(*args, **kwargs)
        PerformanceSeat.objects.filter(id__in=ids[:1]).update(hold_token="someone-else")
        return authorized

    checkout._authorize_all = thief
    try:
        with pytest.raises(HoldExpired):
            checkout.place_order(cart=cart, buyer=_buyer(), payment_data=GOOD_CARD)
    finally:
        checkout._authorize_all = original
    assert not Order.objects.exists() and not Ticket.objects.exists() and not Payment.objects.exists()
    assert list(PerformanceSeat.objects.filter(id__in=ids).order_by("id").values_list("state", flat=True)) == ["held", "held"]


@pytest.mark.parametrize("at_once", [True, False], ids=["sell_and_record", "sell_then_record"])
def test_an_emails_first_order_makes_its_guest_contact_with_the_sale(perf, web_pos, monkeypatch, at_once):
    """A new guest's contact is written with his order, and given to the order and its payment,
    from what he typed; a card declined or seats lost before the sale leave no contact."""
    from entracte.customers.models import Contact

    if not at_once:
        monkeypatch.setattr(checkout, "_nothing_between", lambda **_kw: False)
    buyer = checkout.resolve_buyer(email=" Premier@Example.org ", first_name="Lou", last_name="Vidal", language="de")
    assert buyer.contact.pk is None and not Contact.objects.exists()
    with pytest.raises(PaymentDeclined):
        checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=buyer, payment_data=DECLINED_CARD)
    cart = _filled_cart(perf, web_pos)
    ids = list(PerformanceSeat.objects.filter(hold_token=cart.token).values_list("id", flat=True))
    original = checkout._authorize_all

    def thief(*args, **kwargs):  # the competing write lands between payment and sale
        authorized = original(*args, **kwargs)
        PerformanceSeat.objects.filter(id__in=ids[1:]).update(hold_token="someone-else")
        return authorized

    monkeypatch.setattr(checkout, "_authorize_all", thief)
    with pytest.raises(HoldExpired):
        checkout.place_order(cart=cart, buyer=buyer, payment_data=GOOD_CARD)
    assert not Contact.objects.exists() and buyer.contact.pk is None
    monkeypatch.setattr(checkout, "_authorize_all", original)

    before = timezone.now()
    order = checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=buyer, payment_data=GOOD_CARD)
    made = Contact.objects.get()
    assert (made.email, made.first_name, made.last_name, made.language, made.user_id) == (
        "premier@example.org", "Lou", "Vidal", "de", None)
    # Written by the sale's own statement on PostgreSQL: the model's defaults and creation time too.
    assert (made.kind, made.phone, made.organisation_id) == (Contact.INDIVIDUAL, "", None)
    assert before <= made.created_at <= timezone.now()
    assert buyer.contact.pk == made.pk and order.contact_id == made.pk
    assert Order.objects.get(pk=order.pk).contact_id == made.pk
    assert list(Payment.objects.filter(order=order).values_list("contact_id", flat=True)) == [made.pk]
    # Someone else's first order under the email, begun before the first was written, finds it.
    late = checkout.Buyer(contact=guest_contact(email="premier@example.org", found=(None,), save=False),
                          email="premier@example.org")
    again = checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=late, payment_data=GOOD_CARD)
    assert again.contact_id == made.pk and Contact.objects.count() == 1
    assert Payment.objects.get(order=again).contact_id == made.pk


@pytest.mark.parametrize("at_once", [True, False], ids=["sell_and_record", "sell_then_record"])
def test_an_order_stands_when_its_email_cannot_be_triggered(perf, web_pos, monkeypatch, caplog, at_once):
    """The email's trigger runs once the sale is committed: should it fail, the order, its
    payment and the new guest's contact stand, the payment is not voided, the email stays due."""
    from entracte.customers.models import Contact
    from entracte.sales import emails

    if not at_once:
        monkeypatch.setattr(checkout, "_nothing_between", lambda **_kw: False)

    def broken(self):
        raise RuntimeError("the task queue is down")

    monkeypatch.setattr(emails._Trigger, "__call__", broken)
    voided = []
    monkeypatch.setattr(checkout, "_void_all", voided.append)
    buyer = checkout.resolve_buyer(email="tenace@example.org")
    order = checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=buyer, payment_data=GOOD_CARD)
    assert voided == [] and Order.objects.filter(pk=order.pk, confirmation_due=True).exists()
    assert Payment.objects.get(order=order).amount == order.total
    assert buyer.contact.pk == order.contact_id == Contact.objects.get(email="tenace@example.org").pk
    assert "the task queue is down" in caplog.text and "confirmations_due" in caplog.text


def test_only_an_order_with_nothing_to_check_is_written_at_once(perf, web_pos):
    """The one-statement sale is for orders no feature needs to see inside the transaction: a
    bundle (a subscription), a cart with codes (adjusted) or an advantage's price, or a
    provider moving money in the transaction (the balance) take the transaction."""
    from entracte.sales import selectors
    from entracte.sales.providers import get_provider

    cart = _filled_cart(perf, web_pos)
    view = selectors.cart_view(cart)
    card = [(get_provider("demo_card"), None)]
    assert checkout._nothing_between(cart=cart, view=view, authorized=card)
    assert checkout._nothing_between(cart=cart, view=view, authorized=[])
    assert not checkout._nothing_between(cart=cart, view=view, authorized=[(get_provider("balance"), None)])
    view.items[0].bundle_id = 1
    assert not checkout._nothing_between(cart=cart, view=view, authorized=card)
    view.items[0].bundle_id, view.items[0].price_source = None, "advantage"
    assert not checkout._nothing_between(cart=cart, view=view, authorized=card)
    view.items[0].price_source, cart.adjusted = "grid", True
    assert not checkout._nothing_between(cart=cart, view=view, authorized=card)


def test_pdf_names_the_performance_and_every_seat(perf, web_pos):
    order = checkout.place_order(cart=_filled_cart(perf, web_pos), buyer=_buyer(), payment_data=GOOD_CARD)
    items = list(order.tickets.select_related("performance__event", "performance__hall__venue", "performance_seat__seat", "performance_seat__area", "tariff", "category"))
    pdf = PdfReader(BytesIO(tickets.render_pdf(order, items)))
    assert len(pdf.pages) == 2
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Carmen" in text and order.number in text and items[0].code in text


def test_a_new_guest_contact_is_stored_whole(db):
    """Written by the lean insert: what the buyer gave, the model's defaults and its creation time."""
    from django.utils import timezone

    from entracte.customers.models import Contact

    before = timezone.now()
    made = guest_contact(email=" Nouveau@Example.org ", first_name="Inès", last_name="Roux", language="es")
    stored = Contact.objects.get(pk=made.pk)
    assert (stored.email, stored.first_name, stored.last_name, stored.language) == ("nouveau@example.org", "Inès", "Roux", "es")
    assert stored.kind == Contact.INDIVIDUAL and stored.user_id is None and stored.organisation_id is None
    assert stored.phone == "" and before <= stored.created_at <= timezone.now()
    assert guest_contact(email="nouveau@example.org").pk == made.pk


def test_guest_contact_never_joins_an_account(perf, web_pos):
    from entracte.customers.models import User

    User.objects.create_user(email="owner@example.org", password="x-secret-123")
    contact = guest_contact(email="Owner@Example.org")
    assert contact.user_id is None
