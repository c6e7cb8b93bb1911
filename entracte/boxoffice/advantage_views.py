"""Advantages at the box office: the list of those in operation at the operator's point of
sale (who may have each, and applying one to the sale's seats), and a contact's indicator
levels and target lists, set by hand."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entracte.core.errors import DomainError
from entracte.customers import services as customers
from entracte.customers.models import Contact, Indicator
from entracte.shop import advantages
from entracte.shop.holding import to_int

from . import session
from .permissions import staff_required
from .views import sells


@sells
def advantage_list(request):
    pos = session.point_of_sale(request)
    if pos is None:
        return redirect("boxoffice:home")
    contact = session.contact(request)
    return render(request, "boxoffice/advantages.html", {
        "pos": pos, "contact": contact, "rows": advantages.counter_list(pos, contact, session.cart(request))})


@sells
@require_POST
def apply_advantage(request, pk):
    advantages.apply_to_sale_from_post(request, session.cart(request), pk, session.contact(request))
    return redirect("boxoffice:sale")


@staff_required("customers.change_contact")
@require_POST
def set_segments(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    levels = {i.pk: to_int(request.POST.get(f"indicator-{i.pk}")) for i in Indicator.objects.all()}
    lists = {n for n in (to_int(v) for v in request.POST.getlist("target_lists")) if n is not None}
    try:
        customers.set_segments(contact=contact, levels=levels, target_lists=lists, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Indicators and target lists saved."))
    return redirect("boxoffice:contact", pk)
