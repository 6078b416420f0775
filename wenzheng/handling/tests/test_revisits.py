"""回访 (DOMAIN.md step 7): a follow-up or a 不满意 rating, with the citizen's reason,
is work for the unit and the county office, which reopens the message or records why
the answer stands. A follow-up answered by the unit is a reply of its own."""

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Revisit, Stage
from wenzheng.handling.thread import conversation
from wenzheng.testing import local

from .helpers import HandlingTestCase

MONDAY = local(2026, 3, 2, 9)
TUESDAY = local(2026, 3, 3, 10)
WEDNESDAY = local(2026, 3, 4, 10)


class RevisitTest(HandlingTestCase):
    def setUp(self):
        self.message = self.cast.replied(at=MONDAY)
        self.me = actions.Citizen(user=self.cast.citizen)

    def dissatisfied(self, reason="路灯还是不亮。"):
        actions.rate(message=self.message, who=self.me, rating="dissatisfied", reason=reason, at=TUESDAY)
        return Revisit.objects.get(kind=Revisit.Kind.DISSATISFIED)

    def test_dissatisfaction_asks_for_a_reason_kept_in_its_own_row(self):
        self.assertRefused("missing_text", actions.rate, message=self.message, who=self.me, rating="dissatisfied")
        revisit = self.dissatisfied("我叫王五，电话13812345678，路灯还是不亮。")
        self.assertEqual((revisit.unit, revisit.state, revisit.opened_at), (self.cast.unit_a, "open", TUESDAY))
        event = self.message.events.get(kind=Event.Kind.RATED)
        self.assertEqual(event.note, "")
        self.assertEqual(event.data, {"rating": "dissatisfied", "revisit": revisit.pk})
        self.assertNotIn("13812345678", str(event.data))

    def test_a_follow_up_opens_a_revisit_for_the_unit(self):
        asked = actions.follow_up(message=self.message, who=self.me, text="何时修？", at=TUESDAY)
        self.assertEqual(asked.revisit.kind, Revisit.Kind.FOLLOW_UP)
        self.assertEqual(list(Revisit.objects.open().for_unit(self.cast.unit_a)), [asked.revisit])

    def test_the_office_records_why_the_answer_stands(self):
        revisit = self.dissatisfied()
        self.assertRefused("missing_text", actions.uphold_answer, revisit=revisit, by=self.cast.county_office, note="")
        actions.uphold_answer(
            revisit=revisit, by=self.cast.county_office, note="已电话核实，路灯已修好。", at=WEDNESDAY
        )
        revisit.refresh_from_db()
        self.assertEqual(
            (revisit.state, revisit.decided_by, revisit.decided_at), ("upheld", self.cast.county_office, WEDNESDAY)
        )
        self.assertEqual(self.message.events.last().kind, Event.Kind.ANSWER_UPHELD)
        self.assertRefused(
            "already_decided", actions.uphold_answer, revisit=revisit, by=self.cast.county_office, note="再次"
        )

    def test_the_office_reopens_a_replied_message_and_every_open_revisit_is_answered(self):
        asked = actions.follow_up(message=self.message, who=self.me, text="何时修？", at=TUESDAY)
        revisit = self.dissatisfied()
        actions.reopen_on_revisit(revisit=revisit, by=self.cast.county_office, reason="答复与事实不符。", at=WEDNESDAY)
        self.message.refresh_from_db()
        self.assertEqual(self.message.state, "responded")
        stage = self.message.open_stage(Stage.Kind.REPLY)
        self.assertEqual((stage.started_at, stage.unit), (WEDNESDAY, self.cast.unit_a))
        self.assertEqual(set(Revisit.objects.values_list("state", flat=True)), {"reopened"})
        asked.revisit.refresh_from_db()
        self.assertEqual(asked.revisit.decision_note, "答复与事实不符。")
        self.assertEqual(self.message.events.last().data["revisits"], sorted([asked.revisit.pk, revisit.pk]))

    def test_a_message_waiting_for_long_cycle_approval_is_decided_there(self):
        c = self.cast
        appeal = c.replied(at=MONDAY, category=c.appeal)
        actions.follow_up(message=appeal, who=self.me, text="为什么解决不了？", at=TUESDAY)
        actions.request_long_cycle_closure(message=appeal, by=c.leader_a, explanation="需要立项。", at=TUESDAY)
        revisit = appeal.revisits.get()
        self.assertRefused("wrong_state", actions.reopen_on_revisit, revisit=revisit, by=c.county_office, reason="重办")

    def test_reopening_a_closed_message_answers_its_revisits_too(self):
        actions.close(message=self.message, by=self.cast.leader_a, kind="answered", at=MONDAY)
        self.dissatisfied()
        actions.reopen(message=self.message, by=self.cast.county_office, reason="网民不满意。", at=WEDNESDAY)
        self.assertEqual(Revisit.objects.get().state, "reopened")

    def test_a_follow_up_is_answered_once_under_it_and_the_deadlines_are_not_touched(self):
        c = self.cast
        asked = actions.follow_up(message=self.message, who=self.me, text="何时修？", at=TUESDAY)
        stages = list(self.message.stages.values_list("pk", "completed_at", "outcome"))
        answer = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五前修好。", at=WEDNESDAY)
        self.assertEqual((answer.follow_up, answer.unit, answer.at), (asked, c.unit_a, WEDNESDAY))
        self.assertEqual(list(self.message.stages.values_list("pk", "completed_at", "outcome")), stages)
        self.assertRefused("already_answered", actions.answer_follow_up, follow_up=asked, by=c.handler_a, text="再答")
        self.assertRefused("not_your_unit", actions.answer_follow_up, follow_up=asked, by=c.handler_b, text="不是")
        entries = conversation(self.message.replies.all(), self.message.follow_ups.all())
        self.assertEqual(
            [(e.kind, e.item.text) for e in entries], [("reply", "已安排维修人员处理。"), ("follow_up", "何时修？")]
        )
        self.assertEqual(entries[1].answer.text, "周五前修好。")


class RatedAgainTest(HandlingTestCase):
    """A rating is of the answer as it stands: once an answer, again after a new one."""

    def test_a_message_answered_again_after_a_dissatisfied_rating_is_rated_again(self):
        c = self.cast
        me = actions.Citizen(user=c.citizen)
        m = c.replied(at=MONDAY)
        actions.rate(message=m, who=me, rating="dissatisfied", reason="路灯还是不亮。", at=TUESDAY)
        self.assertRefused("already_rated", actions.rate, message=m, who=me, rating="satisfied")
        actions.reopen_on_revisit(revisit=m.revisits.get(), by=c.county_office, reason="未修复。", at=TUESDAY)
        # Reopened, not yet answered again: nothing new to rate.
        self.assertRefused("wrong_state", actions.rate, message=m, who=me, rating="satisfied")
        actions.reply(message=m, by=c.handler_a, text="已更换灯具。", at=WEDNESDAY)
        actions.rate(message=m, who=me, rating="satisfied", at=WEDNESDAY)
        m.refresh_from_db()
        self.assertEqual((m.rating, m.rated_at), ("satisfied", WEDNESDAY))
        self.assertEqual(
            [e.data["rating"] for e in m.events.filter(kind=Event.Kind.RATED)], ["dissatisfied", "satisfied"]
        )
        self.assertEqual(m.revisits.count(), 1)  # 满意 opens no 回访
        self.assertRefused("already_rated", actions.rate, message=m, who=me, rating="dissatisfied", reason="又坏了。")


class FollowUpFloodTest(HandlingTestCase):
    def test_a_message_holds_three_follow_ups_waiting_at_once(self):
        c = self.cast
        me = actions.Citizen(user=c.citizen)
        m = c.replied(at=MONDAY)
        asked = [actions.follow_up(message=m, who=me, text=f"追问{i}", at=TUESDAY) for i in range(3)]
        self.assertRefused("too_many_follow_ups", actions.follow_up, message=m, who=me, text="第四条", at=TUESDAY)
        self.assertEqual(m.follow_ups.count(), 3)
        # One answered by the unit, one decided by the office: two more may be asked.
        actions.answer_follow_up(follow_up=asked[0], by=c.handler_a, text="答复。", at=WEDNESDAY)
        actions.uphold_answer(revisit=asked[1].revisit, by=c.county_office, note="已电话说明。", at=WEDNESDAY)
        for i in range(2):
            actions.follow_up(message=m, who=me, text=f"再问{i}", at=WEDNESDAY)
        self.assertRefused("too_many_follow_ups", actions.follow_up, message=m, who=me, text="再问", at=WEDNESDAY)
