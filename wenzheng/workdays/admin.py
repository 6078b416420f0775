import datetime as dt
import re

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils import timezone

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
    search_help_text = "可按节日名称（如 国庆）、年份（如 2027）或日期（如 2026-10-01）查找"
    ordering = ["date"]

    def changelist_view(self, request, extra_context=None):
        # The list opens at this year's days, not at the first year ever entered.
        if not request.GET:
            return redirect(f"{request.path}?date__year={timezone.localdate().year}")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if re.fullmatch(r"\d{4}", term):
            return queryset.filter(date__year=int(term)), False
        try:
            return queryset.filter(date=dt.date.fromisoformat(term)), False
        except ValueError:
            return super().get_search_results(request, queryset, search_term)


@admin.register(CalendarYear)
class CalendarYearAdmin(RecomputesDeadlines, AdministratorEditsAdmin):
    list_display = ["year", "source", "entered_at"]
