"""Limiting code guessing: wrong codes are counted per cart (the visitor's session or API
token) and per network address over a sliding window; past the limit every code is refused
until the window has moved on, right or wrong.

`check` runs in the transaction that looks the code up and records a failure: on PostgreSQL
it first takes an advisory lock per key, so that attempts from one cart or one address are
counted one after the other and the limit is exact even when they arrive together
(tests/test_advantages_race.py); SQLite serialises the writers already."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from entracte.core.locking import advisory_locks

from . import errors
from .models import CodeAttempt

WINDOW = timedelta(minutes=15)
# The race test switches this off to show that without the locks the limit is overrun (its canary).
GUARD = True


def _limits() -> dict[str, int]:
    return {"cart": getattr(settings, "ENTRACTE_CODE_ATTEMPTS_PER_CART", 10),
            "addr": getattr(settings, "ENTRACTE_CODE_ATTEMPTS_PER_ADDRESS", 50)}


def _keys(cart_token: str, address: str | None) -> dict[str, str]:
    keys = {"cart": f"cart:{cart_token[:40]}"}
    if address:
        keys["addr"] = f"addr:{address[:64]}"
    return keys


def check(*, cart_token: str, address: str | None) -> None:
    """Raise TooManyAttempts if this cart or this address typed too many wrong codes lately."""
    since = timezone.now() - WINDOW
    limits = _limits()
    keys = _keys(cart_token, address)
    if GUARD:
        advisory_locks([("code-attempts", key) for key in keys.values()])
    counts = dict(CodeAttempt.objects.filter(key__in=keys.values(), at__gte=since).values_list("key").annotate(n=Count("pk")))
    for kind, key in keys.items():
        if counts.get(key, 0) >= limits[kind]:
            minutes = int(WINDOW.total_seconds() // 60)
            raise errors.TooManyAttempts(errors.TooManyAttempts.default_message % {"minutes": minutes})


def failed(*, cart_token: str, address: str | None) -> None:
    now = timezone.now()
    CodeAttempt.objects.bulk_create([CodeAttempt(key=key, at=now) for key in _keys(cart_token, address).values()])
    CodeAttempt.objects.filter(at__lt=now - 4 * WINDOW).delete()
