from django.contrib import admin

from wenzheng.accounts.policy import region_scope

from .models import AuditRecord, SecondFactor


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """The security audit log, read-only (the database refuses changes anyway); an
    office sees its region's records."""

    list_display = ["seq", "at", "kind", "username", "ip", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["username", "ip"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region_scope(request.user, "region"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecondFactor)
class SecondFactorAdmin(admin.ModelAdmin):
    """For a lost phone: the administrator deletes the account's second factor, and
    the person sets up a new one after signing in with the password."""

    list_display = ["user", "confirmed_at"]
    fields = ["user", "confirmed_at"]
    readonly_fields = ["user", "confirmed_at"]

    def has_add_permission(self, request):
        return False
