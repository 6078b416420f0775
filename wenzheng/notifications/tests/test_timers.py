"""Reminders with time travel, across the 2026 National Day holiday.

The official calendar for late 2026: 25 September (中秋) and 1–7 October (国庆, with
the weekend) are holidays; Sunday 20 September and Saturday 10 October are make-up
working days. NOTICE_HOUR is 09:00. A consultation must be responded to within 1
working day and replied to within 5.

A message that arrives on Monday 28 September at 10:00 is due for its response at
24:00 on the 29th, and for its reply at 24:00 on Saturday 10 October (29, 30
September, 8, 9, 10 October). So its unit hears:
- 30 September 09:00: the response is overdue;
- 9 October 09:00 (Friday): the reply is due the next working day, the make-up Saturday;
  and the county office: the response is overdue by 3 working days (30 Sep, 8, 9 Oct);
- 12 October 09:00 (Monday): the reply is overdue.
Nothing on the holidays, nothing on the make-up Saturday itself, and nothing twice.
"""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage
from wenzheng.notifications import timers
from wenzheng.notifications.models import Notice, Sweep
from wenzheng.supervision.models import ExplanationProposal
from wenzheng.testing import CastTestCase, local

from .helpers import at, start_sweeping, sweep, texts

ARRIVED = local(2026, 9, 28, 10)


class HolidayRemindersTest(CastTestCase):
    def setUp(self):
        c = self.cast
        with at(ARRIVED):
            self.message = c.submit(title="国庆期间路灯不亮")
            # Another unit's message, answered at once: no reminder for anyone.
            other = c.submit(unit="b")
            actions.reply(message=other, by=c.handler_b, text="已修复。")
        start_sweeping(ARRIVED)

    def test_the_reminders_fall_on_the_right_working_days(self):
        c, serial = self.cast, self.message.serial
        heard = {}
        day = dt.date(2026, 9, 28)
        while day <= dt.date(2026, 10, 13):
            for hour in (8, 9, 12, 18):
                moment = local(day.year, day.month, day.day, hour, 0, 1)
                if moment > ARRIVED:
                    sweep(moment)
            day += dt.timedelta(days=1)
        reminders = (Notice.Kind.DUE_SOON, Notice.Kind.OVERDUE, Notice.Kind.OFFICE_OVERDUE)
        for notice in Notice.objects.filter(kind__in=reminders).order_by("created_at", "pk"):
            heard.setdefault((notice.kind, notice.created_at), set()).add(notice.recipient.username)
        unit_a = {"handler_a", "handler_a2", "leader_a"}
        self.assertEqual(
            heard,
            {
                (Notice.Kind.OVERDUE, local(2026, 9, 30, 9, 0, 1)): unit_a,
                (Notice.Kind.DUE_SOON, local(2026, 10, 9, 9, 0, 1)): unit_a,
                (Notice.Kind.OFFICE_OVERDUE, local(2026, 10, 9, 9, 0, 1)): {"county_office"},
                (Notice.Kind.OVERDUE, local(2026, 10, 12, 9, 0, 1)): unit_a,
            },
        )
        self.assertEqual(
            texts(c.handler_a, Notice.Kind.DUE_SOON),
            [f"留言{serial}的回复期限为10月10日24时，仅剩1个工作日，请及时办理。"],
        )
        self.assertEqual(
            texts(c.leader_a, Notice.Kind.OVERDUE),
            [
                f"留言{serial}已超过回应期限（9月29日24时），请尽快办理。",
                f"留言{serial}已超过回复期限（10月10日24时），请尽快办理。",
            ],
        )
        self.assertEqual(
            texts(c.county_office, Notice.Kind.OFFICE_OVERDUE),
            [f"有1条留言超期{settings.NOTICE_OFFICE_OVERDUE_DAYS}个工作日仍未办理（{serial}），请督办。"],
        )
        self.assertEqual(texts(c.handler_b, Notice.Kind.DUE_SOON) + texts(c.handler_b, Notice.Kind.OVERDUE), [])

    def test_a_deadline_right_after_the_holiday_is_announced_before_it(self):
        # Arrived Wednesday 23 September: replied by 24:00 on 8 October (24, 28, 29, 30
        # September and 8 October; the 25th is 中秋). The working day before is 30 September.
        with at(local(2026, 9, 23, 15)):
            message = self.cast.submit(unit="b", title="节前的留言")
            actions.respond(message=message, by=self.cast.handler_b)
        start_sweeping(local(2026, 9, 29, 10))
        sweep(local(2026, 9, 30, 9, 30))
        self.assertEqual(
            texts(self.cast.handler_b, Notice.Kind.DUE_SOON),
            [f"留言{message.serial}的回复期限为10月8日24时，仅剩1个工作日，请及时办理。"],
        )
        for day in range(1, 8):
            sweep(local(2026, 10, day, 9, 30))
        self.assertEqual(len(texts(self.cast.handler_b, Notice.Kind.DUE_SOON)), 1)

    def test_what_is_answered_in_time_is_not_reminded(self):
        with at(local(2026, 9, 29, 11)):
            actions.reply(message=self.message, by=self.cast.handler_a, text="已安排维修。")
        for day in (30,):
            sweep(local(2026, 9, day, 9, 30))
        sweep(local(2026, 10, 12, 9, 30))
        self.assertEqual(texts(self.cast.handler_a, Notice.Kind.DUE_SOON), [])
        self.assertEqual(texts(self.cast.handler_a, Notice.Kind.OVERDUE), [])

    def test_a_reply_waiting_on_its_hand_back_is_not_reminded_to_anyone(self):
        # A trial: the unit was told its reply was overdue while it could not reply,
        # and the office to 督办 what waited on its own decision. Its response, which
        # it could give meanwhile, is reminded as before.
        with at(local(2026, 9, 28, 11)):
            actions.request_transfer(message=self.message, by=self.cast.handler_a, reason="不属本镇。")
        for day in (9, 12, 13, 14):
            sweep(local(2026, 10, day, 9, 30))
        self.assertEqual(texts(self.cast.handler_a, Notice.Kind.DUE_SOON), [])
        self.assertEqual(
            texts(self.cast.handler_a, Notice.Kind.OVERDUE),
            [f"留言{self.message.serial}已超过回应期限（9月29日24时），请尽快办理。"],
        )
        self.assertEqual(len(texts(self.cast.county_office, Notice.Kind.OFFICE_OVERDUE)), 1)  # the response

    def test_a_unit_hears_once_a_day_of_all_its_stages_together(self):
        with at(ARRIVED + dt.timedelta(minutes=5)):
            second = self.cast.submit(title="第二条")
        sweep(local(2026, 10, 9, 9, 30))
        self.assertEqual(
            texts(self.cast.handler_a, Notice.Kind.DUE_SOON),
            [f"2条留言（{self.message.serial}等）的回复期限为10月10日24时，仅剩1个工作日，请及时办理。"],
        )
        self.assertLess(self.message.serial, second.serial)

    def test_sweeping_again_makes_nothing_twice(self):
        sweep(local(2026, 9, 30, 9, 30))
        made = Notice.objects.count()
        # The window is gone: a second pass at the same moment has nothing to sweep.
        self.assertEqual(sweep(local(2026, 9, 30, 9, 30)), 0)
        # Swept again by hand (a worker that lost the race, say): the keys refuse a copy.
        window = timers.Window(ARRIVED, local(2026, 9, 30, 9, 30))
        Sweep.objects.filter(pk=1).update(swept_until=window.start)
        self.assertIsNotNone(timers.sweep(window))
        self.assertEqual(Notice.objects.count(), made)
        # And a worker holding a window another has swept changes nothing.
        self.assertIsNone(timers.sweep(window))

    def test_a_pass_with_no_notice_hour_in_it_does_nothing(self):
        self.assertEqual(sweep(local(2026, 9, 28, 15)), 0)
        self.assertEqual(Sweep.objects.get().swept_until, ARRIVED)


class WeeklyDigestTest(CastTestCase):
    def test_each_leader_hears_of_the_week_on_its_first_working_day(self):
        c = self.cast
        with at(local(2026, 9, 28, 10)):
            c.submit()
            replied = c.replied()
            actions.rate(message=replied, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="没修")
        start_sweeping(local(2026, 9, 28, 12))
        for day in range(5, 13):  # the week of the holiday, and the Monday after
            sweep(local(2026, 10, day, 9, 30))
        weekly = Notice.objects.filter(kind=Notice.Kind.WEEKLY_DIGEST, recipient=c.leader_a).order_by("created_at")
        # Thursday 8 October: the first working day of a week whose Monday to Wednesday
        # were holidays; then Monday 12 October.
        self.assertEqual([n.created_at for n in weekly], [local(2026, 10, 8, 9, 30), local(2026, 10, 12, 9, 30)])
        self.assertEqual(weekly[0].text, "本单位留言周报：在办2条，即将到期0条，已超期1条，不满意待处理1条。")
        self.assertFalse(Notice.objects.filter(kind=Notice.Kind.WEEKLY_DIGEST, recipient=c.handler_a).exists())
        # A leader with nothing open, late or in dispute is not bothered.
        self.assertFalse(Notice.objects.filter(kind=Notice.Kind.WEEKLY_DIGEST, recipient=c.leader_b).exists())


class OfficeTimersTest(CastTestCase):
    def test_the_office_hears_when_a_backlog_deadline_passes_uncleared(self):
        c = self.cast
        with at(local(2026, 9, 21, 10)):
            late = c.submit()
            cleared = c.submit(unit="b")
            order = actions.order_written_explanation(
                unit=c.unit_a,
                by=c.county_office,
                reason="回复超期。",
                messages=[late],
                backlog_deadline=local(2026, 9, 26),
            )
            actions.order_written_explanation(
                unit=c.unit_b, by=c.county_office, reason="回复超期。", messages=[cleared],
                backlog_deadline=local(2026, 9, 26),
            )  # fmt: skip
            actions.reply(message=cleared, by=c.handler_b, text="已回复。")
        start_sweeping(local(2026, 9, 25, 12))
        # The deadline is 24:00 on 25 September (a holiday): the office hears on Monday.
        sweep(local(2026, 9, 26, 9, 30))
        sweep(local(2026, 9, 27, 9, 30))
        self.assertEqual(texts(c.county_office, Notice.Kind.BACKLOG_PASSED), [])
        sweep(local(2026, 9, 28, 9, 30))
        self.assertEqual(
            texts(c.county_office, Notice.Kind.BACKLOG_PASSED),
            ["东门镇限期梳理回复已于9月25日24时到期，仍有1条留言未回复。"],
        )
        self.assertEqual(
            Notice.objects.get(kind=Notice.Kind.BACKLOG_PASSED).key, f"backlog:{order.pk}:{c.county_office.pk}"
        )

    def test_an_answer_to_a_follow_up_clears_no_backlog(self):
        # 并单 undone with the merged citizen's follow-up waiting: the unit answers it
        # before it replies to the message, which is still unanswered.
        c = self.cast
        with at(local(2026, 9, 21, 10)):
            main = c.submit()
            dup = c.submit(unit="b", by="other_citizen")
            actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题。")
            actions.reply(message=main, by=c.handler_a, text="已修复。")
            asked = actions.follow_up(message=dup, who=actions.Citizen(user=c.other_citizen), text="何时修？")
            actions.unmerge_duplicate(message=dup, by=c.county_office, reason="不是同一路段。")
            actions.order_written_explanation(
                unit=c.unit_b, by=c.county_office, reason="回复超期。", messages=[dup],
                backlog_deadline=local(2026, 9, 26),
            )  # fmt: skip
            actions.respond(message=dup, by=c.handler_b)
            actions.answer_follow_up(follow_up=asked, by=c.handler_b, text="本局核实后答复。")
        start_sweeping(local(2026, 9, 25, 12))
        sweep(local(2026, 9, 28, 9, 30))
        self.assertEqual(
            texts(c.county_office, Notice.Kind.BACKLOG_PASSED),
            ["县住房和城乡建设局限期梳理回复已于9月25日24时到期，仍有1条留言未回复。"],
        )

    def test_at_a_quarters_start_the_office_gets_proposals_for_the_quarter_ended(self):
        c = self.cast
        with at(local(2026, 9, 1, 10)):
            c.submit()  # never answered: late to respond and to reply in the third quarter
        start_sweeping(local(2026, 9, 30, 18))
        self.assertFalse(ExplanationProposal.objects.exists())
        sweep(local(2026, 10, 1, 9, 30))
        proposal = ExplanationProposal.objects.get()
        self.assertEqual((proposal.unit, proposal.period, proposal.late_responses, proposal.late_replies),
                         (c.unit_a, "2026Q3", 1, 1))  # fmt: skip
        self.assertEqual(proposal.state, ExplanationProposal.State.PROPOSED)
        self.assertEqual(
            texts(c.county_office, Notice.Kind.PROPOSALS),
            ["2026年第三季度有1个单位回应或回复超时，书面说明建议待您确认。"],
        )
        # Nothing is ordered automatically.
        self.assertFalse(c.unit_a.explanation_orders.exists())

    def test_a_hand_back_or_extension_waiting_for_the_office_is_not_proposed_as_late(self):
        # A trial: the quarter's proposal named a message whose unit had handed it back
        # in time, while the office had not decided (the evaluation does not count it).
        c = self.cast
        with at(local(2026, 9, 21, 10)):
            handed_back = c.submit()  # reply due at 24:00 on 28 September
            actions.respond(message=handed_back, by=c.handler_a)
        with at(local(2026, 9, 23, 10)):
            actions.request_transfer(message=handed_back, by=c.handler_a, reason="不属本镇。")
        with at(local(2026, 9, 21, 10)):
            extended = c.submit()
            actions.respond(message=extended, by=c.handler_a)
        with at(local(2026, 9, 25, 10)):  # asked in time, not yet decided: not late either
            actions.request_extension(message=extended, by=c.handler_a, days=3, reason="需核实。")
        start_sweeping(local(2026, 9, 30, 18))
        sweep(local(2026, 10, 1, 9, 30))
        self.assertFalse(ExplanationProposal.objects.exists())


class IndexedQueryTest(CastTestCase):
    def test_the_pass_finds_due_stages_by_the_index_not_by_reading_them_all(self):
        c = self.cast
        # Two thousand open stages with deadlines over a year, and fresh statistics: the
        # planner then has a real choice to make.
        start = local(2026, 1, 5, 10)
        messages = Message.objects.bulk_create(
            Message(
                region=c.county, year=2026, number=n, category=c.consultation, unit=c.unit_a, title="t", body="b",
                citizen_name="张三", citizen_phone="13800000000", tracking_code=f"T{n:09d}", passcode_hash="!",
                state="dispatched", submitted_at=start,
            )
            for n in range(1, 2001)
        )  # fmt: skip
        Stage.objects.bulk_create(
            Stage(message=m, unit=c.unit_a, kind="reply", started_at=start, limit_days=5,
                  due_at=start + dt.timedelta(hours=4 * i), serial_number=m.serial_number)
            for i, m in enumerate(messages)
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        deadlines = timers.last_days(dt.date(2026, 3, 9), dt.date(2026, 3, 10))
        plan = Stage.objects.filter(deadlines, completed_at__isnull=True).order_by().explain()
        self.assertIn("stage_open_by_due", plan)

    def test_a_pass_takes_as_many_queries_for_many_units_as_for_one(self):
        c = self.cast

        def queries_for(units):
            Notice.objects.all().delete()
            with at(ARRIVED):
                for unit in units:
                    c.submit(unit=unit)
            start_sweeping(ARRIVED)
            with CaptureQueriesContext(connection) as captured:
                sweep(local(2026, 9, 30, 9, 30))
            return len(captured)

        self.assertEqual(queries_for(["a"]), queries_for(["a", "b", "a", "b"]))

    def test_each_unit_is_told_its_earliest_deadline_in_the_range(self):
        c = self.cast
        start = local(2026, 3, 2, 10)

        def message(n, unit):
            return Message.objects.create(
                region=c.county, year=2026, number=n, category=c.consultation, unit=unit, title="t", body="b",
                citizen_name="张三", citizen_phone="13800000000", tracking_code=f"E{n:09d}", passcode_hash="!",
                state="dispatched", submitted_at=start,
            )  # fmt: skip

        def stage(m, kind, last_day):
            Stage.objects.create(
                message=m, unit=m.unit, kind=kind, started_at=start, limit_days=1,
                due_at=local(last_day.year, last_day.month, last_day.day) + dt.timedelta(days=1),
                serial_number=m.serial_number,
            )  # fmt: skip

        both = message(1, c.unit_a)  # its response due on the 9th, its reply on the 11th
        stage(both, "response", dt.date(2026, 3, 9))
        stage(both, "reply", dt.date(2026, 3, 11))
        stage(message(2, c.unit_a), "reply", dt.date(2026, 3, 10))
        stage(message(3, c.unit_b), "reply", dt.date(2026, 3, 11))
        stage(message(4, c.unit_b), "reply", dt.date(2026, 3, 12))  # outside the range

        found = {d.unit_id: d for d in timers.due_by_unit(timers.last_days(dt.date(2026, 3, 9), dt.date(2026, 3, 11)))}

        a, b = found[c.unit_a.pk], found[c.unit_b.pk]
        self.assertEqual(
            (a.count, a.last_day, a.stage, a.first_serial), (2, dt.date(2026, 3, 9), "办理", "2026-000001")
        )
        self.assertEqual(
            (b.count, b.last_day, b.stage, b.first_serial), (1, dt.date(2026, 3, 11), "回复", "2026-000003")
        )
        self.assertEqual(timers.due_by_unit(timers.last_days(dt.date(2026, 3, 13), dt.date(2026, 3, 20))), [])
