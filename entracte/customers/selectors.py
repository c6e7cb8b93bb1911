"""Read queries on contacts."""

from __future__ import annotations

from .models import Contact, ContactIndicator, Indicator, TargetList


def segments_of(contact: Contact) -> dict:
    """A contact's indicators (each with its levels and his) and the target lists (his ticked)."""
    mine = dict(ContactIndicator.objects.filter(contact=contact).values_list("indicator_id", "level_id"))
    on = set(contact.target_lists.values_list("pk", flat=True))
    return {"indicators": [{"indicator": i, "levels": list(i.levels.all()), "level": mine.get(i.pk)}
                           for i in Indicator.objects.prefetch_related("levels")],
            "target_lists": [{"list": t, "on": t.pk in on} for t in TargetList.objects.all()]}
