"""The lean lanes (entracte/api/lanes.py) of POST /api/access/scan and of the cart's hold and
checkout answer as the regular endpoints do, and hand every request they are not sure of to
the endpoint before changing anything."""

import json

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory

from entracte import wsgi
from entracte.access.models import Gate, Scan
from entracte.core.roles import CONTROLLER, OPERATOR
from entracte.customers.models import ApiToken, User
from entracte.sales.models import Ticket

from . import factories
from .test_access import _gates, _sell

pytestmark = pytest.mark.django_db

URL = "/api/access/scan"
HEADERS = ("Content-Type", "Content-Length", "Content-Language", "Vary", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
           "Cross-Origin-Opener-Policy")


class Counting(WSGIHandler):
    """Django's own handler, counting the requests the lanes hand over to it."""

    calls = 0

    def __call__(self, environ, start_response):
        Counting.calls += 1
        return super().__call__(environ, start_response)


@pytest.fixture
def apps():
    """The WSGI application of entracte/wsgi.py around a counting Django handler. Like Django's
    test client, the database connection is not closed at each request's start and end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield _apps()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _apps():
    Counting.calls = 0
    django_app = Counting()
    lanes = wsgi.lanes.application(django_app)
    lanes.tidy_connections = lambda: None
    return lanes, django_app


def _call(app, body, token=None, raw=None, url=URL, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body)
    environ = RequestFactory().post(url, data, content_type="application/json", **headers, **extra).environ
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    content = b"".join(app(environ, start_response))
    is_json = answer["headers"].get("Content-Type", "").startswith("application/json")
    return answer["status"], answer["headers"], json.loads(content) if is_json else content


def _token(role=CONTROLLER, **changes):
    user = factories.staff_user(role)
    if changes:
        User.objects.filter(pk=user.pk).update(**changes)
    return ApiToken.issue(user=user, name="scanner")


def test_the_lane_answers_every_outcome_as_the_endpoint_does(apps, perf, web_pos):
    lanes, django_app = apps
    first, second = _sell(perf, web_pos)
    north, _south = _gates(perf)
    token = _token()

    status, _headers, valid = _call(lanes, {"performance_id": perf.pk, "code": first.code, "gate_id": north.pk}, token)
    assert status == 200 and valid["result"] == "valid" and valid["seat"] and valid["first_gate"] == ""
    assert Counting.calls == 0, "the lane answered a valid reading"
    first.refresh_from_db()
    assert first.scanned_at is not None and first.scanned_gate == north

    Ticket.objects.filter(pk=second.pk).update(status=Ticket.CANCELLED)
    readings = [
        ({"performance_id": perf.pk, "code": first.code}, {}),                      # already scanned
        ({"performance_id": perf.pk, "code": first.code}, {"HTTP_ACCEPT_LANGUAGE": "en"}),
        ({"performance_id": perf.pk, "code": second.code}, {}),                     # cancelled
        ({"performance_id": perf.pk, "code": "NOSUCHCODE"}, {"HTTP_ACCEPT_LANGUAGE": "de"}),
        ({"performance_id": factories.performance(perf.hall).pk, "code": first.code}, {}),  # wrong performance
    ]
    for body, extra in readings:
        by_lane = _call(lanes, body, token, **extra)
        calls = Counting.calls
        by_django = _call(django_app, body, token, **extra)
        assert Counting.calls == calls + 1
        assert by_lane[0] == by_django[0] == 200 and by_lane[2] == by_django[2], body
        assert {h: by_lane[1].get(h) for h in HEADERS} == {h: by_django[1].get(h) for h in HEADERS}
    assert Counting.calls == len(readings), "each reading was answered by the lane"
    results = [_call(lanes, body, token, **extra)[2] for body, extra in readings]
    assert [r["result"] for r in results] == ["already_scanned", "already_scanned", "cancelled", "unknown", "wrong_performance"]
    assert results[0]["first_gate"] == "Nord" and results[0]["message"].startswith("Déjà contrôlé")
    assert results[1]["message"].startswith("Already scanned") and results[3]["message"] == "Unbekannter Code."


def test_what_the_lane_is_not_sure_of_goes_to_the_endpoint_untouched(apps, perf, web_pos):
    lanes, _django_app = apps
    ticket, _other = _sell(perf, web_pos)
    token = _token()
    other_venue_gate = Gate.objects.create(venue=factories.performance().hall.venue, name="Ailleurs")
    good = {"performance_id": perf.pk, "code": ticket.code}
    refused = [
        (None, good, {}, 401),                                                     # no token
        ("not-a-token", good, {}, 401),
        (_token(OPERATOR), good, {}, 403),                                         # no scanning permission
        (_token(is_staff=False), good, {}, 401),                                   # the permission, but not staff
        (_token(is_active=False), good, {}, 401),
        (token, {"performance_id": 999999, "code": ticket.code}, {}, 404),
        (token, {**good, "gate_id": other_venue_gate.pk}, {}, 404),
        (token, {"performance_id": perf.pk}, {}, 422),                             # no code
        (token, {"performance_id": perf.pk, "code": "X" * 65}, {}, 422),
        (token, {"performance_id": "soon", "code": ticket.code}, {}, 422),
        (token, None, {"raw": "{not json"}, 400),
        (token, good, {"HTTP_HOST": "evil.example"}, 400),
    ]
    for i, (key, body, extra, expected) in enumerate(refused):
        status, _headers, answer = _call(lanes, body, key, **extra)
        assert status == expected, (i, answer)
        assert Counting.calls == i + 1, "the endpoint answered, not the lane"
        assert answer["code"] and answer["message"]
    assert not Scan.objects.exists(), "nothing was scanned or logged"
    assert _call(lanes, good, token)[2]["result"] == "valid"
    assert Counting.calls == len(refused)


def test_the_lane_adds_the_security_headers_of_an_https_request_and_remembers_no_host_wrongly(apps, settings, perf, web_pos):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    lanes, django_app = _apps()  # after the settings: the middleware read them when built
    first, second = _sell(perf, web_pos)
    token = _token()
    for ticket, extra in ((first, {"HTTP_X_FORWARDED_PROTO": "https"}), (second, {})):
        by_lane = _call(lanes, {"performance_id": perf.pk, "code": ticket.code}, token, **extra)
        by_django = _call(django_app, {"performance_id": perf.pk, "code": ticket.code}, token, **extra)
        wanted = "max-age=3600" if extra else None
        assert by_lane[1].get("Strict-Transport-Security") == by_django[1].get("Strict-Transport-Security") == wanted
        compared = [h for h in HEADERS if h != "Content-Length"]  # "valid" by the lane, then "already scanned"
        assert {h: by_lane[1].get(h) for h in compared} == {h: by_django[1].get(h) for h in compared}
    assert Counting.calls == 2, "the lane answered both readings"
    # A foreign host after an allowed one, then the allowed one again: each judged on its own.
    for host, expected_calls in (("evil.example", 3), ("testserver", 3), ("evil.example", 4)):
        _call(lanes, {"performance_id": perf.pk, "code": first.code}, token, HTTP_HOST=host)
        assert Counting.calls == expected_calls, host


def _cart_token(pos):
    from entracte.sales import carts

    return carts.create_cart(point_of_sale=pos).token


def _same_answer(by_lane, by_django, *, varying=()):
    """Both answered alike: status, body (but for fields naming the cart's own seats, codes and
    times) and headers."""
    def strip(body):
        if not isinstance(body, dict):
            return body
        kept = {k: v for k, v in body.items() if k not in varying}
        for name in ("items", "tickets"):
            if name in kept:
                kept[name] = [{k: v for k, v in line.items() if k not in varying} for line in kept[name]]
        return kept

    assert by_lane[0] == by_django[0], (by_lane, by_django)
    assert strip(by_lane[2]) == strip(by_django[2])
    compared = [h for h in HEADERS if not (varying and h == "Content-Length")]  # other seats, other lengths
    assert {h: by_lane[1].get(h) for h in compared} == {h: by_django[1].get(h) for h in compared}


CART_FIELDS = ("token", "expires_at", "id", "seat_id", "label")
ORDER_FIELDS = ("number", "created_at", "tickets_pdf", "code", "seat")


def test_hold_and_checkout_lanes_answer_every_outcome_as_the_endpoints_do(apps, perf, web_pos):
    from entracte.catalog.models import SeatCategory, Tariff

    from .factories import DECLINED_CARD, GOOD_CARD

    lanes, django_app = apps
    category, tariff = SeatCategory.objects.get(code="a"), Tariff.objects.get(code="plein")
    mine, theirs = _cart_token(web_pos), _cart_token(web_pos)
    hold = {"performance_id": perf.pk, "category_id": category.pk, "tariff_id": tariff.pk, "quantity": 2}

    def both(path, body, *, varying=(), their_body=None, **extra):
        by_lane = _call(lanes, body, url=f"/api/carts/{mine}/{path}", **extra)
        calls = Counting.calls
        by_django = _call(django_app, their_body or body, url=f"/api/carts/{theirs}/{path}", **extra)
        assert Counting.calls == calls + 1
        _same_answer(by_lane, by_django, varying=varying)
        return by_lane

    held = both("best-available", hold, varying=CART_FIELDS)
    assert held[0] == 200 and len(held[2]["items"]) == 2 and held[2]["total"] == "102.00"
    seat = [s.pk for s in perf.inventory.filter(state="free", category=category)[:2]]
    pick = {"performance_id": perf.pk, "tariff_id": tariff.pk}
    chosen = both("seats", {**pick, "seat_ids": [seat[0]]}, their_body={**pick, "seat_ids": [seat[1]]}, varying=CART_FIELDS)
    assert chosen[0] == 200 and len(chosen[2]["items"]) == 3
    assert Counting.calls == 2, "the lanes answered the holds"

    errors = [
        ("best-available", {**hold, "tariff_id": 999999}, {}),                     # unknown tariff
        ("best-available", {**hold, "category_id": 999999}, {"HTTP_ACCEPT_LANGUAGE": "en"}),
        ("best-available", {**hold, "performance_id": 999999}, {}),
        ("checkout", {"email": "guest@example.org", "card": DECLINED_CARD}, {"HTTP_ACCEPT_LANGUAGE": "de"}),
        ("checkout", {"email": "guest@example.org", "card": GOOD_CARD, "expected_total": "1.00"}, {}),
        ("checkout", {"card": GOOD_CARD}, {}),                                      # a guest without email
    ]
    for path, body, extra in errors:
        status, _headers, answer = both(path, body, **extra)
        assert 400 <= status < 500 and answer["code"] and answer["message"], (path, body, answer)
    assert Counting.calls == 2 + len(errors), "the lanes answered the errors"

    paid = both("checkout", {"email": "guest@example.org", "card": GOOD_CARD, "language": "en"}, varying=ORDER_FIELDS)
    assert paid[0] == 201 and paid[2]["total"] == "152.00" and len(paid[2]["tickets"]) == 3
    assert Counting.calls == 3 + len(errors)
    empty = both("checkout", {"email": "guest@example.org", "card": GOOD_CARD})
    assert empty[2]["code"] == "cart_empty"
    unknown = _call(lanes, hold, url="/api/carts/nosuchcart/best-available")
    assert unknown[0] == 404 and unknown[2]["code"] == "not_found"


def test_what_the_cart_lanes_are_not_sure_of_goes_to_the_endpoints(apps, perf, web_pos):
    from entracte.catalog.models import SeatCategory, Tariff
    from entracte.sales.models import Order

    from .factories import GOOD_CARD

    lanes, _django_app = apps
    token = _cart_token(web_pos)
    url = f"/api/carts/{token}"
    hold = {"performance_id": perf.pk, "category_id": SeatCategory.objects.get(code="a").pk,
            "tariff_id": Tariff.objects.get(code="plein").pk, "quantity": 2}
    pay = {"email": "guest@example.org", "card": GOOD_CARD}
    refused = [
        ("best-available", {**hold, "quantity": 0}, {}, 422),                    # the endpoint names the field
        ("best-available", {"performance_id": perf.pk}, {}, 422),
        ("best-available", None, {"raw": "{not json"}, 400),
        ("seats", {**hold, "seat_ids": []}, {}, 422),
        ("checkout", {**pay, "email": "not an address"}, {}, 422),
        ("checkout", pay, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}, 401),      # a caller to identify
    ]
    for i, (path, body, extra, expected) in enumerate(refused):
        status, _headers, answer = _call(lanes, body, url=f"{url}/{path}", **extra)
        assert status == expected, (i, answer)
        assert Counting.calls == i + 1, "the endpoint answered, not the lane"
        assert answer["code"] and answer["message"]
    assert not perf.inventory.filter(state="held").exists() and not Order.objects.exists()
    # A session cookie may carry a signed-in spectator: the endpoint decides who buys.
    assert _call(lanes, hold, url=f"{url}/best-available")[0] == 200
    calls = Counting.calls
    status, _headers, answer = _call(lanes, pay, url=f"{url}/checkout", HTTP_COOKIE="sessionid=whatever")
    assert status == 201 and Counting.calls == calls + 1
    assert Order.objects.get().email == "guest@example.org"


def test_the_cart_creation_lane_answers_as_the_endpoint_does(apps, web_pos):
    from entracte.sales.models import Cart

    lanes, django_app = apps
    factories.point_of_sale(code="guichet", channel="boxoffice")
    for extra in ({}, {"HTTP_ACCEPT_LANGUAGE": "en"}):
        by_lane = _call(lanes, {}, url="/api/carts", **extra)
        calls = Counting.calls
        by_django = _call(django_app, {}, url="/api/carts", **extra)
        assert by_lane[0] == 201 and Counting.calls == calls + 1
        _same_answer(by_lane, by_django, varying=("token",))
    assert Counting.calls == 2, "the lane answered every web cart"
    assert Cart.objects.filter(point_of_sale=web_pos).count() == 4
    # Another point of sale needs the caller's rights, and a caller may be identified: the
    # endpoint checks.
    refused = [({"point_of_sale": "guichet"}, {}, 403), ({"point_of_sale": "nowhere"}, {}, 404),
               ({}, {"token": "not-a-token"}, 401), ({}, {"HTTP_COOKIE": "sessionid=x"}, 201)]
    for i, (body, extra, expected) in enumerate(refused):
        status, _headers, _answer = _call(lanes, body, url="/api/carts", **extra)
        assert status == expected and Counting.calls == 3 + i
    assert Cart.objects.count() == 5


def test_a_lane_answers_in_each_callers_language_and_leaves_the_threads_as_it_was(apps, web_pos):
    from django.utils import translation

    lanes, _django_app = apps
    unknown_performance = {"performance_id": 999999, "category_id": 1, "tariff_id": 1, "quantity": 2}
    token = _call(lanes, {}, url="/api/carts")[2]["token"]
    messages = {}
    with translation.override("de"):
        for language in ("fr", "en", "fr", "es", "de"):
            status, _headers, answer = _call(lanes, unknown_performance, url=f"/api/carts/{token}/best-available",
                                             HTTP_ACCEPT_LANGUAGE=language)
            assert status == 404
            messages.setdefault(language, set()).add(answer["message"])
            assert translation.get_language() == "de"
    assert all(len(texts) == 1 for texts in messages.values())
    assert len({text for texts in messages.values() for text in texts}) == 4  # four catalogues, four texts
