"""Deadline recounts after a calendar change, run by the background worker."""

from django.utils import timezone

from wenzheng.ops.worker import Work, register

from .deadlines import WORK, claim_recount, retry_stage, run_recount
from .models import DeadlineRecount


@register
class DeadlineRecountWork(Work):
    name = WORK

    def claim(self):
        return claim_recount()

    def run(self, recount) -> str:
        try:
            recount = run_recount(recount)
        except Exception:  # logged by the worker
            DeadlineRecount.objects.filter(pk=recount.pk).update(
                state=DeadlineRecount.State.FAILED,
                finished_at=timezone.now(),
                failure="重新核定期限时发生内部错误，已记录日志，请联系系统管理员。",
            )
            raise
        DeadlineRecount.objects.filter(pk=recount.pk).update(
            state=DeadlineRecount.State.DONE, finished_at=timezone.now()
        )
        return (
            f"deadline recount {recount.pk}: {recount.moved} open deadline(s) moved, "
            f"{recount.rejudged} completed stage(s) judged again"
        )

    def retry_row(self, row_id) -> None:
        retry_stage(row_id)
