from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import (
    LinePrice,
    PackagePrice,
    Subscription,
    SubscriptionLine,
    SubscriptionProduct,
    SubscriptionTicket,
)


class LineInline(admin.TabularInline):
    model = SubscriptionLine
    extra = 0
    fields = ("performance", "extras_max")
    show_change_link = True  # the line's prices are edited on its own page

class PackagePriceInline(admin.TabularInline):
    model = PackagePrice
    extra = 0

@admin.register(SubscriptionProduct)
class SubscriptionProductAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "season", "sales_open_at", "sales_close_at", "is_published")
    list_filter = ("kind", "season", "is_published")
    filter_horizontal = ("subscriber_tariffs", "extra_tariffs", "channels")
    fieldsets = (
        (None, {"fields": ("name", "slug", "season", "kind", "description", "is_published", "sort")}),
        (_("Sale"), {"fields": ("channels", "sales_open_at", "sales_close_at", "subscriber_tariffs", "max_subscribers")}),
        (_("Calculated price"), {"fields": ("min_performances", "max_performances")}),
        (_("Extra seats"), {"fields": ("extras_enabled", "extras_max_total", "extras_max_per_performance", "extra_tariffs")}),
        (_("Championship"), {"fields": ("event",)}),
    )
    inlines = [LineInline, PackagePriceInline]
    actions = ["add_competition_performances"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.kind == SubscriptionProduct.CHAMPIONSHIP:
            services.sync_championship_lines(product=form.instance)

    @admin.action(description=_("Add every performance of the competition (championship)"))
    def add_competition_performances(self, request, queryset):
        added = sum(services.sync_championship_lines(product=p) for p in queryset if p.kind == SubscriptionProduct.CHAMPIONSHIP)
        self.message_user(request, ngettext("%(n)d performance added.", "%(n)d performances added.", added) % {"n": added},
                          messages.SUCCESS)

class LinePriceInline(admin.TabularInline):
    model = LinePrice
    extra = 0

@admin.register(SubscriptionLine)
class SubscriptionLineAdmin(admin.ModelAdmin):
    list_display = ("__str__", "product", "extras_max")
    list_filter = ("product",)
    inlines = [LinePriceInline]

class SubscriptionTicketInline(admin.TabularInline):
    model = SubscriptionTicket
    extra = 0
    can_delete = False
    readonly_fields = ("ticket", "line", "role")

@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Read-only: subscriptions are created by the sale."""

    list_display = ("number", "product", "contact", "subscribers", "order", "created_at")
    list_filter = ("product",)
    search_fields = ("number", "contact__last_name", "contact__email", "order__number")
    readonly_fields = ("number", "product", "order", "contact", "subscribers", "created_at")
    inlines = [SubscriptionTicketInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
