"""更改类别: the county office corrects a message's category (a 咨询 that is really a
诉求) before any unit has answered it, on its own or at dispatch. The change is an
event, replayed by `verify_events --replay`, and moves the message between the kept
figures' category rows."""

from wenzheng.eventlog import replay
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage
from wenzheng.reports import figures, periods, tally
from wenzheng.testing import local

from .helpers import HandlingTestCase

MONDAY = local(2026, 3, 2, 9)
TUESDAY = local(2026, 3, 3, 10)
LATER = local(2026, 3, 20, 9)
Q1 = periods.parse("2026Q1")
S = Message.State


class CategoryTest(HandlingTestCase):
    def change(self, message, category, at=TUESDAY):
        return actions.set_category(message=message, by=self.cast.county_office, category=category, at=at)

    def by_category(self):
        return dict(tally.figures(self.cast.county, Q1, now=LATER).by_category)

    def test_it_changes_the_category_with_its_event(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        self.change(message, c.appeal)
        message.refresh_from_db()
        self.assertEqual(message.category, c.appeal)
        event = message.events.latest("seq")
        self.assertEqual(
            (event.kind, event.actor, event.data["category"], event.data["previous"]),
            ("category_set", c.county_office, "appeal", "consultation"),
        )
        # The same category again is no change, and no event.
        self.change(message, c.appeal)
        self.assertEqual(message.events.filter(kind="category_set").count(), 1)

    def test_it_moves_the_message_between_the_kept_figures_rows(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        c.submit(at=MONDAY)
        self.assertEqual(self.by_category(), {"咨询": 2, "建议": 0, "诉求": 0})
        self.change(message, c.appeal)
        self.assertEqual(self.by_category(), {"咨询": 1, "建议": 0, "诉求": 1})
        self.assertEqual(tally.figures(c.county, Q1, now=LATER), figures.compute(c.county, Q1, now=LATER))
        self.assertEqual(tally.check(c.county, Q1, now=LATER), [])

    def test_the_running_clocks_keep_their_limits_and_a_dispatch_clock_takes_the_new_ones(self):
        c = self.cast
        c.appeal.reply_days = 10
        c.appeal.save(update_fields=["reply_days"])
        sent = c.submit(at=MONDAY)
        self.change(sent, c.appeal)
        self.assertEqual(Stage.objects.get(message=sent, kind="reply").limit_days, 5)
        waiting = c.submit(unit=None, at=MONDAY)
        actions.dispatch(message=waiting, by=c.county_office, unit=c.unit_a, category=c.appeal, at=TUESDAY)
        waiting.refresh_from_db()
        self.assertEqual((waiting.state, waiting.category), (S.DISPATCHED, c.appeal))
        self.assertEqual(Stage.objects.get(message=waiting, kind="reply").limit_days, 10)
        kinds = list(waiting.events.order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds, ["submitted", "category_set", "dispatched"])

    def test_it_is_refused_once_the_message_is_answered(self):
        c = self.cast
        replied = c.replied(at=MONDAY)
        refusal = self.assertRefused("wrong_state", self.change, replied, c.appeal)
        self.assertIn("已回复", refusal.reason)
        # Answered, reopened after its closure, then handed back: the reply stands
        # under its category, so neither the step nor a re-dispatch changes it.
        actions.close(message=replied, by=c.leader_a, kind="answered", at=MONDAY)
        actions.reopen(message=replied, by=c.county_office, reason="答复不清。", at=TUESDAY)
        refusal = self.assertRefused("category_after_reply", self.change, replied, c.appeal)
        self.assertEqual(refusal.reason, "留言已有答复，答复按原类别的标准办理和考评，不能再更改类别。")
        actions.request_transfer(message=replied, by=c.handler_a, reason="不属本镇。", at=TUESDAY)
        self.assertRefused(
            "category_after_reply",
            actions.dispatch,
            message=replied, by=c.county_office, unit=c.unit_b, note="转住建局。", category=c.appeal, at=TUESDAY,
        )  # fmt: skip
        # Re-dispatched with its category as it is: fine.
        actions.dispatch(message=replied, by=c.county_office, unit=c.unit_b, note="转住建局。", category=c.consultation)
        self.assertEqual(Message.objects.get(pk=replied.pk).unit, c.unit_b)

    def test_an_answer_to_a_follow_up_is_no_answer_to_the_message(self):
        # 并单 undone after the main message's unit answered the merged citizen's
        # follow-up: the message itself was never answered, its category may change.
        c = self.cast
        main, merged = c.submit(at=MONDAY), c.submit(unit="b", by="other_citizen", at=MONDAY)
        actions.merge_duplicate(message=merged, into=main, by=c.county_office, reason="同一问题。", at=MONDAY)
        actions.reply(message=main, by=c.handler_a, text="已修复。", at=MONDAY)
        who = actions.Citizen(user=c.other_citizen)
        asked = actions.follow_up(message=merged, who=who, text="何时修？", at=TUESDAY)
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=TUESDAY)
        actions.unmerge_duplicate(message=merged, by=c.county_office, reason="不是同一路段。", at=TUESDAY)
        self.change(merged, c.appeal)
        self.assertEqual(Message.objects.get(pk=merged.pk).category, c.appeal)
        # And the message page offers the step.
        self.client.force_login(c.county_office)
        self.assertContains(self.client.get(f"/work/messages/{merged.pk}/"), f"/work/messages/{merged.pk}/category/")

    def test_it_is_refused_for_a_merged_or_spam_message_and_without_a_category(self):
        c = self.cast
        main, merged = c.submit(at=MONDAY), c.submit(at=MONDAY)
        actions.merge_duplicate(message=merged, into=main, by=c.county_office, reason="同一问题。", at=MONDAY)
        self.assertRefused("wrong_state", self.change, merged, c.appeal)
        self.assertRefused("missing_category", self.change, main, None)

    def test_verify_events_replays_it_and_names_a_category_changed_by_hand(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        self.change(message, c.appeal)
        self.assertEqual([str(d) for d in replay.replay().differences], [])
        Message.objects.filter(pk=message.pk).update(category=c.suggestion)
        self.assertEqual(
            [str(d) for d in replay.replay().differences],
            [
                f"handling_message #{message.pk} category_id: the database has {c.suggestion.pk}, "
                f"the events say {c.appeal.pk}"
            ],
        )
