"""Pruning the records of access to personal data once they are older than the
retention period, run by the background worker about once a day."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from wenzheng.ops.worker import Work, register

from .models import AccessRecord, Housekeeping

EVERY = dt.timedelta(hours=24)
# The floor no setting goes under (settings.py refuses one): six months and a day.
MINIMUM_DAYS = 181


def retention() -> dt.timedelta:
    return dt.timedelta(days=max(settings.ACCESS_RECORD_RETENTION_DAYS, MINIMUM_DAYS))


def prune(*, now) -> int:
    """Delete the records older than the retention period; never a younger one."""
    deleted, _ = AccessRecord.objects.filter(at__lt=now - retention()).delete()
    return deleted


@register
class PruneAccessRecordsWork(Work):
    name = "access-records"

    def claim(self):
        now = timezone.now()
        if not AccessRecord.objects.filter(at__lt=now - retention()).exists():
            return None  # nothing has aged out: no work to speak of
        Housekeeping.objects.get_or_create(pk=1, defaults={"next_prune_at": now})
        # Whoever moves next_prune_at on runs this round; a second worker sees 0 rows.
        if Housekeeping.objects.filter(pk=1, next_prune_at__lte=now).update(next_prune_at=now + EVERY) != 1:
            return None
        return now

    def run(self, now) -> str:
        deleted = prune(now=now)
        Housekeeping.objects.filter(pk=1).update(last_pruned=deleted)
        return f"access records: {deleted} older than {retention().days} days pruned"
