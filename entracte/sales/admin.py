from django.contrib import admin

from .models import Order, Payment, Ticket


class TicketInline(admin.TabularInline):
    model = Ticket
    extra = 0
    can_delete = False
    readonly_fields = ("performance", "performance_seat", "category", "tariff", "price", "code", "status")


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "method", "provider", "reference", "amount", "currency", "created_at", "created_by")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "created_at", "email", "point_of_sale", "status", "total", "currency")
    list_filter = ("status", "point_of_sale")
    search_fields = ("number", "email", "contact__last_name")
    readonly_fields = ("number", "contact", "email", "point_of_sale", "currency", "subtotal", "order_fee", "total", "created_at", "created_by", "language")
    inlines = [TicketInline, PaymentInline]

    def has_add_permission(self, request):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("code", "order", "performance", "performance_seat", "tariff", "price", "status")
    list_filter = ("status", "performance__event")
    search_fields = ("code", "order__number")
    raw_id_fields = ("order", "performance", "performance_seat")
