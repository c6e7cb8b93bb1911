"""The web shop's pages and the personal space, through Django's test client."""

import re

import pytest
from django.core import mail
from django.test import Client

from entracte.catalog.models import SeatCategory, Tariff
from entracte.customers.models import Contact, User
from entracte.inventory.models import PerformanceSeat
from entracte.sales.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def _buy(client, perf, email="guest@example.org", card="4242424242424242", quantity=2):
    client.post(f"/performances/{perf.pk}/best/", {"category": SeatCategory.objects.get(code="a").pk,
                                                  "tariff": Tariff.objects.get(code="plein").pk, "quantity": quantity})
    page = client.get("/checkout/").content.decode()
    total = re.search(r'name="expected_total" value="([^"]*)"', page).group(1)
    return client.post("/checkout/", {"email": email, "delivery_mode": "eticket", "card_number": card,
                                      "card_expiry": "12/39", "card_cvc": "123", "expected_total": total})


def test_programme_event_and_performance_pages(perf):
    client = Client()
    assert "Carmen" in client.get("/").content.decode()
    assert client.get(f"/events/{perf.event.slug}/").status_code == 200
    page = client.get(f"/performances/{perf.pk}/").content.decode()
    assert page.count('class="seat free"') == 30
    assert 'role="checkbox"' in page and "aria-label=" in page
    assert "Meilleures places disponibles" in page  # French by default


def test_english_switch(perf):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert "Programme" in response.content.decode() and 'lang="en"' in response.content.decode()
    assert "Best available seats" in client.get(f"/performances/{perf.pk}/").content.decode()


def test_guest_purchase_journey_and_pdf(perf):
    client = Client()
    response = _buy(client, perf)
    assert response.status_code == 302
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.number}/{order.secret}/"
    page = client.get(response["Location"]).content.decode()
    assert order.number in page and "102,00" in page
    pdf = client.get(f"/orders/{order.number}/{order.secret}/tickets.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert Client().get(f"/orders/{order.number}/wrong-secret/").status_code == 404
    assert len(mail.outbox) == 1


def test_declined_card_shows_the_reason_and_keeps_the_cart(perf):
    client = Client()
    response = _buy(client, perf, card="4000000000000002")
    assert response.status_code == 200
    assert "Le paiement a été refusé" in response.content.decode()
    assert not Order.objects.exists()
    assert PerformanceSeat.objects.filter(performance=perf, state="held").count() == 2


def test_bad_form_input_is_refused_with_field_errors(perf):
    client = Client()
    client.post(f"/performances/{perf.pk}/best/", {"category": "x", "tariff": "", "quantity": "lots"})
    assert not PerformanceSeat.objects.exclude(state="free").exists()
    client.post(f"/performances/{perf.pk}/best/", {"category": SeatCategory.objects.get(code="a").pk,
                                                  "tariff": Tariff.objects.get(code="plein").pk, "quantity": 1})
    response = client.post("/checkout/", {"email": "not-an-email", "delivery_mode": "eticket", "card_number": "", "card_expiry": "", "card_cvc": ""})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Order.objects.exists()


def test_cart_remove_and_tariff_change(perf):
    client = Client()
    client.post(f"/performances/{perf.pk}/best/", {"category": SeatCategory.objects.get(code="a").pk,
                                                  "tariff": Tariff.objects.get(code="plein").pk, "quantity": 2})
    page = client.get("/cart/").content.decode()
    assert "102,00" in page and 'id="hold-timer"' in page
    item = int(re.search(r"/cart/items/(\d+)/remove/", page).group(1))
    client.post(f"/cart/items/{item}/tariff/", {"tariff": Tariff.objects.get(code="reduit").pk})
    assert "92,00" in client.get("/cart/").content.decode()
    client.post(f"/cart/items/{item}/remove/")
    assert "52,00" in client.get("/cart/").content.decode()


def test_signup_verification_login_and_personal_space(perf):
    client = Client()
    response = client.post("/account/signup/", {"email": "New@Example.org", "first_name": "Lou", "last_name": "Durand",
                                                "password": "une-phrase-longue-42"})
    assert response.status_code == 200
    user = User.objects.get(email="new@example.org")
    assert not user.is_active
    assert not client.login(username="new@example.org", password="une-phrase-longue-42")
    link = re.search(r"http://\S+/account/verify/\S+/", mail.outbox[0].body).group(0)
    assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert Client().get(link.replace("http://127.0.0.1:8000", "")[:-3] + "xx/").status_code == 400
    _buy(client, perf)
    order = Order.objects.get()
    assert order.contact.user == user
    page = client.get("/account/").content.decode()
    assert order.number in page and "Carmen" in page
    client.post("/account/profile/", {"first_name": "Louise", "last_name": "Durand", "phone": "0600000000", "language": "en"})
    assert Contact.objects.get(user=user).first_name == "Louise"


def test_account_pages_need_a_login_and_show_only_ones_own(perf):
    assert Client().get("/account/").status_code == 302
    _buy(Client(), perf, email="someone@example.org")
    User.objects.create_user(email="other@example.org", password="other-pass-123")
    client = Client()
    client.login(username="other@example.org", password="other-pass-123")
    assert Order.objects.get().number not in client.get("/account/").content.decode()


def test_duplicate_signup_and_weak_password(perf):
    User.objects.create_user(email="taken@example.org", password="x-pass-123456")
    page = Client().post("/account/signup/", {"email": "taken@example.org", "first_name": "A", "last_name": "B", "password": "une-phrase-longue-42"}).content.decode()
    assert "Un compte existe déjà" in page
    page = Client().post("/account/signup/", {"email": "new2@example.org", "first_name": "A", "last_name": "B", "password": "123"}).content.decode()
    assert "errorlist" in page and not User.objects.filter(email="new2@example.org").exists()


def test_password_reset_sends_a_link(perf):
    User.objects.create_user(email="forgot@example.org", password="x-pass-123456")
    Client().post("/account/password-reset/", {"email": "forgot@example.org"})
    assert len(mail.outbox) == 1 and "/account/reset/" in mail.outbox[0].body


def test_staff_admin_needs_staff():
    User.objects.create_user(email="fan@example.org", password="fan-pass-123")
    client = Client()
    client.login(username="fan@example.org", password="fan-pass-123")
    assert client.get("/admin/").status_code == 302


def test_staff_browsing_the_shop_buy_as_a_guest_for_the_email_given(perf):
    User.objects.create_user(email="clerk@example.org", password="clerk-pass-123", is_staff=True)
    client = Client()
    client.login(username="clerk@example.org", password="clerk-pass-123")
    response = _buy(client, perf, email="customer@example.org")
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.email == "customer@example.org" and order.contact.user is None
