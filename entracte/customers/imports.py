"""Importing contacts' indicator levels and target lists from CSV files (docs/advantages.md).

A file names each contact by its number (`C000042` or `42`, column `contact`) or by its email
(column `email`). It is read whole and checked first; if any line is wrong, the report lists
every wrong line and nothing changes. Otherwise everything is applied in one transaction.
Separators `,` and `;` (what spreadsheets in French write) are both read; UTF-8 with or
without a byte-order mark, or Latin-1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from entracte.core import audit
from entracte.core.errors import InvalidInput

from .models import Contact, ContactIndicator, Indicator, IndicatorLevel, TargetList

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
CONTACT_COLUMNS = {"contact", "numero", "numéro", "number", "id"}
EMAIL_COLUMNS = {"email", "e-mail", "courriel", "mail"}
LEVEL_COLUMNS = {"level", "niveau", "nivel", "stufe"}


@dataclass
class Report:
    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number in the file, what is wrong)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header (lower-cased) and each non-empty line as {column: value} with its line number."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(_("The file is too large (at most 5 MB)."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(_("The file is empty.")) from None
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {h: v.strip() for h, v in zip(header, values)}))
        if len(rows) > MAX_ROWS:
            raise InvalidInput(_("The file has too many lines (at most %(max)s).") % {"max": MAX_ROWS})
    return header, rows


def _column(header: list[str], names: set[str]) -> str | None:
    return next((h for h in header if h in names), None)


class _Contacts:
    """Finds the contacts a file names, in a few queries per 5,000 lines."""

    def __init__(self, header: list[str], rows: list[tuple[int, dict]]):
        self.by_number = _column(header, CONTACT_COLUMNS)
        self.by_email = _column(header, EMAIL_COLUMNS)
        if self.by_number is None and self.by_email is None:
            raise InvalidInput(_("The file needs a column “contact” (the contact number) or “email”."))
        numbers = {n for _l, row in rows if (n := _number(row.get(self.by_number, ""))) is not None} if self.by_number else set()
        emails = {row.get(self.by_email, "").lower() for _l, row in rows if row.get(self.by_email)} if self.by_email else set()
        real = Contact.objects.exclude(kind=Contact.ANONYMOUS)
        self.numbers = {c.pk: c for part in _chunks(numbers) for c in real.filter(pk__in=part)}
        self.emails: dict[str, list[Contact]] = {}
        for part in _chunks(emails):
            for contact in real.annotate(e=Lower("email")).filter(e__in=part).order_by("pk"):
                self.emails.setdefault(contact.email.lower(), []).append(contact)

    def find(self, row: dict) -> tuple[Contact | None, str]:
        raw = row.get(self.by_number, "") if self.by_number else ""
        if raw:
            contact = self.numbers.get(_number(raw))
            return (contact, "") if contact else (None, _("no contact has the number %(n)s") % {"n": raw})
        email = row.get(self.by_email, "").lower() if self.by_email else ""
        if not email:
            return None, _("no contact number or email")
        found = self.emails.get(email, [])
        if len(found) > 1:
            return None, _("several contacts have the email %(email)s: give the contact number") % {"email": email}
        return (found[0], "") if found else (None, _("no contact has the email %(email)s") % {"email": email})


def _chunks(values: set, size: int = 5000):
    """A large file's contacts in parts: SQLite takes a bounded number of query parameters."""
    values = sorted(values)
    return [values[i:i + size] for i in range(0, len(values), size)]


def _number(raw: str) -> int | None:
    raw = (raw or "").strip().upper().removeprefix("C")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def import_indicator(*, indicator: Indicator, data: bytes, actor=None) -> Report:
    """Columns: the contact (`contact` or `email`) and `level` (the level's code or name).
    Sets each contact's level for this indicator; a contact listed twice takes the last line."""
    header, rows = read_rows(data)
    level_column = _column(header, LEVEL_COLUMNS)
    if level_column is None:
        raise InvalidInput(_("The file needs a column “level”."))
    contacts = _Contacts(header, rows)
    levels = {}
    for level in IndicatorLevel.objects.filter(indicator=indicator):
        levels[level.code.lower()] = level
        for name in (level.name or {}).values():
            levels.setdefault(str(name).strip().lower(), level)
    report, wanted = Report(rows=len(rows)), {}
    for number, row in rows:
        contact, problem = contacts.find(row)
        level = levels.get(row.get(level_column, "").lower())
        if level is None:
            problem = problem or _("unknown level “%(level)s”") % {"level": row.get(level_column, "")}
        if problem:
            report.errors.append((number, problem))
        else:
            wanted[contact.pk] = level
    if not report.ok:
        return report
    with transaction.atomic():
        Indicator.objects.select_for_update().filter(pk=indicator.pk).first()  # one writer of its levels at a time
        current = dict(ContactIndicator.objects.filter(indicator=indicator, contact_id__in=wanted)
                       .values_list("contact_id", "level_id"))
        changed = {pk: level for pk, level in wanted.items() if current.get(pk) != level.pk}
        ContactIndicator.objects.filter(indicator=indicator, contact_id__in=[pk for pk in changed if pk in current]).delete()
        ContactIndicator.objects.bulk_create([ContactIndicator(contact_id=pk, indicator=indicator, level=level)
                                              for pk, level in changed.items()])
        report.changed, report.unchanged = len(changed), len(wanted) - len(changed)
        audit.record(action="customers.indicator_imported", object_type="customers.indicator", object_id=str(indicator.pk),
                     actor=actor, data={"rows": report.rows, "changed": report.changed})
    return report


def import_target_list(*, target_list: TargetList, data: bytes, replace: bool = False, actor=None) -> Report:
    """One contact per line (`contact` or `email`): added to the list, or, with `replace`,
    the list becomes exactly these contacts."""
    header, rows = read_rows(data)
    contacts = _Contacts(header, rows)
    report, wanted = Report(rows=len(rows)), set()
    for number, row in rows:
        contact, problem = contacts.find(row)
        if problem:
            report.errors.append((number, problem))
        else:
            wanted.add(contact.pk)
    if not report.ok:
        return report
    with transaction.atomic():
        TargetList.objects.select_for_update().filter(pk=target_list.pk).first()
        through = TargetList.contacts.through
        current = set(through.objects.filter(targetlist=target_list).values_list("contact_id", flat=True))
        removed = current - wanted if replace else set()
        through.objects.filter(targetlist=target_list, contact_id__in=removed).delete()
        through.objects.bulk_create([through(targetlist=target_list, contact_id=pk) for pk in sorted(wanted - current)])
        report.changed = len(wanted - current) + len(removed)
        report.unchanged = len(wanted & current)
        audit.record(action="customers.target_list_imported", object_type="customers.targetlist", object_id=str(target_list.pk),
                     actor=actor, data={"rows": report.rows, "added": len(wanted - current), "removed": len(removed)})
    return report
