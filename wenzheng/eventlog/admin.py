from django.contrib import admin

from wenzheng.lib.admin import CitizensWordsAdmin, ReadOnlyAdmin, RegionScopedAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(CitizensWordsAdmin, ReadOnlyAdmin, RegionScopedAdmin):
    region_paths = ("chain__region",)
    list_display = ["chain", "seq", "at", "kind", "actor", "actor_role", "message", "unit"]
    list_filter = ["kind", "actor_role", "chain__region"]
    search_fields = ["note"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chain__region", "actor", "message", "unit")
