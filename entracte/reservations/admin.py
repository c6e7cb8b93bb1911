from django.contrib import admin

from .models import Reservation, ReservedSeat


class ReservedSeatInline(admin.TabularInline):
    model = ReservedSeat
    extra = 0
    can_delete = False
    readonly_fields = ("performance", "performance_seat", "tariff")


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Read-only: reservations change state through the box office (pay, cancel), which moves the seats."""

    list_display = ("number", "contact", "point_of_sale", "status", "deadline", "created_at")
    list_filter = ("status", "point_of_sale")
    search_fields = ("number", "contact__last_name", "contact__email")
    readonly_fields = ("number", "contact", "point_of_sale", "status", "deadline", "note", "order", "created_at",
                       "created_by", "closed_at", "cancel_reason")
    inlines = [ReservedSeatInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
