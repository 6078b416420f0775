from django.contrib import admin

from wenzheng.lib.admin import ReadOnlyAdmin, RegionScopedAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(RegionScopedAdmin, ReadOnlyAdmin):
    region_paths = ("message__region", "unit__region")
    list_display = ["seq", "at", "kind", "actor", "actor_role", "message", "unit"]
    list_filter = ["kind", "actor_role"]
    search_fields = ["note"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "message", "unit")
