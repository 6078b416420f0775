"""Re-reading open deadlines after the calendar changes.

A stage's deadline is computed when the stage opens. When the county office later
enters a year's official schedule (or corrects a day), the deadlines of stages still
open are counted again from their start, with the same limit and the extensions
granted since. Completed stages keep their frozen outcome: the calendar that was in
force when a unit answered is the one it was judged by.

A change to the calendar only queues the recount (`request_recount`); the background
worker does it (`handling/work.py`), in batches of stages, each batch its own short
transaction, so that entering a year's holidays never holds every open stage locked
while citizens submit.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.ops import queue
from wenzheng.workdays import clock

from .models import DeadlineRecount, Stage

BATCH = 500


def request_recount(*, by, at=None) -> None:
    """Queue a recount, unless one is already waiting (it will read the calendar as it
    stands when it runs, this change included)."""
    try:
        with transaction.atomic():
            DeadlineRecount.objects.create(requested_by=by, requested_at=at or timezone.now())
    except IntegrityError:
        pass  # deadline_recount_one_queued: one is waiting already


def claim_recount() -> DeadlineRecount | None:
    now = timezone.now()
    waiting = queue.waiting(DeadlineRecount, now=now)
    pk = queue.claim(
        DeadlineRecount, waiting, order_by=("requested_at", "pk"), state=DeadlineRecount.State.RUNNING, heartbeat_at=now
    )
    return DeadlineRecount.objects.select_related("requested_by").get(pk=pk) if pk else None


def recompute_open_deadlines(*, by, at=None, on_batch: Callable[[], None] = lambda: None) -> int:
    """Count every open stage's deadline again; returns how many moved."""
    at = at or timezone.now()
    moved, after = 0, 0
    while True:
        ids = list(
            Stage.objects.filter(completed_at__isnull=True, pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return moved
        moved += _recompute(ids, by=by, at=at)
        after = ids[-1]
        on_batch()


@transaction.atomic
def _recompute(ids, *, by, at) -> int:
    moved = 0
    # Only the stages are locked (not their messages, which the actions lock first).
    stages = Stage.objects.select_for_update(of=("self",)).filter(pk__in=ids, completed_at__isnull=True)
    for stage in stages.select_related("message", "unit").order_by("pk"):
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
