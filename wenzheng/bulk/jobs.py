"""Running import jobs in the background worker (`manage.py work`), with the
database as the queue.

A job is claimed by a conditional update (queued → running, or running with a
heartbeat gone quiet → running again), which only one worker can win. A job writes
its heartbeat after every batch (a second or two), so a heartbeat older than
WORK_STALE_AFTER means its worker died; running a job again is harmless, because
import is idempotent by the source number. A job whose workers died MAX_CLAIMS
times is given up: a file that kills the worker (out of memory, say) would be taken
again for ever, each time killing the worker, ahead of every job queued after it.
"""

import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from wenzheng.ops import queue

from .importer import Import
from .models import ImportJob, RowProblem

log = logging.getLogger(__name__)

# Times a job is taken by a worker before it is given up (the first run and two more
# after a worker died running it).
MAX_CLAIMS = 3

GIVEN_UP = (
    "处理这个文件的后台进程连续{times}次中途终止（多为文件太大、服务器内存不足），已停止重试。"
    "请把文件拆成几个较小的文件分别导入；如仍失败，请联系系统管理员查看服务器日志。"
)


def give_up_abandoned(now) -> int:
    """Jobs whose worker died running them MAX_CLAIMS times, failed with the reason."""
    stale = queue.waiting(ImportJob, now=now) & Q(state=ImportJob.State.RUNNING, claims__gte=MAX_CLAIMS)
    given_up = 0
    for pk in ImportJob.objects.filter(stale).values_list("pk", flat=True):
        # The same condition again: a job another worker gave up or finished is left.
        if ImportJob.objects.filter(stale, pk=pk).update(
            state=ImportJob.State.FAILED, failure=GIVEN_UP.format(times=MAX_CLAIMS), finished_at=now
        ):
            log.error("import job %s given up: its worker died %s times running it", pk, MAX_CLAIMS)
            given_up += 1
    return given_up


def claim(job_id=None) -> ImportJob | None:
    """Take a job to run: `job_id`, or the oldest waiting. None if nothing is there
    or another worker won it."""
    now = timezone.now()
    give_up_abandoned(now)
    waiting = queue.waiting(ImportJob, now=now)
    if job_id is not None:
        waiting &= Q(pk=job_id)
    pk = queue.claim(
        ImportJob,
        waiting,
        order_by=("created_at", "pk"),
        state=ImportJob.State.RUNNING,
        heartbeat_at=now,
        claims=F("claims") + 1,
    )
    if pk is None:
        return None
    return ImportJob.objects.select_related("region", "created_by", "default_category").get(pk=pk)


def run(job: ImportJob) -> ImportJob:
    """Run a claimed job to the end, recording progress and problems as it goes."""
    RowProblem.objects.filter(job=job).delete()  # a job run again reports afresh
    ImportJob.objects.filter(pk=job.pk).update(
        processed_rows=0, created_count=0, skipped_count=0, problem_count=0, unstated_count=0, unrecorded_count=0
    )

    def progress(outcome, problems):
        with transaction.atomic():
            RowProblem.objects.bulk_create(
                [
                    RowProblem(job=job, row=p.row, column=p.column[:60], problem=p.text[:300], kind=p.kind)
                    for p in problems
                ],
                batch_size=500,
            )
            ImportJob.objects.filter(pk=job.pk).update(
                total_rows=outcome.total,
                processed_rows=outcome.processed,
                created_count=outcome.created,
                skipped_count=outcome.skipped,
                unstated_count=outcome.unstated,
                unrecorded_count=outcome.unrecorded,
                problem_count=F("problem_count") + len({p.row for p in problems}),
                ignored_columns=outcome.ignored,
                heartbeat_at=timezone.now(),
            )

    try:
        outcome = Import(
            content=bytes(job.content),
            filename=job.filename,
            region=job.region,
            by=job.created_by,
            source=job.source,
            default_category=job.default_category,
            default_unit=job.default_unit,
            waive_registration=job.waive_registration,
            create_topics=job.create_topics,
            unanswered=job.unanswered,
            replied=job.replied,
            dry_run=job.dry_run,
            job=job,
            on_progress=progress,
        ).run()
    except Exception:
        log.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED,
            failure="导入时发生内部错误，已记录日志，请联系系统管理员。",
            finished_at=timezone.now(),
        )
    else:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED if outcome.failure else ImportJob.State.DONE,
            failure=outcome.failure,
            total_rows=outcome.total,
            processed_rows=outcome.processed,
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
