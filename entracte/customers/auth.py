"""API authentication: `Authorization: Bearer <key>` where key is an ApiToken."""

from django.utils import timezone
from ninja.security import HttpBearer

from entracte.core.errors import PermissionDenied
from entracte.core.rawsql import as_datetime
from entracte.core.roles import permission_sql

from .models import ApiToken, User


class BearerToken(HttpBearer):
    permission: str | None = None

    def authenticate(self, request, token):
        user = _user_of_token(ApiToken.hash(token), self.permission)
        if user is None:
            return None
        now = timezone.now()
        last_used = as_datetime(user.token_last_used_at)
        if last_used is None or (now - last_used).total_seconds() > 300:
            ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
        request.user = user
        return user


def _user_of_token(digest: str, permission: str | None) -> User | None:
    """The active user a token belongs to, with the token's id and last use and, with a
    permission ("app.codename"), whether he holds it (`user.allowed`). One raw query: every API
    request asks it, and the ORM's query building cost more than the lookup (bench/scan.py)."""
    if permission:
        allowed, params = f"(u.is_superuser OR {permission_sql('u.id')})", permission.split(".", 1)
    else:
        allowed, params = "1 = 1", []
    users = User.objects.raw(
        f"SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used_at, {allowed} AS allowed "
        f"FROM {User._meta.db_table} u JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "
        f"WHERE t.digest = %s AND u.is_active = %s", [*params, digest, True])
    return next(iter(users), None)


class StaffBearerToken(BearerToken):
    """A staff member's token; with `permission`, only staff holding it (core/roles.py)."""

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
