from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import PerformanceSeat


@admin.register(PerformanceSeat)
class PerformanceSeatAdmin(admin.ModelAdmin):
    list_display = ("id", "performance", "area", "seat", "category", "contingent", "state", "hold_until")
    list_filter = ("state", "category", "contingent", "performance__event")
    list_select_related = ("performance__event", "area", "seat", "category", "contingent")
    raw_id_fields = ("performance", "seat")
    readonly_fields = ("hold_token", "hold_until")
    actions = ["block", "unblock"]

    @admin.action(description=_("Block the selected seats (taken out of sale)"))
    def block(self, request, queryset):
        queryset.filter(state=PerformanceSeat.FREE).update(state=PerformanceSeat.BLOCKED)

    @admin.action(description=_("Unblock the selected seats"))
    def unblock(self, request, queryset):
        queryset.filter(state=PerformanceSeat.BLOCKED).update(state=PerformanceSeat.FREE)
