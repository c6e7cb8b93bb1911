"""The web shop's pages. Thin: parse the request, call a service or selector, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entracte.catalog import selectors as catalog
from entracte.core.errors import DomainError
from entracte.customers.services import contact_for_user, spectator_contact
from entracte.sales import balance, carts, tickets
from entracte.sales import checkout as checkout_service
from entracte.sales import selectors as sales
from entracte.sales.models import Cart

from . import advantages
from .forms import CheckoutForm
from .holding import hold_best_from_post, hold_chosen_from_post, remove_from_post
from .seatmap import performance_page

CART_KEY = "cart_token"


def current_cart(request, *, create: bool = False) -> Cart | None:
    token = request.session.get(CART_KEY)
    cart = sales.cart_by_token(token) if token else None
    if cart is None and create:
        cart = carts.create_cart(point_of_sale=catalog.web_point_of_sale())
        request.session[CART_KEY] = cart.token
    return cart


def programme(request):
    return render(request, "shop/programme.html", {"events": catalog.programme()})


def event(request, slug):
    ev = catalog.event_by_slug(slug)
    performances = catalog.published_performances().filter(event=ev, starts_at__gt=timezone.now())
    return render(request, "shop/event.html", {"event": ev, "performances": performances})


def performance(request, pk):
    perf = catalog.performance(pk)
    cart = current_cart(request)
    page = performance_page(perf, catalog.web_point_of_sale(), token=cart.token if cart else "", now=timezone.now(),
                            max_quantity=carts.MAX_SEATS_PER_REQUEST)
    page["offers"] = advantages.offers_on_page(perf, cart, buyer_contact(request), catalog.web_point_of_sale())
    return render(request, "shop/performance.html", page)


@require_POST
def add_best_available(request, pk):
    held = hold_best_from_post(request, catalog.performance(pk), lambda: current_cart(request, create=True))
    return redirect("shop:cart") if held else redirect("shop:performance", pk)


@require_POST
def add_seats(request, pk):
    held = hold_chosen_from_post(request, catalog.performance(pk), lambda: current_cart(request, create=True))
    return redirect("shop:cart") if held else redirect("shop:performance", pk)


def cart(request):
    current = current_cart(request)
    view = sales.cart_view(current) if current else None
    if view and view.expired:
        messages.warning(request, _("The hold on %(n)s seat(s) ran out; they were released.") % {"n": len(view.expired)})
        checkout_service.forget_expired(cart=current, lines=view.expired)
    contact = buyer_contact(request)
    return render(request, "shop/cart.html", {"view": view, "tariffs": advantages.tariff_options(view, contact),
                                              "codes": advantages.codes_in_cart(view), "code_url": "shop:apply_code"})


def buyer_contact(request):
    """The logged-in spectator's contact; None for a visitor (or staff browsing the shop)."""
    return spectator_contact(request.user)


@require_POST
def remove_item(request, item_id):
    remove_from_post(request, current_cart(request), item_id)
    return redirect("shop:cart")


@require_POST
def change_tariff(request, item_id):
    advantages.change_tariff_from_post(request, current_cart(request), item_id, buyer_contact(request))
    return redirect("shop:cart")


@require_POST
def apply_code(request):
    advantages.apply_code_from_post(request, current_cart(request, create=True), buyer_contact(request))
    return advantages.back_to(request, "shop:cart")


@require_POST
def remove_code(request, code_id):
    advantages.remove_code_from_post(request, current_cart(request), code_id)
    return redirect("shop:cart")


def checkout(request):
    current = current_cart(request)
    view = sales.cart_view(current) if current else None
    if view is None or not view.items:
        messages.info(request, _("Your cart is empty."))
        return redirect("shop:cart")
    guest = not request.user.is_authenticated or request.user.is_staff  # staff buy for someone: as a guest
    total = view.quote.total
    available = Decimal("0") if guest else balance.balance_of(contact_for_user(request.user), view.quote.currency)
    form = CheckoutForm(request.POST or None, guest=guest, balance=available, total=total,
                        initial={"expected_total": total})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        card = {"number": data["card_number"], "expiry": data["card_expiry"], "cvc": data["card_cvc"]}
        tenders = [checkout_service.Tender("demo_card", None, card)]
        if form.balance_part(data) > 0:
            tenders.insert(0, checkout_service.Tender("balance", form.balance_part(data)))
        try:
            buyer = checkout_service.resolve_buyer(user=request.user, email=data.get("email"), first_name=data.get("first_name", ""),
                                                   last_name=data.get("last_name", ""), language=get_language()[:2])
            order = checkout_service.place_order(
                cart=current, buyer=buyer, delivery_mode=data["delivery_mode"], tenders=tenders,
                expected_total=data.get("expected_total"), actor=request.user,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            if exc.code in ("hold_expired", "cart_empty", "price_changed"):
                return redirect("shop:cart")
        else:
            request.session.pop(CART_KEY, None)
            return redirect("shop:order", order.number, order.secret)
    return render(request, "shop/checkout.html", {"view": view, "form": form, "guest": guest})


def _order_or_404(number, secret):
    order = sales.order_by_secret(number, secret)
    if order is None:
        raise Http404()
    return order


def order(request, number, secret):
    found = _order_or_404(number, secret)
    items = list(sales.tickets_of_order(found))
    printable = any(t.performance.starts_at > timezone.now() and t.status == "valid" for t in items)
    return render(request, "shop/order.html", {"order": found, "tickets": items, "printable": printable})


def order_pdf(request, number, secret):
    found = _order_or_404(number, secret)
    now = timezone.now()
    items = [t for t in sales.tickets_of_order(found) if t.status == "valid" and t.performance.starts_at > now]
    if not items:
        raise Http404(_("These tickets can no longer be downloaded."))
    response = HttpResponse(tickets.render_pdf(found, items), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{found.number}.pdf"'
    return response
