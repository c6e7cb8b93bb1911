"""Subscription pages, for the shop and (through `choose`) the box office: steps 1 and 2
(subscribers, performances) are one form; step 3 (validation) holds the seats and shows
them in the cart, before the ordinary checkout."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from entracte.catalog import selectors as catalog
from entracte.core.errors import DomainError
from entracte.subscriptions import selectors, services
from entracte.subscriptions.forms import form_state, selection_from_post

from . import advantages
from .views import buyer_contact, current_cart


def products(request):
    return render(request, "shop/subscriptions/list.html", {
        "products": selectors.products_on_sale(channel=catalog.web_point_of_sale().channel)})


def choose(request, slug, *, get_cart, channel, template, done_url, cart=None, contact=None, code_url="shop:apply_code",
           extra=None, before_hold=None):
    """`get_cart` gives the cart to fill (the visitor's or the operator's), `cart` the one he
    has already (its codes unlock advantages), `contact` the buyer if known; `before_hold`
    may refuse the validation with a message (the box office needs a contact first)."""
    product = selectors.product_by_slug(slug)
    offers = advantages.subscription_offers(product, cart, contact, channel.pk)
    try:
        chosen, special = advantages.chosen_subscription_prices(request, offers, product=product, cart=cart,
                                                                contact=contact, channel_id=channel.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.path)
    page = selectors.product_page(product, special)
    context = {**page, "state": form_state(request.POST if request.method == "POST" else None, page), "quote": None,
               "count": 0, "advantages": offers, "chosen": chosen, "code_url": code_url, **(extra or {}),
               "on_sale": selectors.is_on_sale(product, channel=channel, now=timezone.now())}
    if request.method == "POST":
        try:
            selection = selection_from_post(request.POST, page)
            context["count"] = len(selection.choices)
            _offer, context["quote"] = services.price_selection(product=product, selection=selection, special=special)
            context["line_totals"] = {c.line: context["quote"].line_total(c.line) for c in selection.choices}
            if request.POST.get("action") == "validate":
                refusal = before_hold() if before_hold else None
                if refusal:
                    raise refusal
                services.hold_subscription(cart=get_cart(), product=product, selection=selection, special=special)
                messages.success(request, _("The subscription's seats are held: check them, then pay."))
                return redirect(done_url)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, template, context)


def subscription(request, slug):
    return choose(request, slug, get_cart=lambda: current_cart(request, create=True), cart=current_cart(request),
                  contact=buyer_contact(request), channel=catalog.web_point_of_sale().channel,
                  template="shop/subscriptions/choose.html", done_url="shop:cart")
