"""Lean lanes: the busiest API endpoints answered without Django's whole request cycle.

At doors opening every gate's scanner posts a code a second or faster (bench/scan.py); at a
season opening every buyer holds seats and checks out (bench/onsale.py). The scan itself is
one SQL statement; Django's handler, its middleware stack, URL resolution and ninja's
operation machinery cost more CPU than that statement and its authentication. So the WSGI
application (entracte/wsgi.py) hands a few (method, path) pairs, or path patterns, to a
lane first.

A lane answers only what it is sure of: a well-formed request from a caller whose token
holds the permission, for something that exists. It *declines* everything else (a body that
is not the expected JSON, no or a bad token, a missing permission, an unknown performance,
a host not allowed, a redirect to HTTPS due) before it changes anything, and the regular
endpoint answers as always: the errors, their codes and their translations stay in one
place. The lane and the endpoint call the same function and build their answer with the
same schema and renderer; tests/test_lanes.py checks they answer alike.

What the middleware would add to an API answer is added here by the same middleware
(security headers, X-Frame-Options) and the same rules (language, Vary); the sessions,
CSRF, messages and static-files middleware have nothing to do for a bearer-token API call.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Callable
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import translation

from entracte.core import inputs

from .middleware import server_error

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024

JSON = "application/json; charset=utf-8"

# An answer: (status, headers, body).
Answer = tuple[int, list[tuple[str, str]], bytes]

# A lane: (request, decoded JSON body, **path parameters) -> (status, data) to answer, or None
# to decline.
Lane = Callable[..., "tuple[int, object] | None"]


def _no_response(request):  # the middleware below only post-process answers
    raise AssertionError("not called")


class Lanes:
    """A WSGI application: requests matching a lane's (method, path) go to the lane; the rest,
    and whatever a lane declines, to `app` (Django's WSGI handler)."""

    # Tests run inside a transaction and turn this off, as Django's test client disconnects
    # close_old_connections from the request signals.
    tidy_connections = staticmethod(close_old_connections)

    def __init__(self, app, lanes: dict[tuple[str, str], Lane], patterns: list[tuple[str, str, Lane]] = ()):
        """`lanes` by exact (method, path); `patterns`: (method, path regex with named groups, lane),
        the groups passed to the lane as keyword arguments."""
        self.app, self.lanes = app, lanes
        self.patterns = [(method, re.compile(regex), lane) for method, regex, lane in patterns]
        self.finishers = [SecurityMiddleware(_no_response), XFrameOptionsMiddleware(_no_response)]
        self._hosts, self._languages, self._security = {}, {}, {}

    def _lane(self, method: str | None, path: str | None) -> tuple[Lane, dict] | None:
        lane = self.lanes.get((method, path))
        if lane is not None:
            return lane, {}
        for lane_method, regex, lane in self.patterns:
            if method == lane_method and (match := regex.fullmatch(path or "")):
                return lane, match.groupdict()
        return None

    def __call__(self, environ, start_response):
        found = self._lane(environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
        answer = self._answer(*found, environ) if found else None
        if answer is None:
            return self.app(environ, start_response)
        status, headers, body = answer
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]

    def _answer(self, lane: Lane, path: dict, environ) -> Answer | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # whole again, should Django answer instead
        request = WSGIRequest(environ)
        # What Django's request_started and request_finished receivers do for a lane's work: drop
        # a database connection that is broken or past CONN_MAX_AGE (the signals' dispatch cost
        # more than that check).
        self.tidy_connections()
        try:
            return self._run(lane, path, request, body)
        finally:
            self.tidy_connections()

    def _run(self, lane: Lane, path: dict, request: WSGIRequest, body: bytes) -> Answer | None:
        if not self._host_allowed(request):
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None
        if inputs.json_has_nul(body) or inputs.NUL in request.META.get("HTTP_AUTHORIZATION", ""):
            return None  # answered 400 by core.inputs.RejectNulMiddleware
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        language = self._language(request)
        # Activating a language and restoring the previous one cost more than the lane's own
        # work on a short answer; a thread answering in one language keeps it active.
        with translation.override(language) if translation.get_language() != language else contextlib.nullcontext():
            try:
                answer = lane(request, payload, **path)
                if answer is None:
                    return None
                status, data = answer
                content = _renderer().render(request, data, response_status=status).encode()
                content_type = JSON
            except Exception:
                # As ApiErrorShapeMiddleware answers an unexpected error on the regular path.
                log.exception("unexpected error on %s", request.path)
                error = server_error()
                status, content, content_type = error.status_code, error.content, error["Content-Type"]
        return status, [("Content-Type", content_type), *self._security_headers(request.is_secure()),
                        ("Vary", ", ".join(("Accept-Language", *getattr(lane, "vary", ())))),
                        ("Content-Language", language),
                        ("Content-Length", str(len(content)))], content  # as CommonMiddleware sets it

    # What the lanes compute from a request's headers alone, remembered per distinct value (a
    # gate's scanner or a buyer's browser sends the same ones at every request); bounded.
    _REMEMBERED = 256

    def _remember(self, memo: dict, key, compute):
        try:
            return memo[key]
        except KeyError:
            if len(memo) >= self._REMEMBERED:
                memo.clear()
            memo[key] = value = compute()
            return value

    def _host_allowed(self, request: WSGIRequest) -> bool:
        """request.get_host() succeeds: its answer depends on these headers and the settings."""
        meta = request.META
        key = (meta.get("HTTP_X_FORWARDED_HOST"), meta.get("HTTP_HOST"), meta.get("SERVER_NAME"), meta.get("SERVER_PORT"))

        def allowed():
            try:
                request.get_host()
            except DisallowedHost:
                return False
            return True
        return self._remember(self._hosts, key, allowed)

    def _language(self, request: WSGIRequest) -> str:
        """translation.get_language_from_request(request): from the language cookie, else the
        Accept-Language header."""
        meta = request.META
        return self._remember(self._languages, (meta.get("HTTP_COOKIE"), meta.get("HTTP_ACCEPT_LANGUAGE")),
                              lambda: translation.get_language_from_request(request))

    def _security_headers(self, secure: bool) -> list[tuple[str, str]]:
        """The headers SecurityMiddleware and XFrameOptionsMiddleware add to an answer: they
        depend only on the settings and on whether the request came over HTTPS."""
        def added():
            response = HttpResponse()
            for finisher in self.finishers:
                response = finisher.process_response(_Probe(secure), response)
            return [(name, value) for name, value in response.items() if name != "Content-Type"]
        return self._remember(self._security, secure, added)


class _Probe:
    """A request as the security middleware see it: over HTTPS or not."""

    def __init__(self, secure: bool):
        self.secure = secure

    def is_secure(self) -> bool:
        return self.secure


def _renderer():
    from entracte.api.api import api

    return api.renderer


def body_lane(schema_in, schema_out, status: int, work: Callable, vary: tuple[str, ...] = ()) -> Lane:
    """A lane for an endpoint that takes a JSON body: the body validated with the endpoint's
    schema (declined if it is not valid: the endpoint names the faulty fields), then
    `work(request, data, **path)`, the function the endpoint itself calls. Its result is
    answered through the endpoint's response schema; `work` returns None to decline before it
    changes anything. An error a service raises is answered as the API's exception handlers
    answer it, never re-run by the endpoint. `vary`: the request headers the endpoint's answer
    depends on beside the language (e.g. "Cookie" where a session may identify the caller)."""
    from pydantic import ValidationError

    from .errors import error_answer

    def lane(request, payload, **path):
        try:
            data = schema_in.model_validate(payload)
        except ValidationError:
            return None
        try:
            result = work(request, data, **path)
        except Exception as exc:
            answer = error_answer(exc)
            if answer is None:
                raise
            return answer
        if result is None:
            return None
        return status, schema_out.model_validate(result).model_dump()

    lane.vary = vary
    return lane


# A cart token (sales/codes.py access_secret) in a path.
CART = r"/api/carts/(?P<token>[A-Za-z0-9_-]{1,64})"


def application(django_app) -> Lanes:
    """Django's WSGI application behind the lanes (entracte/wsgi.py)."""
    from entracte.access.api import scan_lane
    from entracte.sales.api import checkout_lane, hold_best_lane, hold_seats_lane, new_cart_lane

    return Lanes(django_app, {("POST", "/api/access/scan"): scan_lane, ("POST", "/api/carts"): new_cart_lane}, [
        ("POST", CART + "/best-available", hold_best_lane),
        ("POST", CART + "/seats", hold_seats_lane),
        ("POST", CART + "/checkout", checkout_lane),
    ])
