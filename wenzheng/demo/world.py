"""What every demo script shares: the county, its calendar, the clock's horizon and
the plans scripts leave for one another."""

import datetime as dt
import random
from dataclasses import dataclass, field

from wenzheng.handling.models import Category
from wenzheng.workdays import rules

from .county import County, UnitStaff
from .timeline import Timeline, at_local

# The first quarter must read exactly as the seed reports it, so every step that
# counts towards its figures happens before this moment (half a day of slack before
# the quarter ends at 24:00 on 31 March).
Q1_CAP = at_local(dt.date(2026, 3, 31), dt.time(12, 0))
Q1_END = at_local(dt.date(2026, 4, 1), dt.time(0, 0))


@dataclass
class World:
    rng: random.Random
    cal: rules.WorkCalendar
    county: County
    categories: dict[str, Category]
    timeline: Timeline
    slow_units: frozenset[str]
    # When each message's reply is planned (None: not before the horizon). The office's
    # written-explanation orders read it to set backlog deadlines that are, or are
    # not, met.
    planned_replies: dict[int, dt.datetime | None] = field(default_factory=dict)

    @property
    def until(self) -> dt.datetime:
        return self.timeline.until

    def staff(self, unit) -> UnitStaff:
        return self.county.staff[unit.name]

    def child_rng(self) -> random.Random:
        """A generator of its own for one script, so a script's choices do not depend
        on how its steps interleave with everyone else's."""
        return random.Random(self.rng.getrandbits(64))
