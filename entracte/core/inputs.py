"""Input no request may carry: the NUL character.

No one types a NUL, and PostgreSQL refuses it in text (SQLite stores it): a path, a query
parameter, a form field, a cookie or a JSON string with one would end as a database error,
an answer 500, on PostgreSQL only. RejectNulMiddleware answers such a request 400 before any
view or service sees it, on both databases alike: in the API's JSON shape under /api/, as the
shop's error page elsewhere (docs/architecture.md). The lean lanes (api/lanes.py) decline such
a body, so that this middleware answers it.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

NUL = "\x00"
_JSON_NUL = b"\\u0000"


def json_has_nul(body: bytes) -> bool:
    """Whether a JSON text has a string holding NUL: the escape \\u0000 (a raw NUL byte is not
    valid JSON, and the parsers refuse it). An escaped backslash followed by "u0000" is text,
    not NUL: the escape counts only after an even number of backslashes."""
    at = body.find(_JSON_NUL)
    while at != -1:
        start = at
        while start > 0 and body[start - 1] == 0x5C:  # backslashes before this one
            start -= 1
        if (at - start) % 2 == 0:
            return True
        at = body.find(_JSON_NUL, at + 1)
    return False


def _has_nul(pairs) -> bool:
    """Whether a key or a value of (key, values) pairs holds NUL (QueryDict.lists())."""
    return any(NUL in key or any(NUL in value for value in values) for key, values in pairs)


def request_has_nul(request) -> bool:
    """Whether any text of the request holds NUL: its path, query parameters, cookies,
    Authorization header, form fields (not the files' contents) or JSON body."""
    if NUL in request.path_info or NUL in request.META.get("HTTP_AUTHORIZATION", ""):
        return True
    if _has_nul(request.GET.lists()) or _has_nul((key, (value,)) for key, value in request.COOKIES.items()):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _has_nul(request.POST.lists())
    return json_has_nul(request.body)  # the API's bodies, whatever content type they claim


def nul_message() -> str:
    return _("The request contains a character that is not allowed (NUL).")


class RejectNulMiddleware:
    """Answer 400 to a request carrying NUL (request_has_nul). Inside LocaleMiddleware, for
    the message's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_has_nul(request):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "invalid_input", "message": nul_message()}, status=400)
        return HttpResponseBadRequest(loader.render_to_string("400.html", {"message": nul_message()}))
