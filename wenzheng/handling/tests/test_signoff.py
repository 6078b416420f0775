"""Leader sign-off (审核后公开, DOMAIN.md step 6): where a county or a unit asks for it, a
handler's reply is a draft until the unit's leader approves or returns it, and the
reply counts as given when published."""

from wenzheng.eventlog import chain, replay
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Reply, ReplyDraft, Stage
from wenzheng.notifications.models import Notice
from wenzheng.testing import local
from wenzheng.units.models import Region, Unit

from .helpers import HandlingTestCase

MONDAY = local(2026, 3, 2, 9)  # reply due by 24:00 on Monday 9 March
FRIDAY = local(2026, 3, 6, 16)
NEXT_TUESDAY = local(2026, 3, 10, 9)


class SignoffTest(HandlingTestCase):
    def setUp(self):
        Unit.objects.filter(pk=self.cast.unit_a.pk).update(reply_signoff=True)

    def draft(self, at=FRIDAY, **kwargs):
        message = self.cast.submit(at=MONDAY, **kwargs)
        return message, actions.reply(message=message, by=self.cast.handler_a, text="已安排维修。", at=at)

    def test_a_handlers_reply_waits_for_the_leader_and_is_not_yet_an_answer(self):
        message, draft = self.draft()
        self.assertIsInstance(draft, ReplyDraft)
        message.refresh_from_db()
        # Read and acknowledged, not replied: the reply clock runs on, nothing is public.
        self.assertEqual(message.state, "responded")
        self.assertFalse(Reply.objects.exists())
        self.assertIsNone(message.open_stage(Stage.Kind.REPLY).completed_at)
        drafted = Event.objects.get(kind=Event.Kind.REPLY_DRAFTED)
        self.assertEqual((drafted.note, drafted.data["draft"]), ("", draft.pk))  # the text stays in its row

    def test_the_reply_counts_when_published_late_if_approved_after_the_deadline(self):
        message, draft = self.draft(at=FRIDAY)
        reply = actions.approve_reply(draft=draft, by=self.cast.leader_a, at=NEXT_TUESDAY)
        self.assertEqual((reply.at, reply.author, reply.text), (NEXT_TUESDAY, self.cast.handler_a, "已安排维修。"))
        stage = message.stages.get(kind=Stage.Kind.REPLY)
        self.assertEqual((stage.completed_at, stage.outcome), (NEXT_TUESDAY, Stage.Outcome.LATE))
        message.refresh_from_db()
        self.assertEqual(message.state, "replied")
        draft.refresh_from_db()
        self.assertEqual((draft.state, draft.reply), (ReplyDraft.State.APPROVED, reply))
        kinds = list(message.events.values_list("kind", flat=True))
        self.assertEqual(kinds[-2:], [Event.Kind.REPLY_APPROVED, Event.Kind.REPLIED])

    def test_approved_in_time_it_is_on_time(self):
        message, draft = self.draft(at=FRIDAY)
        actions.approve_reply(draft=draft, by=self.cast.leader_a, at=FRIDAY)
        self.assertEqual(message.stages.get(kind=Stage.Kind.REPLY).outcome, Stage.Outcome.ON_TIME)

    def test_a_returned_reply_goes_back_with_a_note_and_may_be_written_again(self):
        message, draft = self.draft()
        self.assertRefused("missing_text", actions.return_reply, draft=draft, by=self.cast.leader_a, note=" ")
        actions.return_reply(draft=draft, by=self.cast.leader_a, note="请写明维修时间。", at=FRIDAY)
        draft.refresh_from_db()
        self.assertEqual((draft.state, draft.note), (ReplyDraft.State.RETURNED, "请写明维修时间。"))
        self.assertRefused("already_decided", actions.approve_reply, draft=draft, by=self.cast.leader_a)
        again = actions.reply(message=message, by=self.cast.handler_a, text="本周五前修好。", at=FRIDAY)
        self.assertEqual(again.state, ReplyDraft.State.PENDING)

    def test_the_author_takes_a_waiting_reply_back_to_correct_it(self):
        c = self.cast
        message, draft = self.draft()
        self.assertRefused("not_the_author", actions.withdraw_reply, draft=draft, by=c.handler_a2)
        self.assertRefused("not_your_unit", actions.withdraw_reply, draft=draft, by=c.handler_b)
        actions.withdraw_reply(draft=draft, by=c.handler_a, at=FRIDAY)
        draft.refresh_from_db()
        self.assertEqual((draft.state, draft.decided_by, draft.decided_at), ("withdrawn", c.handler_a, FRIDAY))
        self.assertEqual(message.events.last().kind, Event.Kind.REPLY_WITHDRAWN)
        # Nothing was published; the leader can no longer approve it; a new one may wait.
        self.assertFalse(Reply.objects.exists())
        self.assertIsNone(message.open_stage(Stage.Kind.REPLY).completed_at)
        self.assertRefused("already_decided", actions.approve_reply, draft=draft, by=c.leader_a)
        self.assertRefused("already_decided", actions.withdraw_reply, draft=draft, by=c.handler_a)
        again = actions.reply(message=message, by=c.handler_a, text="本周五前修好。", at=FRIDAY)
        self.assertEqual(again.state, ReplyDraft.State.PENDING)

    def test_one_draft_waits_at_a_time(self):
        message, _draft = self.draft()
        self.assertRefused("draft_pending", actions.reply, message=message, by=self.cast.handler_a2, text="另一份。")

    def test_the_leaders_own_reply_is_published_at_once(self):
        message = self.cast.submit(at=MONDAY)
        reply = actions.reply(message=message, by=self.cast.leader_a, text="已处理。", at=FRIDAY)
        self.assertIsInstance(reply, Reply)

    def test_the_leaders_own_answer_voids_a_draft_of_the_same_answer(self):
        # A leader's trial: replying himself with a handler's draft waiting (his page
        # opened before it came), then approving the draft, published two answers.
        c = self.cast
        message, draft = self.draft()
        actions.reply(message=message, by=c.leader_a, text="请到镇政务服务中心办理。", at=FRIDAY)
        draft.refresh_from_db()
        self.assertEqual(
            (draft.state, draft.note, draft.decided_by),
            ("withdrawn", "已有回复公开，这份待审核的回复随之失效。", c.leader_a),
        )
        voided = message.events.get(kind=Event.Kind.REPLY_WITHDRAWN)
        self.assertEqual(
            (voided.actor, voided.data["draft"], voided.data["author"]), (c.leader_a, draft.pk, c.handler_a.pk)
        )
        self.assertRefused("already_decided", actions.approve_reply, draft=draft, by=c.leader_a)
        self.assertEqual(list(message.replies.values_list("text", flat=True)), ["请到镇政务服务中心办理。"])

    def test_a_draft_answering_a_follow_up_outlives_a_reply_to_the_message(self):
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=False)
        message = c.replied(at=MONDAY)
        asked = actions.follow_up(message=message, who=actions.Citizen(user=c.citizen), text="何时修？", at=FRIDAY)
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="下周一。", at=FRIDAY)
        actions.reply(message=message, by=c.leader_a, text="补充说明：已报县住建局。", at=FRIDAY)
        draft.refresh_from_db()
        self.assertEqual(draft.state, "pending")
        actions.answer_follow_up(follow_up=asked, by=c.leader_a, text="本周五。", at=FRIDAY)
        draft.refresh_from_db()
        self.assertEqual(draft.state, "withdrawn")

    def test_only_the_units_leader_decides(self):
        _message, draft = self.draft()
        for who in ("handler_a", "leader_b", "county_office"):
            with self.subTest(who=who):
                self.assertRefused(
                    {"handler_a": "forbidden_role", "leader_b": "not_your_unit", "county_office": "forbidden_role"}[
                        who
                    ],
                    actions.approve_reply,
                    draft=draft,
                    by=getattr(self.cast, who),
                )

    def test_the_county_setting_applies_unless_the_unit_says_otherwise(self):
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=None)
        Region.objects.filter(pk=c.county.pk).update(reply_signoff=True)
        m1 = c.submit(at=MONDAY)
        self.assertIsInstance(actions.reply(message=m1, by=c.handler_a, text="甲。", at=FRIDAY), ReplyDraft)
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=False)
        m2 = c.submit(at=MONDAY)
        self.assertIsInstance(actions.reply(message=m2, by=c.handler_a, text="乙。", at=FRIDAY), Reply)
        # The other county is untouched by 罗城's setting.
        m3 = c.submit(unit="c", at=MONDAY)
        self.assertIsInstance(actions.reply(message=m3, by=c.handler_c, text="丙。", at=FRIDAY), Reply)

    def test_a_transfer_voids_the_old_units_draft(self):
        c = self.cast
        message, draft = self.draft()
        actions.request_transfer(message=message, by=c.handler_a, reason="属住建局。", at=FRIDAY)
        actions.dispatch(message=message, by=c.county_office, unit=c.unit_b, note="转住建局。", at=FRIDAY)
        draft.refresh_from_db()
        self.assertEqual(draft.state, ReplyDraft.State.WITHDRAWN)
        self.assertRefused("already_decided", actions.approve_reply, draft=draft, by=c.leader_a)

    def test_an_answer_to_a_follow_up_needs_sign_off_too(self):
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=False)
        message = c.replied(at=MONDAY)
        asked = actions.follow_up(message=message, who=actions.Citizen(user=c.citizen), text="何时修？", at=FRIDAY)
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=FRIDAY)
        self.assertEqual((draft.follow_up, draft.state), (asked, ReplyDraft.State.PENDING))
        self.assertFalse(asked.answers.exists())
        answer = actions.approve_reply(draft=draft, by=c.leader_a, at=NEXT_TUESDAY)
        self.assertEqual((answer.follow_up, answer.at), (asked, NEXT_TUESDAY))
        self.assertEqual(message.events.last().kind, Event.Kind.FOLLOW_UP_ANSWERED)


class VoidedByTheOfficeTest(HandlingTestCase):
    """A reply waiting for sign-off that a step of the county office makes void (转办,
    并单, 垃圾留言) is voided as any void draft: a REPLY_WITHDRAWN event after the
    step's own, its author told where to look, the leader's 回复待审核 notice settled,
    and the events still replay. (It was voided with a bulk update: no event, no word
    to the author, the leader's notice left unread.) Steps now: steps long past
    notify nobody."""

    def setUp(self):
        c = self.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        self.message = c.submit()
        self.draft = actions.reply(message=self.message, by=c.handler_a, text="已安排维修。")
        self.signoff = Notice.objects.get(message=self.message, kind="signoff", recipient=c.leader_a)
        self.assertIsNone(self.signoff.read_at)

    def assertVoided(self, *, after, note, told, link, **why):
        c = self.cast
        self.draft.refresh_from_db()
        self.assertEqual(
            (self.draft.state, self.draft.decided_by, self.draft.note), ("withdrawn", c.county_office, note)
        )
        step, voided = self.message.events.order_by("-seq")[:2][::-1]
        self.assertEqual((step.kind, voided.kind), (after, Event.Kind.REPLY_WITHDRAWN))
        self.assertIn("stages", step.data)  # the clocks the step ended ride with it
        self.assertEqual(
            (voided.unit, voided.actor, voided.data["draft"], voided.data["author"]),
            (c.unit_a, c.county_office, self.draft.pk, c.handler_a.pk),
        )
        self.assertEqual({key: voided.data[key] for key in why}, why)
        notice = Notice.objects.get(message=self.message, kind="returned", recipient=c.handler_a)
        self.assertEqual((notice.text, notice.link), (told, link))
        self.signoff.refresh_from_db()
        self.assertIsNotNone(self.signoff.read_at)
        self.assertRefused("already_decided", actions.approve_reply, draft=self.draft, by=c.leader_a)
        self.assertEqual(replay.replay().differences, [])
        self.assertIsNone(chain.verify()[1])

    def test_a_transfer_voids_it(self):
        c = self.cast
        actions.request_transfer(message=self.message, by=c.handler_a, reason="属住建局。")
        actions.dispatch(message=self.message, by=c.county_office, unit=c.unit_b, note="转住建局。")
        self.assertVoided(
            after=Event.Kind.DISPATCHED,
            note="留言已转办，原单位的待审核回复随之失效。",
            told=f"留言{self.message.serial}已转由其他单位办理，您待审核的回复随之失效。",
            link="/work/unit/",  # the message is no longer the unit's to open
            moved_to=c.unit_b.pk,
        )

    def test_a_merge_voids_it(self):
        c = self.cast
        main = c.submit(unit="b")
        actions.merge_duplicate(message=self.message, into=main, by=c.county_office, reason="同一路段。")
        self.assertVoided(
            after=Event.Kind.MERGED,
            note="留言已并单，由主留言统一答复。",
            told=f"留言{self.message.serial}已并入留言{main.serial}（并单），由主留言统一答复，您待审核的回复随之失效。",
            link="/work/unit/",  # unit B answers it now
            merged_into=main.pk,
        )

    def test_a_merge_into_a_message_of_the_same_unit_leads_to_the_main_message(self):
        c = self.cast
        main = c.submit()
        actions.merge_duplicate(message=self.message, into=main, by=c.county_office, reason="同一路段。")
        notice = Notice.objects.get(message=self.message, kind="returned", recipient=c.handler_a)
        self.assertEqual(notice.link, f"/work/messages/{main.pk}/")

    def test_a_spam_mark_voids_it(self):
        c = self.cast
        actions.mark_spam(message=self.message, by=c.county_office, reason="广告。")
        self.assertVoided(
            after=Event.Kind.SPAM_MARKED,
            note="留言已标记为垃圾留言。",
            told=f"留言{self.message.serial}已被标记为垃圾留言，您待审核的回复随之失效。",
            link="/work/unit/",
            spam=True,
        )
