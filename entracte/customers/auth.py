"""API authentication: `Authorization: Bearer <key>` where key is an ApiToken."""

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from ninja.security import HttpBearer

from entracte.core.callers import CallerCheck
from entracte.core.errors import PermissionDenied
from entracte.core.rawsql import as_datetime, fetch
from entracte.core.roles import permission_id, permission_sql

from .models import ApiToken, User


class BearerToken(HttpBearer):
    permission: str | None = None
    staff_only = False

    def authenticate(self, request, token):
        user = _user_of_token(token, self.permission)
        if user is None:
            return None
        touch(user.token_id, user.token_last_used_at)
        request.user = user
        return user

    def check(self, token: str) -> CallerCheck:
        """The same authentication as SQL, for a service that checks its caller in the statement
        doing the work (core/callers.py): allowed only if `authenticate` would return the user."""
        allowed, params = _token_rule(token, self.permission)
        if self.staff_only:
            allowed = f"u.is_staff AND {allowed}"
        return CallerCheck(f"SELECT u.id AS user_id, t.id AS token_id, t.last_used_at, {allowed} AS allowed "
                           f"{_TOKEN_USER}", params)


def bearer_token(request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, read as ninja's HttpBearer reads it."""
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token if scheme.lower() == BearerToken.openapi_scheme and token else None


def touch(token_id: int, last_used) -> None:
    """Note a token's use, at most every five minutes (no write on most requests)."""
    now = timezone.now()
    last_used = as_datetime(last_used)
    if last_used is None or (now - last_used).total_seconds() > 300:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)


# The one rule of a token: its digest, an active user; and, with a permission, whether he holds it.
_TOKEN_USER = (f"FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "
               "WHERE t.digest = %(token_digest)s AND u.is_active")


def _token_rule(token: str, permission: str | None) -> tuple[str, dict]:
    """The SQL condition "holds the permission" (superusers hold all) for `_TOKEN_USER`'s u, and
    the parameters of both."""
    params = {"token_digest": ApiToken.hash(token)}
    if not permission:
        return "1 = 1", params
    params["perm_id"] = permission_id(permission)
    return f"(u.is_superuser OR {permission_sql('u.id', '%(perm_id)s')})", params


def _user_of_token(token: str, permission: str | None) -> User | None:
    """The active user a token belongs to, with the token's id and last use and, with a
    permission ("app.codename"), whether he holds it (`user.allowed`). One prepared raw read:
    every API request asks it; the ORM's query building, and PostgreSQL planning the
    permission sub-query afresh, cost more than the lookup (docs/performance.md, doors opening)."""
    allowed, params = _token_rule(token, permission)
    rows = fetch(f"SELECT {_USER_COLUMNS}, t.id, t.last_used_at, {allowed} {_TOKEN_USER}", params, prepare=True)
    if not rows:
        return None
    *values, token_id, last_used, allowed = rows[0]
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, values)
    user.token_id, user.token_last_used_at, user.allowed = token_id, last_used, bool(allowed)
    return user


_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]
_USER_COLUMNS = ", ".join(f"u.{f.column}" for f in User._meta.concrete_fields)


class StaffBearerToken(BearerToken):
    """A staff member's token; with `permission`, only staff holding it (core/roles.py)."""

    staff_only = True

    def __init__(self, permission: str | None = None):
        super().__init__()
        self.permission = permission

    def authenticate(self, request, token):
        user = super().authenticate(request, token)
        if user is None or not user.is_staff:
            return None
        if not user.allowed:
            raise PermissionDenied()
        return user


class OptionalBearerToken(BearerToken):
    """Identifies the caller when a token is given; lets anonymous callers through."""

    def __call__(self, request):
        if request.headers.get(self.header):
            return super().__call__(request)
        return True
