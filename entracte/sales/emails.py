"""Emails about orders. Sent after commit, in the order's language.

The confirmation email has an outbox: the order's own row (`Order.confirmation_due`, set by
the INSERT that creates the order). After commit the request only makes sure that a
`send_due_confirmations` task will run; that task sends every due confirmation, a batch at
a time. During an on-sale rush one task per app process and second replaces one task row
(and its four statements) per order, and the worker reads the tickets of a whole batch in
one query and sends the batch over one mail connection (docs/performance.md).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from entracte.core.mail import BulkEmail
from entracte.core.templatetags.entracte import money
from entracte.core.translated import tr

log = logging.getLogger(__name__)

BATCH = 200


def order_url(order) -> str:
    return settings.SITE_URL + reverse("shop:order", args=[order.number, order.secret])


def _claim_due(limit: int) -> list:
    """Take up to `limit` due confirmations off the outbox, with their tickets. Two workers
    never take the same order (SKIP LOCKED on PostgreSQL; SQLite runs one writer at a time)."""
    from . import selectors
    from .models import Order

    with transaction.atomic():
        ids = list(Order.objects.select_for_update(skip_locked=True).filter(confirmation_due=True)
                   .order_by("id").values_list("id", flat=True)[:limit])
        if not ids:
            return []
        Order.objects.filter(id__in=ids).update(confirmation_due=False)
    orders = {o.pk: o for o in Order.objects.filter(id__in=ids)}
    for order in orders.values():
        order.ticket_list = []
    for line in selectors.ticket_lines(ids):
        orders[line.order_id].ticket_list.append(line)
    return [orders[pk] for pk in ids]


def _texts(language: str) -> dict:
    """The email's fixed sentences in the active language (`language`), translated once per
    batch and language: as {% translate %} tags they cost more than the rest of the two
    templates' rendering (docs/performance.md)."""
    return {"hello": _("Hello,"), "thanks": _("Thank you for your order %(number)s."),
            "order_fee": _("Order fee:"), "total": _("Total paid:"), "tickets": _("Your tickets (PDF):"),
            "see_tickets": _("See and download your tickets")}


def confirmation(order, memo: dict | None = None) -> BulkEmail:
    """The confirmation email of an order whose tickets are in `order.ticket_list`
    (selectors.TicketLine). Each ticket's line is written once, for both the text and the HTML
    part; `memo`: what a batch of emails shares, the performances' dates already written (a
    localized date costs more than the rest of a line) and the sentences of each language."""
    memo = {} if memo is None else memo
    with translation.override(order.language):
        language = translation.get_language()

        def when(starts_at) -> str:
            key = (starts_at, language)
            if key not in memo:
                memo[key] = date_format(timezone.localtime(starts_at), "l j F Y, H:i")
            return memo[key]

        texts = memo.get(language) or memo.setdefault(language, _texts(language))
        lines = [f"{tr(t.event_name)}, {when(t.starts_at)} — {t.seat} — {tr(t.tariff_name)} — {money(t.price, order.currency)}"
                 for t in order.ticket_list]
        context = {"texts": texts, "thanks": texts["thanks"] % {"number": order.number}, "lines": lines,
                   "url": order_url(order), "order_fee": money(order.order_fee, order.currency),
                   "total": money(order.total, order.currency)}
        subject = _("Your order %(number)s is confirmed") % {"number": order.number}
        text = render_to_string("sales/email/order.txt", context)
        html = render_to_string("sales/email/order.html", context)
    message = BulkEmail(subject, text, settings.DEFAULT_FROM_EMAIL, [order.email])
    message.attach_alternative(html, "text/html")
    return message


def _send(messages: list, orders: list) -> None:
    """One connection for the batch; should it fail, each message on its own, so that one bad
    address does not hold back the others. An order whose email fails still stands: its
    tickets stay reachable from the personal space and the counter can send them again."""
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
        return
    except Exception:
        log.exception("confirmation emails: batch of %s not sent at once, sending one by one", len(messages))
    for message, order in zip(messages, orders):
        try:
            message.send()
        except Exception:
            log.exception("confirmation email for order %s not sent", order.number)


@task()
def send_due_confirmations() -> int:
    """Send every due confirmation email; return how many orders were handled."""
    handled = 0
    while batch := _claim_due(BATCH):
        orders = [order for order in batch if order.email]  # an anonymous sale at the counter has none
        memo: dict = {}
        _send([confirmation(order, memo) for order in orders], orders)
        handled += len(batch)
    return handled


class _Trigger:
    """Makes sure a send_due_confirmations task runs after each commit that made a
    confirmation due, enqueuing at most one task per process and window.

    The first order of a window enqueues a task to run when the window ends; orders committed
    in this process before that moment are already in the outbox when the task runs, so they
    need no task of their own. A backend that cannot run tasks later (the `immediate` one)
    gets a task per order, run at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.until = 0.0
        self.__qualname__ = "confirmations_due"  # as a function has: on_commit(robust=True) logs it

    def __call__(self) -> None:
        backend = send_due_confirmations.get_backend()
        if not backend.supports_defer:
            send_due_confirmations.enqueue()
            return
        window = settings.ENTRACTE_CONFIRMATION_WINDOW_SECONDS
        with self.lock:
            now = time.monotonic()
            if now < self.until:
                return
            self.until = now + window
        try:
            # The task runs a little after the window closes: every order this process
            # commits inside the window is committed by then.
            send_due_confirmations.using(run_after=timezone.now() + timedelta(seconds=window + 0.2)).enqueue()
        except Exception:
            self.until = 0.0  # the next order tries again; this one's email stays due
            log.exception("could not enqueue the confirmation emails")


confirmations_due = _Trigger()


def send_tickets_to(*, order, email: str, actor=None) -> str:
    """Send (again) an order's tickets, to the address given or the order's or its contact's.
    A new address becomes the order's; the sending is audited and happens after commit."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.utils.translation import gettext as _

    from entracte.core import audit
    from entracte.core.errors import InvalidInput

    from .models import Order

    address = (email or order.email or order.contact.email).strip().lower()
    if not address:
        raise InvalidInput(_("This contact has no email address."))
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput(_("This email address is not valid.")) from None
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(email=address, confirmation_due=True)
        audit.record(action="order.tickets_emailed", obj=order, actor=actor, data={"email": address})
        transaction.on_commit(confirmations_due)
    return address
