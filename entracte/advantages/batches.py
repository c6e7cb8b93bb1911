"""Generating single-use codes in batches, as a background task, and sending them.

`request_batch` records the batch and queues `generate_batch`. The task inserts the codes in
chunks, each in its own transaction, and moves the batch's `generated` counter after each
one: the back-office page shows the progress. Then the list goes by email to the requesting
contact, as a CSV or PDF attachment in the chosen language.
"""

from __future__ import annotations

import csv
import io
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from entracte.core import audit
from entracte.core.errors import InvalidInput
from entracte.core.rawsql import execute
from entracte.core.translated import tr
from entracte.sales.tickets import _latin as latin

from .codes import display, generate
from .models import Advantage, CodeBatch, SingleUseCode

log = logging.getLogger(__name__)
CHUNK = 5000
MAX_BATCH = 1_000_000


def request_batch(*, advantage: Advantage, requester, count: int, document: str = CodeBatch.CSV, language: str = "fr",
                  note: str = "", actor=None) -> CodeBatch:
    if advantage.target != Advantage.SINGLE_USE:
        raise InvalidInput(_("Codes can only be generated for an advantage with single-use codes."))
    if not 1 <= count <= MAX_BATCH:
        raise InvalidInput(_("Generate between 1 and %(max)s codes at a time.") % {"max": MAX_BATCH})
    if document not in dict(CodeBatch.DOCUMENTS) or language not in dict(settings.LANGUAGES):
        raise InvalidInput(InvalidInput.default_message)
    with transaction.atomic():
        batch = CodeBatch.objects.create(advantage=advantage, requester=requester, count=count, document=document,
                                         language=language, note=note[:200], sent_to=requester.email,
                                         created_by=actor if getattr(actor, "pk", None) else None)
        audit.record(action="advantages.batch_requested", obj=batch, actor=actor, data={"count": count, "advantage": advantage.pk})
        transaction.on_commit(lambda: generate_batch.enqueue(batch_id=batch.pk))
    return batch


def insert_codes(batch: CodeBatch, n: int) -> int:
    """Insert `n` new codes of the batch in one transaction; a clash with an existing code
    (about one chance in 10^11 per code with a million codes stored) retries the chunk."""
    for _attempt in range(5):
        fresh = {generate() for _ in range(n)}
        while len(fresh) < n:
            fresh.add(generate())
        try:
            with transaction.atomic():
                _store(sorted(fresh), batch)
            return n
        except IntegrityError:
            continue
    raise RuntimeError("could not draw unique codes")


def _store(codes: list[str], batch: CodeBatch) -> None:
    if connection.vendor == "postgresql":
        # One array parameter: the ORM's 5,000-row INSERT has 35,000 placeholders, and
        # building it cost more than PostgreSQL storing the rows (docs/performance.md).
        execute("INSERT INTO advantages_singleusecode (code, advantage_id, batch_id, state) "
                "SELECT unnest(%s::varchar[]), %s, %s, %s", [codes, batch.advantage_id, batch.pk, SingleUseCode.AVAILABLE])
    else:
        SingleUseCode.objects.bulk_create(
            [SingleUseCode(code=c, advantage_id=batch.advantage_id, batch=batch) for c in codes], batch_size=CHUNK)


@task()
def generate_batch(*, batch_id: int) -> None:
    batch = CodeBatch.objects.select_related("advantage", "requester").get(pk=batch_id)
    CodeBatch.objects.filter(pk=batch_id).update(state=CodeBatch.RUNNING)
    try:
        while batch.generated < batch.count:
            batch.generated += insert_codes(batch, min(CHUNK, batch.count - batch.generated))
            CodeBatch.objects.filter(pk=batch_id).update(generated=batch.generated)
    except Exception as exc:  # the batch shows it failed; the codes made so far stay
        log.exception("batch %s failed", batch_id)
        CodeBatch.objects.filter(pk=batch_id).update(state=CodeBatch.FAILED, error=str(exc)[:200])
        return
    CodeBatch.objects.filter(pk=batch_id).update(state=CodeBatch.DONE, finished_at=timezone.now())
    send_batch(batch)


def codes_document(batch: CodeBatch) -> tuple[str, bytes, str]:
    """The list of a batch's codes: (file name, content, MIME type), in the batch's language."""
    codes = list(batch.codes.order_by("pk").values_list("code", flat=True))
    with translation.override(batch.language):
        name = tr(batch.advantage.name)
        if batch.document == CodeBatch.PDF:
            return f"codes-{batch.pk}.pdf", _pdf(batch, name, codes), "application/pdf"
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("Code"), _("Advantage")])
        writer.writerows([display(c), name] for c in codes)
        return f"codes-{batch.pk}.csv", out.getvalue().encode("utf-8"), "text/csv"


def _pdf(batch, name: str, codes: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, latin(f"{name} - {_('Single-use codes')} ({len(codes)})"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Courier", "", 11)
    for i in range(0, len(codes), 3):
        pdf.cell(0, 7, "    ".join(display(c) for c in codes[i:i + 3]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def send_batch(batch: CodeBatch) -> None:
    if not batch.sent_to:
        return
    filename, content, mime = codes_document(batch)
    with translation.override(batch.language):
        subject = _("Your single-use codes: %(advantage)s") % {"advantage": tr(batch.advantage.name)}
        body = _("Please find attached the %(n)s single-use codes requested. Each code can be used once.") % {"n": batch.count}
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [batch.sent_to])
    message.attach(filename, content, mime)
    try:
        message.send()
    except Exception:  # the codes exist; staff can download and send the list again
        log.exception("codes of batch %s not sent", batch.pk)
