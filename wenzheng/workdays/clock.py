"""The one place where instants meet the county's calendar.

Times are stored in UTC. Working days are counted in the county's local zone
(settings.TIME_ZONE, Asia/Shanghai): a message sent at 23:30 Beijing time on a Friday
arrived on Friday, although it is still Friday afternoon in UTC.
"""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from . import rules
from .models import CalendarDay, CalendarYear

log = logging.getLogger(__name__)


def county_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(county_zone()).date()


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the county's zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=county_zone())


def load_calendar(first_year: int, last_year: int) -> rules.WorkCalendar:
    """The stored calendar for a span of years (a deadline never runs far past it)."""
    days = CalendarDay.objects.filter(date__year__gte=first_year, date__year__lte=last_year)
    holidays, makeup = [], []
    for day, kind in days.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else makeup).append(day)
    covered = CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year).values_list("year", flat=True)
    return rules.WorkCalendar.build(holidays=holidays, makeup_workdays=makeup, covered_years=covered)


def deadline_after(arrived: dt.datetime, working_days: int) -> tuple[dt.datetime, rules.WorkdayResult]:
    """When a limit of `working_days` that starts at `arrived` runs out."""
    year = local_date(arrived).year
    due, result = rules.deadline(load_calendar(year, year + 1), arrived, working_days, county_zone())
    if result.estimated:
        log.warning(
            "no official calendar for %s: deadline %s counted by weekdays only",
            ",".join(map(str, result.uncovered_years)),
            due.isoformat(),
        )
    return due, result


def extend_deadline(due: dt.datetime, working_days: int) -> tuple[dt.datetime, rules.WorkdayResult]:
    """Push a deadline (24:00 of its day) back by more working days."""
    last_day = deadline_day(due)
    cal = load_calendar(last_day.year, last_day.year + 1)
    result = rules.add_working_days(cal, last_day, working_days)
    return rules.end_of_day(result.day, county_zone()), result


def deadline_day(due: dt.datetime) -> dt.date:
    """The last day of a deadline: it is 24:00 of that day, stored as 00:00 of the next."""
    return local_date(due - dt.timedelta(microseconds=1))


class Countdown:
    """Working days left until many deadlines, reading the calendar once (a list page
    would otherwise read it twice a row)."""

    def __init__(self, dues, *, at: dt.datetime):
        self.at = at
        self.today = local_date(at)
        days = [self.today, *(deadline_day(d) for d in dues)]
        self.calendar = load_calendar(min(days).year, max(days).year)

    def days_left(self, due: dt.datetime) -> int:
        """Working days from today up to the deadline's last day (0 on the day itself,
        negative once overdue)."""
        return rules.working_days_between(self.calendar, self.today, deadline_day(due))


def working_days_left(due: dt.datetime, *, at: dt.datetime | None = None) -> int:
    return Countdown([due], at=at or timezone.now()).days_left(due)
