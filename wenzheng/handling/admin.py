from django.contrib import admin

from wenzheng.accounts.policy import contact_visible_flag, may_see_contact
from wenzheng.lib.admin import (
    AdministratorEditsAdmin,
    CitizensWordsAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    RegionScopedAdmin,
    reads_as_written,
)
from wenzheng.lib.http import row_id
from wenzheng.privacy.models import AccessRecord
from wenzheng.privacy.public import Publisher, citizen_names, mask_for_reader
from wenzheng.privacy.records import record_access

from .models import Category, DeadlineRecount, ExtensionRequest, Message, Reply, Stage


@admin.register(Category)
class CategoryAdmin(AdministratorEditsAdmin):
    """The deadline rules: limits in working days, per category, shared by every
    county: the offices read them, the administrator changes them."""

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
    fields = [
        "kind",
        "unit",
        "started_at",
        "due_at",
        "due_warning",
        "extension_days",
        "held_days",
        "completed_at",
        "outcome",
    ]


def _masked(message, text) -> str:
    return Publisher().mask(text, region_id=message.region_id, names=citizen_names(message))


class ReplyInline(ReadOnlyInline):
    model = Reply
    fields = ["unit", "author", "at", "text"]
    readonly_fields = ["masked_text"]

    def get_fields(self, request, obj=None):
        # The reply as written for those who may see the citizen's details, masked for the rest.
        if obj is not None and not may_see_contact(request.user, obj):
            return ["unit", "author", "at", "masked_text"]
        return self.fields

    @admin.display(description="回复内容")
    def masked_text(self, reply):
        return _masked(reply.message, reply.text)


CONTACT_FIELDS = ["citizen", "citizen_name", "citizen_phone", "citizen_id_number", "citizen_email", "citizen_address"]


@admin.register(Message)
class MessageAdmin(RegionScopedAdmin, ReadOnlyAdmin):
    list_filter = ["state", "category", "region", "unit__kind"]
    search_fields = ["title", "tracking_code", "unit__name"]
    date_hierarchy = "submitted_at"
    inlines = [StageInline, ReplyInline]

    list_display = ["shown_serial", "shown_title", "category", "unit", "state", "submitted_at"]

    @admin.display(description="留言编号", ordering="number")
    def shown_serial(self, obj):
        return obj.serial

    def get_search_fields(self, request):
        # The city office reads the titles masked: searching them as written would
        # tell it which message holds a phone number or a name it types in.
        return self.search_fields if reads_as_written(request.user) else ["tracking_code", "unit__name"]

    def get_queryset(self, request):
        # Office staff with admin access see their own county's (or city's) messages only.
        found = super().get_queryset(request).visible_to(request.user).select_related("category", "unit", "citizen")
        return found.annotate(contact_ok=contact_visible_flag(request.user))

    def get_object(self, request, object_id, from_field=None):
        """For those the one rule keeps from the citizen's details (the city office),
        the texts are masked on the object shown; the admin never saves a message."""
        found = super().get_object(request, object_id, from_field)
        if found is not None:
            mask_for_reader(request.user, [found])
        return found

    def get_fields(self, request, obj=None):
        """The citizen's name and contact only for those the one rule lets see them."""
        fields = [f for f in super().get_fields(request, obj) if f != "passcode_hash"]
        if obj is not None and may_see_contact(request.user, obj):
            return fields
        # The main message of a merge (并单) would be named by its title as written.
        return [f for f in fields if f not in CONTACT_FIELDS and f != "merged_into"]

    @admin.display(description="标题")
    def shown_title(self, message):
        return message.title if message.contact_ok else _masked(message, message.title)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        found = self.get_queryset(request).filter(pk=pk).first() if (pk := row_id(object_id)) is not None else None
        if response.status_code == 200 and found is not None and may_see_contact(request.user, found):
            record_access(user=request.user, surface=AccessRecord.Surface.ADMIN, message=found)
        return response


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(CitizensWordsAdmin, RegionScopedAdmin, ReadOnlyAdmin):
    region_paths = ("message__region",)
    list_display = ["message", "days", "status", "requested_at", "decided_at"]
    list_filter = ["status"]


@admin.register(DeadlineRecount)
class DeadlineRecountAdmin(ReadOnlyAdmin):
    """Recounts queued by calendar changes, and how far the worker got with them."""

    list_display = ["requested_at", "requested_by", "state", "moved", "rejudged", "finished_at"]
    list_filter = ["state"]
