from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from entracte.catalog.models import Contingent

from . import services
from .models import PerformanceSeat


class ContingentForm(forms.Form):
    contingent = forms.ModelChoiceField(Contingent.objects.all(), required=False, label=_("Contingent"),
                                        empty_label=_("(none: take the seats out of any contingent)"))


@admin.register(PerformanceSeat)
class PerformanceSeatAdmin(admin.ModelAdmin):
    list_display = ("id", "performance", "area", "seat", "category", "contingent", "state", "hold_until")
    list_filter = ("state", "category", "contingent", "performance__event")
    list_select_related = ("performance__event", "area", "seat", "category", "contingent")
    raw_id_fields = ("performance", "seat")
    readonly_fields = ("hold_token", "hold_until")
    actions = ["block", "unblock", "assign_contingent"]

    @admin.action(description=_("Block the selected seats (taken out of sale)"))
    def block(self, request, queryset):
        queryset.filter(state=PerformanceSeat.FREE).update(state=PerformanceSeat.BLOCKED)

    @admin.action(description=_("Unblock the selected seats"))
    def unblock(self, request, queryset):
        queryset.filter(state=PerformanceSeat.BLOCKED).update(state=PerformanceSeat.FREE)
        services.seats_returned()

    @admin.action(description=_("Put the selected seats in a contingent…"))
    def assign_contingent(self, request, queryset):
        if "apply" in request.POST:
            form = ContingentForm(request.POST)
            if form.is_valid():
                ids = list(queryset.values_list("id", flat=True))
                count = services.assign_contingent(ids=ids, contingent=form.cleaned_data["contingent"], actor=request.user)
                self.message_user(request, _("%(n)s seats updated.") % {"n": count}, messages.SUCCESS)
                return None
        else:
            form = ContingentForm()
        context = {**self.admin_site.each_context(request), "form": form, "queryset": queryset,
                   "title": _("Put seats in a contingent"), "opts": self.model._meta}
        return render(request, "admin/inventory/assign_contingent.html", context)
