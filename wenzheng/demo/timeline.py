"""Run many scripts in one chronological order, and pick plausible moments.

Every step of the demo county happens through an action with a historical `at`.
The event log is a hash chain, so its events must be appended in time order across
all messages at once. Each message (and each piece of the office's supervision work)
is therefore a script: a generator that yields the moment of its next step and does
that step when resumed. The timeline resumes whichever script is due earliest, so the
steps of hundreds of scripts interleave in time order, and a script can read what
earlier steps left in the database (a stage's deadline, say) before choosing its
next moment.
"""

import datetime as dt
import heapq
import itertools

from wenzheng.workdays import rules
from wenzheng.workdays.clock import county_zone, local_date

from .texts import CITIZEN_HOURS

OFFICE_OPENS = dt.time(8, 30)
OFFICE_CLOSES = dt.time(17, 30)


class Timeline:
    def __init__(self, *, until: dt.datetime):
        self.until = until
        self.now: dt.datetime | None = None
        self.steps = 0
        self._queue = []
        self._order = itertools.count()  # ties: the script queued first goes first

    def start(self, script):
        """Queue a script; it may be started while the timeline runs (a step that
        sets other work in motion)."""
        self._advance(script)

    def run(self):
        """Do every step due up to `until`. Steps planned later stay undone: a message
        submitted yesterday is still waiting for its reply today."""
        while self._queue and self._queue[0][0] <= self.until:
            at, _, script = heapq.heappop(self._queue)
            self.now = at
            self.steps += 1
            self._advance(script)

    def _advance(self, script):
        try:
            at = next(script)
        except StopIteration:
            return
        if self.now is not None and at < self.now:
            raise ValueError(f"a script asked to go back in time, to {at} from {self.now}")
        heapq.heappush(self._queue, (at, next(self._order), script))


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=county_zone())


def seconds(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0)


def office_moment(rng, cal: rules.WorkCalendar, earliest: dt.datetime, latest: dt.datetime) -> dt.datetime:
    """A moment in office hours of a working day, after `earliest` and before `latest`
    (a random working day in between, then a random time that day). With no office
    hours in between, someone works late: a few minutes after `earliest`."""
    windows = []
    day = local_date(earliest)
    while day <= local_date(latest):
        if cal.is_working_day(day):
            lo = max(earliest + dt.timedelta(minutes=2), at_local(day, OFFICE_OPENS))
            hi = min(latest, at_local(day, OFFICE_CLOSES))
            if lo < hi:
                windows.append((lo, hi))
        day += dt.timedelta(days=1)
    if not windows:
        return seconds(earliest + dt.timedelta(minutes=rng.randint(3, 30)))
    lo, hi = rng.choice(windows)
    return seconds(lo + (hi - lo) * rng.random())


def working_days_after(cal, moment: dt.datetime, n: int) -> dt.datetime:
    """The end (24:00) of the nth working day after the day of `moment`."""
    day = rules.add_working_days(cal, local_date(moment), n).day
    return rules.end_of_day(day, county_zone())


def late_moment(rng, cal, due: dt.datetime, days_late: int, *, earliest: dt.datetime) -> dt.datetime:
    """Office hours on the `days_late`-th working day after a deadline's last day."""
    last_day = local_date(due - dt.timedelta(microseconds=1))
    day = rules.add_working_days(cal, last_day, days_late).day
    lo = max(at_local(day, OFFICE_OPENS), earliest + dt.timedelta(minutes=2))
    return seconds(lo + dt.timedelta(minutes=rng.randint(0, 480)))


def citizen_moment(rng, after: dt.datetime, *, days: tuple[int, int]) -> dt.datetime:
    """Some day `days` after `after`, at an hour a citizen would be online."""
    day = local_date(after) + dt.timedelta(days=rng.randint(*days))
    moment = at_local(day, dt.time(rng.choice(CITIZEN_HOURS), rng.randrange(60), rng.randrange(60)))
    return max(moment, seconds(after + dt.timedelta(minutes=rng.randint(10, 90))))
