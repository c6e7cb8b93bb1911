"""Reading a subscription selection from a posted form (the shop's and the box office's pages).

Fields: `sub-<tariff>` (subscribers per subscriber tariff), and per line `line-<id>` (chosen),
`cat-<id>` (seat category) and `extra-<id>-<tariff>` (extra seats per guest tariff). For a
fixed-price or championship subscription every line is chosen and `category` applies to all.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from entracte.core.errors import InvalidInput

from .pricing import Choice, Selection

MAX_COUNT = 99


def _count(post, name) -> int:
    raw = (post.get(name) or "0").strip()
    if not raw.isdigit() or int(raw) > MAX_COUNT:
        raise InvalidInput(_("Enter a whole number of seats between 0 and %(max)s.") % {"max": MAX_COUNT})
    return int(raw)


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def selection_from_post(post, page: dict) -> Selection:
    """The selection a form describes, for `rules.check` to judge; raises InvalidInput on a malformed field."""
    offer = page["offer"]
    subscribers = {t.pk: _count(post, f"sub-{t.pk}") for t in page["subscriber_tariffs"]}
    choices = []
    package_category = _id(post.get("category"))
    for row in page["rows"]:
        pk = row.line.pk
        if offer.is_package:
            if package_category is None:
                raise InvalidInput(_("Choose a seat category."))
            choices.append(Choice(pk, package_category))
            continue
        if not post.get(f"line-{pk}"):
            continue
        category = _id(post.get(f"cat-{pk}"))
        if category is None:
            raise InvalidInput(_("Choose a seat category for each chosen performance."))
        extras = {t.pk: _count(post, f"extra-{pk}-{t.pk}") for t in page["extra_tariffs"]}
        choices.append(Choice(pk, category, {t: n for t, n in extras.items() if n}))
    return Selection({t: n for t, n in subscribers.items() if n}, tuple(choices))


def form_state(post, page: dict) -> dict:
    """What the form shows: the posted choices, or the defaults (one subscriber of the first tariff)."""
    tariffs = page["subscriber_tariffs"]
    if post is None:
        subs = {t.pk: (1 if i == 0 else 0) for i, t in enumerate(tariffs)}
        lines = {row.line.pk: {"checked": page["offer"].is_package, "category": None, "extras": {}} for row in page["rows"]}
        return {"subscribers": subs, "lines": lines, "category": None}
    subs = {t.pk: _id(post.get(f"sub-{t.pk}")) or 0 for t in tariffs}
    lines = {row.line.pk: {"checked": page["offer"].is_package or bool(post.get(f"line-{row.line.pk}")),
                           "category": _id(post.get(f"cat-{row.line.pk}")),
                           "extras": {t.pk: _id(post.get(f"extra-{row.line.pk}-{t.pk}")) or 0 for t in page["extra_tariffs"]}}
             for row in page["rows"]}
    return {"subscribers": subs, "lines": lines, "category": _id(post.get("category"))}
