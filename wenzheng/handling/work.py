"""Deadline recounts after a calendar change, run by the background worker."""

from django.utils import timezone

from wenzheng.ops.worker import Work, register

from .deadlines import claim_recount, recompute_open_deadlines, rejudge_fallback_stages
from .models import DeadlineRecount


@register
class DeadlineRecountWork(Work):
    name = "deadlines"

    def claim(self):
        return claim_recount()

    def run(self, recount) -> str:
        mine = DeadlineRecount.objects.filter(pk=recount.pk)

        def heartbeat():
            mine.update(heartbeat_at=timezone.now())

        try:
            moved = recompute_open_deadlines(by=recount.requested_by, at=timezone.now(), on_batch=heartbeat)
            rejudged = rejudge_fallback_stages(by=recount.requested_by, at=timezone.now(), on_batch=heartbeat)
        except Exception:  # logged by the worker
            mine.update(
                state=DeadlineRecount.State.FAILED,
                finished_at=timezone.now(),
                failure="重新核定期限时发生内部错误，已记录日志，请联系系统管理员。",
            )
            raise
        mine.update(state=DeadlineRecount.State.DONE, finished_at=timezone.now(), moved=moved, rejudged=rejudged)
        return (
            f"deadline recount {recount.pk}: {moved} open deadline(s) moved, {rejudged} completed stage(s) judged again"
        )
