from django.contrib import admin, messages

from wenzheng.lib.admin import ReadOnlyAdmin, ReadOnlyInline

from . import schemes
from .models import BulletinImport, BulletinRow, PublishedBulletin, Run, Scheme, SchemeItem


class SchemeItemInline(admin.StackedInline):
    model = SchemeItem
    extra = 0
    fields = ["order", "key", "label", "kind", "max_points", "params", "explanation", "rule"]
    readonly_fields = ["rule"]

    @admin.display(description="计分规则（按参数生成）")
    def rule(self, obj):
        return obj.rule_text() if obj.pk else ""

    def _editable(self, obj):
        return obj is None or not obj.locked

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    """Schemes are edited until a run uses them; after that, a copy is the next version."""

    list_display = ["name", "code", "version", "region", "points", "used", "created_at"]
    list_filter = ["code", "region"]
    inlines = [SchemeItemInline]
    actions = ["copy_as_new_version"]
    readonly_fields = ["created_at"]

    @admin.display(description="满分")
    def points(self, obj):
        return obj.total_points

    @admin.display(boolean=True, description="已用于考评")
    def used(self, obj):
        return obj.locked

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.locked:
            return ["code", "version", "region", "name", "notes", "min_due", "grades", "created_at"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.locked) and super().has_delete_permission(request, obj)

    @admin.action(description="复制为新版本（用于修改已使用的方案）")
    def copy_as_new_version(self, request, queryset):
        for scheme in queryset:
            copy = schemes.new_version(scheme)
            self.message_user(request, f"已复制为“{copy.code}”第{copy.version}版，可在其中修改。", messages.SUCCESS)


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "region", "period_label", "scheme", "cutoff", "units_count", "digest", "created_at"]
    list_filter = ["region", "scheme"]
    exclude = ["scheme_snapshot", "categories"]


class BulletinRowInline(ReadOnlyInline):
    model = BulletinRow
    fields = ["row_number", "unit", "period_code", "text", "points", "finding"]


@admin.register(BulletinImport)
class BulletinImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "region", "rows", "imported_by", "imported_at"]
    inlines = [BulletinRowInline]


@admin.register(PublishedBulletin)
class PublishedBulletinAdmin(ReadOnlyAdmin):
    list_display = ["region", "period_code", "published_at", "published_by"]
