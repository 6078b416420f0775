import datetime as dt

from django.db import models
from django.utils import timezone


class WorkerBeat(models.Model):
    """When a background worker (`manage.py work`) was last seen: one row. Pages that
    wait on the worker (an import job) say so when it has gone quiet."""

    seen_at = models.DateTimeField("最近运行")
    host = models.CharField("主机", max_length=100)
    pid = models.PositiveIntegerField("进程号")

    # The worker beats at least this often while it runs.
    EVERY = dt.timedelta(seconds=30)

    class Meta:
        verbose_name = "后台任务程序"
        verbose_name_plural = "后台任务程序"

    def __str__(self):
        return f"{self.host}:{self.pid} {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def alive(cls, *, now=None) -> bool:
        """A worker beat within the last two minutes."""
        now = now or timezone.now()
        return cls.objects.filter(pk=1, seen_at__gte=now - 4 * cls.EVERY).exists()


class BatchWalk(models.Model):
    """For an item of background work that walks rows by id in committed batches
    (ops.batches): how often the batch after its cursor was begun, and how far its
    rows are taken one at a time after that batch killed its worker."""

    # Runs begun at the batch after the cursor: the claim counts one, a committed
    # batch sets it to 1 (the run goes on to the next). A dead worker leaves it.
    attempts = models.PositiveSmallIntegerField("当前批次开始的次数", default=0)
    isolating_to = models.BigIntegerField("逐条处理至", null=True, blank=True)

    class Meta:
        abstract = True


class SkippedRow(models.Model):
    """A row the background worker skipped: a batch holding it killed the worker
    (out of memory, a crash) batches.MAX_ATTEMPTS times, and then the row alone did
    too. Listed here and by `manage.py check --deploy` until done again with
    `manage.py retry_skipped`."""

    work = models.CharField("后台任务", max_length=40)  # the Work's name: deadlines, search-contacts…
    item = models.CharField("所属任务", max_length=200)
    row_id = models.BigIntegerField("记录编号")
    skipped_at = models.DateTimeField("跳过时间")
    retried_at = models.DateTimeField("重试成功时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务跳过的记录"
        verbose_name_plural = "后台任务跳过的记录"
        ordering = ["-skipped_at"]

    def __str__(self):
        return f"{self.work} {self.row_id}"
