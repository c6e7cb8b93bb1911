"""Confirmation emails through their outbox (the order row) and the real database task backend."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from entracte.catalog.models import SeatCategory, Tariff
from entracte.customers.services import guest_contact
from entracte.sales import carts, checkout, emails
from entracte.sales.models import Order

from .factories import GOOD_CARD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    emails.confirmations_due.until = 0.0  # a window left open by an earlier test of this process
    yield
    emails.confirmations_due.until = 0.0


def _order(perf, pos, email, language="en"):
    cart = carts.create_cart(point_of_sale=pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=2,
                             tariff_id=Tariff.objects.get(code="plein").pk)
    buyer = checkout.Buyer(contact=guest_contact(email=email), email=email, language=language)
    return checkout.place_order(cart=cart, buyer=buyer, payment_data=GOOD_CARD)


def _run_worker():
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_orders_of_one_window_share_one_task_that_sends_each_confirmation(perf, web_pos, database_tasks):
    first = _order(perf, web_pos, "ana@example.org")
    second = _order(perf, web_pos, "ben@example.org")
    assert set(Order.objects.filter(confirmation_due=True).values_list("number", flat=True)) == {first.number, second.number}
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("send_due_confirmations")
    assert queued.run_after > timezone.now()  # after the window, so that both orders are committed by then
    _run_worker()
    assert mail.outbox == []  # not due yet
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
    _run_worker()
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"ana@example.org", "ben@example.org"}
    assert first.number in sent["ana@example.org"].subject and second.secret in sent["ben@example.org"].body
    ana = sent["ana@example.org"]
    assert ana.body.count("\n- ") == 2  # its own two tickets, not the other order's
    seats = [f"{t.performance_seat.area.name['fr']} · {t.performance_seat.seat.row}-{t.performance_seat.seat.number}"
             for t in first.tickets.select_related("performance_seat__seat", "performance_seat__area")]
    assert all(seat in ana.body and seat in ana.alternatives[0][0] for seat in seats) and "Carmen" in ana.body
    assert not Order.objects.filter(confirmation_due=True).exists()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_each_confirmation_of_a_batch_speaks_its_buyer_s_language(perf, web_pos, database_tasks):
    """The sentences are translated once per batch and language (emails._texts): each email of
    a mixed batch still reads in its own language, with its own order number and amounts."""
    orders = {name: _order(perf, web_pos, f"{name}@example.org", language=name[:2]) for name in ("fr", "en", "de", "fr2")}
    assert mail.outbox == []
    assert emails.send_due_confirmations.call() == 4  # one batch
    sent = {m.to[0]: m for m in mail.outbox}
    assert orders["fr2"].number in sent["fr2@example.org"].body and orders["fr"].number not in sent["fr2@example.org"].body
    expected = {"fr": ("Bonjour,", "Merci pour votre commande {}.", "Frais de dossier : ", "Total payé : <strong>"),
                "en": ("Hello,", "Thank you for your order {}.", "Order fee: ", "Total paid: <strong>"),
                "de": ("Hallo,", "Vielen Dank für Ihre Bestellung {}.", "Bearbeitungsgebühr: ", "Bezahlt: <strong>")}
    for lang, (hello, thanks, fee, total) in expected.items():
        message, order = sent[f"{lang}@example.org"], orders[lang]
        html = message.alternatives[0][0]
        assert message.body.startswith(hello) and thanks.format(order.number) in message.body
        assert thanks.format(order.number) in html and fee in message.body and fee in html and total in html


def test_a_new_window_enqueues_a_new_task_and_a_task_sends_what_is_due_only_once(perf, web_pos, database_tasks, settings):
    settings.ENTRACTE_CONFIRMATION_WINDOW_SECONDS = 0.0
    _order(perf, web_pos, "ana@example.org")
    _order(perf, web_pos, "ben@example.org")
    assert DBTaskResult.objects.count() == 2
    assert emails.send_due_confirmations.call() == 2
    assert emails.send_due_confirmations.call() == 0
    assert len(mail.outbox) == 2


def test_an_order_without_email_is_never_due(perf, web_pos):
    cart = carts.create_cart(point_of_sale=web_pos)
    carts.add_best_available(cart=cart, performance=perf, category_id=SeatCategory.objects.get(code="a").pk, quantity=1,
                             tariff_id=Tariff.objects.get(code="plein").pk)
    contact = guest_contact(email="x@example.org")
    order = checkout.place_order(cart=cart, buyer=checkout.Buyer(contact=contact, email=""), payment_data=GOOD_CARD)
    order.refresh_from_db()
    assert not order.confirmation_due and mail.outbox == []


@pytest.mark.parametrize("subject", ["Your order ABC is confirmed", "Votre commande ABC123 est confirmée",
                                     "Ihre Bestellung ABC123 ist bestätigt", "€" * 15, "€" * 16,
                                     "Ihre Bestellung „Zauberflöte“ ist bestätigt — " * 4])
def test_a_bulk_email_reads_back_as_written(subject):
    """core/mail.BulkEmail writes the subject and the boundary itself: a mail reader decodes the
    same subject and parts as from Django's own message."""
    import email
    from email import policy

    from django.core.mail import EmailMultiAlternatives

    from entracte.core.mail import BulkEmail, encoded_word

    text, html = "Merci — 2 billets\n--===============\n", "<p>Merci &amp; à bientôt</p>"
    read = []
    for cls in (BulkEmail, EmailMultiAlternatives):
        message = cls(subject, text, "billetterie@example.org", ["a@example.org"])
        message.attach_alternative(html, "text/html")
        parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
        # (a folded subject reads back with the fold's leading space, from Django's message too)
        read.append((str(parsed["Subject"]).lstrip(), [part.get_content() for part in parsed.iter_parts()]))
        assert message.subject == subject
    assert read[0] == read[1] == (subject, [text, html])
    assert len(encoded_word(subject)) <= 75 or encoded_word(subject) == subject


def test_short_headers_are_written_as_python_s_folding_writes_them():
    """core/mail's policy writes a short ASCII header as it is: byte for byte what compat32
    writes, for every header of a confirmation (long and non-ASCII ones still fold)."""
    from email.policy import compat32

    from entracte.core.mail import SHORT_HEADERS_AS_THEY_ARE, BulkEmail

    message = BulkEmail("Votre commande ABC123 est confirmée", "Merci\n", "Billetterie <billetterie@example.org>",
                        ["a.very.long.address.of.a.spectator.who.likes.opera@example.org"],
                        headers={"X-Long": "word " * 30 + "end"})
    message.attach_alternative("<p>Merci</p>", "text/html")
    msg = message.message()
    fast = msg.as_bytes()
    for part in msg.walk():
        part.policy = compat32
    assert msg.as_bytes() == fast
    assert SHORT_HEADERS_AS_THEY_ARE.fold_binary("X-Long", "word " * 30 + "end").count(b"\n") > 1
