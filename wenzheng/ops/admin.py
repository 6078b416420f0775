from django.contrib import admin

from wenzheng.lib.admin import ReadOnlyAdmin

from .models import SkippedRow


@admin.register(SkippedRow)
class SkippedRowAdmin(ReadOnlyAdmin):
    """Rows the worker skipped because a batch holding them killed it (ops.batches):
    the operator finds the cause in the log at `skipped_at`, mends it, and runs
    `manage.py retry_skipped ID`."""

    list_display = ["pk", "work", "item", "row_id", "skipped_at", "retried_at"]
    list_filter = ["work", ("retried_at", admin.EmptyFieldListFilter)]
