"""Box-office and phone sales pages. Thin: parse, call the sales and customers services, render.

The operator's session remembers his point of sale, his current cart and the contact the
sale is for. Every step is a plain form post, so the pages work with the keyboard alone.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entracte.catalog import selectors as catalog
from entracte.core.errors import DomainError
from entracte.customers import selectors as contact_selectors
from entracte.customers import services as customers
from entracte.customers.models import Contact
from entracte.reservations import selectors as reservations
from entracte.sales import balance, carts, checkout, emails, refunds, reports, staff, tickets
from entracte.sales import selectors as sales
from entracte.sales.models import Order
from entracte.shop import advantages
from entracte.shop.holding import (
    hold_best_from_post,
    hold_chosen_from_post,
    remove_from_post,
    to_int,
)
from entracte.shop.seatmap import performance_page
from entracte.subscriptions import selectors as subscriptions

from . import session
from .forms import CancelForm, ContactForm, CreditForm, PaymentForm
from .permissions import staff_required
from .reservation_views import reserve_form_for

sells = staff_required("sales.sell")


@sells
def home(request):
    pos = session.point_of_sale(request)
    if request.method == "POST":
        chosen = staff.points_of_sale_for(request.user).filter(pk=to_int(request.POST.get("point_of_sale"))).first()
        if chosen is None:
            messages.error(request, staff.NotYourPointOfSale.default_message)
        else:
            request.session[session.POS_KEY] = chosen.pk
        return redirect("boxoffice:home")
    cart = session.cart(request)
    return render(request, "boxoffice/home.html", {
        "pos": pos, "points_of_sale": staff.points_of_sale_for(request.user),
        "performances": catalog.published_performances().filter(starts_at__gt=timezone.now()).order_by("starts_at"),
        "view": sales.cart_view(cart) if cart else None, "contact": session.contact(request),
        "subscriptions": subscriptions.products_on_sale(channel=pos.channel) if pos else [],
        # The operator's own end-of-day figures, to close his till.
        "my_takings": reports.cash_report(start=timezone.localdate(), operator_id=request.user.pk),
    })


@sells
def performance(request, pk):
    pos = session.point_of_sale(request)
    if pos is None:
        return redirect("boxoffice:home")
    cart = session.cart(request)
    context = performance_page(catalog.performance(pk), pos, token=cart.token if cart else "", now=timezone.now(),
                               max_quantity=carts.MAX_SEATS_PER_REQUEST)
    context.update(pos=pos, view=sales.cart_view(cart) if cart else None, contact=session.contact(request))
    return render(request, "boxoffice/performance.html", context)


@sells
@require_POST
def add_best(request, pk):
    hold_best_from_post(request, catalog.performance(pk), lambda: session.cart(request, create=True))
    return redirect("boxoffice:performance", pk)


@sells
@require_POST
def add_seats(request, pk):
    hold_chosen_from_post(request, catalog.performance(pk), lambda: session.cart(request, create=True))
    return redirect("boxoffice:performance", pk)


@sells
def sale(request):
    cart = session.cart(request)
    view = sales.cart_view(cart) if cart else None
    if view and view.expired:
        messages.warning(request, _("The hold on %(n)s seat(s) ran out; they were released.") % {"n": len(view.expired)})
        checkout.forget_expired(cart=cart, lines=view.expired)
        view = sales.cart_view(cart)
    contact = session.contact(request)
    total = view.quote.total if view else None
    form = PaymentForm(request.POST or None, initial={"expected_total": total, "send_email": bool(contact and contact.email)})
    if request.method == "POST" and view and view.items and form.is_valid():
        data = form.cleaned_data
        tenders = form.tenders()
        buyer_contact = contact or customers.anonymous_contact()
        email = buyer_contact.email if data["send_email"] else ""
        try:
            order = checkout.place_order(
                cart=cart, buyer=checkout.Buyer(contact=buyer_contact, email=email, language=get_language()[:2]),
                delivery_mode=data["delivery_mode"], tenders=tenders, expected_total=data.get("expected_total"),
                actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            session.new_sale(request)
            messages.success(request, _("Order %(number)s paid.") % {"number": order.number})
            return redirect("boxoffice:order", order.number)
    pos = cart.point_of_sale if cart else session.point_of_sale(request)
    return render(request, "boxoffice/sale.html", {
        "view": view, "form": form, "contact": contact, "pos": pos,
        "tariffs": advantages.tariff_options(view, contact), "codes": advantages.codes_in_cart(view),
        "code_url": "boxoffice:apply_code", "gift": advantages.gift(contact),
        "reserve_form": reserve_form_for(view, contact, pos),
    })


@sells
@require_POST
def remove_item(request, item_id):
    remove_from_post(request, session.cart(request), item_id)
    return redirect("boxoffice:sale")


@sells
@require_POST
def change_tariff(request, item_id):
    advantages.change_tariff_from_post(request, session.cart(request), item_id, session.contact(request))
    return redirect("boxoffice:sale")


@sells
@require_POST
def apply_code(request):
    advantages.apply_code_from_post(request, session.cart(request, create=True), session.contact(request))
    return advantages.back_to(request, "boxoffice:sale")


@sells
@require_POST
def remove_code(request, code_id):
    advantages.remove_code_from_post(request, session.cart(request), code_id)
    return redirect("boxoffice:sale")


@sells
@require_POST
def cancel_sale(request):
    cart = session.cart(request)
    if cart:
        carts.empty_cart(cart=cart)
    session.new_sale(request)
    messages.info(request, _("The sale was abandoned and its seats released."))
    return redirect("boxoffice:home")


@sells
def contacts(request):
    query = request.GET.get("q", "")
    return render(request, "boxoffice/contacts.html", {"query": query, "results": customers.search_contacts(query),
                                                       "contact": session.contact(request)})


@sells
def contact_new(request):
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = customers.create_contact(**form.cleaned_data, language=get_language()[:2], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            request.session[session.CONTACT_KEY] = contact.pk
            messages.success(request, _("Contact %(number)s created and attached to the sale.") % {"number": contact.number})
            return redirect("boxoffice:sale")
    return render(request, "boxoffice/contact_form.html", {"form": form})


@sells
@require_POST
def attach_contact(request):
    pk = to_int(request.POST.get("contact"))
    if pk is None:
        request.session.pop(session.CONTACT_KEY, None)
        messages.info(request, _("The sale is anonymous."))
    else:
        contact = get_object_or_404(Contact.objects.exclude(kind=Contact.ANONYMOUS), pk=pk)
        request.session[session.CONTACT_KEY] = contact.pk
        messages.success(request, _("The sale is for %(contact)s.") % {"contact": contact})
    return redirect("boxoffice:sale")


@staff_required("customers.view_contact")
def contact(request, pk):
    found = get_object_or_404(Contact.objects.select_related("organisation"), pk=pk)
    currency = settings.ENTRACTE_CURRENCY
    return render(request, "boxoffice/contact.html", {
        "found": found, "orders": sales.orders_of_contact(found), "people": found.people.order_by("last_name"),
        "balance": balance.balance_of(found, currency), "currency": currency, "credit_form": CreditForm(),
        "entries": found.balance_entries.select_related("order")[:50],
        "reservations": reservations.of_contact(found)[:50],
        "segments": contact_selectors.segments_of(found) if found.kind != Contact.ANONYMOUS else None,
        "advantages": advantages.meant_for(found),
    })


@staff_required("sales.refund")
@require_POST
def credit_contact(request, pk):
    found = get_object_or_404(Contact.objects.exclude(kind=Contact.ANONYMOUS), pk=pk)
    form = CreditForm(request.POST)
    if form.is_valid():
        try:
            balance.credit(contact=found, amount=form.cleaned_data["amount"], currency=settings.ENTRACTE_CURRENCY,
                           note=form.cleaned_data["note"], actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The balance was credited."))
    else:
        messages.error(request, _("Give an amount and a reason."))
    return redirect("boxoffice:contact", pk)


def _order(number) -> Order:
    return get_object_or_404(Order.objects.select_related("contact", "point_of_sale__channel"), number=number)


@staff_required("sales.view_order")
def order(request, number):
    found = _order(number)
    items = list(sales.tickets_of_order(found))
    valid = [t for t in items if t.status == "valid"]
    form = CancelForm(request.POST or None, tickets=valid)
    if request.method == "POST":
        if not request.user.has_perm("sales.refund"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                amount = refunds.cancel_tickets(order=found, ticket_ids=data["tickets"], refund_to=data["refund_to"],
                                                note=data["note"], actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(n)s ticket(s) cancelled; %(amount)s refunded.") % {
                    "n": len(data["tickets"]), "amount": f"{amount} {found.currency}"})
            return redirect("boxoffice:order", number)
        messages.error(request, _("Choose at least one ticket to cancel."))
    paid, refunded = refunds.paid_and_refunded(found)
    return render(request, "boxoffice/order.html", {
        "order": found, "tickets": items, "valid": valid, "payments": found.payments.order_by("created_at", "pk"),
        "paid": paid, "refunded": refunded, "cancel_form": form,
    })


@staff_required("sales.view_order")
def order_pdf(request, number):
    found = _order(number)
    valid = [t for t in sales.tickets_of_order(found) if t.status == "valid"]
    if not valid:
        raise Http404(_("This order has no valid ticket to print."))
    response = HttpResponse(tickets.render_pdf(found, valid), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tickets-{found.number}.pdf"'
    return response


@sells
@require_POST
def email_order(request, number):
    try:
        address = emails.send_tickets_to(order=_order(number), email=request.POST.get("email", ""), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The tickets were sent to %(email)s.") % {"email": address})
    return redirect("boxoffice:order", number)
