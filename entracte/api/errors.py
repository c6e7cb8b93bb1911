"""How the API answers an error a service raised: one rule for ninja's exception handlers
(api/api.py) and the lean lanes (api/lanes.py)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext as _

from entracte.core.errors import DomainError


def error_answer(exc: Exception) -> tuple[int, dict] | None:
    """(status, {code, message, ...}) for a domain error or a missing object; None for anything else."""
    if isinstance(exc, DomainError):
        return exc.status, {"code": exc.code, "message": str(exc.message), **exc.answer}
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return 404, {"code": "not_found", "message": _("Not found.")}
    return None
