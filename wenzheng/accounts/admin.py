from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from wenzheng.lib.http import row_id

from .models import Role, User
from .policy import may_see_phone, staff_of_region


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts. Office staff see the staff of the region they oversee (read-only,
    by their permissions), never citizens; a phone number is shown only where the
    access policy allows; each opening of a citizen's account is recorded."""

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

    def get_queryset(self, request):
        found = super().get_queryset(request)
        if request.user.is_superuser or request.user.role == Role.ADMIN:
            return found
        return found.filter(pk__in=staff_of_region(request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or may_see_phone(request.user, obj):
            return fieldsets
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "phone"]}) for name, opts in fieldsets]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from wenzheng.privacy.models import AccessRecord
        from wenzheng.privacy.records import record_access

        response = super().change_view(request, object_id, form_url, extra_context)
        found = self.get_queryset(request).filter(pk=pk).first() if (pk := row_id(object_id)) is not None else None
        if response.status_code == 200 and found is not None and found.role == Role.CITIZEN:
            record_access(user=request.user, surface=AccessRecord.Surface.ADMIN, citizen=found)
        return response
