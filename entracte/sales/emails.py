"""Emails about orders. Sent after commit, in the order's language."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

log = logging.getLogger(__name__)


def order_url(order) -> str:
    return settings.SITE_URL + reverse("shop:order", args=[order.number, order.secret])


@task()
def send_order_confirmation(*, order_id: int) -> None:
    from . import selectors
    from .models import Order

    order = Order.objects.select_related("contact").get(pk=order_id)
    if not order.email:  # an anonymous sale at the counter
        return
    with translation.override(order.language):
        context = {"order": order, "tickets": list(selectors.tickets_of_order(order)), "url": order_url(order)}
        subject = render_to_string("sales/email/order_subject.txt", context).strip()
        text = render_to_string("sales/email/order.txt", context)
        html = render_to_string("sales/email/order.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [order.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:  # the order stands; the tickets stay reachable from the personal space
        log.exception("confirmation email for order %s not sent", order.number)


def send_tickets_to(*, order, email: str, actor=None) -> str:
    """Send (again) an order's tickets, to the address given or the order's or its contact's.
    A new address becomes the order's; the sending is audited and happens after commit."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email
    from django.db import transaction
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
        if address != order.email:
            Order.objects.filter(pk=order.pk).update(email=address)
        audit.record(action="order.tickets_emailed", obj=order, actor=actor, data={"email": address})
        transaction.on_commit(lambda: send_order_confirmation.enqueue(order_id=order.pk))
    return address
