"""Removing the rate limits' counters of windows that have ended, by the background
worker. Deleting rows another worker deletes too is harmless (it finds none), so
there is nothing to claim: whoever runs first removes them."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from wenzheng.ops.worker import Work, register

from . import limits
from .models import RateCounter


@register
class PruneRateCountersWork(Work):
    name = "rate-counters"

    def claim(self):
        now = timezone.now()
        longest = max(seconds for _, seconds in settings.RATE_LIMITS.values())
        if not RateCounter.objects.filter(window__lt=now - dt.timedelta(seconds=longest)).exists():
            return None
        return now

    def run(self, now) -> str:
        return f"rate limits: {limits.prune(now=now)} counters of ended windows removed"
