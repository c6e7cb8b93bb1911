"""Errors that never reach the API's handlers (unknown path, wrong method) still answer
in the API's shape: a JSON body {code, message}."""

import logging

from django.http import JsonResponse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("invalid_input", lambda: _("The request is not valid.")),
    404: ("not_found", lambda: _("Not found.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = MESSAGES.get(response.status_code, ("error", lambda: _("The request could not be completed.")))
        shaped = JsonResponse({"code": code, "message": message()}, status=response.status_code)
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        shaped["Content-Length"] = str(len(shaped.content))  # CommonMiddleware, inside, set it on the original
        return shaped

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        log.exception("unexpected error on %s", request.path)
        return server_error()


def server_error() -> JsonResponse:
    """The API's answer to an unexpected error (also the lean lanes', entracte/api/lanes.py)."""
    return JsonResponse({"code": "server_error", "message": _("Something went wrong on our side. Nothing was changed.")}, status=500)

