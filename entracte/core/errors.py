"""Domain errors. Services raise them; pages show `message`, the API maps `code` to a 4xx.

Each error has a stable machine code and a translatable human message.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, **details):
        self.message = message or self.default_message
        self.details = details  # for the code that catches it
        self.answer: dict = {}  # more fields of the API's error answer, beside code and message
        super().__init__(str(self.message))


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400
    default_message = _("The request is not valid.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("The request conflicts with the current state.")
