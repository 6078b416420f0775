"""The one place where instants meet the county's calendar.

Times are stored in UTC. Working days are counted in the county's local zone
(settings.TIME_ZONE, Asia/Shanghai): a message sent at 23:30 Beijing time on a Friday
arrived on Friday, although it is still Friday afternoon in UTC.
"""

import datetime as dt
import logging
import threading
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from . import rules
from .models import CalendarDay, CalendarStamp, CalendarYear

log = logging.getLogger(__name__)


def county_zone() -> ZoneInfo:
    return timezone.get_default_timezone()  # ZoneInfo(settings.TIME_ZONE), kept by Django


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(county_zone()).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the county's zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=county_zone())


class _Kept:
    """The whole calendar (a few thousand rows), read once per process and kept in
    memory with the deadlines counted on it: deadlines and countdowns never query it.
    Each process looks at the one-row CalendarStamp at most every
    WORKDAY_CALENDAR_CHECK_SECONDS (and the process that changes the calendar forgets
    its copy at once), so an edit reaches every web worker and the background worker
    within that time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.forget()

    def forget(self):
        # The calendar and the deadlines counted on it, swapped together.
        self.current: tuple[rules.WorkCalendar, dict] | None = None
        self.version = -1
        self.fresh_until = float("-inf")

    def get(self) -> tuple[rules.WorkCalendar, dict]:
        current = self.current
        if current is not None and time.monotonic() < self.fresh_until:
            return current
        with self.lock:
            version = CalendarStamp.current()  # read before the days: an edit in between is seen next time
            if self.current is None or version != self.version:
                self.current, self.version = (_load(), {}), version
            self.fresh_until = time.monotonic() + settings.WORKDAY_CALENDAR_CHECK_SECONDS
            return self.current


def _load() -> rules.WorkCalendar:
    holidays, makeup = [], []
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else makeup).append(day)
    covered = CalendarYear.objects.values_list("year", flat=True)
    return rules.WorkCalendar.build(holidays=holidays, makeup_workdays=makeup, covered_years=covered)


_kept = _Kept()


def calendar() -> rules.WorkCalendar:
    """The official calendar, from memory (see _Kept)."""
    return _kept.get()[0]


def forget_calendar() -> None:
    """Read the calendar afresh at the next use (it was just changed)."""
    _kept.forget()


def deadline_after(
    arrived: dt.datetime, working_days: int, *, warn: bool = True
) -> tuple[dt.datetime, rules.WorkdayResult]:
    """When a limit of `working_days` that starts at `arrived` runs out (logging a
    warning when it was counted by weekdays only, unless `warn` is off)."""
    if arrived.tzinfo is None:
        raise ValueError("arrival time must be timezone-aware")
    cal, counted = _kept.get()
    zone = timezone.get_default_timezone()
    # A deadline depends only on the local day of arrival and the limit.
    key = (arrived.astimezone(zone).date(), working_days)
    found = counted.get(key)
    if found is None:
        if len(counted) > 200_000:  # decades of arrival days times every limit: start over
            counted.clear()
        result = rules.add_working_days(cal, key[0], working_days)
        found = counted[key] = (rules.end_of_day(result.day, zone), result)
    if warn and found[1].estimated:
        log.warning(
            "no official calendar for %s: deadline %s counted by weekdays only",
            ",".join(map(str, found[1].uncovered_years)),
            found[0].isoformat(),
        )
    return found


def whole_working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """The working days wholly between `start` and `end`: after the local day of
    `start` and before that of `end` (0 for the same day or the next)."""
    first, last = local_date(start), local_date(end) - dt.timedelta(days=1)
    return max(0, rules.working_days_between(calendar(), first, last))


def deadline_day(due: dt.datetime) -> dt.date:
    """The last day of a deadline: it is 24:00 of that day, stored as 00:00 of the next."""
    return local_date(due - dt.timedelta(microseconds=1))


class Countdown:
    """Working days left until deadlines, as seen at `at`."""

    def __init__(self, dues=(), *, at: dt.datetime):
        self.at = at
        self.today = local_date(at)
        self.calendar = calendar()

    def days_left(self, due: dt.datetime) -> int:
        """Working days from today up to the deadline's last day (0 on the day itself,
        negative once overdue)."""
        return rules.working_days_between(self.calendar, self.today, deadline_day(due))


def working_days_left(due: dt.datetime, *, at: dt.datetime | None = None) -> int:
    return Countdown([due], at=at or timezone.now()).days_left(due)
