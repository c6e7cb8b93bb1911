"""Lean lanes: the busiest API endpoint answered without Django's whole request cycle.

At doors opening every gate's scanner posts a code a second or faster (bench/scan.py). The
scan itself is one SQL statement; Django's handler, its middleware stack, URL resolution and
ninja's operation machinery cost more CPU than that statement and its authentication. So
the WSGI application (entracte/wsgi.py) hands a few (method, path) pairs to a lane first.

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

import io
import json
import logging
from typing import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from .middleware import server_error

log = logging.getLogger(__name__)

MAX_BODY = 16 * 1024

# A lane: (request, decoded JSON body) -> (status, data) to answer, or None to decline.
Lane = Callable[[WSGIRequest, object], "tuple[int, object] | None"]


def _no_response(request):  # the middleware below only post-process answers
    raise AssertionError("not called")


class Lanes:
    """A WSGI application: requests matching a lane's (method, path) go to the lane; the rest,
    and whatever a lane declines, to `app` (Django's WSGI handler)."""

    # Tests run inside a transaction and turn this off, as Django's test client disconnects
    # close_old_connections from the request signals.
    tidy_connections = staticmethod(close_old_connections)

    def __init__(self, app, lanes: dict[tuple[str, str], Lane]):
        self.app, self.lanes = app, lanes
        self.finishers = [SecurityMiddleware(_no_response), XFrameOptionsMiddleware(_no_response)]

    def __call__(self, environ, start_response):
        lane = self.lanes.get((environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")))
        response = self._answer(lane, environ) if lane else None
        if response is None:
            return self.app(environ, start_response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    def _answer(self, lane: Lane, environ) -> HttpResponse | None:
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
            return self._run(lane, request, body)
        finally:
            self.tidy_connections()

    def _run(self, lane: Lane, request: WSGIRequest, body: bytes) -> HttpResponse | None:
        try:
            request.get_host()
        except DisallowedHost:
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        language = translation.get_language_from_request(request)
        with translation.override(language):
            try:
                answer = lane(request, payload)
                if answer is None:
                    return None
                status, data = answer
                response = HttpResponse(_renderer().render(request, data, response_status=status), status=status,
                                        content_type="application/json; charset=utf-8")
            except Exception:
                # As ApiErrorShapeMiddleware answers an unexpected error on the regular path.
                log.exception("unexpected error on %s", request.path)
                response = server_error()
        for finisher in self.finishers:
            response = finisher.process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        response.headers["Content-Length"] = str(len(response.content))  # as CommonMiddleware sets it
        return response


def _renderer():
    from entracte.api.api import api

    return api.renderer


def application(django_app) -> Lanes:
    """Django's WSGI application behind the lanes (entracte/wsgi.py)."""
    from entracte.access.api import scan_lane

    return Lanes(django_app, {("POST", "/api/access/scan"): scan_lane})
