from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from entracte.core.translated import tr

from .models import (
    Area,
    Contingent,
    Event,
    Hall,
    Performance,
    PointOfSale,
    Price,
    SalesChannel,
    Season,
    Seat,
    SeatCategory,
    Tariff,
    Venue,
)
from .services import SeatMapInvalid, import_seatmap


class NamedAdmin(admin.ModelAdmin):
    list_display = ("display_name",)

    @admin.display(description=_("name"))
    def display_name(self, obj):
        return tr(obj.name)


admin.site.register(Venue, NamedAdmin)


@admin.register(Season)
class SeasonAdmin(NamedAdmin):
    list_display = ("display_name", "starts_on", "ends_on", "currency")


@admin.register(SeatCategory)
class SeatCategoryAdmin(NamedAdmin):
    list_display = ("display_name", "code", "color", "sort")


@admin.register(Tariff)
class TariffAdmin(NamedAdmin):
    list_display = ("display_name", "code", "sort")
    filter_horizontal = ("channels",)


@admin.register(SalesChannel)
class SalesChannelAdmin(NamedAdmin):
    list_display = ("display_name", "code")


@admin.register(PointOfSale)
class PointOfSaleAdmin(NamedAdmin):
    list_display = ("display_name", "code", "channel", "order_fee", "hold_minutes", "is_active")
    filter_horizontal = ("operators",)


@admin.register(Contingent)
class ContingentAdmin(NamedAdmin):
    list_display = ("display_name", "code")
    filter_horizontal = ("channels",)


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0
    fields = ("code", "name", "kind", "capacity", "category", "sort")


class SeatMapForm(forms.Form):
    csv_file = forms.FileField(label=_("Seat map (CSV)"))


@admin.register(Hall)
class HallAdmin(NamedAdmin):
    list_display = ("display_name", "venue", "seat_count")
    inlines = [AreaInline]

    @admin.display(description=_("seats"))
    def seat_count(self, obj):
        return Seat.objects.filter(area__hall=obj).count()

    def get_urls(self):
        return [path("<int:hall_id>/import-seatmap/", self.admin_site.admin_view(self.import_view), name="catalog_hall_import")] + super().get_urls()

    def import_view(self, request, hall_id):
        hall = self.get_object(request, hall_id)
        if hall is None or not self.has_change_permission(request, hall):
            return redirect("admin:catalog_hall_changelist")
        form = SeatMapForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["csv_file"].read().decode("utf-8")
                summary = import_seatmap(hall=hall, text=text, actor=request.user)
            except UnicodeDecodeError:
                errors = [(0, _("The file is not UTF-8 text."))]
            except SeatMapInvalid as exc:
                errors = exc.errors
            else:
                messages.success(request, _("Imported %(seats)s seats in %(areas)s areas.") % summary)
                return redirect("admin:catalog_hall_change", hall.pk)
        context = {**self.admin_site.each_context(request), "hall": hall, "form": form, "errors": errors,
                   "opts": self.model._meta, "title": _("Import a seat map")}
        return render(request, "admin/catalog/import_seatmap.html", context)


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("__str__", "row", "number", "position", "category", "wheelchair", "companion")
    list_filter = ("area__hall", "area", "category", "wheelchair")
    search_fields = ("row", "number")


class PriceInline(admin.TabularInline):
    model = Price
    extra = 0


class PerformanceInline(admin.TabularInline):
    model = Performance
    extra = 0
    fields = ("hall", "starts_at", "sales_open_at", "sales_close_at", "is_published")
    show_change_link = True


@admin.register(Event)
class EventAdmin(NamedAdmin):
    list_display = ("display_name", "season", "slug", "sort")
    inlines = [PerformanceInline]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        _open_inventories(formset.new_objects)


@admin.register(Performance)
class PerformanceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "hall", "starts_at", "sales_open_at", "sales_close_at", "is_published")
    list_filter = ("event", "hall")
    inlines = [PriceInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _open_inventories([obj])


def _open_inventories(performances):
    from entracte.inventory.services import create_inventory

    for performance in performances:
        if isinstance(performance, Performance):
            create_inventory(performance=performance)
