"""API authentication: `Authorization: Bearer <key>` where key is an ApiToken."""

from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        row = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(token), user__is_active=True).first()
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class StaffBearerToken(BearerToken):
    """A staff member's token; with `permission`, only staff holding it (core/roles.py)."""

    def __init__(self, permission: str | None = None):
        super().__init__()
        self.permission = permission

    def authenticate(self, request, token):
        user = super().authenticate(request, token)
        if user is None or not user.is_staff:
            return None
        if self.permission and not user.has_perm(self.permission):
            from entracte.core.errors import PermissionDenied

            raise PermissionDenied()
        return user


class OptionalBearerToken(BearerToken):
    """Identifies the caller when a token is given; lets anonymous callers through."""

    def __call__(self, request):
        if request.headers.get(self.header):
            return super().__call__(request)
        return True
