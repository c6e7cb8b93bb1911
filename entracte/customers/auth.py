"""API authentication: `Authorization: Bearer <key>` where key is an ApiToken."""

import functools

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
        user = _user_of_token(ApiToken.hash(token), self.permission)
        if user is None:
            return None
        touch(user.token_id, user.token_last_used_at)
        request.user = user
        return user

    def check(self, token: str) -> CallerCheck:
        """The same authentication as SQL, for a service that checks its caller in the statement
        doing the work (core/callers.py): allowed only if `authenticate` would return the user."""
        params = {"token_digest": ApiToken.hash(token)}
        if self.permission:
            params["perm_id"] = permission_id(self.permission)
        return CallerCheck(self._check_sql(), params)

    @functools.cache
    def _check_sql(self) -> str:
        allowed = f"(u.is_superuser OR {permission_sql('u.id', '%(perm_id)s')})" if self.permission else "1 = 1"
        if self.staff_only:
            allowed = f"u.is_staff AND {allowed}"
        return (f"SELECT u.id AS user_id, t.id AS token_id, t.last_used_at, {allowed} AS allowed {_TOKEN_USER}"
                f"WHERE t.digest = %(token_digest)s AND u.is_active")


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


_TOKEN_USER = f"FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "


def _user_of_token(digest: str, permission: str | None) -> User | None:
    """The active user a token belongs to, with the token's id and last use and, with a
    permission ("app.codename"), whether he holds it (`user.allowed`). One prepared raw read:
    every API request asks it; the ORM's query building, and PostgreSQL planning the
    permission sub-query afresh, cost more than the lookup (docs/performance.md, doors opening)."""
    if permission:
        pk = permission_id(permission)
        allowed, params = f"(u.is_superuser OR {permission_sql('u.id')})", [pk, pk]
    else:
        allowed, params = "1 = 1", []
    rows = fetch(f"SELECT {_USER_COLUMNS}, t.id, t.last_used_at, {allowed} {_TOKEN_USER}"
                 f"WHERE t.digest = %s AND u.is_active", [*params, digest], prepare=True)
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
