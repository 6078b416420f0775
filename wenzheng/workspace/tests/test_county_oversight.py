"""The county office's hand: the 回访 queue, bulk dispatch, the quarter's proposals of
written explanations and reassignment, through the pages."""

import datetime as dt
import re

from django.contrib.messages import get_messages
from django.utils import timezone

from wenzheng.accounts.policy import ActionRefused
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Revisit, Stage
from wenzheng.supervision import proposals
from wenzheng.supervision.models import ExplanationProposal
from wenzheng.testing import local

from .base import MONDAY, WorkspaceTestCase, snapshot

Q1 = "2026Q1"


def notes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


class RevisitQueueTest(WorkspaceTestCase):
    def setUp(self):
        c = self.cast
        self.message = c.replied(at=MONDAY)
        me = actions.Citizen(user=c.citizen)
        self.asked = actions.follow_up(message=self.message, who=me, text="到底什么时候修？", at=MONDAY)
        actions.rate(message=self.message, who=me, rating="dissatisfied", reason="等了两周还没修。", at=MONDAY)
        self.url = "/work/county/luocheng/revisits/"

    def test_the_office_sees_the_follow_up_and_the_reason_and_whether_the_unit_answered(self):
        self.as_("county_office")
        page = self.client.get(self.url)
        self.assertContains(page, self.message.serial)
        self.assertContains(page, "追问：到底什么时候修？")
        self.assertContains(page, "不满意的理由：等了两周还没修。")
        self.assertContains(page, "单位尚未答复这条追问")
        self.assertContains(self.client.get("/work/county/luocheng/"), "回访待处理")
        self.as_("other_county_office")
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.as_("handler_a")
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_the_office_upholds_the_answer_with_its_reason(self):
        self.as_("county_office")
        response = self.client.post(
            f"/work/messages/{self.message.pk}/revisit/",
            {f"revisit-{self.message.pk}-decision": "uphold", f"revisit-{self.message.pk}-note": "已核实，已答复清楚。",
             "next": self.url},
        )  # fmt: skip
        self.assertRedirects(response, self.url)
        self.assertEqual(
            set(Revisit.objects.values_list("state", "decision_note")), {("upheld", "已核实，已答复清楚。")}
        )
        self.assertContains(self.client.get(self.url), "没有待处理的回访")

    def test_a_decision_without_a_reason_changes_nothing(self):
        self.as_("county_office")
        response = self.client.post(
            f"/work/messages/{self.message.pk}/revisit/",
            {f"revisit-{self.message.pk}-decision": "reopen", "next": self.url},
        )
        self.assertRedirects(response, self.url)
        self.assertIn("处理意见", "".join(notes(response)))
        self.assertEqual(Revisit.objects.open().count(), 2)

    def test_the_office_reopens_and_the_unit_sees_it_again_in_its_inbox(self):
        self.as_("county_office")
        self.client.post(
            f"/work/messages/{self.message.pk}/revisit/",
            {f"revisit-{self.message.pk}-decision": "reopen", f"revisit-{self.message.pk}-note": "答复不实。"},
        )
        self.message.refresh_from_db()
        self.assertEqual(self.message.state, "responded")
        self.as_("handler_a")
        self.assertContains(self.client.get("/work/unit/", {"tab": "todo"}), self.message.title)


class UnitInboxWorkTest(WorkspaceTestCase):
    def test_follow_ups_and_dissatisfaction_are_work_in_the_units_inbox(self):
        c = self.cast
        followed = c.replied(at=MONDAY, title="新街路灯何时修")
        rated = c.replied(at=MONDAY, title="井盖破损没人管")
        me = actions.Citizen(user=c.citizen)
        asked = actions.follow_up(message=followed, who=me, text="何时？", at=MONDAY)
        actions.rate(message=rated, who=me, rating="dissatisfied", reason="没解决。", at=MONDAY)
        self.as_("handler_a")
        page = self.client.get("/work/unit/", {"tab": "follow-ups"})
        self.assertContains(page, "新街路灯何时修")
        self.assertNotContains(page, "井盖破损没人管")
        self.assertContains(page, '待答复追问<span class="count">（1）</span>', html=True)
        page = self.client.get("/work/unit/", {"tab": "dissatisfied"})
        self.assertContains(page, "井盖破损没人管")
        self.assertContains(page, '<span class="badge bad">网民不满意</span>', html=True)
        # Answered from the message page, the follow-up leaves the tab.
        response = self.client.post(
            f"/work/messages/{followed.pk}/answer-follow-up/",
            {f"answer-follow-up-{followed.pk}-follow_up": asked.pk, f"answer-follow-up-{followed.pk}-text": "周五。"},
        )
        self.assertRedirects(response, f"/work/messages/{followed.pk}/")
        self.assertEqual(asked.answers.get().text, "周五。")
        self.assertNotContains(self.client.get("/work/unit/", {"tab": "follow-ups"}), "新街路灯何时修")

    def test_an_order_stands_at_the_top_of_the_inbox_until_answered(self):
        c = self.cast
        order = actions.order_written_explanation(
            unit=c.unit_a, by=c.county_office, reason="3月回复超时。", messages=[],
            backlog_deadline=local(2026, 12, 31),
        )  # fmt: skip
        self.as_("leader_a")
        self.assertContains(self.client.get("/work/unit/"), "3月回复超时。")
        self.assertContains(self.client.get("/work/unit/"), "提交书面说明")
        actions.record_explanation(order=order, by=c.leader_a, text="人手不足，已整改。")
        self.assertNotContains(self.client.get("/work/unit/"), "3月回复超时。")
        self.as_("handler_b")
        self.assertNotContains(self.client.get("/work/unit/"), "书面说明</b>")


class SignoffPageTest(WorkspaceTestCase):
    def signed_off_message(self):
        """A new message to unit_a, whose replies wait for its leader's sign-off."""
        self.cast.unit_a.reply_signoff = True
        self.cast.unit_a.save()
        return self.cast.submit(at=MONDAY)

    def test_the_leader_approves_a_handlers_reply_from_the_message_page(self):
        message = self.signed_off_message()
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        # Found on a phone: the button said 发布回复 for a reply that goes to the leader.
        self.assertContains(page, '<button class="btn" type="submit">提交分管领导审核</button>', html=True)
        self.assertNotContains(page, "发布回复")
        response = self.client.post(f"/work/messages/{message.pk}/reply/", {f"reply-{message.pk}-text": "已安排。"})
        self.assertIn("待本单位分管领导审核后公开", "".join(notes(response)))
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "待分管领导审核的回复")
        self.assertNotContains(page, "提交分管领导审核</button>")  # one draft at a time
        self.as_("leader_a")
        self.assertContains(self.client.get("/work/unit/", {"tab": "signoff"}), message.title)
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "审核通过并公开")
        self.client.post(
            f"/work/messages/{message.pk}/signoff/",
            {f"signoff-{message.pk}-decision": "reject", f"signoff-{message.pk}-note": "请写明时间。"},
        )
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "请写明时间。")
        self.assertContains(page, ">\n已安排。</textarea>")  # the returned text, to work on
        # The leader's own reply is published at once: its button says so.
        self.as_("leader_a")
        self.assertContains(
            self.client.get(f"/work/messages/{message.pk}/"),
            '<button class="btn" type="submit">发布回复</button>',
            html=True,
        )

    def test_a_follow_up_answer_waiting_says_why_the_reply_is_not_offered(self):
        c = self.cast
        message = self.signed_off_message()
        actions.reply(message=message, by=c.leader_a, text="已安排维修。", at=MONDAY)
        follow_up = actions.follow_up(
            message=message, who=actions.Citizen(user=c.citizen), text="什么时候修？", at=MONDAY
        )
        citizen = actions.Citizen(user=c.citizen)
        actions.rate(message=message, who=citizen, rating="dissatisfied", reason="没说清楚。", at=MONDAY)
        revisit = message.revisits.order_by("-pk").first()
        actions.reopen_on_revisit(revisit=revisit, by=c.county_office, reason="请重新答复。", at=MONDAY)
        actions.answer_follow_up(follow_up=follow_up, by=c.handler_a, text="本周内。", at=MONDAY)
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "审核通过后以本单位名义公开，显示在该追问之下。")
        self.assertContains(page, "这份追问的答复审核之前，不能再提交留言的回复")
        self.assertNotContains(page, "以公开时间计算是否按时回复")

    def test_the_leader_sees_the_waiting_reply_as_the_public_will_read_it(self):
        """Found by a newcomer: the citizen review shows 公开后显示为, the sign-off did
        not, and a reply that echoes the citizen's name or number is published masked."""
        c = self.cast
        message = self.signed_off_message()
        text = "张三您好，已安排维修，请保持13800000000畅通。联系人李工。"
        actions.reply(message=message, by=c.handler_a, text=text, at=MONDAY)
        self.as_("leader_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, text)
        self.assertContains(page, "公开后显示为")
        self.assertContains(page, "张*您好，已安排维修，请保持138****0000畅通。联系人李工。")
        # The city office reads the waiting reply as it reads the rest: masked.
        self.as_("city_office")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "待分管领导审核的回复")
        self.assertNotContains(page, "13800000000")
        self.assertNotContains(page, "张三")
        # Nor a citizen's reason for dissatisfaction.
        reason = "没修好，请打13800000000。"
        actions.return_reply(draft=message.drafts.get(), by=c.leader_a, note="请写明时间。", at=MONDAY)
        actions.reply(message=message, by=c.leader_a, text="已修复。", at=MONDAY)
        actions.rate(message=message, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason=reason)
        self.assertContains(self.client.get(f"/work/messages/{message.pk}/"), "没修好，请打138****0000。")
        self.as_("leader_a")
        self.assertContains(self.client.get(f"/work/messages/{message.pk}/"), reason)

    def test_a_reply_with_nothing_to_mask_has_no_preview(self):
        c = self.cast
        message = self.signed_off_message()
        actions.reply(message=message, by=c.handler_a, text="已于3月5日修复。", at=MONDAY)
        self.as_("leader_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "已于3月5日修复。")
        self.assertNotContains(page, "公开后显示为")

    def test_the_handler_takes_a_waiting_reply_back_from_the_message_page(self):
        c = self.cast
        message = self.signed_off_message()
        actions.reply(message=message, by=c.handler_a, text="已安排。", at=MONDAY)
        self.as_("handler_a2")  # not theirs to take back
        self.assertNotContains(self.client.get(f"/work/messages/{message.pk}/"), "撤回修改")
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "撤回修改")
        self.assertContains(page, "如需修改，可在本页“撤回回复”中撤回后重新提交。")
        response = self.client.post(f"/work/messages/{message.pk}/withdraw-reply/")
        self.assertRedirects(response, f"/work/messages/{message.pk}/")
        self.assertIn("已撤回回复，可修改后再次提交审核。", notes(response))
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertRegex(page.content.decode(), r"您已于[-0-9: ]+撤回待审核的回复。")
        self.assertContains(page, ">\n已安排。</textarea>")  # to work on
        self.assertContains(page, "<b>撤回待审核的回复</b>")
        self.as_("leader_a")
        self.assertNotContains(self.client.get(f"/work/messages/{message.pk}/"), "审核通过并公开")
        self.assertNotContains(self.client.get("/work/unit/", {"tab": "signoff"}), message.title)

    def test_a_draft_voided_by_the_leaders_own_reply_is_said_so_to_its_author(self):
        # An attacker's trial: the draft went without a word, its text gone.
        c = self.cast
        message = self.signed_off_message()
        actions.reply(message=message, by=c.handler_a, text="已安排。", at=MONDAY)
        actions.reply(message=message, by=c.leader_a, text="已修好。", at=MONDAY)
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertRegex(page.content.decode(), r"于[-0-9: ]+已公开回复，您待审核的回复随之失效。")
        self.assertContains(page, "原文已填入本页“回复”中，如需补充，修改后可再次提交审核。")
        self.assertContains(page, ">\n已安排。</textarea>")
        self.assertContains(page, "<b>撤回待审核的回复</b>")  # in the record

    def test_a_draft_voided_by_a_transfer_is_not_said_to_be_superseded_when_the_message_comes_back(self):
        # Voided by the office's step (actions._void_draft), its author was told by a
        # notice; no answer was published beside it, as the page said once it was
        # recorded with who voided it.
        c = self.cast
        message = self.signed_off_message()
        actions.reply(message=message, by=c.handler_a, text="已安排。", at=MONDAY)
        actions.request_transfer(message=message, by=c.handler_a, reason="属住建局。", at=MONDAY)
        actions.dispatch(message=message, by=c.county_office, unit=c.unit_b, note="转住建局。", at=MONDAY)
        actions.request_transfer(message=message, by=c.handler_b, reason="属东门镇。", at=MONDAY)
        actions.dispatch(message=message, by=c.county_office, unit=c.unit_a, note="回东门镇。", at=MONDAY)
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertNotContains(page, "已公开回复，您待审核的回复随之失效")
        self.assertNotContains(page, ">\n已安排。</textarea>")

    def test_a_returned_answer_to_a_follow_up_goes_back_to_its_own_form(self):
        c = self.cast
        message = c.replied(at=MONDAY)
        asked = actions.follow_up(message=message, who=actions.Citizen(user=c.citizen), text="何时修？", at=MONDAY)
        c.unit_a.reply_signoff = True
        c.unit_a.save()
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=MONDAY)
        actions.return_reply(draft=draft, by=c.leader_a, note="写具体。", at=MONDAY)
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "原文已填入本页“答复追问”中")
        form = page.content.decode().split(f'action="/work/messages/{message.pk}/answer-follow-up/"')[1]
        self.assertIn(">\n周五。</textarea>", form.split("</form>")[0])

    def test_the_record_names_who_wrote_a_signed_off_reply(self):
        c = self.cast
        message = self.signed_off_message()
        actions.respond(message=message, by=c.handler_a, at=MONDAY)
        draft = actions.reply(message=message, by=c.handler_a, text="已安排。", at=MONDAY)
        actions.approve_reply(draft=draft, by=c.leader_a, at=MONDAY)
        self.as_("county_office")
        published = f"<b>回复</b> 东门镇 {c.leader_a}（分管领导），{c.handler_a}拟稿"
        self.assertContains(self.client.get(f"/work/messages/{message.pk}/"), published)
        printed = self.client.get(f"/work/messages/{message.pk}/print/")
        self.assertContains(printed, f"{c.leader_a}（分管领导），{c.handler_a}拟稿")


class BulkDispatchTest(WorkspaceTestCase):
    def test_several_messages_of_the_queue_go_to_one_unit(self):
        c = self.cast
        waiting = [c.submit(unit=None, at=MONDAY, title=f"待交办{n}") for n in range(3)]
        handed_back = c.submit(at=MONDAY, title="退单的")
        actions.request_transfer(message=handed_back, by=c.handler_a, reason="属住建局。", at=MONDAY)
        self.as_("county_office")
        page = self.client.get("/work/county/luocheng/dispatch/")
        self.assertContains(page, 'form="bulk-dispatch"')
        self.assertContains(page, '<optgroup label="乡镇">')
        chosen = [waiting[0].pk, waiting[2].pk, handed_back.pk]
        response = self.client.post(
            "/work/county/luocheng/dispatch/bulk/", {"bulk-messages": chosen, "bulk-unit": c.unit_b.pk}
        )
        self.assertRedirects(response, "/work/county/luocheng/dispatch/")
        said = notes(response)
        self.assertIn(f"已将2条留言交办县住房和城乡建设局：{waiting[0].serial}、{waiting[2].serial}。", said)
        # The hand-back needs a transfer note: refused alone, with its reason.
        self.assertIn(f"{handed_back.serial}：请填写转办说明。", said)
        self.assertEqual(
            dict(Message.objects.filter(pk__in=chosen).values_list("pk", "state")),
            {waiting[0].pk: "dispatched", waiting[2].pk: "dispatched", handed_back.pk: "transfer_requested"},
        )
        self.assertEqual(Message.objects.get(pk=waiting[1].pk).state, "pending_dispatch")

    def test_a_message_outside_the_queue_cannot_be_slipped_in(self):
        c = self.cast
        mine = c.submit(at=MONDAY)  # already with 东门镇, not waiting for dispatch
        self.as_("county_office")
        response = self.client.post(
            "/work/county/luocheng/dispatch/bulk/", {"bulk-messages": [mine.pk], "bulk-unit": c.unit_b.pk}
        )
        self.assertRedirects(response, "/work/county/luocheng/dispatch/")
        self.assertEqual(Message.objects.get(pk=mine.pk).unit, c.unit_a)


class ReassignPageTest(WorkspaceTestCase):
    def test_the_office_reassigns_from_the_message_page(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        self.as_("county_office")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, "改派给")
        # Its reason is the 改派理由, not a re-dispatch's 转办说明 (a newcomer met that label).
        self.assertContains(page, "改派理由")
        self.assertNotContains(page, "转办说明")
        self.assertNotContains(page, f'name="reassign-{message.pk}-category"')  # 更改类别 is its own step
        self.client.post(
            f"/work/messages/{message.pk}/reassign/",
            {f"reassign-{message.pk}-unit": c.unit_b.pk, f"reassign-{message.pk}-note": "属住建局。"},
        )
        message.refresh_from_db()
        self.assertEqual(message.unit, c.unit_b)
        self.assertEqual(Stage.objects.filter(unit=c.unit_a, outcome="reassigned").count(), 2)
        self.assertTrue(Event.objects.filter(kind=Event.Kind.REASSIGNED).exists())
        self.as_("handler_a")
        self.assertEqual(self.client.get(f"/work/messages/{message.pk}/").status_code, 404)


class ProposalsTest(WorkspaceTestCase):
    def setUp(self):
        c = self.cast
        self.late = c.submit(at=local(2026, 3, 2, 9), title="超时未回复")
        on_time = c.submit(unit="b", at=local(2026, 3, 2, 9))
        actions.reply(message=on_time, by=c.handler_b, text="已处理。", at=local(2026, 3, 2, 10))
        self.url = f"/work/county/luocheng/proposals/?period={Q1}"

    def generate(self):
        self.as_("county_office")
        return self.client.post("/work/county/luocheng/proposals/", {"period": Q1})

    def test_the_office_generates_the_quarters_proposals_and_only_late_units_get_one(self):
        self.assertFalse(ExplanationProposal.objects.exists())
        # Before it is generated, the page says there is something to generate (it
        # said "none late, or not yet generated": a newcomer's trial).
        self.as_("county_office")
        self.assertContains(self.client.get(self.url), "有1个单位回应或回复超时，尚未生成建议")
        self.generate()
        proposal = ExplanationProposal.objects.get()
        self.assertEqual((proposal.unit, proposal.late_responses, proposal.late_replies), (self.cast.unit_a, 1, 1))
        self.assertEqual(list(proposal.messages.all()), [self.late])
        page = self.client.get(self.url)
        self.assertContains(page, "东门镇")
        self.assertContains(page, "回应超时1条，回复超时1条。")
        self.assertContains(page, "确认责成")
        self.assertContains(page, "1待确认")  # on its quarter's tab
        self.assertFalse(self.cast.unit_a.explanation_orders.exists())  # nothing until confirmed

    def test_a_unit_late_no_more_loses_its_proposal_and_it_cannot_be_confirmed(self):
        # A trial: the late message reassigned after the proposal, confirming it still
        # ordered a written explanation for lateness the figures no longer held.
        self.generate()
        proposal = ExplanationProposal.objects.get()
        Stage.objects.filter(message=self.late).update(outcome=Stage.Outcome.REASSIGNED, completed_at=local(2026, 3, 3))
        with self.assertRaises(ActionRefused) as refused:
            proposals.confirm(proposal=proposal, by=self.cast.county_office)
        self.assertEqual(refused.exception.code, "no_longer_late")
        self.generate()
        self.assertFalse(ExplanationProposal.objects.exists())

    def test_confirming_makes_the_order_with_the_edited_reason_and_deadline(self):
        self.generate()
        proposal = ExplanationProposal.objects.get()
        prefix = f"proposal-{proposal.pk}"
        self.client.post(
            f"/work/county/luocheng/proposals/{proposal.pk}/",
            {
                f"{prefix}-decision": "confirm",
                f"{prefix}-reason": "一季度回复超时。",
                f"{prefix}-backlog_date": "2026-12-31",
            },
        )
        proposal.refresh_from_db()
        order = proposal.order
        self.assertEqual(
            (proposal.state, order.reason, order.backlog_deadline), ("confirmed", "一季度回复超时。", local(2027, 1, 1))
        )
        self.assertEqual(list(order.messages.all()), [self.late])
        # Generating again leaves a decided proposal as it was.
        self.generate()
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, "confirmed")

    def test_a_late_message_merged_away_counts_in_the_proposal_and_the_order_names_the_rest(self):
        """Merged (并单) into another unit's message after its deadlines passed: the
        lateness stays the unit's, but the order names only what it still handles."""
        c = self.cast
        also_late = c.submit(at=local(2026, 3, 2, 9), title="也超时了")
        main = c.submit(unit="b", at=local(2026, 3, 2, 9))
        actions.merge_duplicate(
            message=also_late, into=main, by=c.county_office, reason="同一问题", at=local(2026, 3, 20, 9)
        )
        self.generate()
        proposal = ExplanationProposal.objects.get(unit=c.unit_a)
        self.assertEqual((proposal.late_responses, proposal.late_replies), (2, 2))
        order = proposals.confirm(proposal=proposal, by=c.county_office, at=local(2026, 4, 2, 9))
        self.assertEqual(list(order.messages.all()), [self.late])

    def test_a_proposal_whose_deadline_has_passed_offers_a_new_one_and_confirms_as_offered(self):
        # Proposals made at the quarter's end and decided weeks later: the deadline
        # they were made with is past, and confirming one as shown was refused.
        self.generate()
        proposal = ExplanationProposal.objects.get()
        ExplanationProposal.objects.filter(pk=proposal.pk).update(backlog_deadline=local(2026, 4, 20))
        page = self.client.get(self.url)
        offered = re.search(rf'name="proposal-{proposal.pk}-backlog_date"[^>]*value="([0-9-]+)"', page.content.decode())
        self.assertIsNotNone(offered)
        self.assertGreaterEqual(dt.date.fromisoformat(offered[1]), timezone.localdate())
        prefix = f"proposal-{proposal.pk}"
        response = self.client.post(
            f"/work/county/luocheng/proposals/{proposal.pk}/",
            {
                f"{prefix}-decision": "confirm",
                f"{prefix}-reason": proposal.reason,
                f"{prefix}-backlog_date": offered[1],
            },
            follow=True,
        )
        self.assertContains(response, "已责成东门镇作出书面说明。")
        proposal.refresh_from_db()
        self.assertEqual(proposal.state, "confirmed")
        self.assertGreater(proposal.order.backlog_deadline, timezone.now())

    def test_a_refused_decision_keeps_what_was_typed_and_names_the_unit(self):
        self.generate()
        proposal = ExplanationProposal.objects.get()
        prefix = f"proposal-{proposal.pk}"
        before = snapshot()
        response = self.client.post(
            f"/work/county/luocheng/proposals/{proposal.pk}/",
            {
                f"{prefix}-decision": "confirm",
                f"{prefix}-reason": "我改过的事由。",
                f"{prefix}-backlog_date": "2026-03-01",
            },
        )
        self.assertContains(response, "东门镇的建议没有处理：限期梳理回复的截止时间必须晚于现在。", status_code=400)
        self.assertContains(response, "我改过的事由。", status_code=400)
        self.assertContains(response, 'value="2026-03-01"', status_code=400)
        self.assertContains(response, "限期梳理回复的截止时间必须晚于现在。", count=2, status_code=400)
        self.assertDrawnAnywhere(response)
        self.assertUnchanged(before)
        self.assertEqual(ExplanationProposal.objects.get().state, "proposed")

    def test_declining_needs_a_reason_and_leaves_an_event(self):
        self.generate()
        proposal = ExplanationProposal.objects.get()
        prefix = f"proposal-{proposal.pk}"
        url = f"/work/county/luocheng/proposals/{proposal.pk}/"
        self.client.post(url, {f"{prefix}-decision": "decline"})
        self.assertEqual(ExplanationProposal.objects.get().state, "proposed")
        self.client.post(url, {f"{prefix}-decision": "decline", f"{prefix}-note": "系统故障导致，已核实。"})
        proposal.refresh_from_db()
        self.assertEqual((proposal.state, proposal.decision_note), ("declined", "系统故障导致，已核实。"))
        event = Event.objects.get(kind=Event.Kind.PROPOSAL_DECLINED)
        self.assertEqual((event.unit, event.data["period"]), (self.cast.unit_a, Q1))
        self.assertFalse(self.cast.unit_a.explanation_orders.exists())

    def test_stages_moved_by_transfer_or_reassignment_are_late_for_no_one(self):
        c = self.cast
        moved = c.submit(unit="b", at=local(2026, 3, 2, 9))
        actions.reassign(message=moved, by=c.county_office, unit=c.unit_a, reason="错派。", at=local(2026, 3, 20, 9))
        made = proposals.propose(county=c.county, period=proposals.periods.parse(Q1), at=local(2026, 4, 1, 9))
        self.assertEqual([p.unit for p in made], [c.unit_a])

    def test_a_reply_late_while_its_extension_waits_for_the_office_is_not_proposed_until_refused(self):
        c = self.cast
        m = c.submit(unit="b", at=local(2026, 3, 16, 9))  # reply due at the end of Monday 23 March
        actions.respond(message=m, by=c.handler_b, at=local(2026, 3, 16, 10))
        asked = actions.request_extension(
            message=m, by=c.handler_b, days=3, reason="需核实。", at=local(2026, 3, 20, 9)
        )
        actions.reply(message=m, by=c.handler_b, text="已处理。", at=local(2026, 3, 25, 9))
        quarter = proposals.periods.parse(Q1)
        made = proposals.propose(county=c.county, period=quarter, at=local(2026, 4, 1, 9))
        self.assertEqual([p.unit for p in made], [c.unit_a])
        actions.reject_extension(request=asked, by=c.county_office, reason="理由不充分。", at=local(2026, 4, 2, 9))
        made = proposals.propose(county=c.county, period=quarter, at=local(2026, 4, 2, 10))
        late = {p.unit: (p.late_responses, p.late_replies) for p in made}
        self.assertEqual(late, {c.unit_a: (1, 1), c.unit_b: (0, 1)})

    def test_another_county_cannot_decide_it(self):
        self.generate()
        proposal = ExplanationProposal.objects.get()
        self.as_("other_county_office")
        response = self.client.post(f"/work/county/luocheng/proposals/{proposal.pk}/", {})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(self.url).status_code, 404)
