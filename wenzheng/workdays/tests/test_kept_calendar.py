"""The calendar is kept in memory: deadlines and countdowns never query it, and a
change reaches this process at once and every other within a second."""

import datetime as dt
from unittest import mock

from django.test import TestCase, override_settings

from wenzheng.testing import ensure_reference_data, local
from wenzheng.workdays import clock
from wenzheng.workdays.models import CalendarDay, CalendarStamp


@override_settings(WORKDAY_CALENDAR_CHECK_SECONDS=1)
class KeptCalendarTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_reference_data()

    def setUp(self):
        clock.forget_calendar()

    def test_deadlines_and_countdowns_do_not_query_once_the_calendar_is_read(self):
        first, _ = clock.deadline_after(local(2026, 3, 2, 9), 5)
        with self.assertNumQueries(0):
            for hour in range(1000):
                clock.deadline_after(local(2026, 3, 2, 9) + dt.timedelta(hours=hour), 5)
            countdown = clock.Countdown(at=local(2026, 3, 2, 9))
            self.assertEqual((first, countdown.days_left(first)), (local(2026, 3, 10), 5))

    def test_a_change_made_here_is_seen_at_once(self):
        self.assertEqual(clock.deadline_after(local(2026, 3, 2, 9), 1)[0], local(2026, 3, 4))
        CalendarDay.objects.create(date=dt.date(2026, 3, 3), kind="holiday", name="临时")
        self.assertEqual(clock.deadline_after(local(2026, 3, 2, 9), 1)[0], local(2026, 3, 5))

    def test_a_change_made_by_another_process_is_seen_within_the_check_interval(self):
        self.assertEqual(clock.deadline_after(local(2026, 3, 2, 9), 1)[0], local(2026, 3, 4))
        # Another process: its rows and its stamp change, this process's signals don't fire.
        CalendarDay.objects.bulk_create([CalendarDay(date=dt.date(2026, 3, 3), kind="holiday", name="临时")])
        CalendarStamp.bump()
        now = clock.time.monotonic()
        with mock.patch.object(clock.time, "monotonic", return_value=now + 0.5):
            self.assertEqual(clock.deadline_after(local(2026, 3, 2, 9), 1)[0], local(2026, 3, 4))  # not yet
        with mock.patch.object(clock.time, "monotonic", return_value=now + 1.5):
            self.assertEqual(clock.deadline_after(local(2026, 3, 2, 9), 1)[0], local(2026, 3, 5))

    def test_a_naive_arrival_is_refused(self):
        with self.assertRaises(ValueError):
            clock.deadline_after(dt.datetime(2026, 3, 2, 9), 1)  # noqa: DTZ001 (the mistake under test)
