from django.contrib import admin, messages

from wenzheng.handling.deadlines import request_recount
from wenzheng.lib.admin import AdministratorEditsAdmin

from .models import CalendarDay, CalendarYear


class RecomputesDeadlines:
    """Any change to the calendar has the deadlines still open counted again, by the
    background worker (a year's schedule moves thousands of them)."""

    def _recompute(self, request):
        request_recount(by=request.user)
        messages.info(request, "节假日安排已更新，后台任务将在几秒内重新核定所有未到期的办理期限。")

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
class CalendarDayAdmin(RecomputesDeadlines, AdministratorEditsAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(RecomputesDeadlines, AdministratorEditsAdmin):
    list_display = ["year", "source", "entered_at"]
