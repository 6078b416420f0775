"""并单, the merged citizen's side (DOMAIN.md steps 5 and 7): the citizen of a message
merged into another reads the main message's answer on their own page, and follows it
up and rates it there, as any citizen does. Each follow-up or 不满意 is a 回访 on their
own message for the main message's unit and the county office; a 重办 reopens the main
message; the rating counts for the main message's unit, once for their message."""

import io

from django.core.management import call_command

from wenzheng.api.tests.helpers import ApiTestCase
from wenzheng.evaluation import facts
from wenzheng.eventlog import chain, hashing, replay
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Revisit
from wenzheng.handling.tests.helpers import HandlingTestCase
from wenzheng.notifications.models import Notice
from wenzheng.privacy.models import CountyPrivacy
from wenzheng.reports import periods
from wenzheng.testing import local
from wenzheng.workspace import selectors

from .helpers import LAMP, LAMP_AGAIN, write

S = Message.State
Q1 = periods.parse("2026Q1")
MONDAY = local(2026, 3, 2, 9)
TUESDAY = local(2026, 3, 3, 9)
WEDNESDAY = local(2026, 3, 4, 9)
THURSDAY = local(2026, 3, 5, 9)
LATER = local(2026, 3, 20, 9)


class MergedCitizenTests(HandlingTestCase):
    """The main message is unit A's; the duplicate, other_citizen's, was sent to unit B
    and merged into it. Steps are taken now (`at=None`) where notices are looked at:
    steps long past notify nobody."""

    def setUp(self):
        c = self.cast
        self.main = write(c, LAMP, unit=c.unit_a, by=c.citizen, phone="13900000001", at=None)
        self.dup = write(c, LAMP_AGAIN, unit=c.unit_b, by=c.other_citizen, phone="13900000002", at=None, name="王五")
        actions.merge_duplicate(message=self.dup, into=self.main, by=c.county_office, reason="同一路段的路灯。")
        self.me = actions.Citizen(user=c.other_citizen)

    def answer(self, text="已安排维修，本周修复。"):
        actions.reply(message=self.main, by=self.cast.handler_a, text=text)

    def dissatisfied(self, reason="路灯还是不亮。"):
        actions.rate(message=self.dup, who=self.me, rating="dissatisfied", reason=reason)
        return Revisit.objects.get(message=self.dup, kind=Revisit.Kind.DISSATISFIED, state="open")

    def test_it_is_refused_before_the_main_message_is_answered_and_while_it_is_handled_again(self):
        refusal = self.assertRefused(
            "main_not_answered", actions.follow_up, message=self.dup, who=self.me, text="何时修？"
        )
        self.assertIn(f"已并入留言{self.main.serial}", refusal.reason)
        self.assertIn("尚未答复", refusal.reason)
        self.assertRefused("main_not_answered", actions.rate, message=self.dup, who=self.me, rating="satisfied")
        self.answer()
        revisit = self.dissatisfied()
        actions.reopen_on_revisit(revisit=revisit, by=self.cast.county_office, reason="未修复。")
        refusal = self.assertRefused(
            "main_not_answered", actions.follow_up, message=self.dup, who=self.me, text="何时？"
        )
        self.assertIn("正在重新办理", refusal.reason)
        # Only its own citizen: not the main message's, nor a stranger.
        self.assertRefused(
            "not_your_message", actions.rate, message=self.dup, who=actions.Citizen(user=self.cast.citizen),
            rating="satisfied",
        )  # fmt: skip

    def test_the_follow_up_is_their_own_a_revisit_for_the_main_units_inbox_and_the_office(self):
        c = self.cast
        CountyPrivacy.objects.create(region=c.county, review_before_publishing=True)
        self.answer()
        asked = actions.follow_up(message=self.dup, who=self.me, text="路口那盏也坏了，何时一起修？")
        self.assertEqual(asked.message, self.dup)
        revisit = asked.revisit
        self.assertEqual((revisit.message, revisit.unit, revisit.kind), (self.dup, c.unit_a, "follow_up"))
        # Reviewed before publication, as any follow-up.
        self.assertTrue(self.dup.reviews.filter(follow_up=asked).exists())
        event = self.dup.events.latest("seq")
        self.assertEqual((event.kind, event.unit, event.data["main"]), ("followed_up", c.unit_a, self.main.pk))
        # The county office's 回访 queue, and unit A's inbox (its 待答复追问), not unit B's.
        self.assertIn(self.dup, list(selectors.revisit_queue(c.county_office, c.county)))
        tab = selectors.inbox_tab("follow-ups")
        self.assertIn(self.dup, list(selectors.inbox(c.handler_a, tab)))
        self.assertNotIn(self.dup, list(selectors.inbox(c.handler_b, tab)))
        told = Notice.objects.get(message=self.dup, kind="followed_up", recipient=c.handler_a).text
        self.assertIn(f"并单留言{self.dup.serial}（已并入留言{self.main.serial}）有网民追问", told)
        self.assertFalse(Notice.objects.filter(message=self.dup, kind="followed_up", recipient__unit=c.unit_b).exists())
        # Unit A answers it, on the merged message, in its own name; its citizen alone hears.
        self.client.force_login(c.handler_a)
        self.assertContains(
            self.client.get(f"/work/messages/{self.dup.pk}/"), f"/work/messages/{self.dup.pk}/answer-follow-up/"
        )
        self.assertRefused("not_your_unit", actions.answer_follow_up, follow_up=asked, by=c.handler_b, text="不归我们")
        reply = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五一起修。")
        self.assertEqual((reply.message, reply.unit, reply.follow_up), (self.dup, c.unit_a, asked))
        self.assertEqual(self.dup.events.latest("seq").unit, c.unit_a)
        answered = Notice.objects.filter(to_citizen=True, kind="answered", text__contains="追问")
        self.assertEqual(list(answered.values_list("message", flat=True)), [self.dup.pk])
        self.assertEqual(Message.objects.get(pk=self.dup.pk).state, S.MERGED)

    def test_a_follow_up_answer_waits_for_the_main_units_leader_where_it_signs_off(self):
        c = self.cast
        c.unit_a.reply_signoff = True
        c.unit_a.save(update_fields=["reply_signoff"])
        self.answer()  # a handler's reply: a draft, approved by the leader
        draft = self.main.drafts.get()
        actions.approve_reply(draft=draft, by=c.leader_a)
        asked = actions.follow_up(message=self.dup, who=self.me, text="何时修？")
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。")
        self.assertEqual(draft.unit, c.unit_a)
        signoff = Notice.objects.get(message=self.dup, kind="signoff", recipient=c.leader_a)
        self.assertEqual(
            signoff.text,
            f"handler_a提交了并单留言{self.dup.serial}（已并入留言{self.main.serial}）追问的答复，待您审核后公开。",
        )
        reply = actions.approve_reply(draft=draft, by=c.leader_a)
        self.assertEqual((reply.message, reply.unit), (self.dup, c.unit_a))
        # One waiting when the merge is undone is void: unit A no longer handles it.
        asked = actions.follow_up(message=self.dup, who=self.me, text="还有一盏呢？")
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="一并修。")
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。")
        draft.refresh_from_db()
        self.assertEqual((draft.state, draft.note), ("withdrawn", "已撤销并单，由原单位单独办理。"))

    def test_undoing_the_merge_voids_the_waiting_answer_to_a_follow_up_as_any_void_draft(self):
        c = self.cast
        c.unit_a.reply_signoff = True
        c.unit_a.save(update_fields=["reply_signoff"])
        actions.reply(message=self.main, by=c.leader_a, text="已安排维修。")  # the leader's: published at once
        asked = actions.follow_up(message=self.dup, who=self.me, text="何时修？")
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。")
        signoff = Notice.objects.get(message=self.dup, kind="signoff", recipient=c.leader_a)
        self.assertIsNone(signoff.read_at)
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。")
        draft.refresh_from_db()
        self.assertEqual(
            (draft.state, draft.decided_by, draft.note),
            ("withdrawn", c.county_office, "已撤销并单，由原单位单独办理。"),
        )
        # Recorded after the merge's undoing, for the unit whose draft it was.
        unmerged, voided = self.dup.events.order_by("-seq")[:2][::-1]
        self.assertEqual((unmerged.kind, voided.kind), ("unmerged", "reply_withdrawn"))
        self.assertEqual(
            (voided.unit, voided.actor, voided.data["draft"], voided.data["author"], voided.data["merge_undone"]),
            (c.unit_a, c.county_office, draft.pk, c.handler_a.pk, self.main.pk),
        )
        # Its author is told, led to the main message (this one is no longer theirs to
        # open), and the leader's notice no longer waits.
        told = Notice.objects.get(message=self.dup, kind="returned", recipient=c.handler_a)
        self.assertEqual(
            told.text, f"留言{self.dup.serial}的并单已撤销，改由原办理单位答复，您待审核的追问答复随之失效。"
        )
        self.assertEqual(told.link, f"/work/messages/{self.main.pk}/")
        signoff.refresh_from_db()
        self.assertIsNotNone(signoff.read_at)
        self.assertEqual(replay.replay().differences, [])
        _checked, broken = chain.verify()
        self.assertIsNone(broken)

    def test_a_rating_is_theirs_once_an_answer_and_again_once_the_main_is_answered_anew(self):
        c = self.cast
        self.answer()
        actions.rate(message=self.dup, who=self.me, rating="basically_satisfied")
        rated = Message.objects.get(pk=self.dup.pk)
        self.assertEqual((rated.rating, rated.state), ("basically_satisfied", S.MERGED))
        self.assertEqual(Message.objects.get(pk=self.main.pk).rating, "")  # the main citizen's own is untouched
        event = rated.events.latest("seq")
        self.assertEqual((event.kind, event.unit, event.data["main"]), ("rated", c.unit_a, self.main.pk))
        self.assertRefused("already_rated", actions.rate, message=self.dup, who=self.me, rating="satisfied")
        # An answer to the main citizen's follow-up is not a new answer to this one.
        asked = actions.follow_up(message=self.main, who=actions.Citizen(user=c.citizen), text="何时？")
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。")
        self.assertRefused("already_rated", actions.rate, message=self.dup, who=self.me, rating="satisfied")
        # The main message reopened and answered again: rated again.
        actions.reopen_on_revisit(revisit=asked.revisit, by=c.county_office, reason="未修复。")
        self.answer("已更换灯具。")
        actions.rate(message=self.dup, who=self.me, rating="satisfied")
        self.assertEqual(Message.objects.get(pk=self.dup.pk).rating, "satisfied")

    def test_dissatisfied_goes_to_the_main_unit_and_the_office_saying_which_message(self):
        c = self.cast
        self.answer()
        revisit = self.dissatisfied()
        self.assertEqual(revisit.unit, c.unit_a)
        self.assertIn(self.dup, list(selectors.inbox(c.leader_a, selectors.inbox_tab("dissatisfied"))))
        office = Notice.objects.get(message=self.dup, kind="dissatisfied", recipient=c.county_office).text
        self.assertEqual(
            office,
            f"网民对{c.unit_a.name}就留言{self.main.serial}所作答复不满意（并单留言{self.dup.serial}），请处理回访。",
        )
        unit = {n.recipient for n in Notice.objects.filter(message=self.dup, kind="dissatisfied", to_citizen=False)}
        self.assertEqual(unit, {c.handler_a, c.handler_a2, c.leader_a, c.county_office})
        # The office's queue and unit A's page of the merged message say whose answer it is.
        self.client.force_login(c.county_office)
        page = self.client.get(f"/work/county/{c.county.code}/revisits/")
        self.assertContains(page, f'并单网民：这条留言已并入留言 <a href="/work/messages/{self.main.pk}/">')
        self.assertContains(page, "路灯还是不亮。")
        # ... and the answer the citizen was not satisfied with, the main message's.
        self.assertContains(page, "已安排维修，本周修复。")
        self.client.force_login(c.handler_a)
        page = self.client.get(f"/work/messages/{self.dup.pk}/")
        self.assertContains(page, "退回重办的是主留言")

    def test_the_office_reopens_the_main_message_and_every_merged_citizen_hears(self):
        c = self.cast
        self.answer()
        revisit = self.dissatisfied()
        other = write(c, LAMP_AGAIN, unit=c.unit_b, phone="13900000003", at=None)
        actions.merge_duplicate(message=other, into=self.main, by=c.county_office, reason="同一问题。")
        self.client.force_login(c.county_office)
        response = self.client.post(
            f"/work/messages/{self.dup.pk}/revisit/",
            {f"revisit-{self.dup.pk}-decision": "reopen", f"revisit-{self.dup.pk}-note": "路灯仍未修好。"},
            follow=True,
        )
        self.assertContains(response, f"留言{self.main.serial}已退回{c.unit_a.name}重办。")
        main = Message.objects.get(pk=self.main.pk)
        self.assertEqual(main.state, S.RESPONDED)
        self.assertEqual(Message.objects.get(pk=self.dup.pk).state, S.MERGED)
        revisit.refresh_from_db()
        self.assertEqual((revisit.state, revisit.decision_note), ("reopened", "路灯仍未修好。"))
        reopened = main.events.latest("seq")
        self.assertEqual((reopened.kind, reopened.data["revisits"]), ("reopened", [revisit.pk]))
        told = set(Notice.objects.filter(kind="revisited", to_citizen=True).values_list("message", flat=True))
        self.assertEqual(told, {self.main.pk, self.dup.pk, other.pk})
        self.assertTrue(Notice.objects.filter(message=main, kind="reopened", recipient=c.leader_a).exists())

    def test_upheld_is_recorded_for_the_merged_citizen(self):
        c = self.cast
        self.answer()
        revisit = self.dissatisfied()
        actions.uphold_answer(revisit=revisit, by=c.county_office, note="已现场核实，路灯已修好。")
        revisit.refresh_from_db()
        self.assertEqual(revisit.state, "upheld")
        self.assertEqual(Message.objects.get(pk=self.main.pk).state, S.REPLIED)
        self.assertTrue(Notice.objects.filter(message=self.dup, kind="revisited", to_citizen=True).exists())
        self.assertFalse(Notice.objects.filter(message=self.main, kind="revisited").exists())

    def test_undoing_the_merge_ends_the_open_revisit_and_the_follow_up_waits_for_its_own_unit(self):
        c = self.cast
        self.answer()
        revisit = self.dissatisfied()
        asked = actions.follow_up(message=self.dup, who=self.me, text="何时修？")
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。")
        states = dict(Revisit.objects.filter(message=self.dup).values_list("pk", "state"))
        self.assertEqual(states, {revisit.pk: "reopened", asked.revisit.pk: "reopened"})
        revisit.refresh_from_db()
        self.assertEqual(revisit.decision_note, "撤销并单，单独办理：不是同一路段。")
        self.assertEqual(self.dup.events.latest("seq").data["revisits"], sorted([revisit.pk, asked.revisit.pk]))
        self.assertNotIn(self.dup, list(selectors.revisit_queue(c.county_office, c.county)))
        # Its own unit now holds it, and the follow-up not yet answered.
        self.assertIn(self.dup, list(selectors.inbox(c.handler_b, selectors.inbox_tab("follow-ups"))))
        actions.respond(message=self.dup, by=c.handler_b)
        actions.answer_follow_up(follow_up=asked, by=c.handler_b, text="已转本局核实。")

    def test_undoing_the_merge_withdraws_the_rating_of_the_main_messages_answer(self):
        c = self.cast
        self.answer()
        actions.rate(message=self.dup, who=self.me, rating="satisfied")
        rated_at = Message.objects.get(pk=self.dup.pk).rated_at
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。")
        back = Message.objects.get(pk=self.dup.pk)
        self.assertEqual((back.rating, back.rated_at), ("", None))
        event = back.events.latest("seq")
        self.assertEqual(
            (event.kind, event.data["withdrawn_rating"]),
            ("unmerged", {"rating": "satisfied", "rated_at": hashing.timestamp(rated_at), "main": self.main.pk}),
        )
        self.assertEqual(replay.replay().differences, [])
        # Its citizen is told, by the notice and on their page, and may rate their own
        # unit's answer when it comes.
        told = Notice.objects.filter(message=back, kind="merged", to_citizen=True).latest("pk").text
        self.assertEqual(told, f"留言{back.serial}合并及评价已撤销，查询码{back.tracking_code}")
        self.client.force_login(c.other_citizen)
        page = self.client.get(f"/messages/{c.county.code}/{back.serial}/")
        self.assertContains(page, f"您的留言曾与留言 {self.main.serial} 合并办理（并单）")
        self.assertContains(page, f"您对留言 {self.main.serial} 答复的评价（满意）已随合并一并撤回")
        self.assertNotContains(page, "网民评价：")
        actions.reply(message=back, by=c.handler_b, text="本局已核实，另行维修。")
        actions.rate(message=back, who=self.me, rating="basically_satisfied")
        self.assertEqual(Message.objects.get(pk=back.pk).rating, "basically_satisfied")
        self.assertEqual(replay.replay().differences, [])

    def test_undoing_the_merge_without_a_rating_withdraws_none(self):
        c = self.cast
        self.answer()
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。")
        self.assertNotIn("withdrawn_rating", self.dup.events.latest("seq").data)
        told = Notice.objects.filter(message=self.dup, kind="merged", to_citizen=True).latest("pk").text
        self.assertNotIn("评价", told)
        self.client.force_login(c.other_citizen)
        page = self.client.get(f"/messages/{c.county.code}/{self.dup.serial}/")
        self.assertContains(page, f"您的留言曾与留言 {self.main.serial} 合并办理（并单）")
        self.assertNotContains(page, "已随合并一并撤回")

    def test_a_merge_undone_leaves_the_answers_to_follow_ups_which_answer_no_merge_into_it(self):
        # The main message's unit's answer to the merged citizen's follow-up stays on the
        # message; it is no reply to it: a message merged into it since is not answered.
        c = self.cast
        self.answer()
        asked = actions.follow_up(message=self.dup, who=self.me, text="何时修？")
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。")
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。")
        third = write(c, LAMP_AGAIN, unit=c.unit_b, phone="13900000003", at=None)
        actions.merge_duplicate(message=third, into=self.dup, by=c.county_office, reason="同一问题。")
        told = Notice.objects.get(message=third, kind="merged", to_citizen=True).text
        self.assertEqual(told, f"留言{third.serial}已合并办理，查询码{third.tracking_code}")  # not answered

    def test_replay_and_the_chain_accept_it(self):
        c = self.cast
        self.answer()
        asked = actions.follow_up(message=self.dup, who=self.me, text="何时修？")
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。")
        revisit = self.dissatisfied()
        actions.reopen_on_revisit(revisit=revisit, by=c.county_office, reason="未修复。")
        self.answer("已更换灯具。")
        actions.rate(message=self.dup, who=self.me, rating="satisfied")
        self.assertEqual(replay.replay().differences, [])
        _checked, broken = chain.verify()
        self.assertIsNone(broken)
        out = io.StringIO()
        call_command("verify_events", replay=True, stdout=out)
        self.assertIn("checked against", out.getvalue())
        # A rating changed by hand on the merged message is caught.
        Message.objects.filter(pk=self.dup.pk).update(rating="dissatisfied")
        found = "\n".join(map(str, replay.replay().differences))
        self.assertIn(f"handling_message #{self.dup.pk} rating", found)


class MergedCitizenPageTests(HandlingTestCase):
    def setUp(self):
        c = self.cast
        self.main = write(c, LAMP, unit=c.unit_a, by=c.citizen, phone="13900000001", at=MONDAY)
        self.dup = write(c, LAMP_AGAIN, unit=c.unit_b, by=c.other_citizen, phone="13900000002", at=MONDAY)
        actions.merge_duplicate(message=self.dup, into=self.main, by=c.county_office, reason="同一问题。", at=MONDAY)
        self.url = f"/messages/{c.county.code}/{self.dup.serial}/"

    def test_the_owner_is_offered_the_forms_once_the_main_message_is_answered(self):
        c = self.cast
        self.client.force_login(c.other_citizen)
        page = self.client.get(self.url)
        self.assertNotContains(page, 'name="step" value="rating"')
        self.assertNotContains(page, "提交追问")
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修，本周修复。", at=TUESDAY)
        page = self.client.get(self.url)
        self.assertContains(page, 'name="step" value="rating"')
        self.assertContains(page, "提交追问")
        response = self.client.post(self.url, {"text": "路口那盏也坏了。"}, follow=True)
        self.assertContains(response, "追问已提交，办理单位将继续答复。")
        self.assertContains(response, "路口那盏也坏了。")  # their own follow-up, under the main message's answer
        response = self.client.post(self.url, {"rating": "satisfied"}, follow=True)
        self.assertContains(response, "感谢您的评价。")
        self.assertEqual(Message.objects.get(pk=self.dup.pk).rating, "satisfied")
        self.assertNotContains(response, 'name="step" value="rating"')

    def test_the_tracking_code_holder_is_offered_them_too_and_the_public_never(self):
        c = self.cast
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修，本周修复。", at=TUESDAY)
        anonymous = write(c, LAMP_AGAIN, unit=c.unit_b, phone="13900000003", at=MONDAY)
        actions.merge_duplicate(message=anonymous, into=self.main, by=c.county_office, reason="同一问题。")
        self.client.post("/track/", {"code": anonymous.tracking_code, "passcode": anonymous.issued_passcode})
        page = self.client.get(f"/track/{anonymous.tracking_code}/")
        self.assertContains(page, 'name="step" value="rating"')
        self.assertContains(page, "提交追问")
        self.client.post(f"/track/{anonymous.tracking_code}/", {"rating": "satisfied"})
        self.assertEqual(Message.objects.get(pk=anonymous.pk).rating, "satisfied")
        # Anyone else: the main message's citizen, a stranger, the public.
        for who in (c.citizen, None):
            self.client.logout()
            if who is not None:
                self.client.force_login(who)
            page = self.client.get(self.url)
            self.assertNotContains(page, 'name="step" value="rating"', status_code=page.status_code)
            self.assertNotContains(page, "提交追问", status_code=page.status_code)
            response = self.client.post(self.url, {"rating": "dissatisfied", "reason": "不行"})
            self.assertIn(response.status_code, (200, 302, 404, 405))
        self.assertEqual(Message.objects.get(pk=self.dup.pk).rating, "")


class MergedRatingCountTests(HandlingTestCase):
    """The merged citizen's rating counts for the main message's unit, once for their
    message (its last rating before the cut-off), and is listed in its evidence; not
    for the unit the message had, and not once the merge is undone."""

    def setUp(self):
        c = self.cast
        self.main = write(c, LAMP, unit=c.unit_a, by=c.citizen, phone="13900000001", at=MONDAY)
        self.dup = write(c, LAMP_AGAIN, unit=c.unit_b, by=c.other_citizen, phone="13900000002", at=MONDAY)
        actions.merge_duplicate(message=self.dup, into=self.main, by=c.county_office, reason="同一问题。", at=MONDAY)
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修。", at=TUESDAY)
        self.window = facts.Window.of(Q1, LATER)

    def counted(self, unit):
        found = facts.collect(self.cast.county, self.window).of(unit.pk)
        return found.get("rating.rated", 0), found.get("rating.satisfied", 0)

    def test_it_counts_for_the_main_messages_unit_once_by_the_last_rating(self):
        c = self.cast
        actions.rate(message=self.main, who=actions.Citizen(user=c.citizen), rating="satisfied", at=WEDNESDAY)
        me = actions.Citizen(user=c.other_citizen)
        actions.rate(message=self.dup, who=me, rating="dissatisfied", reason="没修。", at=WEDNESDAY)
        self.assertEqual(self.counted(c.unit_a), (2, 1))
        self.assertEqual(self.counted(c.unit_b), (0, 0))
        revisit = Revisit.objects.get(message=self.dup)
        actions.reopen_on_revisit(revisit=revisit, by=c.county_office, reason="未修复。", at=THURSDAY)
        actions.reply(message=self.main, by=c.handler_a, text="已更换灯具。", at=THURSDAY)
        actions.rate(message=self.dup, who=me, rating="satisfied", at=THURSDAY)
        self.assertEqual(self.counted(c.unit_a), (2, 2))
        rows = [(e.message_id, e.given_rating) for e in facts.rating_evidence(c.unit_a, self.window)]
        self.assertEqual(rows, [(self.main.pk, "satisfied"), (self.dup.pk, "satisfied")])

    def test_the_evidence_page_names_the_main_message(self):
        from wenzheng.evaluation import runs
        from wenzheng.evaluation.models import Scheme

        c = self.cast
        actions.rate(message=self.dup, who=actions.Citizen(user=c.other_citizen), rating="satisfied", at=WEDNESDAY)
        run = runs.run_evaluation(
            scheme=Scheme.objects.latest_version("default"), region=c.county, period=Q1, now=LATER
        )
        self.client.force_login(c.county_office)
        page = self.client.get(f"/evaluation/runs/{run.pk}/units/{c.unit_a.pk}/")
        self.assertContains(page, f"并单，评价主留言 {self.main.serial} 的答复")

    def test_a_merge_undone_takes_its_rating_out_of_the_count(self):
        c = self.cast
        actions.rate(message=self.dup, who=actions.Citizen(user=c.other_citizen), rating="satisfied", at=WEDNESDAY)
        self.assertEqual(self.counted(c.unit_a), (1, 1))
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="并错了。", at=THURSDAY)
        self.assertEqual(self.counted(c.unit_a), (0, 0))
        self.assertEqual(self.counted(c.unit_b), (0, 0))
        self.assertEqual(replay.replay().differences, [])


class MergedCitizenApiTests(ApiTestCase):
    def test_the_api_follows_the_same_rules(self):
        c = self.cast
        main = write(c, LAMP, unit=c.unit_a, phone="13900000001", at=MONDAY)
        dup = write(c, LAMP_AGAIN, unit=c.unit_b, by=c.citizen, phone="13900000002", at=MONDAY)
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题。", at=MONDAY)
        path = f"/api/v1/my/messages/{c.county.code}/{dup.serial}"
        refused = self.post("citizen", f"{path}/rate", {"rating": "satisfied"})
        self.assertEqual((refused.status_code, refused.json()["code"]), (409, "main_not_answered"))
        actions.reply(message=main, by=c.handler_a, text="已安排维修。", at=TUESDAY)
        self.assertEqual(self.post("citizen", f"{path}/follow-up", {"text": "何时修？"}).status_code, 200)
        rated = self.post("citizen", f"{path}/rate", {"rating": "dissatisfied", "reason": "没修。"})
        self.assertEqual((rated.status_code, rated.json()["rating"]), (200, "dissatisfied"))
        self.assertEqual(set(Revisit.objects.filter(message=dup).values_list("unit", flat=True)), {c.unit_a.pk})
        self.assertEqual(self.post("other_citizen", f"{path}/rate", {"rating": "satisfied"}).status_code, 404)

    def test_the_detail_shows_the_main_message_and_its_answers_masked_to_its_owner(self):
        c = self.cast
        main = write(c, LAMP, unit=c.unit_a, phone="13900000001", at=MONDAY, name="李四")
        dup = write(c, LAMP_AGAIN, unit=c.unit_b, by=c.citizen, phone="13900000002", at=MONDAY)
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题。", at=MONDAY)
        path = f"/api/v1/my/messages/{c.county.code}/{dup.serial}"
        detail = self.get("citizen", path).json()
        self.assertEqual((detail["merged_into"], detail["main_replies"]), (main.serial, []))
        actions.reply(message=main, by=c.handler_a, text="李四您好，已安排维修，请拨13900000001联系。", at=TUESDAY)
        asked = actions.follow_up(
            message=main, who=actions.Citizen(passcode=main.issued_passcode), text="何时修？", at=WEDNESDAY
        )
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=WEDNESDAY)
        detail = self.get("citizen", path).json()
        self.assertEqual(detail["merged_into"], main.serial)
        # The main message's reply to the message (not to its citizen's follow-up),
        # masked as on the merged citizen's own page: the main message is someone else's.
        [answer] = detail["main_replies"]
        self.assertEqual((answer["unit"], answer["follow_up"]), (c.unit_a.name, None))
        self.assertNotIn("13900000001", answer["text"])
        self.assertNotIn("李四", answer["text"])
        self.assertIn("已安排维修", answer["text"])
        self.client.force_login(c.citizen)
        page = self.client.get(f"/messages/{c.county.code}/{dup.serial}/")
        self.assertContains(page, answer["text"])
        # Not merged (any more): neither.
        actions.unmerge_duplicate(message=dup, by=c.county_office, reason="并错了。", at=THURSDAY)
        detail = self.get("citizen", path).json()
        self.assertEqual((detail["merged_into"], detail["main_replies"]), (None, []))
        self.assertEqual(self.get("other_citizen", path).status_code, 404)
