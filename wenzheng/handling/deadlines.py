"""Re-reading open deadlines after the calendar changes.

A stage's deadline is computed when the stage opens. When the county office later
enters a year's official schedule (or corrects a day), the deadlines of stages still
open are counted again from their start, with the same limit and the extensions
granted since. Completed stages keep their frozen outcome: the calendar that was in
force when a unit answered is the one it was judged by.
"""

from django.db import transaction
from django.utils import timezone

from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.workdays import clock

from .models import Stage


@transaction.atomic
def recompute_open_deadlines(*, by, at=None) -> int:
    """Count every open stage's deadline again; returns how many moved."""
    at = at or timezone.now()
    moved = 0
    stages = Stage.objects.select_for_update().filter(completed_at__isnull=True).select_related("message")
    for stage in stages.order_by("pk"):
        due, result = clock.deadline_after(stage.started_at, stage.limit_days + stage.extension_days)
        warning = result.warning()
        if (due, warning) == (stage.due_at, stage.due_warning):
            continue
        old = stage.due_at
        stage.due_at, stage.due_warning = due, warning
        stage.save(update_fields=["due_at", "due_warning"])
        chain.append(
            kind=Event.Kind.DEADLINE_RECOMPUTED,
            at=at,
            actor=by,
            actor_role=by.role if by else "system",
            message=stage.message,
            unit=stage.unit,
            note="节假日安排更新后重新核定期限",
            data={"stage": stage.kind, "from": old, "to": due},
        )
        moved += 1
    return moved
