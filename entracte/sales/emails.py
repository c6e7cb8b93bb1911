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
