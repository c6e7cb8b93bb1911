"""The REST API: the purchase journey, errors as {code, message}, and who sees what."""

import pytest
from django.test import Client

from entracte.catalog.models import SeatCategory, Tariff
from entracte.customers.models import User
from entracte.inventory.models import PerformanceSeat
from entracte.sales.models import Order

from . import factories
from .factories import DECLINED_CARD, GOOD_CARD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api():
    return Client()


def post(api, url, data=None, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return api.post(url, data or {}, content_type="application/json", **headers)


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["message"]
    return body


def test_catalogue_reads(api, perf):
    events = api.get("/api/events").json()
    assert events[0]["name"] == "Carmen" and events[0]["performances"][0]["id"] == perf.pk
    availability = api.get(f"/api/performances/{perf.pk}/availability").json()
    cat_a = next(row for row in availability if row["category"] == "Catégorie A")
    assert cat_a["free"] == 30 and {p["amount"] for p in cat_a["prices"]} == {"50.00", "40.00"}
    seats = api.get(f"/api/performances/{perf.pk}/seats").json()
    assert len(seats) == 30 and {s["state"] for s in seats} == {"free"}
    english = api.get("/api/events", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english[0]["name"] == "Carmen"


def test_full_purchase_journey(api, perf):
    cart = post(api, "/api/carts").json()
    token = cart["token"]
    cat = SeatCategory.objects.get(code="a").pk
    plein = Tariff.objects.get(code="plein").pk
    cart = post(api, f"/api/carts/{token}/best-available", {"performance_id": perf.pk, "category_id": cat, "tariff_id": plein, "quantity": 2}).json()
    assert len(cart["items"]) == 2 and cart["total"] == "102.00" and cart["expires_at"]
    seats = api.get(f"/api/performances/{perf.pk}/seats?cart={token}").json()
    assert sum(s["state"] == "mine" for s in seats) == 2
    assert sum(s["state"] == "mine" for s in api.get(f"/api/performances/{perf.pk}/seats").json()) == 0
    response = post(api, f"/api/carts/{token}/checkout", {"email": "fan@example.org", "card": GOOD_CARD, "expected_total": "102.00"})
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["total"] == "102.00" and len(order["tickets"]) == 2
    assert api.get(order["tickets_pdf"]).status_code == 200


def test_chosen_seats_remove_and_conflict(api, perf):
    token = post(api, "/api/carts").json()["token"]
    other = post(api, "/api/carts").json()["token"]
    ids = list(PerformanceSeat.objects.filter(performance=perf).order_by("id").values_list("id", flat=True)[:3])
    plein = Tariff.objects.get(code="plein").pk
    cart = post(api, f"/api/carts/{token}/seats", {"performance_id": perf.pk, "seat_ids": ids[:2], "tariff_id": plein}).json()
    assert {i["seat_id"] for i in cart["items"]} == set(ids[:2])
    _error(post(api, f"/api/carts/{other}/seats", {"performance_id": perf.pk, "seat_ids": ids[1:3], "tariff_id": plein}), 409, "seat_unavailable")
    item = cart["items"][0]["id"]
    cart = api.delete(f"/api/carts/{token}/items/{item}").json()
    assert len(cart["items"]) == 1
    _error(api.delete(f"/api/carts/{token}/items/{item}"), 404, "not_found")


@pytest.mark.parametrize("payload,status,code", [
    ({"performance_id": 999999, "category_id": 1, "tariff_id": 1, "quantity": 1}, 404, "not_found"),
    ({"performance_id": "PERF", "quantity": 0}, 422, "invalid_input"),
    ({"performance_id": "PERF", "category_id": "CAT", "tariff_id": "PLEIN", "quantity": 99}, 422, "invalid_input"),
    ({"performance_id": "PERF", "category_id": "CAT", "tariff_id": "PLEIN", "quantity": 31}, 422, "invalid_input"),
    ({"performance_id": "PERF", "category_id": "CATB", "tariff_id": "REDUIT", "quantity": 1}, 400, "tariff_not_available"),
    ({"performance_id": "PERF", "category_id": 999999, "tariff_id": "PLEIN", "quantity": 1}, 404, "not_found"),
])
def test_bad_input_gets_a_clear_error_and_changes_nothing(api, perf, payload, status, code):
    token = post(api, "/api/carts").json()["token"]
    names = {"PERF": perf.pk, "CAT": SeatCategory.objects.get(code="a").pk, "CATB": SeatCategory.objects.get(code="b").pk,
             "PLEIN": Tariff.objects.get(code="plein").pk, "REDUIT": Tariff.objects.get(code="reduit").pk}
    payload = {k: names.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    for _attempt in (1, 2):  # the second on a cart read already: refused before it is read again
        _error(post(api, f"/api/carts/{token}/best-available", payload), status, code)
    assert not PerformanceSeat.objects.exclude(state="free").exists()


def test_a_category_sold_out_is_answered_without_a_query(api, perf, django_assert_num_queries):
    """At the end of a rush most holds ask for a category sold out: a process answers them from
    what it read before, the cart included. A cart it never read is read (an unknown one is
    not found); a category with seats left is held as always."""
    token = post(api, "/api/carts").json()["token"]
    cat_a = SeatCategory.objects.get(code="a").pk
    plein = Tariff.objects.get(code="plein").pk
    PerformanceSeat.objects.filter(performance=perf, category_id=cat_a).update(state="sold")
    sold_out = {"performance_id": perf.pk, "category_id": cat_a, "tariff_id": plein, "quantity": 2}
    url = f"/api/carts/{token}/best-available"
    for _attempt in (1, 2):  # found sold out under the allocation lock, then counted
        _error(post(api, url, sold_out), 409, "sold_out")
    with django_assert_num_queries(0):
        _error(post(api, url, sold_out), 409, "sold_out")
    _error(post(api, "/api/carts/no-such-cart/best-available", sold_out), 404, "not_found")
    other = factories.performance(name="Tosca")
    cart = post(api, url, {**sold_out, "performance_id": other.pk}).json()
    assert len(cart["items"]) == 2 and {i["performance_id"] for i in cart["items"]} == {other.pk}


def _three_category_performance():
    """Rows A, B and C of 4 seats in categories a, b and c; the tariff "reduit" priced on a only."""
    factories.category("c", "Catégorie C")
    rows = [f"stalls,{row},{n},{n * 10},{r * 10},{row.lower()}" for r, row in enumerate("ABC") for n in range(1, 5)]
    hall = factories.hall("\n".join(["area,row,number,x,y,category", *rows]) + "\n")
    return factories.performance(hall, prices={("a", "plein"): "50.00", ("b", "plein"): "30.00", ("c", "plein"): "20.00",
                                               ("a", "reduit"): "40.00"})


def test_a_sold_out_answer_names_the_categories_left(api, web_pos, monkeypatch):
    """A buyer told `sold_out` learns which other categories of the performance may still have
    his seats at his tariff (none this process knows sold out), and that the performance is
    sold out for him when none is left, instead of asking each category in turn."""
    from entracte.inventory import services as inventory_services

    now = inventory_services._clock()
    monkeypatch.setattr(inventory_services, "_clock", lambda: now)  # what is known stays fresh, however slow the run
    perf = _three_category_performance()
    a, b, c = (SeatCategory.objects.get(code=code).pk for code in "abc")
    plein, reduit = Tariff.objects.get(code="plein").pk, Tariff.objects.get(code="reduit").pk
    url = f"/api/carts/{post(api, '/api/carts').json()['token']}/best-available"

    def left(category, tariff=plein, quantity=2):
        body = {"performance_id": perf.pk, "category_id": category, "tariff_id": tariff, "quantity": quantity}
        return _error(post(api, url, body), 409, "sold_out")["categories_left"]

    PerformanceSeat.objects.filter(performance=perf, category_id__in=[a, c]).update(state="sold")
    assert left(a) == sorted([b, c])  # found under the allocation lock: the others may have seats
    assert left(a, tariff=reduit) == []  # at this tariff only a is on sale
    assert left(c) == [b]  # a is known sold out now (read again by the answer before)
    assert left(c) == [b]
    PerformanceSeat.objects.filter(performance=perf, category_id=b).update(state="sold")
    assert left(b) == []  # sold out: the buyer can stop
    # What is known grows stale: a category not read for SOLD_OUT_MEMO_SECONDS is named again.
    monkeypatch.setattr(inventory_services, "_clock", lambda: now + inventory_services.SOLD_OUT_MEMO_SECONDS)
    assert left(b) == sorted([a, c])
    # Other refusals carry no such field.
    assert "categories_left" not in _error(post(api, "/api/carts/no-such-cart/best-available",
                                                {"performance_id": perf.pk, "category_id": a, "tariff_id": plein,
                                                 "quantity": 2}), 404, "not_found")


def test_every_field_of_an_error_answer_is_in_the_schema(api, perf):
    """A client reads error answers from /api/openapi.json: what a refused input, a sold-out
    category and an unknown cart answer is declared there."""
    documented = api.get("/api/openapi.json").json()["components"]["schemas"]["ErrorOut"]["properties"]
    token = post(api, "/api/carts").json()["token"]
    cat, plein = SeatCategory.objects.get(code="a").pk, Tariff.objects.get(code="plein").pk
    url = f"/api/carts/{token}/best-available"
    refused = _error(post(api, url, {"performance_id": perf.pk, "quantity": 0}), 422, "invalid_input")
    assert refused["errors"] and all(set(e) == {"field", "message"} for e in refused["errors"])
    PerformanceSeat.objects.filter(performance=perf).update(state="sold")
    sold_out = _error(post(api, url, {"performance_id": perf.pk, "category_id": cat, "tariff_id": plein, "quantity": 2}),
                      409, "sold_out")
    unknown = _error(post(api, "/api/carts/no-such-cart/best-available", {}), 422, "invalid_input")
    for body in (refused, sold_out, unknown, _error(api.get("/api/carts/no-such-cart"), 404, "not_found")):
        assert set(body) <= set(documented), (body, documented)


def test_errors_are_translated(api, perf):
    token = post(api, "/api/carts").json()["token"]
    fr = post(api, f"/api/carts/{token}/checkout", {"email": "a@b.fr", "card": GOOD_CARD})
    api.cookies.clear()
    en = api.post(f"/api/carts/{token}/checkout", {"email": "a@b.fr", "card": GOOD_CARD}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert fr.json()["code"] == en.json()["code"] == "cart_empty"
    assert en.json()["message"] == "Your cart is empty."
    assert fr.json()["message"] != en.json()["message"]


def test_a_visitor_buys_as_the_guest_contact_of_his_email(api, perf):
    """The checkout reads the email's guest contact with the cart: the same address (any case)
    is one guest contact across orders, never an account's contact."""
    from entracte.customers.models import Contact

    User.objects.create_user(email="fan@example.org", password="x-secret-123")
    cat, plein = SeatCategory.objects.get(code="a").pk, Tariff.objects.get(code="plein").pk
    for email in ("fan@example.org", "FAN@Example.org"):
        token = post(api, "/api/carts").json()["token"]
        post(api, f"/api/carts/{token}/best-available", {"performance_id": perf.pk, "category_id": cat, "tariff_id": plein, "quantity": 1})
        assert post(api, f"/api/carts/{token}/checkout", {"email": email, "card": GOOD_CARD}).status_code == 201
    contacts = {o.contact for o in Order.objects.all()}
    assert len(contacts) == 1 and contacts.pop().user_id is None
    assert Contact.objects.filter(email="fan@example.org").count() == 1


def test_checkout_errors(api, perf):
    token = post(api, "/api/carts").json()["token"]
    cat, plein = SeatCategory.objects.get(code="a").pk, Tariff.objects.get(code="plein").pk
    post(api, f"/api/carts/{token}/best-available", {"performance_id": perf.pk, "category_id": cat, "tariff_id": plein, "quantity": 1})
    _error(post(api, f"/api/carts/{token}/checkout", {"card": GOOD_CARD}), 400, "invalid_input")
    _error(post(api, f"/api/carts/{token}/checkout", {"email": "x@y.fr", "card": DECLINED_CARD}), 402, "payment_declined")
    _error(post(api, f"/api/carts/{token}/checkout", {"email": "x@y.fr", "card": GOOD_CARD, "expected_total": "0.01"}), 409, "price_changed")
    _error(post(api, f"/api/carts/{token}/checkout", {"email": "not-an-email", "card": GOOD_CARD}), 422, "invalid_input")
    _error(post(api, "/api/carts/nope/checkout", {"email": "x@y.fr", "card": GOOD_CARD}), 404, "not_found")
    assert not Order.objects.exists()
    _error(api.post(f"/api/carts/{token}/checkout", "{not json", content_type="application/json"), 400, "invalid_input")


def test_contacts_see_only_their_own_orders(api, perf):
    User.objects.create_user(email="alice@example.org", password="alice-pass-123")
    User.objects.create_user(email="bob@example.org", password="bob-pass-123")
    alice = post(api, "/api/auth/token", {"email": "alice@example.org", "password": "alice-pass-123"}).json()["token"]
    bob = post(api, "/api/auth/token", {"email": "bob@example.org", "password": "bob-pass-123"}).json()["token"]
    _error(post(api, "/api/auth/token", {"email": "alice@example.org", "password": "wrong"}), 401, "bad_credentials")
    token = post(api, "/api/carts").json()["token"]
    post(api, f"/api/carts/{token}/best-available", {"performance_id": perf.pk, "category_id": SeatCategory.objects.get(code="a").pk,
                                                       "tariff_id": Tariff.objects.get(code="plein").pk, "quantity": 2})
    order = post(api, f"/api/carts/{token}/checkout", {"card": GOOD_CARD}, token=alice).json()
    mine = api.get("/api/me/orders", HTTP_AUTHORIZATION=f"Bearer {alice}").json()
    assert [o["number"] for o in mine] == [order["number"]]
    assert api.get("/api/me/orders", HTTP_AUTHORIZATION=f"Bearer {bob}").json() == []
    assert len(api.get("/api/me/tickets", HTTP_AUTHORIZATION=f"Bearer {alice}").json()) == 2
    _error(api.get("/api/me/orders"), 401, "unauthenticated")
    _error(api.get("/api/me/orders", HTTP_AUTHORIZATION="Bearer forged"), 401, "unauthenticated")


def test_staff_endpoints_need_a_staff_token(api, perf):
    from entracte.core.roles import ADMINISTRATOR

    from .factories import staff_user

    User.objects.create_user(email="fan@example.org", password="fan-pass-123")
    User.objects.create_user(email="norole@example.org", password="staff-pass-123", is_staff=True)
    staff_user(ADMINISTRATOR, "staff@example.org")
    User.objects.filter(email="staff@example.org").update(password=User.objects.get(email="norole@example.org").password)
    fan = post(api, "/api/auth/token", {"email": "fan@example.org", "password": "fan-pass-123"}).json()["token"]
    norole = post(api, "/api/auth/token", {"email": "norole@example.org", "password": "staff-pass-123"}).json()["token"]
    staff = post(api, "/api/auth/token", {"email": "staff@example.org", "password": "staff-pass-123"}).json()["token"]
    url = f"/api/staff/performances/{perf.pk}/sales"
    _error(api.get(url, HTTP_AUTHORIZATION=f"Bearer {fan}"), 401, "unauthenticated")
    _error(api.get(url, HTTP_AUTHORIZATION=f"Bearer {norole}"), 403, "forbidden")
    body = api.get(url, HTTP_AUTHORIZATION=f"Bearer {staff}").json()
    assert body["seats"]["free"] == 30 and body["tickets"] == 0
    from .factories import point_of_sale
    point_of_sale(code="box", channel="boxoffice", fee="0")
    _error(post(api, "/api/carts", {"point_of_sale": "box"}, token=fan), 403, "point_of_sale_forbidden")
    assert post(api, "/api/carts", {"point_of_sale": "box"}, token=staff).status_code == 201


def test_openapi_schema_and_docs(api):
    schema = api.get("/api/openapi.json").json()
    assert "/api/carts/{token}/checkout" in schema["paths"]
    assert api.get("/api/docs").status_code == 200


def test_unknown_paths_and_wrong_methods_answer_in_the_api_shape(api):
    missing = api.get("/api/no-such-thing")
    _error(missing, 404, "not_found")
    assert missing["X-Frame-Options"] == "DENY" and missing["Content-Length"] == str(len(missing.content))
    refused = api.get("/api/events", HTTP_HOST="evil.example")  # a host not in ALLOWED_HOSTS
    _error(refused, 400, "invalid_input")
    assert refused["X-Frame-Options"] == "DENY"
    response = api.put("/api/events")
    _error(response, 405, "method_not_allowed")
