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
        # Two workers may both see stale statistics: ANALYZE twice is harmless. Where
        # ids have gaps, MAX(id) stays apart from the row count after an ANALYZE (the
        # worker measured again and again, never ending its pass): then it measures
        # again only once the table has grown by a quarter since it last did.
        if not planner.stale():
            return None
        rows = planner.size()
        last = self.measured_at
        return None if last is not None and abs(rows - last) <= planner.DRIFT * last else rows

    def run(self, item) -> str:
        started = time.monotonic()
        planner.analyze()
        self.measured_at = item
        return f"planner statistics: ANALYZE in {time.monotonic() - started:.1f} s"
