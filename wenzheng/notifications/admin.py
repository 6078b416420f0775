from django.contrib import admin

from wenzheng.lib.admin import ReadOnlyAdmin

from .models import Delivery, Notice, Preference


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "to_citizen", "text", "read_at"]
    list_filter = ["kind", "to_citizen", "region"]
    search_fields = ["key", "text", "recipient__username"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """What was sent, and what failed; the address is looked up when sending, not kept."""

    list_display = ["notice", "channel", "state", "attempts", "next_attempt_at", "sent_at", "error"]
    list_filter = ["state", "channel"]
    search_fields = ["notice__key"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "daily_digest"]
    autocomplete_fields = ["user"]
