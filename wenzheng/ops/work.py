"""The worker keeps SQLite's planner statistics current (wenzheng.ops.planner)."""

import time

from wenzheng.ops import planner
from wenzheng.ops.worker import Work, register


@register
class PlannerStatisticsWork(Work):
    name = "planner-statistics"

    def __init__(self):
        self.measured_at = None  # the table's size when this process last measured it

    def claim(self):
        # Two workers may both see stale statistics: ANALYZE twice is harmless. Once
        # per size: where ids have gaps, MAX(id) stays apart from the row count after
        # an ANALYZE, and the worker measured again and again, never ending its pass.
        if not planner.stale():
            return None
        rows = planner.size()
        return None if rows == self.measured_at else rows

    def run(self, item) -> str:
        started = time.monotonic()
        planner.analyze()
        self.measured_at = item
        return f"planner statistics: ANALYZE in {time.monotonic() - started:.1f} s"
