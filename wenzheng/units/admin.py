from django.contrib import admin

from wenzheng.lib.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Region, RosterFiling, RosterMember, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "registered_on", "deactivated_on"]
    list_filter = ["region", "kind"]
    search_fields = ["name"]
    date_hierarchy = "registered_on"


class RosterMemberInline(ReadOnlyInline):
    model = RosterMember
    fields = ["position", "user"]


@admin.register(RosterFiling)
class RosterFilingAdmin(ReadOnlyAdmin):
    """Read-only: a filing is made, and corrected, only through `roster_file` (the
    unit's workspace), each version with its event. An edit here would change a
    unit's staffing points with no trace (issue 10)."""

    list_display = ["unit", "year", "version", "filed_at", "filed_by", "complete"]
    list_filter = ["year", "unit__region", "unit__kind"]
    search_fields = ["unit__name"]
    inlines = [RosterMemberInline]

    @admin.display(boolean=True, description="1名分管领导、2名以上网络评论员")
    def complete(self, obj):
        return obj.is_complete()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "filed_by").prefetch_related("members")
