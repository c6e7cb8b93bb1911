"""A NUL character anywhere in a request (entracte/core/inputs.py) is answered 400, translated,
before any view or service reads it: PostgreSQL refuses NUL in text, and these requests used
to end as answers 500 there (found by the API fuzz on PostgreSQL). And the shop's error
pages are its own, translated."""

import json

import pytest
from django.test import Client, RequestFactory

from entracte.core.inputs import json_has_nul
from entracte.customers.models import Contact, User
from entracte.sales.models import Cart, Order, Ticket

from .test_lanes import Counting, _call, _token, apps  # noqa: F401  (apps: a fixture)

pytestmark = pytest.mark.django_db

NUL = "ab\x00c"


def test_a_json_nul_is_the_unescaped_escape_only():
    assert json_has_nul(b'{"email": "a\\u0000b"}')
    assert json_has_nul(b'["\\\\\\u0000"]')  # an escaped backslash, then NUL
    assert not json_has_nul(b'["\\\\u0000"]')  # an escaped backslash, then the text u0000
    assert not json_has_nul(b'{"email": "a@b.c", "code": "u0000"}')
    assert json_has_nul(b'["\\\\u0000", "\\u0000"]')  # text first, NUL after


def _sample(schema: dict, components: dict):
    """A body for a request schema, every string holding NUL."""
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            return _sample(schema[key][0], components)
    kind = schema.get("type")
    if kind == "object":
        return {name: _sample(sub, components) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), components)]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    return NUL


def _sample_clean(schema: dict, components: dict):
    return json.loads(json.dumps(_sample(schema, components)).replace("\\u0000", ""))


def _counts():
    return [model.objects.count() for model in (Cart, Order, Ticket, Contact, User)]


def _nul_requests(schema: dict):
    """Every operation of the API, with NUL in each of its string inputs in turn."""
    components = schema.get("components", {}).get("schemas", {})
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            strings = [p for p in params if p.get("schema", {}).get("type") != "integer"]
            body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            with_nul = body_schema and "\\u0000" in json.dumps(_sample(body_schema, components))
            variants = [(p["in"], p["name"]) for p in strings] + ([("body", None)] if with_nul else [])
            for where, name in variants:
                url, query = path, {}
                for p in params:
                    value = NUL if (p["in"], p["name"]) == (where, name) else "1"
                    if p["in"] == "path":
                        url = url.replace("{" + p["name"] + "}", value)
                    elif p["in"] == "query":
                        query[p["name"]] = value
                body = json.dumps(_sample(body_schema, components) if where == "body" else _sample_clean(body_schema, components)) \
                    if body_schema else None
                yield path, method, url, query, body


def test_every_api_operation_answers_a_nul_400_and_changes_nothing(perf):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    schema = client.get("/api/openapi.json").json()
    before, tried = _counts(), set()
    for template, method, url, query, body in _nul_requests(schema):
        if query:
            url += "?" + "&".join(f"{k}={v.replace(chr(0), '%00')}" for k, v in query.items())
        response = getattr(client, method)(url, data=body, content_type="application/json")
        assert response.status_code == 400, (method, url, body, response.status_code, response.content[:200])
        assert response.json() == {"code": "invalid_input", "message": "La requête contient un caractère interdit (NUL)."}
        tried.add((method, template))
    # Among them, some that answered 500 on PostgreSQL before the guard.
    assert {("post", "/api/auth/token"), ("get", "/api/carts/{token}"), ("post", "/api/carts/{token}/codes"),
            ("get", "/api/performances/{performance_id}/advantages"), ("post", "/api/carts")} <= tried
    assert _counts() == before


def test_the_lanes_hand_a_nul_to_the_guard(apps, perf, web_pos):  # noqa: F811 (apps: the fixture)
    """The lean lanes (wsgi.py, in front of Django's handler) decline a body or a token with
    NUL, so the middleware answers it as for any other endpoint: a controller's valid token
    with a code holding NUL, a cart's checkout with an email holding NUL."""
    lanes, _django_app = apps
    token = _token()
    cart = _call(lanes, {}, url="/api/carts")[2]["token"]
    before = _counts()
    for body, url, bearer in (({"performance_id": perf.pk, "code": "AB\x00CD"}, "/api/access/scan", token),
                              ({"email": "a\x00@example.org", "card": {"number": "4242424242424242"}},
                               f"/api/carts/{cart}/checkout", None),
                              ({"performance_id": perf.pk, "code": "ABCD"}, "/api/access/scan", "ab\x00c")):
        Counting.calls = 0
        status, _headers, answer = _call(lanes, body, bearer, url=url, HTTP_ACCEPT_LANGUAGE="en")
        assert (status, answer) == (400, {"code": "invalid_input",
                                          "message": "The request contains a character that is not allowed (NUL)."})
        assert Counting.calls == 1, "the lane declined, Django's handler answered"
    assert _counts() == before


@pytest.mark.parametrize("request_kwargs", [
    {"path": "/performances/{perf}/?q=a%00b"},
    {"path": "/account/login/", "method": "post", "data": {"username": NUL, "password": "x"}},
    {"path": "/performances/{perf}/", "cookies": {"sessionid": NUL}},
])
def test_a_page_answers_a_nul_with_the_translated_error_page(perf, request_kwargs):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    for name, value in request_kwargs.get("cookies", {}).items():
        client.cookies[name] = value
    path = request_kwargs["path"].format(perf=perf.pk)
    if request_kwargs.get("method") == "post":
        response = client.post(path, request_kwargs["data"])
    else:
        response = client.get(path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Requête invalide" in page and "La requête contient un caractère interdit (NUL)." in page
    assert 'href="/"' in page  # the way back to the programme


@pytest.mark.parametrize("language, heading", [("fr", "Page introuvable"), ("en", "Page not found"),
                                               ("de", "Seite nicht gefunden"), ("es", "Página no encontrada")])
def test_a_missing_page_is_the_shops_own_translated_404(db, language, heading):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/performances/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{language}">' in page and f"<h1>{heading}</h1>" in page and "shop.css" in page


def test_the_500_page_needs_neither_request_nor_database(django_assert_num_queries):
    """Django renders 500.html without the request; a page that queried the database would
    fail when the database is what failed."""
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("fr"), django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Une erreur est survenue</h1>" in page and "Veuillez réessayer dans un instant." in page


def test_a_form_refused_by_the_csrf_check_says_what_to_do(db):
    response = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr").post(
        "/account/login/", {"username": "a@b.c", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Accès refusé</h1>" in page and "Ce formulaire a expiré" in page
