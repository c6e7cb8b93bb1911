"""The shop's main journey in a real browser: Debian's chromium driven by Playwright."""

import os
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from entracte.sales.models import Order

from . import factories

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not os.path.exists(CHROMIUM):
    if os.environ.get("ENTRACTE_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the live server's database
# work happens in its own thread, so Django's async-safety check does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser_page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        context = browser.new_context(accept_downloads=True, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        context.close()
        browser.close()


def test_guest_buys_two_best_available_seats_and_downloads_the_pdf(live_server, perf, browser_page, tmp_path):
    page = browser_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Carmen").click()
    page.locator("ul.perfs a").first.click()
    page.get_by_label("Places", exact=True).select_option("2")
    page.get_by_label("Catégorie de place", exact=True).select_option(label="Catégorie A")
    page.get_by_role("button", name="Trouver mes places").click()
    assert page.locator("#hold-timer").is_visible()
    assert page.locator("tbody tr").count() == 2
    page.get_by_role("link", name="Commander").click()
    page.get_by_label("E-mail").fill("visiteur@example.org")
    page.get_by_label("Numéro de carte").fill("4242 4242 4242 4242")
    page.get_by_label("Expiration (MM/AA)").fill("12/39")
    page.get_by_label("Cryptogramme").fill("123")
    page.get_by_role("button", name="Payer").click()
    page.get_by_role("heading", name="Merci !").wait_for()
    order = Order.objects.get()
    assert order.number in page.content()
    with page.expect_download() as info:
        page.locator("#download-tickets").click()
    target = tmp_path / "tickets.pdf"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(data)).pages)
    assert "Carmen" in text and order.number in text


def test_seats_are_picked_on_the_map_with_the_keyboard(live_server, perf, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/performances/{perf.pk}/")
    seats = page.locator("circle.seat.free")
    seats.nth(0).focus()
    page.keyboard.press("Space")
    seats.nth(1).focus()
    page.keyboard.press("Enter")
    assert page.locator("#picked-count").inner_text() == "2"
    page.get_by_role("button", name="Ajouter les places sélectionnées").click()
    assert page.locator("tbody tr").count() == 2


def test_box_office_sale_with_a_new_contact_and_a_split_payment(live_server, perf, browser_page):
    from entracte.core.roles import OPERATOR
    from entracte.sales.models import Payment

    from . import factories

    counter = factories.point_of_sale("guichet", "boxoffice", fee="0.00")
    operator = factories.staff_user(OPERATOR, "guichet@staff.example", points_of_sale=[counter])
    operator.set_password("guichet-pass-1")
    operator.save()
    page = browser_page
    page.goto(f"{live_server.url}/boxoffice/")
    page.get_by_label("E-mail").fill("guichet@staff.example")
    page.get_by_label("Mot de passe").fill("guichet-pass-1")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Carmen").click()
    page.get_by_label("Places", exact=True).fill("2")
    page.get_by_role("button", name="Meilleures places").click()
    page.get_by_role("link", name="Encaisser").click()
    page.get_by_role("link", name="Créer un contact").first.click()
    page.get_by_label("Nom, ou nom de la structure").fill("Durand")
    page.get_by_label("Prénom").fill("Alice")
    page.get_by_role("button", name="Créer et rattacher à la vente").click()
    assert "Durand" in page.locator("#contact-title + p").inner_text()
    page.get_by_label("Espèces").fill("30")
    page.get_by_label("Carte (TPE)").fill("70")
    page.get_by_role("button", name="Enregistrer le paiement et émettre les billets").click()
    page.get_by_role("link", name="Imprimer les billets").wait_for()
    order = Order.objects.get()
    assert order.created_by == operator and order.contact.last_name == "Durand" and order.tickets.count() == 2
    assert sorted(Payment.objects.filter(order=order).values_list("method", flat=True)) == ["card_terminal", "cash"]
    pdf = page.request.get(f"{live_server.url}/boxoffice/orders/{order.number}/tickets.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")


def test_a_subscription_in_three_steps_with_extra_seats_then_checkout(live_server, browser_page):
    from entracte.subscriptions.models import Subscription

    from . import factories

    factories.point_of_sale()
    hall = factories.hall()
    perfs = [factories.performance(hall, name=f"Opéra {i}") for i in range(3)]
    product = factories.subscription_product(perfs, min_performances=2, extras={"max_total": 4, "per_performance": 2})
    lines = [line.pk for line in product.lines.order_by("performance__pk")]
    page = browser_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Abonnements").click()
    page.locator("main").get_by_role("link", name="Abonnement", exact=True).click()
    page.get_by_label("Abonne").fill("2")                                  # step 1: subscribers
    page.locator(f"#line-{lines[0]}").check()                              # step 2: performances
    page.locator(f"#line-{lines[1]}").check()
    page.locator(f"#extra-{lines[1]}-{factories.tariff('invite').pk}").fill("2")
    # The running count and total follow the choices: 2 × 160 × 2 + 2 × 200.
    assert page.locator("#sub-count").inner_text().startswith("2")
    assert "1040,00" in page.locator("#sub-total").inner_text().replace("\u202f", "").replace(" ", "")
    page.get_by_role("button", name="Valider l'abonnement").click()        # step 3: validation
    page.locator("tbody.bundle").wait_for()
    assert page.locator("tbody.bundle tr").count() == 1 + 6               # the subscription's head and its seats
    page.get_by_role("link", name="Commander").click()
    page.get_by_label("E-mail").fill("abonne@example.org")
    page.get_by_label("Numéro de carte").fill("4242 4242 4242 4242")
    page.get_by_label("Expiration (MM/AA)").fill("12/39")
    page.get_by_label("Cryptogramme").fill("123")
    page.get_by_role("button", name="Payer").click()
    page.get_by_role("heading", name="Merci !").wait_for()
    sub = Subscription.objects.get()
    assert sub.tickets.count() == 6 and sub.tickets.filter(role="extra").count() == 2


def test_a_partner_code_unlocks_the_advantaged_price_in_the_cart(live_server, perf, browser_page):
    factories.advantage([perf], target="partner", access_code="AMIS2026", prices={("a", "partenaire"): "20.00"})
    page = browser_page
    page.goto(f"{live_server.url}/performances/{perf.pk}/")
    page.get_by_label("Places", exact=True).select_option("1")
    page.get_by_label("Catégorie de place", exact=True).select_option(label="Catégorie A")
    page.get_by_role("button", name="Trouver mes places").click()
    assert "52,00" in page.locator("#cart-total").inner_text()
    page.get_by_label("Code", exact=True).fill("amis-2026")
    page.get_by_role("button", name="Appliquer").click()
    page.get_by_text("débloqué").wait_for()
    select = page.locator("select[name=tariff]").first
    with page.expect_navigation():  # choosing a tariff submits the line's form
        select.select_option(label=next(o for o in select.locator("option").all_inner_texts() if "20,00" in o))
    assert "22,00" in page.locator("#cart-total").inner_text()  # 20.00 advantaged + 2.00 order fee
    page.get_by_role("link", name="Commander").click()
    page.get_by_label("E-mail").fill("ami@example.org")
    page.get_by_label("Numéro de carte").fill("4242 4242 4242 4242")
    page.get_by_label("Expiration (MM/AA)").fill("12/39")
    page.get_by_label("Cryptogramme").fill("123")
    page.get_by_role("button", name="Payer").click()
    page.get_by_role("heading", name="Merci !").wait_for()
    assert Order.objects.get().tickets.get().price == Decimal("20.00")
