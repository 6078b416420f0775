from django.contrib import admin
from django.urls import path

from wenzheng.accounts.models import Role
from wenzheng.lib.admin import CitizensWordsAdmin, ReadOnlyAdmin, ReadOnlyInline, RegionScopedAdmin
from wenzheng.units.models import Region, Unit

from . import tree_admin
from .models import RoutingDecision, RoutingSuggestion, Topic


@admin.register(Topic)
class TopicAdmin(RegionScopedAdmin):
    """A county office keeps its own county's tree; the city reads every county's."""

    county_may_change = True
    list_display = ["code", "name", "level", "parent", "region", "active"]
    list_filter = ["region", "level", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["units"]
    list_select_related = ["parent", "region"]

    def get_urls(self):
        def view(fn):
            return self.admin_site.admin_view(lambda request: fn(self, request))

        return [
            path("import/", view(tree_admin.import_view), name="topics_topic_import"),
            path("export/", view(tree_admin.export_view), name="topics_topic_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {
            "may_import": tree_admin.changeable_counties(request.user).exists() and self.has_add_permission(request)
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if request.user.role == Role.COUNTY_OFFICE:
            if db_field.name == "region":
                kwargs["queryset"] = Region.objects.filter(pk=request.user.region_id)
            elif db_field.name == "parent":
                kwargs["queryset"] = Topic.objects.filter(region_id=request.user.region_id, level__lt=3)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "units" and request.user.role == Role.COUNTY_OFFICE:
            kwargs["queryset"] = Unit.objects.filter(region_id=request.user.region_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RoutingDecisionInline(ReadOnlyInline):
    model = RoutingDecision
    fields = [
        "occasion", "decided_at", "decided_by", "offered_unit", "unit_source", "chosen_unit", "unit_decision",
        "offered_topic", "chosen_topic", "topic_decision", "offered_category", "chosen_category", "category_decision",
    ]  # fmt: skip


@admin.register(RoutingSuggestion)
class RoutingSuggestionAdmin(CitizensWordsAdmin, ReadOnlyAdmin, RegionScopedAdmin):
    """What the routing model suggested and what the office did each time it
    dispatched the message: read only."""

    region_paths = ("message__region",)
    list_display = ["message", "unit", "unit_confidence", "topic", "category", "model_version"]
    list_filter = ["model_version", "decisions__unit_decision"]
    list_select_related = ["message", "unit", "topic", "category"]
    inlines = [RoutingDecisionInline]
