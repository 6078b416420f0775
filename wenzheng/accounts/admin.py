from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "region", "is_active"]
    list_filter = ["role", "is_active", "region"]
    search_fields = ["username", "display_name", "unit__name"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("网络问政", {"fields": ["display_name", "phone", "role", "unit", "region"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("网络问政", {"fields": ["display_name", "role", "unit", "region"]}),
    ]
