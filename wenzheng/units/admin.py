from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import Region, RosterFiling, RosterMember, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "reply_signoff"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "registered_on", "deactivated_on", "reply_signoff"]
    list_filter = ["region", "kind"]
    search_fields = ["name"]
    date_hierarchy = "registered_on"


class RosterMemberFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        # The database refuses a second leader too, but only at save time, as an error page.
        if sum(1 for d in kept if d.get("position") == RosterMember.Position.LEADER) > 1:
            raise ValidationError("名单只能有1名分管领导。")


class RosterMemberInline(admin.TabularInline):
    model = RosterMember
    formset = RosterMemberFormSet
    extra = 3
    autocomplete_fields = ["user"]


@admin.register(RosterFiling)
class RosterFilingAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.filed_by = request.user
        super().save_model(request, obj, form, change)
