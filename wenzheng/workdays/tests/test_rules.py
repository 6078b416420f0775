"""Working-day arithmetic on plain values: no database, no clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenzheng.workdays import rules, seed

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture(scope="module")
def official():
    """The official calendar as the package ships it (2004–2026)."""
    holidays = [day for day, kind, _ in seed.official_days() if kind == "holiday"]
    makeup = [day for day, kind, _ in seed.official_days() if kind == "workday"]
    return rules.WorkCalendar.build(holidays=holidays, makeup_workdays=makeup, covered_years=seed.official_years())


def test_it_knows_2026_holidays_and_makeup_days(official):
    assert not official.is_working_day(D(2026, 10, 1))  # National Day
    assert official.is_working_day(D(2026, 10, 10))  # make-up Saturday
    assert official.is_working_day(D(2026, 2, 14))  # make-up Saturday before the Spring Festival
    assert not official.is_working_day(D(2026, 2, 16))  # Spring Festival, a Monday
    assert official.is_working_day(D(2026, 3, 2))  # an ordinary Monday
    assert not official.is_working_day(D(2026, 3, 7))  # an ordinary Saturday


def test_the_day_of_arrival_is_not_counted(official):
    # Monday 2026-03-02: the 1st working day after it is Tuesday.
    assert rules.add_working_days(official, D(2026, 3, 2), 1).day == D(2026, 3, 3)
    assert rules.add_working_days(official, D(2026, 3, 2), 5).day == D(2026, 3, 9)


def test_arrival_on_a_holiday_counts_from_the_next_working_day(official):
    # 2026-10-02 (National Day): 10-08, 10-09, 10-10 (make-up Sat), 10-12, 10-13.
    assert rules.add_working_days(official, D(2026, 10, 2), 5).day == D(2026, 10, 13)
    assert rules.add_working_days(official, D(2026, 10, 2), 1).day == D(2026, 10, 8)


def test_arrival_on_a_makeup_saturday_is_not_counted_either(official):
    # 2026-02-14 is a make-up working Saturday, then the Spring Festival (02-15..23).
    assert rules.add_working_days(official, D(2026, 2, 14), 1).day == D(2026, 2, 24)
    # The make-up Saturday 02-28 counts when it falls inside the period.
    assert rules.add_working_days(official, D(2026, 2, 26), 2).day == D(2026, 2, 28)


def test_it_counts_across_new_year(official):
    # 2025-12-31 (Wed): 2026-01-01..03 holidays, 01-04 (Sunday) a make-up working day.
    result = rules.add_working_days(official, D(2025, 12, 31), 1)
    assert result.day == D(2026, 1, 4)
    assert not result.estimated
    assert rules.add_working_days(official, D(2025, 12, 31), 2).day == D(2026, 1, 5)


def test_a_year_without_data_falls_back_to_weekdays_and_says_so(official):
    result = rules.add_working_days(official, D(2026, 12, 30), 5)
    # 12-31 (Thu), then 2027 by weekdays: 01-01 (Fri), 01-04, 01-05, 01-06.
    assert result.day == D(2027, 1, 6)
    assert result.estimated
    assert result.uncovered_years == (2027,)
    assert "2027年的节假日安排尚未录入" in result.warning()
    assert "周一至周五" in result.warning()


def test_a_deadline_wholly_in_2027_is_estimated(official):
    result = rules.add_working_days(official, D(2027, 3, 1), 5)
    assert result.day == D(2027, 3, 8)
    assert result.estimated


def test_a_certain_deadline_has_no_warning(official):
    assert rules.add_working_days(official, D(2026, 3, 2), 5).warning() == ""


def test_the_deadline_is_midnight_after_the_last_day_whatever_the_hour(official):
    late_night = dt.datetime(2026, 3, 6, 23, 59, tzinfo=SHANGHAI)  # a Friday night
    due, _ = rules.deadline(official, late_night, 1, SHANGHAI)
    assert due == dt.datetime(2026, 3, 10, 0, 0, tzinfo=SHANGHAI)  # end of Monday 03-09


def test_the_local_date_decides_not_the_utc_date(official):
    # 2026-03-06 16:30 UTC is Saturday 00:30 in Shanghai: arrival is on Saturday.
    arrived = dt.datetime(2026, 3, 6, 16, 30, tzinfo=dt.UTC)
    due, _ = rules.deadline(official, arrived, 1, SHANGHAI)
    assert due == dt.datetime(2026, 3, 10, 0, 0, tzinfo=SHANGHAI)
    # Two minutes earlier it was still Friday in Shanghai: same Monday deadline, as
    # Saturday and Sunday are not working days.
    earlier = dt.datetime(2026, 3, 6, 15, 58, tzinfo=dt.UTC)
    assert rules.deadline(official, earlier, 1, SHANGHAI)[0] == due
    # But Thursday night Shanghai time (still Thursday in UTC too) is due end of Friday.
    thursday = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)
    assert rules.deadline(official, thursday, 1, SHANGHAI)[0] == dt.datetime(2026, 3, 7, tzinfo=SHANGHAI)


def test_it_refuses_naive_times_and_empty_limits(official):
    with pytest.raises(ValueError, match="timezone-aware"):
        rules.deadline(official, dt.datetime(2026, 3, 2, 9), 1, SHANGHAI)  # noqa: DTZ001
    with pytest.raises(ValueError, match="at least 1"):
        rules.add_working_days(official, D(2026, 3, 2), 0)


def test_working_days_between_counts_days_left_and_overdue(official):
    assert rules.working_days_between(official, D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert rules.working_days_between(official, D(2026, 3, 2), D(2026, 3, 9)) == 5
    assert rules.working_days_between(official, D(2026, 3, 9), D(2026, 3, 2)) == -5
    assert rules.working_days_between(official, D(2026, 9, 30), D(2026, 10, 9)) == 2


def test_a_plain_calendar_without_data_is_weekdays():
    empty = rules.WorkCalendar()
    assert empty.is_working_day(D(2030, 1, 1))  # a Tuesday; no holiday known
    assert not empty.is_working_day(D(2030, 1, 5))
    assert rules.add_working_days(empty, D(2030, 1, 4), 1) == rules.WorkdayResult(D(2030, 1, 7), (2030,))


# The precomputed index gives what walking day by day gives (the definition), on the
# official calendar, across years with and without data, holidays and make-up days.
DATES = st.dates(D(2003, 6, 1), D(2045, 12, 31))


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(start=DATES, n=st.integers(1, 40))
def test_the_index_finds_the_nth_working_day_as_walking_does(official, start, n):
    assert rules.add_working_days(official, start, n) == rules._add_working_days_walking(official, start, n)


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(start=DATES, span=st.integers(-400, 400))
def test_the_index_counts_working_days_between_as_walking_does(official, start, span):
    end = start + dt.timedelta(days=span)
    assert rules.working_days_between(official, start, end) == rules._working_days_between_walking(official, start, end)


def test_a_new_years_eve_start_warns_of_the_next_year_only(official):
    result = rules.add_working_days(official, D(2026, 12, 31), 1)
    assert (result.day, result.uncovered_years) == (D(2027, 1, 1), (2027,))


def test_dates_past_the_index_are_walked(official):
    far = D(2070, 3, 3)  # a Monday, decades past the data
    assert rules.add_working_days(official, far, 5) == rules.WorkdayResult(D(2070, 3, 10), (2070,))
    assert rules.working_days_between(official, far, D(2070, 3, 10)) == 5
