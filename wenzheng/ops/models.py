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
