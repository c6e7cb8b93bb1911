"""Selling a subscription at the counter or on the phone: the shop's form and rules, the
operator's cart and channel, and a contact attached to the sale first."""

from __future__ import annotations

from django.shortcuts import redirect

from entracte.shop.subscriptions import choose
from entracte.subscriptions.services import SubscriptionNeedsContact

from . import session
from .views import sells


@sells
def subscription(request, slug):
    pos = session.point_of_sale(request)
    if pos is None:
        return redirect("boxoffice:home")
    contact = session.contact(request)
    return choose(request, slug, get_cart=lambda: session.cart(request, create=True), cart=session.cart(request),
                  contact=contact, channel=pos.channel, code_url="boxoffice:apply_code",
                  template="boxoffice/subscription.html", done_url="boxoffice:sale",
                  extra={"pos": pos, "contact": contact},
                  before_hold=lambda: None if contact else SubscriptionNeedsContact())
