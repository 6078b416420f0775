"""The stored calendar: seeded by migration, editable, read by the deadline helpers."""

import datetime as dt

from django.test import TestCase

from wenzheng.testing import ensure_reference_data, local
from wenzheng.workdays import clock
from wenzheng.workdays.models import CalendarDay, CalendarYear


class StoredCalendarTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        ensure_reference_data()

    def test_the_migration_seeds_the_official_years(self):
        years = set(CalendarYear.objects.values_list("year", flat=True))
        self.assertTrue({2004, 2025, 2026} <= years)
        self.assertNotIn(2027, years)
        self.assertEqual(CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind, CalendarDay.Kind.MAKEUP_WORKDAY)
        self.assertEqual(CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name, "国庆节")

    def test_a_deadline_in_2027_warns_until_the_year_is_entered(self):
        due, result = clock.deadline_after(local(2026, 12, 30, 10), 5)
        self.assertEqual(due, local(2027, 1, 7))
        self.assertTrue(result.estimated)
        # The office enters 2027: New Year's Day off, no make-up day in this sketch.
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
        due, result = clock.deadline_after(local(2026, 12, 30, 10), 5)
        self.assertEqual(due, local(2027, 1, 8))
        self.assertFalse(result.estimated)

    def test_an_edit_in_the_admin_changes_later_deadlines(self):
        CalendarDay.objects.create(date=dt.date(2026, 3, 3), kind="holiday", name="临时休假")
        due, _ = clock.deadline_after(local(2026, 3, 2, 9), 1)
        self.assertEqual(due, local(2026, 3, 5))

    def test_working_days_left(self):
        due = local(2026, 3, 10)  # end of Monday 03-09
        self.assertEqual(clock.working_days_left(due, at=local(2026, 3, 6, 17)), 1)
        self.assertEqual(clock.working_days_left(due, at=local(2026, 3, 9, 23, 59)), 0)
        self.assertEqual(clock.working_days_left(due, at=local(2026, 3, 11, 9)), -2)

    def test_a_makeup_day_on_a_weekday_is_refused_with_a_reason(self):
        day = CalendarDay(date=dt.date(2026, 3, 4), kind="workday", name="x")
        with self.assertRaisesMessage(Exception, "调休上班日应是周六或周日"):
            day.full_clean()
