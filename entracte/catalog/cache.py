"""A short-lived, per-process memory of the catalogue rows that every hold reads.

During an on-sale rush each hold used to read the performance (with its hall) and check the
tariff's prices: two ORM queries costing more CPU than the seat claim itself
(docs/performance.md). These rows change rarely and only through staff edits, so each
process keeps them for `ENTRACTE_CATALOGUE_CACHE_SECONDS` (default 2 s):

- any catalogue save or delete in this process clears the memory at once (signals below);
- another process sees a staff edit at most that many seconds late. What is cached only
  decides whether a seat may be *held*; the price charged is always read afresh from the
  price grid with the cart at checkout.
"""

from __future__ import annotations

import time
from threading import Lock

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

_memory: dict[tuple, tuple[float, object]] = {}
_lock = Lock()


def _ttl() -> float:
    return float(getattr(settings, "ENTRACTE_CATALOGUE_CACHE_SECONDS", 2))


def remember(key: tuple, load, *, seconds: float | None = None):
    """The value stored under `key` if still fresh, else `load()` (stored unless it raised).
    `seconds`: how long it stays fresh, if not the catalogue's default."""
    now = time.monotonic()
    hit = _memory.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    ttl = _ttl() if seconds is None else seconds
    if ttl > 0:
        with _lock:
            _memory[key] = (now + ttl, value)
    return value


def forget(key: tuple) -> None:
    with _lock:
        _memory.pop(key, None)


def clear(**_kwargs) -> None:
    with _lock:
        _memory.clear()


def connect_signals() -> None:
    """Any change to a catalogue row forgets everything: edits are rare, reloading is cheap."""
    from django.apps import apps

    for model in apps.get_app_config("catalog").get_models():
        post_save.connect(clear, sender=model, dispatch_uid=f"catalog-cache-save-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"catalog-cache-delete-{model.__name__}")
    from .models import Contingent, Tariff

    for through in (Tariff.channels.through, Contingent.channels.through):
        m2m_changed.connect(clear, sender=through, dispatch_uid=f"catalog-cache-m2m-{through.__name__}")
