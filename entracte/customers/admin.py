from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Contact, ContactIndicator, Indicator, IndicatorLevel, TargetList, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "is_staff", "is_active", "date_joined")
    search_fields = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("email", "first_name", "last_name", "kind", "user")
    search_fields = ("email", "first_name", "last_name", "phone")
    list_filter = ("kind",)
    raw_id_fields = ("user",)
    inlines = []  # set below, once ContactIndicatorInline exists


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "created_at", "last_used_at")
    readonly_fields = ("digest", "created_at", "last_used_at")


class LevelInline(admin.TabularInline):
    model = IndicatorLevel
    extra = 1


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("__str__", "code")
    inlines = [LevelInline]


class ContactIndicatorInline(admin.TabularInline):
    model = ContactIndicator
    extra = 0
    fields = ("indicator", "level")


ContactAdmin.inlines = [ContactIndicatorInline]


@admin.register(TargetList)
class TargetListAdmin(admin.ModelAdmin):
    list_display = ("__str__", "code", "created_at")
    search_fields = ("code",)
    raw_id_fields = ("contacts",)
