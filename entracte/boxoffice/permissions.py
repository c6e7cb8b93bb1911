"""Staff pages: login first, then the right permission (core/roles.py), else 403."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from entracte.core.roles import has_permission


def staff_required(permission: str):
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("boxoffice:login"))
            if not (request.user.is_staff and has_permission(request.user, permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapped
    return decorate
