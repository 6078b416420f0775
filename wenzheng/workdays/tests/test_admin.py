"""The calendar and the deadline rules are edited in the admin; bad input is refused
with a message that says what is wrong, and open deadlines follow the calendar."""

import datetime as dt
import io

from django.core.management import call_command

from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Category, Stage
from wenzheng.testing import CastTestCase, local
from wenzheng.workdays.models import CalendarDay, CalendarYear


class CalendarAdminTest(CastTestCase):
    def setUp(self):
        self.client.force_login(self.cast.admin)

    def test_entering_next_years_schedule_recounts_open_deadlines(self):
        message = self.cast.submit(at=local(2026, 12, 30, 10))
        reply = message.stages.get(kind=Stage.Kind.REPLY)
        self.assertEqual(reply.due_at, local(2027, 1, 7))  # weekdays only
        self.assertIn("2027年的节假日安排尚未录入", reply.due_warning)
        answered = self.cast.submit(at=local(2026, 12, 31, 9))
        actions.respond(message=answered, by=self.cast.handler_a, at=local(2027, 1, 4, 9))  # late, by the guess
        response = self.client.post(
            "/admin/workdays/calendarday/add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, follow=True
        )
        self.assertContains(response, "后台任务将在几秒内重新核定所有未到期的办理期限")
        response = self.client.post(
            "/admin/workdays/calendaryear/add/", {"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知"}
        )
        self.assertEqual(response.status_code, 302)
        call_command("work", "--once", stdout=io.StringIO())  # the background worker
        reply.refresh_from_db()
        self.assertEqual(reply.due_at, local(2027, 1, 8))
        self.assertEqual(reply.due_warning, "")
        self.assertTrue(Event.objects.filter(kind=Event.Kind.DEADLINE_RECOMPUTED, message=message).exists())
        # The acknowledgement given against the guess is judged again, with its event.
        response_stage = answered.stages.get(kind=Stage.Kind.RESPONSE)
        self.assertEqual(
            (response_stage.due_at, response_stage.due_warning, response_stage.outcome),
            (local(2027, 1, 5), "", "on_time"),
        )
        self.assertTrue(Event.objects.filter(kind=Event.Kind.STAGE_REJUDGED, message=answered).exists())
        self.assertEqual(chain.verify()[1], None)

    def test_a_year_cannot_be_marked_entered_before_its_holidays(self):
        """Issue 10: marking 2027 entered with no days cleared the fallback warnings."""
        message = self.cast.submit(at=local(2026, 12, 30, 10))
        response = self.client.post("/admin/workdays/calendaryear/add/", {"year": 2027, "source": "通知"})
        self.assertContains(response, "2027年还没有录入任何法定节假日")
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        call_command("work", "--once", stdout=io.StringIO())
        self.assertIn("2027年的节假日安排尚未录入", message.stages.get(kind=Stage.Kind.REPLY).due_warning)

    def test_completed_stages_keep_their_frozen_outcome(self):
        message = self.cast.replied(at=local(2026, 3, 2, 9))
        before = list(message.stages.values_list("due_at", "outcome"))
        self.client.post("/admin/workdays/calendarday/add/", {"date": "2026-03-03", "kind": "holiday", "name": "临时"})
        call_command("work", "--once", stdout=io.StringIO())
        self.assertEqual(list(message.stages.values_list("due_at", "outcome")), before)

    def test_a_weekday_makeup_day_is_refused_with_the_reason(self):
        response = self.client.post(
            "/admin/workdays/calendarday/add/", {"date": "2026-03-04", "kind": "workday", "name": "错误"}
        )
        self.assertContains(response, "调休上班日应是周六或周日")
        self.assertFalse(CalendarDay.objects.filter(date=dt.date(2026, 3, 4)).exists())

    def test_a_duplicate_date_is_refused(self):
        response = self.client.post(
            "/admin/workdays/calendarday/add/", {"date": "2026-10-01", "kind": "holiday", "name": "重复"}
        )
        self.assertContains(response, "已存在")

    def test_a_duplicate_year_is_refused(self):
        response = self.client.post("/admin/workdays/calendaryear/add/", {"year": 2026, "source": "重复"})
        self.assertContains(response, "已存在")
        self.assertEqual(CalendarYear.objects.filter(year=2026).count(), 1)


class DeadlineRuleAdminTest(CastTestCase):
    def setUp(self):
        self.client.force_login(self.cast.admin)

    def post_category(self, **changes):
        c = self.cast.appeal
        data = {
            "code": c.code,
            "name": c.name,
            "closure_rule": c.closure_rule,
            "counted_in_bulletin": "on",
            "response_days": c.response_days,
            "reply_days": c.reply_days,
            "max_extension_days": c.max_extension_days,
            "order": c.order,
            **changes,
        }
        return self.client.post(f"/admin/handling/category/{c.pk}/change/", data)

    def test_a_new_limit_applies_to_new_messages(self):
        self.assertEqual(self.post_category(reply_days=3).status_code, 302)
        message = self.cast.submit(category=Category.objects.get(code="appeal"), at=local(2026, 3, 2, 9))
        self.assertEqual(message.stages.get(kind="reply").due_at, local(2026, 3, 6))

    def test_a_response_limit_longer_than_the_reply_limit_is_refused(self):
        response = self.post_category(response_days=6, reply_days=5)
        self.assertContains(response, "回应时限不能长于回复时限")
        self.assertEqual(Category.objects.get(code="appeal").response_days, 1)

    def test_a_zero_limit_is_refused(self):
        response = self.post_category(response_days=0)
        self.assertContains(response, "回应和回复时限至少为1个工作日")
