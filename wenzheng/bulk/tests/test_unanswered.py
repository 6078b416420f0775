"""Messages that were never answered on the old platform: recorded as history (no
clock, never overdue, not counted) or put on the clock from the moment of import."""

import datetime as dt

import time_machine
from django.urls import reverse

from wenzheng.evaluation import facts
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local
from wenzheng.workdays import clock

from . import platform_export as export
from .helpers import run_import

NOW = local(2026, 3, 6, 10, 0)  # a Friday


def unanswered_export() -> export.PlatformExport:
    return export.PlatformExport(
        [export.Row("W1", "村道破损", "2022-07-15 14:45:00"), export.Row("W2", "路灯不亮", "2025-12-01 09:00:00")]
    )


class UnansweredTests(CastTestCase):
    def run_file(self, **options):
        with time_machine.travel(NOW, tick=False):
            return run_import(
                self.cast,
                unanswered_export().xlsx(),
                default_category=self.cast.consultation,
                default_unit=self.cast.unit_a,
                **options,
            )

    def test_history_is_the_default_and_keeps_no_clock(self):
        self.assertEqual(self.run_file().created, 2)
        for message in Message.objects.all():
            self.assertEqual((message.state, message.untimed, message.stages.count()), ("dispatched", True, 0))
            submitted = message.events.get(kind="submitted")
            self.assertEqual(submitted.data["imported"]["unanswered"], "history")
        self.assertFalse(Message.objects.overdue(at=NOW + dt.timedelta(days=3650)).exists())

    def test_history_is_not_counted_in_the_evaluation(self):
        self.run_file()
        window = facts.Window.of(periods.parse("2022"), NOW)
        self.assertEqual(facts.collect(self.cast.county, window).of(self.cast.unit_a.pk), {})
        message = Message.objects.get(import_source__number="W1")
        actions.reply(message=message, by=self.cast.handler_a, text="已修复。", at=NOW)
        window = facts.Window.of(periods.parse("2026Q1"), local(2026, 6, 1))
        self.assertEqual(facts.collect(self.cast.county, window).of(self.cast.unit_a.pk), {})

    def test_the_unit_still_answers_history(self):
        self.run_file()
        message = Message.objects.get(import_source__number="W1")
        reply = actions.reply(message=message, by=self.cast.handler_a, text="已修复。", at=NOW)
        message.refresh_from_db()
        self.assertEqual((message.state, reply.unit), (Message.State.REPLIED, self.cast.unit_a))
        self.assertEqual(
            [(e.kind, e.data.get("outcome")) for e in message.events.order_by("seq")],
            [("submitted", None), ("responded", None), ("replied", "untimed")],
        )
        actions.close(message=message, by=self.cast.leader_a, kind="answered", at=NOW)

    def test_history_asks_for_no_extension(self):
        self.run_file()
        message = Message.objects.get(import_source__number="W1")
        with self.assertRaisesMessage(actions.ActionRefused, "历史留言，不计办理时限，无需申请延期"):
            actions.request_extension(message=message, by=self.cast.handler_a, days=3, reason="需要时间", at=NOW)

    def test_a_re_dispatch_starts_a_clock_like_any_transfer(self):
        self.run_file()
        message = Message.objects.get(import_source__number="W1")
        actions.request_transfer(message=message, by=self.cast.handler_a, reason="不属本单位。", at=NOW)
        actions.dispatch(
            message=message, by=self.cast.county_office, unit=self.cast.unit_b, note="改由住建局办理", at=NOW
        )
        message.refresh_from_db()
        self.assertFalse(message.untimed)
        self.assertEqual(
            list(message.stages.values_list("unit", "kind", "started_at")),
            [(self.cast.unit_b.pk, "response", NOW), (self.cast.unit_b.pk, "reply", NOW)],
        )

    def test_the_inbox_and_the_message_page_say_it_is_history(self):
        self.run_file()
        self.client.force_login(self.cast.handler_a)
        inbox = self.client.get(reverse("workspace:inbox"))
        self.assertContains(inbox, '<span class="badge">历史留言，不计办理时限</span>', count=2, html=False)
        self.assertNotContains(inbox, "已超期")
        message = Message.objects.get(import_source__number="W1")
        page = self.client.get(reverse("workspace:message", args=[message.pk]))
        self.assertContains(page, "历史留言，不计办理时限：从其他平台导入时尚未答复")
        self.assertContains(page, "发布回复")
        self.assertNotContains(page, "提交延期申请")

    def test_on_the_clock_the_stages_start_at_the_import(self):
        self.run_file(unanswered="clock")
        message = Message.objects.get(import_source__number="W1")
        self.assertFalse(message.untimed)
        stages = {s.kind: s for s in message.stages.all()}
        for kind, days in ((Stage.Kind.RESPONSE, 1), (Stage.Kind.REPLY, 5)):
            due, _ = clock.deadline_after(NOW, days)
            self.assertEqual((stages[kind].started_at, stages[kind].due_at), (NOW, due))
        self.assertEqual(stages["response"].due_at, local(2026, 3, 10))  # Monday, 24:00
        self.assertFalse(Message.objects.overdue(at=NOW).exists())
        self.assertEqual(Message.objects.overdue(at=local(2026, 3, 10, 0, 1)).count(), 2)
        submitted = message.events.get(kind="submitted")
        self.assertEqual(submitted.data["imported"]["unanswered"], "clock")

    def test_replied_rows_keep_their_own_times_either_way(self):
        made = export.PlatformExport(
            [export.Row("R1", "路灯", "2024-03-04 09:30", reply="已修复。", replied_at="2024-03-06 10:00")]
        )
        with time_machine.travel(NOW, tick=False):
            run_import(
                self.cast, made.xlsx(), default_category=self.cast.consultation, default_unit=self.cast.unit_a,
                unanswered="clock",
            )  # fmt: skip
        message = Message.objects.get()
        self.assertFalse(message.untimed)
        # No 签收时间 in the file: the reply is judged, no response is made up.
        self.assertEqual(
            list(message.stages.order_by("kind").values_list("kind", "started_at", "outcome")),
            [("reply", local(2024, 3, 4, 9, 30), "on_time")],
        )
        self.assertNotIn("unanswered", message.events.get(kind="submitted").data["imported"])
