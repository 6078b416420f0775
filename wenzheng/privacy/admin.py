"""For the administrator. The county office keeps its own setting, sensitive words
and published contacts, reviews, reads the access records and erases on the
workspace's 个人信息保护 pages."""

from django.contrib import admin

from wenzheng.lib.admin import ReadOnlyAdmin

from .models import AccessRecord, CountyPrivacy, Erasure, PublicContact, Review, SensitiveWord


@admin.register(CountyPrivacy)
class CountyPrivacyAdmin(admin.ModelAdmin):
    list_display = ["region", "review_before_publishing", "changed_by", "changed_at"]
    readonly_fields = ["changed_by", "changed_at"]

    def save_model(self, request, obj, form, change):
        from django.utils import timezone

        obj.changed_by, obj.changed_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(SensitiveWord)
class SensitiveWordAdmin(ReadOnlyAdmin):
    list_display = ["word", "region", "added_by", "added_at"]
    list_filter = ["region"]
    search_fields = ["word"]


@admin.register(PublicContact)
class PublicContactAdmin(ReadOnlyAdmin):
    list_display = ["value", "label", "region", "added_by", "added_at"]
    list_filter = ["region"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["message", "follow_up", "state", "queued_at", "decided_by", "decided_at"]
    list_filter = ["state"]


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "role", "surface", "region", "message", "citizen", "rows"]
    list_filter = ["surface", "region"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "region", "message", "citizen")


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["at", "by", "account", "reason"]
