from django.contrib import admin

from wenzheng.lib.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Category, DeadlineRecount, ExtensionRequest, Message, Reply, Stage


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The deadline rules: limits in working days, per category."""

    list_display = [
        "name",
        "code",
        "closure_rule",
        "response_days",
        "reply_days",
        "max_extension_days",
        "counted_in_bulletin",
        "order",
    ]
    list_editable = ["response_days", "reply_days", "max_extension_days", "order"]

    def has_delete_permission(self, request, obj=None):
        # A category with messages is protected by the database; none is deleted here.
        return False


class StageInline(ReadOnlyInline):
    model = Stage
    fields = ["kind", "unit", "started_at", "due_at", "due_warning", "extension_days", "completed_at", "outcome"]


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ["unit", "author", "at", "text"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["serial", "title", "category", "unit", "state", "submitted_at"]
    list_filter = ["state", "category", "region", "unit__kind"]
    search_fields = ["title", "tracking_code", "unit__name"]
    date_hierarchy = "submitted_at"
    inlines = [StageInline, ReplyInline]
    exclude = ["passcode_hash"]

    def get_queryset(self, request):
        # Office staff with admin access see their own county's (or city's) messages only.
        return super().get_queryset(request).visible_to(request.user).select_related("category", "unit")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ["message", "days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]


@admin.register(DeadlineRecount)
class DeadlineRecountAdmin(ReadOnlyAdmin):
    """Recounts queued by calendar changes, and how far the worker got with them."""

    list_display = ["requested_at", "requested_by", "state", "moved", "rejudged", "finished_at"]
    list_filter = ["state"]
