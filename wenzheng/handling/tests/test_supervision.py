"""The county office's supervision steps (the roster filing: wenzheng/units/tests/)."""

import datetime as dt

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.supervision.models import AccountabilityReferral, Exposure, SupervisionFinding
from wenzheng.testing import local

from .helpers import HandlingTestCase

MONDAY = local(2026, 3, 2, 9)
ORDERED = local(2026, 3, 12, 9)
DEADLINE = local(2026, 3, 20)  # end of Thursday 03-19


class WrittenExplanationTest(HandlingTestCase):
    """A unit late to respond or reply explains in writing and clears its backlog by
    a deadline."""

    def setUp(self):
        c = self.cast
        self.late = [c.submit(at=MONDAY, title=f"留言{i}") for i in range(2)]

    def order(self, **changes):
        c = self.cast
        fields = {
            "unit": c.unit_a,
            "by": c.county_office,
            "reason": "两条留言超期未回复。",
            "messages": self.late,
            "backlog_deadline": DEADLINE,
            "at": ORDERED,
        }
        return actions.order_written_explanation(**(fields | changes))

    def test_an_order_names_the_unit_its_messages_and_the_deadline(self):
        order = self.order()
        order.refresh_from_db()
        self.assertEqual(
            (order.unit, order.ordered_by, order.ordered_at), (self.cast.unit_a, self.cast.county_office, ORDERED)
        )
        self.assertEqual(order.backlog_deadline, DEADLINE)
        self.assertEqual(set(order.messages.all()), set(self.late))
        event = Event.objects.get(kind="explanation_ordered")
        self.assertEqual(event.unit, self.cast.unit_a)
        self.assertEqual(sorted(event.data["messages"]), sorted(m.serial for m in self.late))
        self.assertEqual(event.data["order"], order.pk)

    def test_the_same_order_again_within_a_day_is_a_repeat_not_a_second_order(self):
        # Sent twice, six seconds apart: two orders, two notices, points lost twice.
        self.order()
        refusal = self.assertRefused("repeated", self.order, at=ORDERED + dt.timedelta(seconds=6))
        self.assertIn("已于2026-03-12 09:00以同样的事由和留言责成", refusal.reason)
        self.assertEqual(self.cast.unit_a.explanation_orders.count(), 1)
        # Other messages, another reason, or the same a day later: another order.
        self.order(messages=self.late[:1], at=ORDERED + dt.timedelta(minutes=1))
        self.order(reason="另一条留言超期未回应。", at=ORDERED + dt.timedelta(minutes=2))
        self.order(at=ORDERED + dt.timedelta(days=1, minutes=1))
        self.assertEqual(self.cast.unit_a.explanation_orders.count(), 4)

    def test_it_rejects_messages_of_another_unit(self):
        stray = self.cast.submit(unit="b", at=MONDAY)
        refusal = self.assertRefused("message_not_of_unit", self.order, messages=[*self.late, stray])
        self.assertIn(stray.serial, refusal.reason)

    def test_it_rejects_a_deadline_that_is_not_in_the_future(self):
        for deadline in (ORDERED, ORDERED - dt.timedelta(seconds=1), local(2026, 3, 1)):
            with self.subTest(deadline=deadline):
                self.assertRefused("bad_deadline", self.order, backlog_deadline=deadline)
        naive = dt.datetime(2026, 3, 20)  # noqa: DTZ001
        self.assertRefused("bad_deadline", self.order, backlog_deadline=naive)

    def test_it_rejects_an_order_without_a_reason(self):
        self.assertRefused("missing_text", self.order, reason="  ")

    def test_the_explanation_is_recorded_once(self):
        c = self.cast
        order = self.order()
        actions.record_explanation(
            order=order, by=c.leader_a, text="人手调整，已补配网络评论员。", at=local(2026, 3, 13, 9)
        )
        order.refresh_from_db()
        self.assertEqual(
            (order.explanation, order.explanation_received_at), ("人手调整，已补配网络评论员。", local(2026, 3, 13, 9))
        )
        self.assertRefused(
            "already_recorded", actions.record_explanation, order=order, by=c.county_office, text="再说明。"
        )
        self.assertEqual(Event.objects.get(kind="explanation_recorded").actor, c.leader_a)

    def test_it_rejects_an_empty_explanation(self):
        order = self.order()
        self.assertRefused("missing_text", actions.record_explanation, order=order, by=self.cast.county_office, text="")

    def test_the_backlog_is_cleared_when_every_message_is_replied_by_the_deadline(self):
        c = self.cast
        order = self.order()
        self.assertIsNone(order.backlog_cleared_in_time(at=local(2026, 3, 13)))
        actions.reply(message=self.late[0], by=c.handler_a, text="已处理。", at=local(2026, 3, 16, 9))
        self.assertIsNone(order.backlog_cleared_in_time(at=local(2026, 3, 17)))
        actions.reply(message=self.late[1], by=c.handler_a, text="已处理。", at=local(2026, 3, 19, 23, 59))
        self.assertIs(order.backlog_cleared_in_time(at=local(2026, 3, 19, 23, 59)), True)
        self.assertIs(order.backlog_cleared_in_time(at=local(2026, 4, 1)), True)

    def test_the_backlog_is_not_cleared_once_the_deadline_passes_with_one_unanswered(self):
        c = self.cast
        order = self.order()
        actions.reply(message=self.late[0], by=c.handler_a, text="已处理。", at=local(2026, 3, 16, 9))
        self.assertIsNone(order.backlog_cleared_in_time(at=local(2026, 3, 19, 23, 59, 59)))
        self.assertIs(order.backlog_cleared_in_time(at=DEADLINE), False)
        # A reply after the deadline does not clear it in time.
        actions.reply(message=self.late[1], by=c.handler_a, text="已处理。", at=local(2026, 3, 20, 9))
        self.assertIs(order.backlog_cleared_in_time(at=local(2026, 3, 21)), False)

    def test_a_reply_at_the_deadline_itself_is_too_late(self):
        c = self.cast
        order = self.order()
        actions.reply(message=self.late[0], by=c.handler_a, text="已处理。", at=local(2026, 3, 16, 9))
        actions.reply(message=self.late[1], by=c.handler_a, text="已处理。", at=DEADLINE)
        self.assertIs(order.backlog_cleared_in_time(at=DEADLINE), False)

    def test_messages_replied_before_the_order_count_as_cleared(self):
        c = self.cast
        actions.reply(message=self.late[0], by=c.handler_a, text="已处理。", at=local(2026, 3, 11, 9))
        actions.reply(message=self.late[1], by=c.handler_a, text="已处理。", at=local(2026, 3, 11, 9))
        self.assertIs(self.order().backlog_cleared_in_time(at=ORDERED), True)

    def test_a_message_reopened_after_its_reply_is_answered_again_to_be_cleared(self):
        c = self.cast
        for m in self.late:
            actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2026, 3, 3, 9))
        actions.close(message=self.late[0], by=c.leader_a, kind="answered", at=local(2026, 3, 3, 10))
        actions.reopen(message=self.late[0], by=c.county_office, reason="未解决。", at=local(2026, 3, 4, 9))
        order = self.order()
        # The reply before the reopening does not answer it now.
        self.assertIs(order.backlog_cleared_in_time(at=DEADLINE), False)
        actions.reply(message=self.late[0], by=c.handler_a, text="已修复。", at=local(2026, 3, 16, 9))
        self.assertIs(order.backlog_cleared_in_time(at=DEADLINE), True)

    def test_a_message_handed_on_by_the_deadline_is_no_longer_the_units_backlog(self):
        c = self.cast
        order = self.order()
        actions.reply(message=self.late[0], by=c.handler_a, text="已处理。", at=local(2026, 3, 13, 9))
        actions.request_transfer(message=self.late[1], by=c.handler_a, reason="属住建局。", at=local(2026, 3, 13, 9))
        self.assertIs(order.backlog_cleared_in_time(at=DEADLINE), False)  # the office has not decided yet
        actions.dispatch(
            message=self.late[1], by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 16, 9)
        )
        self.assertIs(order.backlog_cleared_in_time(at=DEADLINE), True)

    def test_a_merge_after_the_deadline_does_not_clear_a_backlog_missed(self):
        c = self.cast
        actions.reply(message=self.late[1], by=c.handler_a, text="已处理。", at=local(2026, 3, 13, 9))
        order = self.order()
        main = c.submit(at=local(2026, 3, 25, 9), title="同一问题")
        actions.merge_duplicate(
            message=self.late[0], into=main, by=c.county_office, reason="重复。", at=local(2026, 3, 25, 10)
        )
        self.assertIs(order.backlog_cleared_in_time(at=local(2026, 3, 26)), False)

    def test_an_order_with_no_messages_is_cleared(self):
        self.assertIs(self.order(messages=[]).backlog_cleared_in_time(at=ORDERED), True)


class FindingTest(HandlingTestCase):
    def record(self, **changes):
        c = self.cast
        fields = {
            "unit": c.unit_a,
            "by": c.county_office,
            "summary": "抽查发现两条留言回复敷衍。",
            "found_on": dt.date(2026, 3, 10),
            "at": local(2026, 3, 11, 9),
        }
        return actions.record_finding(**(fields | changes))

    def test_a_finding_is_recorded_with_its_source(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        finding = self.record(message=m)
        finding.refresh_from_db()
        self.assertEqual((finding.unit, finding.message, finding.source), (c.unit_a, m, "county_check"))
        self.assertEqual(
            (finding.adverse, finding.written_criticism, finding.recorded_by), (True, False, c.county_office)
        )
        bulletin = self.record(by=c.city_office, source="city_bulletin", written_criticism=True)
        self.assertEqual((bulletin.source, bulletin.written_criticism), ("city_bulletin", True))
        events = Event.objects.filter(kind="finding_recorded").order_by("seq")
        self.assertEqual([e.data["finding"] for e in events], [finding.pk, bulletin.pk])
        self.assertEqual(events.last().data["written_criticism"], True)

    def test_it_rejects_a_date_in_the_future(self):
        self.assertRefused("future_date", self.record, found_on=dt.date(2026, 3, 12))
        # The county's date decides: 00:30 on 03-12 in 罗城 is still 03-11 in UTC.
        self.record(found_on=dt.date(2026, 3, 12), at=local(2026, 3, 12, 0, 30))
        self.assertEqual(SupervisionFinding.objects.get().found_on, dt.date(2026, 3, 12))

    def test_it_rejects_a_source_it_does_not_know(self):
        self.assertRefused("bad_source", self.record, source="rumour")

    def test_it_rejects_a_message_of_another_unit(self):
        stray = self.cast.submit(unit="b", at=MONDAY)
        self.assertRefused("message_not_of_unit", self.record, message=stray)

    def test_it_rejects_an_empty_summary(self):
        self.assertRefused("missing_text", self.record, summary="")


class ExposureTest(HandlingTestCase):
    def publish(self, **changes):
        c = self.cast
        fields = {
            "unit": c.unit_a,
            "by": c.county_office,
            "title": "东门镇留言长期不回复",
            "body": "2026年第一季度，东门镇有两条留言超期未回复。",
            "outlet": "罗城电视台",
            "at": local(2026, 4, 2, 9),
        }
        return actions.publish_exposure(**(fields | changes))

    def test_an_exposure_is_published(self):
        c = self.cast
        m = c.submit(at=MONDAY)
        exposure = self.publish(message=m, by=c.city_office)
        exposure.refresh_from_db()
        self.assertEqual((exposure.unit, exposure.message, exposure.published_by), (c.unit_a, m, c.city_office))
        self.assertEqual((exposure.outlet, exposure.published_at), ("罗城电视台", local(2026, 4, 2, 9)))
        event = Event.objects.get(kind="exposure_published")
        self.assertEqual((event.unit, event.message, event.data["exposure"]), (c.unit_a, m, exposure.pk))

    def test_it_rejects_a_message_of_another_unit(self):
        stray = self.cast.submit(unit="b", at=MONDAY)
        self.assertRefused("message_not_of_unit", self.publish, message=stray)

    def test_the_same_report_again_within_a_day_is_a_repeat_not_a_second_exposure(self):
        first = self.publish()
        self.assertRefused("repeated", self.publish, at=local(2026, 4, 2, 9, 5))  # a retry, five minutes on
        self.publish(body="另一条留言也超期未回复。", at=local(2026, 4, 2, 9, 5))  # another report
        # Withdrawn, it is no repeat: recorded again, it stands.
        actions.withdraw_exposure(
            exposure=first, by=self.cast.county_office, reason="录错单位。", at=local(2026, 4, 2, 9, 6)
        )
        again = self.publish(at=local(2026, 4, 2, 9, 7))
        self.publish(at=again.published_at + dt.timedelta(days=1))  # reported again the next day
        self.assertEqual(Exposure.objects.standing().count(), 3)

    def test_an_exposure_recorded_by_mistake_is_withdrawn_with_its_reason(self):
        c = self.cast
        exposure = self.publish()
        self.assertRefused("missing_text", actions.withdraw_exposure, exposure=exposure, by=c.county_office, reason=" ")
        actions.withdraw_exposure(exposure=exposure, by=c.county_office, reason="重复录入。", at=local(2026, 4, 3, 9))
        exposure.refresh_from_db()
        self.assertEqual((exposure.withdrawn_at, exposure.withdrawn_by), (local(2026, 4, 3, 9), c.county_office))
        self.assertEqual(Event.objects.get(kind="exposure_withdrawn").data["exposure"], exposure.pk)
        self.assertFalse(Exposure.objects.standing().exists())
        self.assertRefused(
            "already_withdrawn", actions.withdraw_exposure, exposure=exposure, by=c.county_office, reason="再撤。"
        )

    def test_it_rejects_missing_or_overlong_text(self):
        for field in ("title", "body", "outlet"):
            with self.subTest(field=field):
                self.assertRefused("missing_text", self.publish, **{field: ""})
        self.assertRefused("text_too_long", self.publish, title="字" * 101)
        self.assertFalse(Exposure.objects.exists())


class AccountabilityTest(HandlingTestCase):
    def refer(self, **changes):
        c = self.cast
        fields = {
            "unit": c.unit_a,
            "by": c.county_office,
            "person": "李四",
            "reason": "谎报已修复路灯，造成严重后果。",
            "referred_to": "县纪委监委",
            "at": local(2026, 4, 2, 9),
        }
        return actions.refer_for_accountability(**(fields | changes))

    def test_a_referral_is_recorded(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        referral = self.refer(message=m)
        referral.refresh_from_db()
        self.assertEqual((referral.unit, referral.message, referral.person), (c.unit_a, m, "李四"))
        self.assertEqual((referral.referred_to, referral.referred_by), ("县纪委监委", c.county_office))
        event = Event.objects.get(kind="accountability_referred")
        self.assertEqual((event.data["referral"], event.note), (referral.pk, "谎报已修复路灯，造成严重后果。"))

    def test_it_rejects_missing_text_or_a_message_of_another_unit(self):
        for field in ("person", "reason", "referred_to"):
            with self.subTest(field=field):
                self.assertRefused("missing_text", self.refer, **{field: " "})
        stray = self.cast.submit(unit="b", at=MONDAY)
        self.assertRefused("message_not_of_unit", self.refer, message=stray)
        self.assertFalse(AccountabilityReferral.objects.exists())


class SupervisionFlagTest(HandlingTestCase):
    def test_a_message_is_flagged_once(self):
        c = self.cast
        m = c.submit(at=MONDAY)
        actions.flag_for_supervision(message=m, by=c.city_office, note="请加快办理。", at=local(2026, 3, 5, 9))
        m.refresh_from_db()
        self.assertEqual(m.supervised_at, local(2026, 3, 5, 9))
        self.assertRefused(
            "already_supervised", actions.flag_for_supervision, message=m, by=c.county_office, note="再督办。"
        )

    def test_it_rejects_a_flag_without_a_note(self):
        c = self.cast
        m = c.submit(at=MONDAY)
        self.assertRefused("missing_text", actions.flag_for_supervision, message=m, by=c.county_office, note="")
