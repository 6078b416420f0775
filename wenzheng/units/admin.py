import unicodedata

from django import forms
from django.contrib import admin
from django.db import models

from wenzheng.accounts.models import Role
from wenzheng.lib.admin import ReadOnlyAdmin, ReadOnlyInline, RegionScopedAdmin
from wenzheng.topics import catalogue

from .models import Region, RosterFiling, RosterMember, Unit


class CodeField(forms.SlugField):
    """A region's code (代码) as typed on a Chinese keyboard: full-width letters and
    digits (ｔｉａｎｅ, typed with the input method on) are the ones meant; anything
    else is refused saying what a code may hold, not Django's “slug”."""

    default_error_messages = {"invalid": "代码只能由英文字母、数字、下划线或连字符组成，如 luocheng。"}

    def to_python(self, value):
        return unicodedata.normalize("NFKC", super().to_python(value)).strip()


@admin.register(Region)
class RegionAdmin(RegionScopedAdmin):
    """The administrator makes and names counties; a county office changes its own
    county's settings (the sign-off, 审核后公开, DOMAIN.md step 6: "a county setting"),
    which it could only read, left to set it unit by unit (a leader's trial)."""

    region_paths = ("",)  # the region itself
    county_may_change = True
    formfield_overrides = {models.SlugField: {"form_class": CodeField}}
    list_display = ["name", "code", "kind", "parent", "reply_signoff"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        if request.user.role == Role.COUNTY_OFFICE:
            return ["name", "code", "kind", "parent"]
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request, *args, **kwargs):
        return request.user.role != Role.COUNTY_OFFICE and super().has_add_permission(request, *args, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return request.user.role != Role.COUNTY_OFFICE and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new county starts with the default topic tree (事项分类), as every county
        # present at `migrate` did: citizens and the dispatch form choose from it.
        if not change and obj.kind == Region.Kind.COUNTY:
            catalogue.load_default(obj)


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


class RosterMemberInline(ReadOnlyInline):
    model = RosterMember
    fields = ["position", "user"]


@admin.register(RosterFiling)
class RosterFilingAdmin(ReadOnlyAdmin, RegionScopedAdmin):
    """Read-only (and each office its own region's): a filing is made, and corrected,
    only through `roster_file` (the unit's workspace), each version with its event.
    An edit here would change a unit's staffing points with no trace (issue 10)."""

    region_paths = ("unit__region",)
    list_display = ["unit", "year", "version", "filed_at", "filed_by", "complete"]
    list_filter = ["year", "unit__region", "unit__kind"]
    search_fields = ["unit__name"]
    inlines = [RosterMemberInline]

    @admin.display(boolean=True, description="1名分管领导、2名以上网络评论员")
    def complete(self, obj):
        return obj.is_complete()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "filed_by").prefetch_related("members")
