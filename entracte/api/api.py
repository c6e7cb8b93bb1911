"""The REST API: one NinjaAPI, each domain app contributing its router.

Every error is a JSON body {"code": stable machine code, "message": translated text}.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from entracte.access.api import router as access_router
from entracte.advantages.api import router as advantages_router
from entracte.catalog.api import router as catalog_router
from entracte.core.errors import DomainError
from entracte.customers.api import router as auth_router
from entracte.sales.api import router as sales_router
from entracte.subscriptions.api import router as subscriptions_router

from .errors import error_answer

api = NinjaAPI(
    title="Entracte API",
    version="1",
    description="Catalogue, carts, checkout and tickets. Errors are `{code, message}` with a 4xx status; an input "
                "refused (422) also lists `errors`, and `sold_out` names the `categories_left`.",
    urls_namespace="api",
)


def _error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": str(message), **extra}, status=status)


@api.exception_handler(DomainError)
@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def domain_error(request, exc):
    status, body = error_answer(exc)
    return api.create_response(request, body, status=status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields.append({"field": ".".join(loc), "message": err.get("msg", "")})
    return _error(request, 422, "invalid_input", _("The request is not valid."), errors=fields)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", _("Authentication is required: send a valid bearer token."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400:  # raised by ninja for a body it cannot parse
        return _error(request, 400, "invalid_input", _("The request body is not valid JSON."))
    return _error(request, exc.status_code, "error", str(exc))


api.add_router("/", catalog_router)
api.add_router("/", sales_router)
api.add_router("/auth", auth_router)
api.add_router("/", access_router)
api.add_router("/", subscriptions_router)
api.add_router("/", advantages_router)
