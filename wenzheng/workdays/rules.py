"""Working-day arithmetic: pure functions over plain values, no database, no clock.

The counting rule follows the Civil Code (民法典 arts. 201, 203): the day a period starts
is not counted, and a period of N working days ends at 24:00 local time of the Nth
working day after the day of arrival, whatever the hour of arrival and whether or not
that day was itself a working day. So a message that arrives at 23:59 on a Friday, on a
make-up Saturday or during the Spring Festival starts counting from the next calendar
day all the same.
"""

import datetime as dt
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

# The index covers these many years past the last year the calendar knows of, counted
# by weekdays (a deadline or countdown rarely reaches further; beyond, the slow path).
INDEX_MARGIN_YEARS = 10


@dataclass(frozen=True)
class WorkCalendar:
    """The official calendar: which dates are holidays, which weekend dates are
    make-up working days (调休), and which years the data covers.

    A date in a year not in `covered_years` is judged by weekdays only, and whoever
    asks is told so (see `add_working_days`).
    """

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[dt.date] = field(default_factory=frozenset)
    covered_years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def build(cls, *, holidays: Iterable[dt.date], makeup_workdays: Iterable[dt.date], covered_years: Iterable[int]):
        return cls(frozenset(holidays), frozenset(makeup_workdays), frozenset(covered_years))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def covers(self, day: dt.date) -> bool:
        return day.year in self.covered_years

    @cached_property
    def index(self) -> "_Index":
        """Working days precomputed once per calendar, so that counting N working days
        or the working days between two dates is a lookup, not a walk day by day."""
        years = self.covered_years | {d.year for d in self.holidays | self.makeup_workdays}
        first = dt.date(min(years, default=2000), 1, 1)
        last = dt.date(max(years, default=2000) + INDEX_MARGIN_YEARS, 12, 31)
        return _Index(self, first, last)


class _Index:
    """For each day in [first, last], how many working days there are up to it (its
    rank), and the list of working days, both as ordinals."""

    def __init__(self, calendar: WorkCalendar, first: dt.date, last: dt.date):
        self.first, self.last = first.toordinal(), last.toordinal()
        self.ranks = array("l")
        self.workdays = array("l")
        count = 0
        for ordinal in range(self.first, self.last + 1):
            if calendar.is_working_day(dt.date.fromordinal(ordinal)):
                count += 1
                self.workdays.append(ordinal)
            self.ranks.append(count)
        self.covered = calendar.covered_years

    def holds(self, *days: dt.date) -> bool:
        return all(self.first <= d.toordinal() <= self.last for d in days)

    def rank(self, day: dt.date) -> int:
        """Working days from the index's first day up to and including `day`."""
        return self.ranks[day.toordinal() - self.first]

    def nth_after(self, start: dt.date, n: int) -> dt.date | None:
        """The Nth working day after `start`, or None past the index's end."""
        position = bisect_right(self.workdays, start.toordinal()) + n - 1
        if position >= len(self.workdays):
            return None
        return dt.date.fromordinal(self.workdays[position])


@dataclass(frozen=True)
class WorkdayResult:
    """The Nth working day, and the years whose data was missing on the way there."""

    day: dt.date
    uncovered_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.uncovered_years)

    def warning(self) -> str:
        """A Chinese sentence for the screen, empty when the day is certain."""
        if not self.uncovered_years:
            return ""
        years = "、".join(f"{y}年" for y in self.uncovered_years)
        return f"{years}的节假日安排尚未录入，期限暂按周一至周五计算，录入后将重新核定。"


def add_working_days(calendar: WorkCalendar, start: dt.date, n: int) -> WorkdayResult:
    """The Nth working day after `start` (start itself is never counted)."""
    if n < 1:
        raise ValueError(f"a limit must be at least 1 working day, not {n}")
    index = calendar.index
    day = index.nth_after(start, n) if index.holds(start) else None
    if day is None:
        return _add_working_days_walking(calendar, start, n)
    covered = calendar.covered_years
    if start.year in covered and day.year in covered and day.year - start.year <= 1:
        return WorkdayResult(day)  # the usual case, decided without building dates
    # Every day from the day after `start` to the result counts; its years without
    # data are the ones to warn of.
    first_year = (start + dt.timedelta(days=1)).year
    return WorkdayResult(day, tuple(y for y in range(first_year, day.year + 1) if y not in covered))


def _add_working_days_walking(calendar: WorkCalendar, start: dt.date, n: int) -> WorkdayResult:
    """`add_working_days` day by day: the definition, for dates past the index."""
    day = start
    uncovered: set[int] = set()
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if not calendar.covers(day):
            uncovered.add(day.year)
        if calendar.is_working_day(day):
            counted += 1
    return WorkdayResult(day, tuple(sorted(uncovered)))


def working_days_between(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative if end < start).

    `working_days_between(c, today, due_day)` is how many working days are left.
    """
    index = calendar.index
    if index.holds(start, end):
        return index.rank(end) - index.rank(start)
    return _working_days_between_walking(calendar, start, end)


def _working_days_between_walking(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    if end == start:
        return 0
    sign = 1 if end > start else -1
    lo, hi = (start, end) if sign == 1 else (end, start)
    count = 0
    day = lo
    while day < hi:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return sign * count


def end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """24:00 local time of `day`, as an aware datetime (00:00 of the next day).

    A deadline is this instant: anything strictly before it is on time.
    """
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def deadline(calendar: WorkCalendar, arrived: dt.datetime, n: int, tz: dt.tzinfo) -> tuple[dt.datetime, WorkdayResult]:
    """The moment a limit of `n` working days runs out for something that `arrived`."""
    if arrived.tzinfo is None:
        raise ValueError("arrival time must be timezone-aware")
    result = add_working_days(calendar, arrived.astimezone(tz).date(), n)
    return end_of_day(result.day, tz), result
