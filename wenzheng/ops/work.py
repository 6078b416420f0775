"""The worker keeps SQLite's planner statistics current (wenzheng.ops.planner)."""

import time

from wenzheng.ops import planner
from wenzheng.ops.worker import Work, register


@register
class PlannerStatisticsWork(Work):
    name = "planner-statistics"

    def claim(self):
        # Two workers may both see stale statistics: ANALYZE twice is harmless.
        return True if planner.stale() else None

    def run(self, item) -> str:
        started = time.monotonic()
        planner.analyze()
        return f"planner statistics: ANALYZE in {time.monotonic() - started:.1f} s"
