"""Writing audit rows. Call inside the service's transaction so the row commits with the change."""

from __future__ import annotations

from collections.abc import Iterable

from .models import AuditEntry
from .rawsql import insert


def record(*, action: str, obj=None, object_type: str = "", object_id="", actor=None, channel: str = "", data: dict | None = None) -> None:
    insert([entry(action=action, obj=obj, object_type=object_type, object_id=object_id, actor=actor, channel=channel, data=data)])


def entry(*, action: str, obj=None, object_type: str = "", object_id="", actor=None, channel: str = "",
          data: dict | None = None) -> AuditEntry:
    """The audit row record() writes, unsaved: for a service that writes it with others at once."""
    return AuditEntry(**_row(action, obj, object_type, object_id, actor, channel, data))


def record_many(*, action: str, objects: Iterable, actor=None, channel: str = "", data: dict | None = None) -> None:
    insert([AuditEntry(**_row(action, o, "", "", actor, channel, data)) for o in objects])


def _row(action, obj, object_type, object_id, actor, channel, data):
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return {
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "actor": actor,
        "channel": channel,
        "data": data or {},
    }
