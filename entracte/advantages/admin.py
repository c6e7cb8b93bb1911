from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Advantage, AdvantagePrice, CodeBatch, PromoCode, PromoUse, SingleUseCode


class AdvantagePriceInline(admin.TabularInline):
    model = AdvantagePrice
    extra = 1


class AdvantageForm(forms.ModelForm):
    class Meta:
        model = Advantage
        fields = "__all__"

    def clean(self):
        data = super().clean()
        family = data.get("family")
        if family == Advantage.EVENTS and data.get("subscription_products"):
            self.add_error("subscription_products", _("An advantage of the events family applies to performances only."))
        if family == Advantage.SUBSCRIPTIONS and data.get("performances"):
            self.add_error("performances", _("An advantage of the subscriptions family applies to subscriptions only."))
        return data


@admin.register(Advantage)
class AdvantageAdmin(admin.ModelAdmin):
    form = AdvantageForm
    list_display = ("__str__", "code", "season", "target", "state", "used", "quota")
    list_filter = ("state", "target", "season")
    search_fields = ("code",)
    filter_horizontal = ("channels", "performances", "subscription_products")
    readonly_fields = ("used",)
    fieldsets = (
        (None, {"fields": ("name", "code", "family", "season", "description", "state")}),
        (_("Target"), {"fields": ("target", "indicator_level", "target_list", "access_code")}),
        (_("Products"), {"fields": ("performances", "subscription_products")}),
        (_("Validity"), {"fields": ("channels", "starts_at", "ends_at", "end_rule", "tolerance_minutes")}),
        (_("Limits"), {"fields": ("quota", "used", "max_per_order")}),
    )
    inlines = [AdvantagePriceInline]


@admin.register(PromoCode)
class PromoCodeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "access_code", "kind", "value", "state", "used", "max_uses")
    list_filter = ("state", "kind")
    search_fields = ("code", "access_code")
    filter_horizontal = ("channels",)
    readonly_fields = ("used",)
    fieldsets = (
        (None, {"fields": ("name", "code", "access_code", "state")}),
        (_("Reduction"), {"fields": ("kind", "value", "combinable")}),
        (_("Conditions"), {"fields": ("min_amount", "indicator_level", "channels", "starts_at", "ends_at")}),
        (_("Limits"), {"fields": ("max_uses", "max_uses_per_contact", "used")}),
    )


@admin.register(CodeBatch)
class CodeBatchAdmin(admin.ModelAdmin):
    list_display = ("pk", "advantage", "requester", "count", "generated", "state", "created_at")
    list_filter = ("state",)
    raw_id_fields = ("requester",)

    def has_add_permission(self, request):
        return False  # batches are generated from the back office page, as a background task


@admin.register(SingleUseCode)
class SingleUseCodeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "advantage", "state", "used_at", "used_by", "order")
    list_filter = ("state", "advantage")
    search_fields = ("code",)
    raw_id_fields = ("batch", "used_by", "order")

    def has_add_permission(self, request):
        return False


@admin.register(PromoUse)
class PromoUseAdmin(admin.ModelAdmin):
    list_display = ("promo", "order", "contact", "amount", "created_at")
    raw_id_fields = ("order", "contact")
