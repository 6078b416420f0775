from django.contrib import admin, messages

from wenzheng.handling.deadlines import recompute_open_deadlines

from .models import CalendarDay, CalendarYear


class RecomputesDeadlines:
    """Any change to the calendar re-counts the deadlines still open, at once."""

    def _recompute(self, request):
        moved = recompute_open_deadlines(by=request.user)
        if moved:
            messages.info(request, f"节假日安排已更新，{moved}项未到期的办理期限已重新核定。")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._recompute(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._recompute(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._recompute(request)


@admin.register(CalendarDay)
class CalendarDayAdmin(RecomputesDeadlines, admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(RecomputesDeadlines, admin.ModelAdmin):
    list_display = ["year", "source", "entered_at"]
