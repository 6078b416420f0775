"""Stage deadlines on the real official calendar, as the migrations seed it.

The rule (DOMAIN.md, after 民法典 arts. 201, 203): a limit of N working days ends at
24:00 local time of the Nth working day after the day of arrival, so a stage's due_at
is 00:00 local of the day after its last day. Defaults: respond within 1 working day,
reply within 5, extensions at most 15 in total. The calendar days used below
(chinese_calendar's official data):

  2025-12-31 Wed; 2026-01-01..03 New Year off; 01-04 Sun make-up working day
  2026-02-14 Sat make-up; 02-15..23 Spring Festival off; 02-28 Sat make-up
  2026-09-25..27 Mid-autumn off; 2026-10-01..07 National Day off; 10-10 Sat make-up
  2027: no official data yet (weekdays only, with a warning)
"""

import datetime as dt

from wenzheng.eventlog import replay
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.deadlines import recompute_open_deadlines
from wenzheng.handling.models import Category, ExtensionRequest, Message, Stage
from wenzheng.notifications.models import Notice
from wenzheng.testing import local
from wenzheng.workdays.models import CalendarDay

from .helpers import HandlingTestCase

RESPONSE, REPLY = Stage.Kind.RESPONSE, Stage.Kind.REPLY


class DeadlineTestCase(HandlingTestCase):
    def due(self, message, kind, *, unit=None):
        """The due_at of the message's (latest) stage of `kind`."""
        stages = message.stages.filter(kind=kind)
        if unit is not None:
            stages = stages.filter(unit=unit)
        return stages.latest("started_at", "pk").due_at

    def assert_deadlines(self, arrived, response_due, reply_due):
        m = self.cast.submit(at=arrived)
        self.assertEqual(self.due(m, RESPONSE), response_due, f"response, arrived {arrived}")
        self.assertEqual(self.due(m, REPLY), reply_due, f"reply, arrived {arrived}")
        self.assertFalse(m.stages.exclude(due_warning="").exists())
        return m


class CountingTest(DeadlineTestCase):
    def test_an_ordinary_week(self):
        # Monday morning: respond by the end of Tuesday, reply by the end of next Monday.
        self.assert_deadlines(local(2026, 3, 2, 9), local(2026, 3, 4), local(2026, 3, 10))

    def test_the_day_of_arrival_is_not_counted_whatever_the_hour(self):
        self.assert_deadlines(local(2026, 3, 2, 0, 0), local(2026, 3, 4), local(2026, 3, 10))
        self.assert_deadlines(local(2026, 3, 2, 23, 59, 59), local(2026, 3, 4), local(2026, 3, 10))

    def test_the_local_date_of_arrival_decides_not_the_utc_date(self):
        # Thursday 23:59 in 罗城 arrived on Thursday: respond by the end of Friday.
        self.assert_deadlines(local(2026, 3, 5, 23, 59), local(2026, 3, 7), local(2026, 3, 13))
        # Friday 00:01 in 罗城 is still Thursday in UTC, but it arrived on Friday.
        self.assert_deadlines(local(2026, 3, 6, 0, 1), local(2026, 3, 10), local(2026, 3, 14))

    def test_friday_night_and_saturday_morning_both_start_counting_on_monday(self):
        self.assert_deadlines(local(2026, 3, 6, 23, 59), local(2026, 3, 10), local(2026, 3, 14))
        self.assert_deadlines(local(2026, 3, 7, 0, 1), local(2026, 3, 10), local(2026, 3, 14))

    def test_arrival_on_a_holiday(self):
        # National Day: the first working day after 10-02 is Thursday 10-08; the
        # make-up Saturday 10-10 counts, Sunday 10-11 does not.
        self.assert_deadlines(local(2026, 10, 2, 10), local(2026, 10, 9), local(2026, 10, 14))

    def test_arrival_on_a_makeup_saturday_counts_from_the_next_calendar_day(self):
        # 02-14 is a working Saturday before the Spring Festival: counting starts on
        # 02-15 (off until 02-23), so the first working day is 02-24; the make-up
        # Saturday 02-28 is the fifth.
        self.assert_deadlines(local(2026, 2, 14, 10), local(2026, 2, 25), local(2026, 3, 1))
        # 02-28, the other make-up Saturday: Sunday off, Monday 03-02 first.
        self.assert_deadlines(local(2026, 2, 28, 10), local(2026, 3, 3), local(2026, 3, 7))

    def test_across_new_year(self):
        # 01-01..03 off, Sunday 01-04 a make-up working day.
        m = self.assert_deadlines(local(2025, 12, 31, 10), local(2026, 1, 5), local(2026, 1, 9))
        self.assertEqual(m.serial, "2025-000001")

    def test_due_at_is_midnight_in_the_county(self):
        m = self.cast.submit(at=local(2026, 3, 2, 9))
        for stage in m.stages.all():
            with self.subTest(kind=stage.kind):
                in_county = stage.due_at.astimezone(local(2026, 1, 1).tzinfo)
                self.assertEqual((in_county.hour, in_county.minute, in_county.second), (0, 0, 0))
                self.assertEqual(stage.started_at, local(2026, 3, 2, 9))
                self.assertEqual(stage.limit_days, {RESPONSE: 1, REPLY: 5}[stage.kind])


class UncoveredYearTest(DeadlineTestCase):
    def test_a_year_without_official_data_counts_weekdays_and_warns(self):
        with self.assertLogs("wenzheng.workdays.clock", "WARNING") as logs:
            m = self.cast.submit(at=local(2027, 3, 1, 9))  # a Monday
        self.assertEqual(self.due(m, RESPONSE), local(2027, 3, 3))
        self.assertEqual(self.due(m, REPLY), local(2027, 3, 9))
        for stage in m.stages.all():
            self.assertIn("2027年", stage.due_warning)
        self.assertIn("2027", "\n".join(logs.output))
        self.assertEqual(m.serial, "2027-000001")

    def test_a_deadline_running_into_an_uncovered_year_warns_too(self):
        with self.assertLogs("wenzheng.workdays.clock", "WARNING"):
            m = self.cast.submit(at=local(2026, 12, 31, 10))
        # New Year's Day 2027 is not entered yet, so Friday 01-01 counts as working.
        self.assertEqual(self.due(m, RESPONSE), local(2027, 1, 2))
        self.assertEqual(self.due(m, REPLY), local(2027, 1, 8))
        self.assertTrue(all("2027年" in s.due_warning for s in m.stages.all()))

    def test_a_message_in_an_uncovered_year_is_handled_to_the_end(self):
        c = self.cast
        with self.assertLogs("wenzheng.workdays.clock", "WARNING"):
            m = c.submit(at=local(2027, 3, 1, 9))
            actions.respond(message=m, by=c.handler_a, at=local(2027, 3, 2, 9))
            actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2027, 3, 8, 18))
            actions.close(message=m, by=c.leader_a, kind="answered", at=local(2027, 3, 8, 19))
        self.assertEqual(dict(m.stages.values_list("kind", "outcome")), {RESPONSE: "on_time", REPLY: "on_time"})


class OnTimeTest(DeadlineTestCase):
    """Anything strictly before 24:00 of the last day is on time."""

    def test_a_response_at_the_last_second_is_on_time(self):
        m = self.cast.submit(at=local(2026, 3, 2, 9))
        actions.respond(message=m, by=self.cast.handler_a, at=local(2026, 3, 3, 23, 59, 59))
        self.assertEqual(m.stages.get(kind=RESPONSE).outcome, "on_time")

    def test_a_response_at_midnight_is_late(self):
        m = self.cast.submit(at=local(2026, 3, 2, 9))
        actions.respond(message=m, by=self.cast.handler_a, at=local(2026, 3, 4, 0, 0))
        stage = m.stages.get(kind=RESPONSE)
        self.assertEqual((stage.outcome, stage.completed_at), ("late", local(2026, 3, 4)))

    def test_a_reply_without_a_response_completes_both_stages(self):
        m = self.cast.submit(at=local(2026, 3, 2, 9))
        actions.reply(message=m, by=self.cast.handler_a, text="已处理。", at=local(2026, 3, 5, 9))
        self.assertEqual(dict(m.stages.values_list("kind", "outcome")), {RESPONSE: "late", REPLY: "on_time"})
        self.assertEqual(list(m.events.values_list("kind", flat=True)), ["submitted", "responded", "replied"])

    def test_a_late_reply_is_late(self):
        m = self.cast.submit(at=local(2026, 3, 2, 9))
        actions.reply(message=m, by=self.cast.handler_a, text="已处理。", at=local(2026, 3, 10, 0, 0))
        self.assertEqual(m.stages.get(kind=REPLY).outcome, "late")
        self.assertEqual(m.events.latest("seq").data["outcome"], "late")

    def test_overdue_lists_messages_past_an_open_deadline(self):
        m = self.cast.submit(at=local(2026, 3, 2, 9))
        self.assertFalse(Message.objects.overdue(at=local(2026, 3, 3, 23, 59, 59)).exists())
        self.assertEqual(list(Message.objects.overdue(at=local(2026, 3, 4))), [m])
        actions.reply(message=m, by=self.cast.handler_a, text="已处理。", at=local(2026, 3, 4, 9))
        self.assertFalse(Message.objects.overdue(at=local(2026, 3, 20)).exists())


class TransferTest(DeadlineTestCase):
    """A transfer restarts the clock for the receiving unit; a refused transfer
    leaves the unit's clock as it was (it never stopped)."""

    def setUp(self):
        c = self.cast
        self.message = c.submit(at=local(2026, 3, 2, 9))
        self.original = list(self.message.stages.order_by("pk").values_list())

    def test_a_transfer_closes_the_old_units_stages_and_opens_fresh_ones(self):
        c, m = self.cast, self.message
        actions.request_transfer(message=m, by=c.handler_a, reason="路灯归住建局管理。", at=local(2026, 3, 2, 15))
        # The office takes until Thursday, past unit_a's response deadline.
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 5, 10))
        old = m.stages.filter(unit=c.unit_a)
        self.assertEqual(
            set(old.values_list("kind", "outcome", "completed_at")),
            {
                (RESPONSE, "transferred", local(2026, 3, 5, 10)),
                (REPLY, "transferred", local(2026, 3, 5, 10)),
            },
        )
        new = m.stages.filter(unit=c.unit_b, completed_at__isnull=True)
        self.assertEqual(
            set(new.values_list("kind", "started_at")),
            {
                (RESPONSE, local(2026, 3, 5, 10)),
                (REPLY, local(2026, 3, 5, 10)),
            },
        )
        # Counted from Thursday: respond by the end of Friday, reply by the end of next Thursday.
        self.assertEqual(self.due(m, RESPONSE, unit=c.unit_b), local(2026, 3, 7))
        self.assertEqual(self.due(m, REPLY, unit=c.unit_b), local(2026, 3, 13))
        dispatched = m.events.latest("seq")
        self.assertEqual((dispatched.data["from_unit"], dispatched.data["to_unit"]), (c.unit_a.pk, c.unit_b.pk))
        m.refresh_from_db()
        self.assertEqual((m.state, m.unit), (Message.State.DISPATCHED, c.unit_b))
        # The message is now unit_b's, and only unit_b's.
        self.assertRefused("not_your_unit", actions.respond, message=m, by=c.handler_a)
        actions.respond(message=m, by=c.handler_b, at=local(2026, 3, 6, 9))
        self.assertEqual(m.stages.get(unit=c.unit_b, kind=RESPONSE).outcome, "on_time")

    def test_a_response_already_given_stays_on_the_old_units_record(self):
        c, m = self.cast, self.message
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 2, 10))
        actions.request_transfer(message=m, by=c.handler_a, reason="路灯归住建局管理。", at=local(2026, 3, 2, 15))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 3, 10))
        self.assertEqual(
            dict(m.stages.filter(unit=c.unit_a).values_list("kind", "outcome")),
            {
                RESPONSE: "on_time",
                REPLY: "transferred",
            },
        )
        self.assertEqual(m.stages.filter(unit=c.unit_b).count(), 2)

    def test_a_unit_that_hands_back_after_its_deadline_was_late(self):
        c, m = self.cast, self.message
        # Response due by the end of Tuesday 03-03; handed back on Wednesday.
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 4, 9))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 4, 10))
        self.assertEqual(
            dict(m.stages.filter(unit=c.unit_a).values_list("kind", "outcome")),
            {RESPONSE: "late", REPLY: "transferred"},
        )

    def test_a_refused_transfer_gives_the_reply_back_the_days_it_waited(self):
        c, m = self.cast, self.message
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 2, 15))
        actions.reject_transfer(message=m, by=c.county_office, reason="新街属东门镇。", at=local(2026, 3, 5, 10))
        m.refresh_from_db()
        self.assertEqual((m.state, m.unit), (Message.State.DISPATCHED, c.unit_a))
        # The unit could not reply all of Tuesday and Wednesday (and parts of Monday
        # and Thursday: whole days are given back): the reply is due two working days
        # later, at the end of Wednesday 11 March, not of Monday the 9th.
        reply = m.stages.get(kind=REPLY)
        self.assertEqual((reply.held_days, reply.due_at), (2, local(2026, 3, 12)))
        refused = m.events.latest("seq")
        self.assertEqual(refused.data["held_days"], 2)
        # Counted again (the calendar changed), the days held stay given.
        self.assertEqual(recompute_open_deadlines(by=c.admin, at=local(2026, 3, 5, 11)), 0)
        # The response it could give meanwhile kept its clock: it is now late.
        self.assertEqual(self.due(m, RESPONSE), local(2026, 3, 4))
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 5, 11))
        self.assertEqual(m.stages.get(kind=RESPONSE).outcome, "late")
        actions.reply(message=m, by=c.handler_a, text="已修复。", at=local(2026, 3, 11, 17))
        self.assertEqual(m.stages.get(kind=REPLY).outcome, "on_time")
        self.assertEqual(replay.replay().differences, [])

    def test_a_transfer_refused_the_day_it_was_asked_or_the_next_moves_nothing(self):
        c, m = self.cast, self.message
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 2, 15))
        actions.reject_transfer(message=m, by=c.county_office, reason="新街属东门镇。", at=local(2026, 3, 2, 17))
        self.assertEqual(list(m.stages.order_by("pk").values_list()), self.original)
        self.assertNotIn("held_days", m.events.latest("seq").data)
        # A trial: handed back at 23:59 on each last day and refused the next morning,
        # twenty times, a reply was "on time" 25 working days after arrival.
        for day in (3, 4, 5):
            actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, day, 23, 59))
            actions.reject_transfer(message=m, by=c.county_office, reason="属东门镇。", at=local(2026, 3, day + 1, 9))
        self.assertEqual(list(m.stages.order_by("pk").values_list()), self.original)

    def test_the_days_given_back_count_from_when_the_replys_clock_started(self):
        # A trial: handed back, merged, unmerged (a new clock) and refused: the days
        # held were counted from the hand-back, before the new clock existed.
        c, m = self.cast, self.message
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 2, 15))
        reply = m.stages.get(kind=REPLY)
        reply.started_at = local(2026, 3, 4, 10)  # as a clock restarted since
        reply.save(update_fields=["started_at"])
        actions.reject_transfer(message=m, by=c.county_office, reason="属东门镇。", at=local(2026, 3, 6, 9))
        self.assertEqual(m.stages.get(kind=REPLY).held_days, 1)  # Thursday the 5th alone

    def test_a_transfer_asked_after_the_reply_deadline_stays_late(self):
        c, m = self.cast, self.message
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 2, 10))
        # Reply due at the end of Monday 9 March; handed back on the 10th.
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 10, 9))
        actions.reject_transfer(message=m, by=c.county_office, reason="新街属东门镇。", at=local(2026, 3, 16, 9))
        self.assertEqual((m.stages.get(kind=REPLY).held_days, self.due(m, REPLY)), (0, local(2026, 3, 10)))

    def test_a_refused_transfer_of_a_responded_message_returns_it_to_handling(self):
        c, m = self.cast, self.message
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 2, 10))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 2, 15))
        actions.reject_transfer(message=m, by=c.county_office, reason="新街属东门镇。", at=local(2026, 3, 3, 10))
        m.refresh_from_db()
        self.assertEqual(m.state, Message.State.RESPONDED)

    def test_signing_late_while_handed_back_is_not_held_against_the_unit_once_the_office_agrees(self):
        # A trial: the response signed during the wait stayed late; not signing, it
        # would have ended "transferred" and counted for nobody.
        c, m = self.cast, self.message
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 3, 9))
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 5, 9))  # due at the end of the 3rd
        self.assertEqual(m.stages.get(kind=RESPONSE, unit=c.unit_a).outcome, "late")
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 9, 9))
        self.assertEqual(m.stages.get(kind=RESPONSE, unit=c.unit_a).outcome, "transferred")
        self.assertEqual(replay.replay().differences, [])

    def test_a_unit_signs_for_a_message_while_its_hand_back_waits(self):
        # Asked before 签收, the unit could not 签收 while the office took its time: the
        # response went late with nothing the unit could do.
        c, m = self.cast, self.message
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 2, 15))
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 2, 16))
        m.refresh_from_db()
        self.assertEqual(m.state, Message.State.TRANSFER_REQUESTED, "still handed back: the office decides")
        self.assertEqual(m.stages.get(kind=RESPONSE).outcome, "on_time")
        self.assertRefused("already_responded", actions.respond, message=m, by=c.handler_a)
        actions.reject_transfer(message=m, by=c.county_office, reason="新街属东门镇。", at=local(2026, 3, 5, 10))
        m.refresh_from_db()
        self.assertEqual(m.state, Message.State.RESPONDED)
        self.assertEqual(replay.replay().differences, [])

    def test_it_rejects_a_transfer_back_to_the_same_unit_or_without_a_note(self):
        c, m = self.cast, self.message
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 2, 15))
        self.assertRefused("same_unit", actions.dispatch, message=m, by=c.county_office, unit=c.unit_a, note="x")
        self.assertRefused("missing_text", actions.dispatch, message=m, by=c.county_office, unit=c.unit_b, note=" ")
        self.assertRefused(
            "unit_outside_region", actions.dispatch, message=m, by=c.county_office, unit=c.unit_c, note="x"
        )

    def test_it_rejects_a_transfer_without_a_reason(self):
        c, m = self.cast, self.message
        self.assertRefused("missing_text", actions.request_transfer, message=m, by=c.handler_a, reason="")

    def test_a_dispatch_from_the_queue_starts_the_clock_at_dispatch(self):
        c = self.cast
        m = c.submit(unit=None, at=local(2026, 3, 2, 9))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_a, at=local(2026, 3, 4, 16))
        self.assertEqual(self.due(m, RESPONSE), local(2026, 3, 6))
        self.assertEqual(self.due(m, REPLY), local(2026, 3, 12))

    def test_the_receiving_unit_can_ask_for_its_own_extension(self):
        c, m = self.cast, self.message
        stale = actions.request_extension(
            message=m, by=c.handler_a, days=5, reason="需协调。", at=local(2026, 3, 2, 10)
        )
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 2, 15))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 3, 10))
        # unit_a's request went with unit_a's stage: it no longer stands in the way.
        stale.refresh_from_db()
        self.assertEqual((stale.status, stale.decided_by, stale.decided_at), ("lapsed", None, local(2026, 3, 3, 10)))
        self.assertIn("转办", stale.decision_note)
        ended = m.events.get(kind="extension_lapsed")
        self.assertEqual((ended.unit, ended.data["request"]), (c.unit_a, stale.pk))
        request = actions.request_extension(
            message=m, by=c.handler_b, days=2, reason="需现场勘查。", at=local(2026, 3, 4, 9)
        )
        actions.approve_extension(request=request, by=c.county_office, at=local(2026, 3, 4, 10))
        stage = m.stages.get(unit=c.unit_b, kind=REPLY)
        self.assertEqual((stage.extension_days, stage.due_at), (2, local(2026, 3, 13)))


class ExtensionTest(DeadlineTestCase):
    """Asked before the reply deadline, approved by the county office, at most the
    category's total (15 working days by default)."""

    def setUp(self):
        self.message = self.cast.submit(at=local(2026, 3, 2, 9))  # reply due: end of Monday 03-09

    def ask(self, days, *, at=None, message=None):
        return actions.request_extension(
            message=message or self.message,
            by=self.cast.handler_a,
            days=days,
            reason="需现场勘查。",
            at=at or local(2026, 3, 4, 9),
        )

    def approve(self, request, *, at=None):
        return actions.approve_extension(request=request, by=self.cast.county_office, at=at or local(2026, 3, 4, 10))

    def test_an_approved_extension_moves_the_reply_deadline_by_working_days(self):
        self.approve(self.ask(3))
        stage = self.message.stages.get(kind=REPLY)
        self.assertEqual((stage.due_at, stage.extension_days), (local(2026, 3, 13), 3))
        # The response deadline is not extended.
        self.assertEqual(self.due(self.message, RESPONSE), local(2026, 3, 4))
        actions.reply(message=self.message, by=self.cast.handler_a, text="已处理。", at=local(2026, 3, 12, 20))
        self.assertEqual(self.message.stages.get(kind=REPLY).outcome, "on_time")

    def test_an_extension_skips_the_holidays(self):
        m = self.cast.submit(at=local(2026, 9, 22, 9))
        # 09-23, 09-24, (Mid-autumn), 09-28, 09-29, 09-30: reply by the end of 09-30.
        self.assertEqual(self.due(m, REPLY), local(2026, 10, 1))
        self.approve(self.ask(2, message=m, at=local(2026, 9, 29, 9)), at=local(2026, 9, 30, 9))
        # Two more: 10-08 and 10-09, after National Day.
        self.assertEqual(self.due(m, REPLY), local(2026, 10, 10))

    def test_an_extension_may_be_asked_until_the_last_second(self):
        request = self.ask(3, at=local(2026, 3, 9, 23, 59, 59))
        # Approved after the original deadline has passed: still counted from it.
        self.approve(request, at=local(2026, 3, 11, 9))
        self.assertEqual(self.due(self.message, REPLY), local(2026, 3, 13))

    def test_it_rejects_an_extension_asked_after_the_deadline(self):
        self.assertRefused("too_late", self.ask, 3, at=local(2026, 3, 10, 0, 0))

    def test_it_rejects_an_extension_once_replied(self):
        actions.reply(message=self.message, by=self.cast.handler_a, text="已处理。", at=local(2026, 3, 3, 9))
        self.assertRefused("wrong_state", self.ask, 3)

    def test_a_request_pending_when_the_unit_replies_lapses_with_the_reply(self):
        """Found by a newcomer: it stayed in the office's queue, which could then only
        refuse it ("该留言已经回复，无需延期"), and in its count of work to do."""
        pending = self.ask(3)
        actions.reply(message=self.message, by=self.cast.handler_a, text="已处理。", at=local(2026, 3, 5, 9))
        pending.refresh_from_db()
        self.assertEqual(
            (pending.status, pending.decided_at, pending.decision_note),
            ("lapsed", local(2026, 3, 5, 9), "留言已回复，延期申请随之失效。"),
        )
        self.assertEqual(self.message.stages.get(kind=REPLY).extension_days, 0)
        kinds = list(self.message.events.order_by("seq").values_list("kind", flat=True))
        # Lapsed, not refused: nobody decided it (it read as the office's, or the
        # approving leader's, 不同意延期).
        self.assertEqual(kinds[-2:], [Event.Kind.REPLIED, Event.Kind.EXTENSION_LAPSED])
        self.assertIsNone(pending.decided_by)
        self.assertFalse(Notice.objects.filter(kind=Notice.Kind.DECIDED).exists(), "the reply says it all")
        refusal = self.assertRefused("already_decided", self.approve, pending)
        self.assertEqual(refusal.reason, "该延期申请已处理（已失效：留言已回复，延期申请随之失效）。")

    def reply_late(self, at=None):
        actions.reply(message=self.message, by=self.cast.handler_a, text="已处理。", at=at or local(2026, 3, 11, 9))
        return self.message.stages.get(kind=REPLY)

    def test_a_request_asked_in_time_outlives_a_late_reply_and_approved_the_reply_is_on_time(self):
        """A unit that replied while the office sat on its request was late, and one that
        waited for the approval, then replied, was on time: the reply lapsed the request."""
        pending = self.ask(3)
        stage = self.reply_late()
        pending.refresh_from_db()
        self.assertEqual((pending.status, stage.outcome), ("pending", "late"))
        self.approve(pending, at=local(2026, 3, 12, 10))
        stage.refresh_from_db()
        # 24:00 Monday 9 March plus three working days: the reply on the 11th is in time.
        self.assertEqual((stage.due_at, stage.extension_days, stage.outcome), (local(2026, 3, 13), 3, "on_time"))
        event = self.message.events.latest("seq")
        self.assertEqual((event.kind, event.data["reply_outcome"]), ("extension_approved", "on_time"))
        self.assertEqual(
            event.data["stages"],
            [{"id": stage.pk, "due_at": event.data["stages"][0]["due_at"], "extension_days": 3, "outcome": "on_time"}],
        )
        self.assertEqual(replay.replay().differences, [])

    def test_approved_after_a_reply_later_than_the_moved_deadline_the_reply_stays_late(self):
        pending = self.ask(3)
        stage = self.reply_late(at=local(2026, 3, 13, 9))  # past 24:00 on the 12th
        self.approve(pending, at=local(2026, 3, 16, 9))
        stage.refresh_from_db()
        self.assertEqual((stage.due_at, stage.extension_days, stage.outcome), (local(2026, 3, 13), 3, "late"))
        self.assertEqual(self.message.events.latest("seq").data["reply_outcome"], "late")

    def test_refused_after_a_late_reply_the_reply_stays_late(self):
        pending = self.ask(3)
        stage = self.reply_late()
        actions.reject_extension(
            request=pending, by=self.cast.county_office, reason="理由不充分。", at=local(2026, 3, 12)
        )
        stage.refresh_from_db()
        self.assertEqual((stage.due_at, stage.extension_days, stage.outcome), (local(2026, 3, 10), 0, "late"))
        self.assertEqual(self.message.events.latest("seq").data["reply_outcome"], "late")

    def test_a_decision_after_closure_and_reopening_judges_only_the_late_reply_again(self):
        c, m = self.cast, self.message
        pending = self.ask(3)
        first = self.reply_late()
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 11, 10))
        actions.reopen(message=m, by=c.county_office, reason="未答清楚。", at=local(2026, 3, 12, 9))
        reopened = m.open_stage(REPLY)
        # The reopened stage answered in time: the first stage's request still waits.
        actions.reply(message=m, by=c.handler_a, text="补充答复。", at=local(2026, 3, 13, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 13, 10))
        pending.refresh_from_db()
        self.assertEqual(pending.status, "pending")
        self.approve(pending, at=local(2026, 3, 16, 9))
        first.refresh_from_db()
        reopened.refresh_from_db()
        self.assertEqual((first.due_at, first.outcome), (local(2026, 3, 13), "on_time"))
        self.assertEqual((reopened.extension_days, reopened.outcome), (0, "on_time"))
        m.refresh_from_db()
        self.assertEqual(m.state, "closed")
        # The days approved count against the allowance the reopening shares.
        self.assertEqual(m.extension_days_used(), 3)

    def test_a_request_left_pending_after_the_reply_by_an_older_version_is_refused_not_approved(self):
        """Before the reply ended a pending request, a database could keep one pending
        after a reply in time. Approving it must not move that stage's deadline (only a
        late reply's is judged again); the office can still turn it down, which changes
        no deadline and no outcome."""
        stuck = self.ask(3)
        actions.reply(message=self.message, by=self.cast.handler_a, text="已处理。", at=local(2026, 3, 4, 9, 30))
        ExtensionRequest.objects.filter(pk=stuck.pk).update(status="pending", decided_at=None, decision_note="")
        stuck.refresh_from_db()
        self.assertRefused("stage_completed", self.approve, stuck)
        stuck.refresh_from_db()
        self.assertEqual(stuck.status, "pending")
        actions.reject_extension(request=stuck, by=self.cast.county_office, reason="已回复。", at=local(2026, 3, 4, 11))
        stuck.refresh_from_db()
        self.assertEqual((stuck.status, stuck.decision_note), ("rejected", "已回复。"))
        stage = self.message.stages.get(kind=REPLY)
        self.assertEqual((stage.outcome, stage.extension_days), ("on_time", 0))

    def reopened_after_a_late_reply(self):
        """Asked in time, replied late (the request waits), closed and reopened."""
        c, m = self.cast, self.message
        pending = self.ask(3)
        first = self.reply_late()
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 11, 10))
        actions.reopen(message=m, by=c.county_office, reason="未答清楚。", at=local(2026, 3, 12, 9))
        return pending, first

    def test_a_request_about_a_reply_before_a_reopening_outlives_a_transfer(self):
        """The request concerns the first reply, given at unit_a before the reopening.
        The transfer that ends unit_a's reopened stage lapsed it too, and the first
        reply stayed late forever, the office never having decided."""
        c, m = self.cast, self.message
        pending, first = self.reopened_after_a_late_reply()
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 12, 11))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 13, 9))
        pending.refresh_from_db()
        self.assertEqual(pending.status, "pending")
        self.assertFalse(m.events.filter(kind=Event.Kind.EXTENSION_LAPSED).exists())
        # unit_b's own clock and allowance: unit_a's request takes none of it.
        own = actions.request_extension(
            message=m, by=c.handler_b, days=15, reason="需协调。", at=local(2026, 3, 13, 10)
        )
        self.approve(own, at=local(2026, 3, 13, 11))
        # The office decides unit_a's request: unit_a's allowance, unit_a's stage.
        self.approve(pending, at=local(2026, 3, 16, 9))
        first.refresh_from_db()
        self.assertEqual((first.due_at, first.extension_days, first.outcome), (local(2026, 3, 13), 3, "on_time"))
        approved = m.events.filter(kind=Event.Kind.EXTENSION_APPROVED).latest("seq")
        self.assertEqual((approved.unit, approved.data["reply_outcome"]), (c.unit_a, "on_time"))
        self.assertEqual(m.open_stage(REPLY).extension_days, 15, "unit_b's stage is not moved")
        self.assertEqual(replay.replay().differences, [])

    def test_a_reopened_stage_ended_by_a_transfer_lapses_its_own_request_only(self):
        c, m = self.cast, self.message
        pending, first = self.reopened_after_a_late_reply()
        own = self.ask(2, at=local(2026, 3, 12, 10))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 12, 11))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 13, 9))
        pending.refresh_from_db()
        own.refresh_from_db()
        self.assertEqual((pending.status, own.status), ("pending", "lapsed"))
        lapsed = m.events.get(kind=Event.Kind.EXTENSION_LAPSED)
        self.assertEqual((lapsed.unit, lapsed.data["request"]), (c.unit_a, own.pk))
        actions.reject_extension(request=pending, by=c.county_office, reason="理由不充分。", at=local(2026, 3, 16, 9))
        first.refresh_from_db()
        self.assertEqual(first.outcome, "late")
        self.assertEqual(m.events.latest("seq").unit, c.unit_a)

    def test_a_request_about_a_reply_already_given_outlives_a_spam_mark(self):
        """The same for a step that stops the clocks for nobody: the reply given
        before it stays the office's to judge (a mark undone counts it again)."""
        c, m = self.cast, self.message
        pending = self.ask(3)
        self.reply_late()
        actions.mark_spam(message=m, by=c.county_office, reason="广告。", at=local(2026, 3, 12, 9))
        pending.refresh_from_db()
        self.assertEqual(pending.status, "pending")

    def test_a_reopened_stage_may_ask_while_the_first_replys_request_waits(self):
        m = self.message
        pending, first = self.reopened_after_a_late_reply()
        # One waits per reply stage, within what is left of unit_a's 15 days: the 3
        # waiting are held back for it, as if approved.
        refusal = self.assertRefused("too_many_days", self.ask, 13, at=local(2026, 3, 12, 10))
        self.assertIn("另有3个工作日待审批", refusal.reason)
        self.assertIn("最多还可申请12个工作日", refusal.reason)
        own = self.ask(12, at=local(2026, 3, 12, 10))
        self.assertEqual(own.stage, m.open_stage(REPLY))
        self.assertRefused("already_pending", self.ask, 1, at=local(2026, 3, 12, 11))
        # Approving one does not count it twice, waiting and approved.
        self.approve(pending, at=local(2026, 3, 13, 9))
        self.approve(own, at=local(2026, 3, 13, 10))
        self.assertEqual(m.extension_days_used(), 15)
        first.refresh_from_db()
        self.assertEqual((first.extension_days, first.outcome), (3, "on_time"))
        self.assertEqual(m.open_stage(REPLY).extension_days, 12)
        self.assertRefused("too_many_days", self.ask, 1, at=local(2026, 3, 13, 11))

    def test_a_recount_that_finds_a_late_reply_in_time_lapses_its_request(self):
        """A reply judged late against a weekdays-only guess, its request waiting, is
        on time once the real calendar is entered: the request lapses as one does
        when the reply is in time (approving it was refused, "该留言已经回复")."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        m = c.submit(at=local(2026, 12, 31, 9))
        # By the guess 01-01 is worked: the reply is due at the end of 01-07.
        self.assertEqual(self.due(m, REPLY), local(2027, 1, 8))
        pending = self.ask(3, message=m, at=local(2027, 1, 5, 9))
        actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2027, 1, 8, 10))
        pending.refresh_from_db()
        self.assertEqual((m.stages.get(kind=REPLY).outcome, pending.status), ("late", "pending"))
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
        rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 11, 9))
        stage = m.stages.get(kind=REPLY)
        self.assertEqual((stage.due_at, stage.outcome), (local(2027, 1, 9), "on_time"))
        pending.refresh_from_db()
        self.assertEqual(
            (pending.status, pending.decided_by, pending.decided_at),
            ("lapsed", None, local(2027, 1, 11, 9)),
        )
        self.assertEqual(pending.decision_note, "节假日安排录入后，回复在期限内，延期申请随之失效。")
        kinds = list(m.events.order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds[-2:], [Event.Kind.STAGE_REJUDGED, Event.Kind.EXTENSION_LAPSED])
        lapsed = m.events.latest("seq")
        self.assertEqual(
            (lapsed.unit, lapsed.data["request"], lapsed.note), (c.unit_a, pending.pk, pending.decision_note)
        )
        self.assertRefused("already_decided", self.approve, pending, at=local(2027, 1, 11, 10))
        self.assertEqual(replay.replay().differences, [])

    def test_a_recount_that_finds_the_reply_late_again_restores_the_request_it_lapsed(self):
        """The county enters 2027 a day at a time, and a recount runs in between: with
        01-01 entered as a holiday the late reply was in time and its request lapsed;
        the day taken out again (entered in error), the reply is late, its request
        asked in time, and the office never decided it: it waits for the office again
        (the unit can ask no more: its reply is given and its deadline past)."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages

        c = self.cast
        m = c.submit(at=local(2026, 12, 31, 9))  # by the guess the reply is due at the end of 01-07
        pending = self.ask(3, message=m, at=local(2027, 1, 5, 9))
        actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2027, 1, 8, 10))
        day = CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 11, 9))
        pending.refresh_from_db()
        self.assertEqual((m.stages.get(kind=REPLY).outcome, pending.status), ("on_time", "lapsed"))
        day.delete()
        rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 11, 10))
        stage = m.stages.get(kind=REPLY)
        self.assertEqual((stage.due_at, stage.outcome), (local(2027, 1, 8), "late"))
        pending.refresh_from_db()
        self.assertEqual(
            (pending.status, pending.decided_by, pending.decided_at, pending.decision_note), ("pending", None, None, "")
        )
        kinds = list(m.events.order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds[-2:], [Event.Kind.STAGE_REJUDGED, Event.Kind.EXTENSION_RESTORED])
        restored = m.events.latest("seq")
        self.assertEqual((restored.unit, restored.data["request"]), (c.unit_a, pending.pk))
        self.assertEqual(restored.note, "节假日安排录入后，回复超过期限，延期申请恢复待审批。")
        # Decided as any request left waiting by a late reply: approved, the reply is in time.
        self.approve(pending, at=local(2027, 1, 11, 11))
        self.assertEqual(m.stages.get(kind=REPLY).outcome, "on_time")
        self.assertEqual(replay.replay().differences, [])

    def test_a_reply_the_real_calendar_finds_late_restores_the_request_the_reply_lapsed(self):
        """By the guess the reply was in time, and it lapsed the waiting request; the
        real calendar's make-up Saturday (01-02) brings the deadline a day forward,
        and the reply is late: the request asked in time waits for the office, as
        it would have had the reply been late from the start. One asked after the
        real deadline (in time only by the guess) stays lapsed."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        asked_in_time, asked_late = c.submit(at=local(2026, 12, 31, 9)), c.submit(at=local(2026, 12, 31, 9))
        first = self.ask(3, message=asked_in_time, at=local(2027, 1, 5, 9))
        second = self.ask(3, message=asked_late, at=local(2027, 1, 7, 9))
        for m in (asked_in_time, asked_late):
            actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2027, 1, 7, 10))
        first.refresh_from_db()
        self.assertEqual(first.status, "lapsed")
        CalendarDay.objects.create(date=dt.date(2027, 1, 2), kind="workday", name="元旦调休")
        CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
        rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 11, 9))
        for m in (asked_in_time, asked_late):
            stage = m.stages.get(kind=REPLY)
            self.assertEqual((stage.due_at, stage.due_warning, stage.outcome), (local(2027, 1, 7), "", "late"))
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual((first.status, second.status), ("pending", "lapsed"))
        self.assertEqual(second.decision_note, "留言已回复，延期申请随之失效。")
        self.assertFalse(asked_late.events.filter(kind=Event.Kind.EXTENSION_RESTORED).exists())
        self.assertEqual(replay.replay().differences, [])

    def test_it_rejects_more_than_fifteen_working_days_in_all(self):
        refusal = self.assertRefused("too_many_days", self.ask, 16)
        self.assertIn("15", refusal.reason)
        self.approve(self.ask(10))
        refusal = self.assertRefused("too_many_days", self.ask, 6, at=local(2026, 3, 5, 9))
        self.assertIn("最多还可申请5个工作日", refusal.reason)
        self.approve(self.ask(5, at=local(2026, 3, 5, 9)), at=local(2026, 3, 5, 10))
        stage = self.message.stages.get(kind=REPLY)
        self.assertEqual(stage.extension_days, 15)
        # 03-09 plus 15 working days: 03-10 .. 03-30.
        self.assertEqual(stage.due_at, local(2026, 3, 31))
        self.assertRefused("too_many_days", self.ask, 1, at=local(2026, 3, 6, 9))

    def test_a_reopening_does_not_renew_the_allowance_but_a_transfer_gives_its_own(self):
        """Issue 10: one message received 45 working days of extensions: 15 at one unit,
        15 at the next after a transfer and 15 more after a reopening. DOMAIN.md: at
        most 15 in total for a message at one unit; a transfer gives the receiving
        unit its own allowance."""
        c, m = self.cast, self.message
        self.approve(self.ask(15))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 5, 9))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 5, 10))
        at_b = actions.request_extension(message=m, by=c.handler_b, days=15, reason="需协调。", at=local(2026, 3, 6))
        self.approve(at_b, at=local(2026, 3, 6, 10))
        actions.reply(message=m, by=c.handler_b, text="已处理。", at=local(2026, 3, 9, 9))
        actions.close(message=m, by=c.leader_b, kind="answered", at=local(2026, 3, 9, 10))
        actions.reopen(message=m, by=c.county_office, reason="未答清楚。", at=local(2026, 3, 10, 9))
        refusal = self.assertRefused(
            "too_many_days",
            actions.request_extension,
            message=m,
            by=c.handler_b,
            days=1,
            reason="还需时间。",
            at=local(2026, 3, 11, 9),
        )
        self.assertIn("重办不重新计算", refusal.reason)
        self.assertIn("已延期15个工作日", refusal.reason)
        approved = m.extension_requests.filter(status="approved")
        self.assertEqual(
            sorted(approved.values_list("stage__unit__name", "days")), [("东门镇", 15), ("县住房和城乡建设局", 15)]
        )

    def test_a_reopening_shares_what_is_left_of_the_allowance(self):
        c, m = self.cast, self.message
        self.approve(self.ask(10))
        actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2026, 3, 5, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 5, 10))
        actions.reopen(message=m, by=c.county_office, reason="未答清楚。", at=local(2026, 3, 6, 9))
        refusal = self.assertRefused("too_many_days", self.ask, 6, at=local(2026, 3, 9, 9))
        self.assertIn("最多还可申请5个工作日", refusal.reason)
        self.approve(self.ask(5, at=local(2026, 3, 9, 9)), at=local(2026, 3, 9, 10))
        self.assertEqual(m.open_stage(REPLY).extension_days, 5)

    def test_the_total_is_configurable_per_category(self):
        Category.objects.filter(code="consultation").update(max_extension_days=20)
        self.approve(self.ask(16))
        self.assertEqual(self.message.stages.get(kind=REPLY).extension_days, 16)
        Category.objects.filter(code="appeal").update(max_extension_days=5)
        appeal = self.cast.submit(at=local(2026, 3, 2, 9), category=Category.objects.get(code="appeal"))
        self.assertRefused("too_many_days", self.ask, 6, message=appeal)
        self.ask(5, message=appeal)

    def test_it_rejects_a_second_request_while_one_is_pending(self):
        first = self.ask(2)
        self.assertRefused("already_pending", self.ask, 1)
        actions.reject_extension(
            request=first, by=self.cast.county_office, reason="理由不充分。", at=local(2026, 3, 4, 10)
        )
        self.assertEqual(self.due(self.message, REPLY), local(2026, 3, 10))
        self.ask(1, at=local(2026, 3, 4, 11))

    def test_it_rejects_a_number_of_days_that_is_not_a_positive_whole_number(self):
        for days in (0, -1, "3", 1.5):
            with self.subTest(days=days):
                self.assertRefused("bad_days", self.ask, days)

    def test_it_rejects_an_extension_without_a_reason(self):
        self.assertRefused(
            "missing_text",
            actions.request_extension,
            message=self.message,
            by=self.cast.handler_a,
            days=2,
            reason="",
            at=local(2026, 3, 4, 9),
        )

    def test_the_decision_is_recorded(self):
        request = self.approve(self.ask(3))
        request.refresh_from_db()
        self.assertEqual(
            (request.status, request.decided_by, request.decided_at),
            ("approved", self.cast.county_office, local(2026, 3, 4, 10)),
        )
        event = self.message.events.latest("seq")
        self.assertEqual((event.kind, event.data["days"]), ("extension_approved", 3))


class HeldDaysAndExtensionTest(DeadlineTestCase):
    """A hand-back asked after the reply's deadline, but before the deadline an
    extension asked in time and still waiting would give: whether the refusal gives
    back the days it waited depended on which the office decided first."""

    def handed_back_while_an_extension_waits(self):
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9))  # reply due at the end of Monday 03-09
        asked = actions.request_extension(message=m, by=c.handler_a, days=3, reason="需核实。", at=local(2026, 3, 4, 9))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 10, 9))
        return m, asked

    def approve(self, asked, at):
        actions.approve_extension(request=asked, by=self.cast.county_office, at=at)

    def refuse_hand_back(self, m, at):
        actions.reject_transfer(message=m, by=self.cast.county_office, reason="属东门镇。", at=at)

    def test_the_deadline_is_the_same_whichever_the_office_decides_first(self):
        first = self.handed_back_while_an_extension_waits()
        self.approve(first[1], local(2026, 3, 16, 9))
        self.refuse_hand_back(first[0], local(2026, 3, 16, 10))
        second = self.handed_back_while_an_extension_waits()
        self.refuse_hand_back(second[0], local(2026, 3, 16, 9))
        self.approve(second[1], local(2026, 3, 16, 10))
        # Extended to the end of 03-12, the hand-back of 03-10 was asked in time: it
        # held the reply all of 03-11, 12 and 13. 5 + 3 + 3 working days from 03-02.
        for m, _asked in (first, second):
            with self.subTest(serial=m.serial):
                reply = m.stages.get(kind=REPLY)
                self.assertEqual((reply.extension_days, reply.held_days, reply.due_at), (3, 3, local(2026, 3, 18)))
        # Told to the unit with the decision that moved it.
        self.assertEqual(second[0].events.latest("seq").data["held_days"], 3)
        # Counted again, the calendar unchanged, nothing moves; the events say it all.
        self.assertEqual(recompute_open_deadlines(by=self.cast.admin, at=local(2026, 3, 16, 11)), 0)
        self.assertEqual(replay.replay().differences, [])

    def test_refused_the_extension_the_late_hand_back_gives_nothing_back_either_way(self):
        c = self.cast
        m, asked = self.handed_back_while_an_extension_waits()
        self.refuse_hand_back(m, local(2026, 3, 16, 9))
        actions.reject_extension(request=asked, by=c.county_office, reason="不充分。", at=local(2026, 3, 16, 10))
        reply = m.stages.get(kind=REPLY)
        self.assertEqual((reply.extension_days, reply.held_days, reply.due_at), (0, 0, local(2026, 3, 10)))
        self.assertEqual(recompute_open_deadlines(by=c.admin, at=local(2026, 3, 16, 11)), 0)

    def test_approved_after_a_late_reply_the_days_held_count_in_judging_it(self):
        c = self.cast
        m, asked = self.handed_back_while_an_extension_waits()
        self.refuse_hand_back(m, local(2026, 3, 16, 9))
        actions.reply(message=m, by=c.handler_a, text="已修复。", at=local(2026, 3, 17, 9))
        self.assertEqual(m.stages.get(kind=REPLY).outcome, "late")
        self.approve(asked, local(2026, 3, 18, 9))
        reply = m.stages.get(kind=REPLY)
        self.assertEqual((reply.held_days, reply.due_at, reply.outcome), (3, local(2026, 3, 18), "on_time"))
        self.assertEqual(replay.replay().differences, [])


class FrozenOutcomeTest(DeadlineTestCase):
    """A stage's outcome is fixed when it completes; later changes of the limits or
    the calendar never rewrite it."""

    def test_changing_the_limits_or_the_calendar_leaves_completed_stages_alone(self):
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9))
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 3, 9))  # on time
        actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2026, 3, 11, 9))  # late by a day
        before = list(m.stages.order_by("pk").values_list())
        self.assertEqual(list(m.stages.order_by("pk").values_list("outcome", flat=True)), ["on_time", "late"])
        # The county lengthens its limits and declares 03-03 a holiday after the fact.
        Category.objects.filter(code="consultation").update(response_days=3, reply_days=10)
        CalendarDay.objects.create(date=dt.date(2026, 3, 3), kind="holiday", name="临时休假")
        recompute_open_deadlines(by=c.admin, at=local(2026, 3, 12, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 12, 10))
        self.assertEqual(list(m.stages.order_by("pk").values_list()), before)

    def test_a_stage_judged_against_a_weekday_guess_is_judged_again_with_the_real_calendar(self):
        """Issue 10: a message of 2026-12-31 got a weekdays-only response deadline on
        2027-01-01 (元旦, before the 2027 calendar was entered) and the unit responded
        on 01-04: late. Entering 2027 judges it again: on time, with an event."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        m = c.submit(at=local(2026, 12, 31, 9))
        stage = m.stages.get(kind=RESPONSE)
        self.assertEqual(stage.due_at, local(2027, 1, 2))  # Friday 01-01 counted as a working day
        self.assertIn("2027年的节假日安排尚未录入", stage.due_warning)
        actions.respond(message=m, by=c.handler_a, at=local(2027, 1, 4, 9))
        stage.refresh_from_db()
        self.assertEqual(stage.outcome, "late")
        self.assertEqual(rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 5)), 0, "nothing entered yet")

        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
        self.assertEqual(rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 5, 9)), 1)
        stage.refresh_from_db()
        self.assertEqual((stage.due_at, stage.due_warning, stage.outcome), (local(2027, 1, 5), "", "on_time"))
        event = m.events.get(kind="stage_rejudged")
        self.assertEqual((event.actor, event.unit, event.at), (c.admin, c.unit_a, local(2027, 1, 5, 9)))
        self.assertEqual((event.data["outcome_from"], event.data["outcome_to"]), ("late", "on_time"))
        self.assertEqual(
            event.note, "节假日安排录入后重新判定：回应期限由2027-01-01改为2027-01-04，结果由“超期”改为“按时”。"
        )
        # Judged once: a second recount finds nothing left to judge.
        self.assertEqual(rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 6)), 0)

    def test_a_merge_past_a_guessed_deadline_is_judged_again_as_a_merge_not_as_an_answer(self):
        """Merged (并单) on 01-04 past a guessed deadline of 01-01: its clock ended late.
        With 元旦 entered, the deadline is 01-04 and the merge came before it: the clock
        stopped for nobody, as any merge's, never counted as the unit's timely answer."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        main = c.submit(at=local(2026, 12, 30, 9))
        m = c.submit(unit="b", at=local(2026, 12, 31, 9))
        actions.merge_duplicate(message=m, into=main, by=c.county_office, reason="同一问题", at=local(2027, 1, 4, 9))
        stage = m.stages.get(kind=RESPONSE)
        self.assertEqual(stage.outcome, "late")
        # A spam mark's clock, stopped late against the same guess (it stays late
        # should the mark be undone), is stopped for nobody once it turns out in time.
        spam = c.submit(at=local(2026, 12, 31, 10))
        actions.mark_spam(message=spam, by=c.county_office, reason="广告", at=local(2027, 1, 4, 9))
        self.assertEqual(set(spam.stages.values_list("kind", "outcome")), {(RESPONSE, "late"), (REPLY, "spam")})
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
        rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 5, 9))
        stage.refresh_from_db()
        self.assertEqual((stage.due_at, stage.outcome), (local(2027, 1, 5), "merged"))
        self.assertEqual(set(spam.stages.values_list("outcome", flat=True)), {"spam"})

    def test_a_hand_back_judged_late_against_the_guess_can_turn_out_in_time(self):
        """Handed back on 01-04 against a guessed deadline of 01-01: late. With 元旦
        entered, the deadline is 01-04 and the hand-back came before it: transferred,
        not counted against the unit."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        m = c.submit(unit="b", at=local(2026, 12, 31, 9))
        actions.request_transfer(message=m, by=c.handler_b, reason="不属本单位。", at=local(2027, 1, 4, 9))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_a, note="转东门镇。", at=local(2027, 1, 4, 10))
        old = m.stages.get(unit=c.unit_b, kind=RESPONSE)
        self.assertEqual(old.outcome, "late")
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="通知")
        rejudge_fallback_stages(by=None, at=local(2027, 1, 5))
        old.refresh_from_db()
        self.assertEqual((old.due_at, old.outcome), (local(2027, 1, 5), "transferred"))
        self.assertEqual(m.stages.get(unit=c.unit_b, kind=REPLY).outcome, "transferred")

    def test_a_response_signed_late_while_handed_back_stays_excused_when_judged_again(self):
        """Signed late while its hand-back waited, then transferred: judged as
        transferred (actions._excuse_signed_while_handed_back). Judged again with the
        real calendar, it was judged as a plain late response."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        m = c.submit(at=local(2027, 3, 1, 9))  # response due at the end of 03-02
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2027, 3, 2, 10))
        actions.respond(message=m, by=c.handler_a, at=local(2027, 3, 4, 9))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2027, 3, 5, 9))
        # And one signed in time while handed back stays on time.
        on_time = c.submit(at=local(2027, 3, 1, 10))
        actions.request_transfer(message=on_time, by=c.handler_a, reason="不属本镇。", at=local(2027, 3, 1, 11))
        actions.respond(message=on_time, by=c.handler_a, at=local(2027, 3, 2, 9))
        actions.dispatch(message=on_time, by=c.county_office, unit=c.unit_b, note="转。", at=local(2027, 3, 5, 9))
        signed = m.stages.get(kind=RESPONSE, unit=c.unit_a)
        self.assertEqual(signed.outcome, "transferred")
        self.assertEqual(on_time.stages.get(kind=RESPONSE, unit=c.unit_a).outcome, "on_time")
        CalendarYear.objects.create(year=2027, source="通知")
        rejudge_fallback_stages(by=c.admin, at=local(2027, 3, 6, 9))
        signed.refresh_from_db()
        self.assertEqual((signed.due_warning, signed.outcome), ("", "transferred"))
        self.assertEqual(on_time.stages.get(kind=RESPONSE, unit=c.unit_a).outcome, "on_time")
        self.assertEqual(m.stages.get(kind=REPLY, unit=c.unit_a).outcome, "transferred")

    def test_re_judging_goes_either_way(self):
        """A make-up working day the guess did not know of brings a deadline forward:
        a reply on time against the guess is late against the real calendar."""
        from wenzheng.handling.deadlines import rejudge_fallback_stages
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        m = c.submit(at=local(2026, 12, 31, 9))
        actions.respond(message=m, by=c.handler_a, at=local(2026, 12, 31, 10))
        # Five weekdays after 12-31 by the guess: 01-01, 04, 05, 06, 07.
        actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2027, 1, 7, 9))
        self.assertEqual(m.stages.get(kind=REPLY).outcome, "on_time")
        # The real (here invented) schedule: Saturday 01-02 is worked, so 01-01, 02, 04, 05, 06.
        CalendarDay.objects.create(date=dt.date(2027, 1, 2), kind="workday", name="调休上班")
        CalendarYear.objects.create(year=2027, source="假设的安排")
        self.assertEqual(rejudge_fallback_stages(by=None, at=local(2027, 1, 8)), 2)
        reply, response = m.stages.get(kind=REPLY), m.stages.get(kind=RESPONSE)
        self.assertEqual((reply.due_at, reply.outcome, reply.due_warning), (local(2027, 1, 7), "late", ""))
        self.assertEqual((response.outcome, response.due_warning), ("on_time", ""))
        notes = dict(m.events.filter(kind="stage_rejudged").values_list("data__stage", "note"))
        self.assertEqual(
            notes["reply"], "节假日安排录入后重新判定：回复期限由2027-01-07改为2027-01-06，结果由“按时”改为“超期”。"
        )
        self.assertEqual(
            notes["response"], "节假日安排录入后重新判定：回应期限由2027-01-01改为2027-01-01，结果仍为“按时”。"
        )

    def test_an_open_stage_keeps_the_limit_it_opened_with(self):
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9))
        Category.objects.filter(code="consultation").update(reply_days=10)
        recompute_open_deadlines(by=c.admin, at=local(2026, 3, 3, 9))
        self.assertEqual(self.due(m, REPLY), local(2026, 3, 10))


class HeldDaysOnTheRealCalendarTest(DeadlineTestCase):
    """The working days a refused hand-back gave back (held_days), counted in a year
    not yet entered, are counted again when it is: the Spring Festival's holidays,
    counted as working days by the weekdays-only guess, were given back as days the
    unit could not reply, and kept when the real calendar moved the deadline.

    2027 as entered in these tests: Sunday 02-07 a make-up working day, 02-08..11
    (Monday to Thursday) holidays."""

    def setUp(self):
        c = self.cast
        self.message = m = c.submit(at=local(2027, 2, 1, 9))  # a Monday
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2027, 2, 3, 15))
        actions.reject_transfer(message=m, by=c.county_office, reason="属东门镇。", at=local(2027, 2, 12, 10))
        self.reply = m.stages.get(kind=REPLY)
        # On the guess, 02-04..11 are six working days: 5 + 6 from Monday 02-01,
        # to the end of Tuesday 02-16.
        self.assertEqual((self.reply.held_days, self.reply.due_at), (6, local(2027, 2, 17)))
        self.assertIn("2027年", self.reply.due_warning)

    def enter_2027(self):
        from wenzheng.workdays.models import CalendarYear

        CalendarDay.objects.create(date=dt.date(2027, 2, 7), kind="workday", name="春节调休")
        for day in range(8, 12):
            CalendarDay.objects.create(date=dt.date(2027, 2, day), kind="holiday", name="春节")
        CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")

    def test_an_open_reply_stage_is_given_back_the_real_working_days(self):
        c, m = self.cast, self.message
        self.enter_2027()
        # Both open stages: the response's deadline loses its warning.
        self.assertEqual(recompute_open_deadlines(by=c.admin, at=local(2027, 2, 12, 11)), 2)
        self.reply.refresh_from_db()
        # Really three (02-04, 02-05 and Sunday 02-07): 5 + 3 working days from 02-01
        # (02-02..05, 07, 12, 15, 16), to the end of Tuesday 02-16 still; the six
        # kept would have run to the end of Friday 02-19.
        self.assertEqual((self.reply.held_days, self.reply.due_at, self.reply.due_warning), (3, local(2027, 2, 17), ""))
        recounted = m.events.filter(kind="deadline_recomputed", data__stage=REPLY).get()
        self.assertEqual(recounted.data["stages"][0]["held_days"], 3)
        self.assertEqual(replay.replay().differences, [])
        # Counted again, nothing moves.
        self.assertEqual(recompute_open_deadlines(by=c.admin, at=local(2027, 2, 12, 12)), 0)

    def test_a_reply_judged_on_the_guess_is_judged_again_with_the_real_days_held(self):
        from wenzheng.handling.deadlines import rejudge_fallback_stages

        c, m = self.cast, self.message
        actions.reply(message=m, by=c.handler_a, text="已修复。", at=local(2027, 2, 18, 10))
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.outcome, "late")
        self.enter_2027()
        self.assertEqual(rejudge_fallback_stages(by=c.admin, at=local(2027, 2, 19, 9)), 2)
        self.reply.refresh_from_db()
        # The six days kept would have made it on time (due at the end of 02-19).
        self.assertEqual((self.reply.held_days, self.reply.due_at, self.reply.outcome), (3, local(2027, 2, 17), "late"))
        self.assertEqual(replay.replay().differences, [])

    def test_a_hand_back_asked_after_the_real_deadline_gives_nothing_back(self):
        """Asked on a day the guess counted as within the deadline, past it on the
        real calendar (a make-up Sunday brought the deadline forward): the refusal
        gives nothing back."""
        from wenzheng.workdays.models import CalendarYear

        c = self.cast
        m = c.submit(at=local(2027, 3, 1, 9))  # Monday; guessed reply deadline the end of 03-08
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2027, 3, 8, 15))
        actions.reject_transfer(message=m, by=c.county_office, reason="属东门镇。", at=local(2027, 3, 11, 10))
        reply = m.stages.get(kind=REPLY)
        self.assertEqual((reply.held_days, reply.due_at), (2, local(2027, 3, 11)))
        CalendarDay.objects.create(date=dt.date(2027, 3, 7), kind="workday", name="调休")
        CalendarYear.objects.create(year=2027, source="通知")
        recompute_open_deadlines(by=c.admin, at=local(2027, 3, 11, 11))
        reply.refresh_from_db()
        # Due at the end of Sunday 03-07: the hand-back on Monday came after it.
        self.assertEqual((reply.held_days, reply.due_at), (0, local(2027, 3, 8)))


class ConfigurableLimitsTest(DeadlineTestCase):
    def test_new_messages_use_the_categorys_current_limits(self):
        c = self.cast
        old = c.submit(at=local(2026, 3, 2, 9))
        Category.objects.filter(code="consultation").update(response_days=2, reply_days=3)
        category = Category.objects.get(code="consultation")
        new = c.submit(at=local(2026, 3, 2, 9), category=category)
        self.assertEqual((self.due(new, RESPONSE), self.due(new, REPLY)), (local(2026, 3, 5), local(2026, 3, 6)))
        self.assertEqual(set(new.stages.values_list("kind", "limit_days")), {(RESPONSE, 2), (REPLY, 3)})
        # Already open stages and other categories are untouched.
        self.assertEqual((self.due(old, RESPONSE), self.due(old, REPLY)), (local(2026, 3, 4), local(2026, 3, 10)))
        appeal = c.submit(at=local(2026, 3, 2, 9), category=c.appeal)
        self.assertEqual(self.due(appeal, REPLY), local(2026, 3, 10))

    def test_a_reopened_message_gets_a_new_reply_limit_counted_from_the_reopening(self):
        c = self.cast
        m = c.replied(at=local(2026, 3, 2, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 2, 10))
        Category.objects.filter(code="consultation").update(reply_days=3)
        actions.reopen(message=m, by=c.county_office, reason="仍未修好。", at=local(2026, 3, 6, 17))
        stage = m.open_stage(REPLY)
        # Friday 03-06: Monday, Tuesday, Wednesday.
        self.assertEqual(
            (stage.started_at, stage.limit_days, stage.due_at), (local(2026, 3, 6, 17), 3, local(2026, 3, 12))
        )
        self.assertEqual(m.events.latest("seq").kind, "reopened")


class StageSerialTest(DeadlineTestCase):
    """Each stage carries its message's serial as a number (the reminder pass reads
    the open stages alone): the same through every step that opens a stage, and
    restored by the migration that added it."""

    def test_every_stage_carries_its_messages_serial(self):
        c = self.cast
        first = c.submit(at=local(2026, 3, 2, 9))
        m = c.submit(at=local(2026, 3, 2, 10))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本单位职责", at=local(2026, 3, 2, 11))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转交乙单位", at=local(2026, 3, 2, 12))
        actions.reply(message=m, by=c.handler_b, text="已处理。", at=local(2026, 3, 3, 9))
        actions.close(message=m, by=c.leader_b, kind="answered", at=local(2026, 3, 3, 10))
        actions.reopen(message=m, by=c.county_office, reason="答复未解决问题", at=local(2026, 3, 4, 9))

        self.assertEqual(m.stages.count(), 5)  # two of unit a, two of unit b, the reopened reply
        self.assertEqual(set(m.stages.values_list("serial_number", flat=True)), {int(m.serial.replace("-", ""))})
        self.assertEqual(set(first.stages.values_list("serial_number", flat=True)), {first.serial_number})
        self.assertNotEqual(first.serial_number, m.serial_number)

    def test_the_migration_fills_in_the_serials_of_existing_stages(self):
        from importlib import import_module

        from django.db import connection

        migration = import_module("wenzheng.handling.migrations.0013_stage_serial_number")
        m = self.cast.submit(at=local(2026, 3, 2, 9))
        Stage.objects.update(serial_number=0)
        with connection.cursor() as cursor:
            cursor.execute(migration.BACKFILL)
        self.assertEqual(set(m.stages.values_list("serial_number", flat=True)), {int(m.serial.replace("-", ""))})
