from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from wenzheng.accounts.models import Role
from wenzheng.lib.admin import RegionScopedAdmin

from .models import Region, RosterFiling, RosterMember, Unit


@admin.register(Region)
class RegionAdmin(RegionScopedAdmin):
    region_paths = ("",)  # the region itself
    list_display = ["name", "code", "kind", "parent", "reply_signoff"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Unit)
class UnitAdmin(RegionScopedAdmin):
    """A county office registers and edits its own county's units; the city reads."""

    county_may_change = True
    list_display = ["name", "kind", "region", "registered_on", "deactivated_on", "reply_signoff"]
    list_filter = ["region", "kind"]
    search_fields = ["name"]
    date_hierarchy = "registered_on"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region" and request.user.role == Role.COUNTY_OFFICE:
            kwargs["queryset"] = Region.objects.filter(pk=request.user.region_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RosterMemberFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        # The database refuses a second leader too, but only at save time, as an error page.
        if sum(1 for d in kept if d.get("position") == RosterMember.Position.LEADER) > 1:
            raise ValidationError("名单只能有1名分管领导。")


def _may_change_filing(request, filing) -> bool:
    user = request.user
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role == Role.COUNTY_OFFICE and (filing is None or filing.unit.region_id == user.region_id)


class RosterMemberInline(admin.TabularInline):
    model = RosterMember
    formset = RosterMemberFormSet
    extra = 3
    autocomplete_fields = ["user"]

    # The filing's own admin decides: a county office changes its county's filings only.
    def has_add_permission(self, request, obj=None):
        return _may_change_filing(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _may_change_filing(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_change_filing(request, obj) and super().has_delete_permission(request, obj)


@admin.register(RosterFiling)
class RosterFilingAdmin(RegionScopedAdmin):
    region_paths = ("unit__region",)
    county_may_change = True
    list_display = ["unit", "year", "filed_at", "filed_by", "complete"]
    list_filter = ["year", "unit__region", "unit__kind"]
    search_fields = ["unit__name"]
    inlines = [RosterMemberInline]
    readonly_fields = ["filed_by"]

    @admin.display(boolean=True, description="1名分管领导、2名以上网络评论员")
    def complete(self, obj):
        return obj.is_complete()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "filed_by").prefetch_related("members")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit" and request.user.role == Role.COUNTY_OFFICE:
            kwargs["queryset"] = Unit.objects.filter(region_id=request.user.region_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.filed_by = request.user
        super().save_model(request, obj, form, change)
