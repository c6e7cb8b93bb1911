"""The lean lane of POST /api/access/scan (entracte/api/lanes.py) answers as the regular endpoint
does, and hands every request it is not sure of to the endpoint before scanning anything."""

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


def _call(app, body, token=None, raw=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body)
    environ = RequestFactory().post(URL, data, content_type="application/json", **headers, **extra).environ
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

    status, headers, valid = _call(lanes, {"performance_id": perf.pk, "code": first.code, "gate_id": north.pk}, token)
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
        if "HTTP_HOST" not in extra:
            assert answer["code"] and answer["message"]
    assert not Scan.objects.exists(), "nothing was scanned or logged"
    assert _call(lanes, good, token)[2]["result"] == "valid"
    assert Counting.calls == len(refused)
