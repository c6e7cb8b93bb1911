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

from .views import current_cart


def products(request):
    return render(request, "shop/subscriptions/list.html", {
        "products": selectors.products_on_sale(channel=catalog.web_point_of_sale().channel)})


def choose(request, slug, *, get_cart, channel, template, done_url, extra=None, before_hold=None):
    """`get_cart` gives the cart to fill (the visitor's or the operator's); `before_hold` may
    refuse the validation with a message (the box office needs a contact first)."""
    product = selectors.product_by_slug(slug)
    page = selectors.product_page(product)
    context = {**page, "state": form_state(request.POST if request.method == "POST" else None, page), "quote": None,
               "count": 0, **(extra or {}),
               "on_sale": selectors.is_on_sale(product, channel=channel, now=timezone.now())}
    if request.method == "POST":
        try:
            selection = selection_from_post(request.POST, page)
            context["count"] = len(selection.choices)
            _offer, context["quote"] = services.price_selection(product=product, selection=selection)
            context["line_totals"] = {c.line: context["quote"].line_total(c.line) for c in selection.choices}
            if request.POST.get("action") == "validate":
                refusal = before_hold() if before_hold else None
                if refusal:
                    raise refusal
                services.hold_subscription(cart=get_cart(), product=product, selection=selection)
                messages.success(request, _("The subscription's seats are held: check them, then pay."))
                return redirect(done_url)
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, template, context)


def subscription(request, slug):
    return choose(request, slug, get_cart=lambda: current_cart(request, create=True),
                  channel=catalog.web_point_of_sale().channel, template="shop/subscriptions/choose.html",
                  done_url="shop:cart")
