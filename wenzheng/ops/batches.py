"""Background work that walks rows by id in committed batches (a deadline recount,
a contact refresh, the derivation of every search document), guarded against a
batch that kills its worker.

A worker killed inside a batch (out of memory, a crash in a regular expression on
one message's text) leaves the item's cursor before that batch, and the next run
begins the same batch and dies the same way, for ever; with no claim to wait for
(the derivation), every kind of work after it in the worker's loop starved. So the
item keeps, beside its cursor `after` (ops.models.BatchWalk), `attempts`: the runs
begun at the batch after the cursor, counted by the claim that starts a run (no
write of its own) and set back to 1 by each committed batch in the update that
moves the cursor. A claim that finds more than MAX_ATTEMPTS there (the runs before
it all died in that batch) takes that batch's rows one at a time (`isolating_to`),
and a row alone that kills MAX_ATTEMPTS runs is skipped: logged, listed as a
SkippedRow (the admin, `manage.py check --deploy`), and done again by
`manage.py retry_skipped` once its cause is found. The walk goes on past it.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import SkippedRow

log = logging.getLogger(__name__)

# Runs that may die in one batch (or at one row taken alone) before it is narrowed
# down (or skipped): the first and two more, as an import job's claims (bulk.jobs).
MAX_ATTEMPTS = 3


def size(item, batch: int) -> int:
    """The next batch's size: `batch`, or one row while the rows of a batch that
    killed its worker are taken alone."""
    return batch if item.isolating_to is None else 1


def advanced(item, last_id: int, *, going_on: bool = True) -> dict:
    """The fields of `item` past a batch ending at `last_id`, for the update that
    commits the batch. `going_on`: the run takes the next batch (its first attempt
    at it); a run of one batch (the derivation's) leaves the count at 0 for the next
    claim."""
    item.after = last_id
    item.attempts = 1 if going_on else 0
    if item.isolating_to is not None and last_id >= item.isolating_to:
        item.isolating_to = None
    return {"after": item.after, "attempts": item.attempts, "isolating_to": item.isolating_to}


def begin(
    item,
    *,
    work: str,
    ids_after: Callable[[int, int], list[int]],
    batch: int,
    skip: Callable[[int], None] | None = None,
) -> None:
    """Called by a run once its claim has counted it, before its first batch: after
    MAX_ATTEMPTS runs died in the batch after the cursor, that batch is taken a row
    at a time; after MAX_ATTEMPTS died at a row taken alone, the row is skipped.
    `work` is the Work's name; `ids_after(after, n)`, the walk's next n ids after a
    cursor; `skip(row)`, what skipping a row must do at once (in its transaction)."""
    if item.attempts <= MAX_ATTEMPTS:
        return
    ids = ids_after(item.after, size(item, batch))
    if not ids:
        return
    name = f"{item._meta.model_name} {item.pk}"
    if item.isolating_to is None:
        item.isolating_to, item.attempts = ids[-1], 1
        type(item).objects.filter(pk=item.pk).update(isolating_to=item.isolating_to, attempts=1)
        log.error(
            "%s: %s: its workers died %s times in the batch of ids %s to %s; its rows are now taken one at a time",
            work,
            name,
            MAX_ATTEMPTS,
            ids[0],
            ids[-1],
        )
        return
    row = ids[0]
    with transaction.atomic():
        SkippedRow.objects.create(
            work=work, item=f"{item._meta.verbose_name} #{item.pk}", row_id=row, skipped_at=timezone.now()
        )
        if skip is not None:
            skip(row)
        type(item).objects.filter(pk=item.pk).update(**advanced(item, row))
    log.error(
        "%s: %s: row %s skipped, its workers died %s times on it alone; listed in the admin, "
        "`manage.py retry_skipped` does it again",
        work,
        name,
        row,
        MAX_ATTEMPTS,
    )


def waiting():
    """The skipped rows not done again yet."""
    return SkippedRow.objects.filter(retried_at__isnull=True)


def retry(row: SkippedRow) -> None:
    """Do a skipped row again, now, in this process (it may kill it as it killed the
    worker: the row stays listed until it is done)."""
    from .worker import kinds

    work = {w.name: w for w in kinds()}[row.work]
    with transaction.atomic():
        work.retry_row(row.row_id)
        SkippedRow.objects.filter(pk=row.pk).update(retried_at=timezone.now())
    log.info("%s: skipped row %s done again", row.work, row.row_id)
