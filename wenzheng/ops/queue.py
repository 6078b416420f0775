"""The database as a work queue: an item is taken with a conditional UPDATE that only
one worker can win (as healthchecks' sendalerts takes its checks)."""

import datetime as dt

from django.conf import settings
from django.db.models import Model, Q


def stale_after() -> dt.timedelta:
    """How long a running item may go without a heartbeat before it is taken as
    abandoned (its worker was killed) and may be claimed again."""
    return dt.timedelta(seconds=settings.WORK_STALE_AFTER)


def waiting(model: type[Model], *, now: dt.datetime) -> Q:
    """Items of a queue model (with `state` and `heartbeat_at`) that may be taken: the
    queued, and the running whose worker has gone quiet."""
    return Q(state="queued") | Q(state="running", heartbeat_at__lt=now - stale_after())


def claim(model: type[Model], waiting: Q, *, order_by: tuple[str, ...], **changes) -> int | None:
    """The pk of the first item matching `waiting`, now changed by `changes` (its
    state set to running, say), or None if nothing is waiting or another worker won.

    The UPDATE repeats the condition, so of two workers that both saw the item, only
    one changes a row; the other sees 0 and moves on.
    """
    pk = model.objects.filter(waiting).order_by(*order_by).values_list("pk", flat=True).first()
    if pk is None:
        return None
    if model.objects.filter(waiting, pk=pk).update(**changes) != 1:
        return None
    return pk
