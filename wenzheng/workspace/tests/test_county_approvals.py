import time_machine

from wenzheng.handling import actions
from wenzheng.handling.models import ExtensionRequest, Message, Stage
from wenzheng.testing import local

from .base import MONDAY, NOW, WorkspaceTestCase, snapshot

COUNTY_STAFF = {"county_office", "admin"}
URL = "/work/county/luocheng/approvals/"


@time_machine.travel(NOW, tick=False)
class CountyApprovalTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.message = cast.submit(at=MONDAY, title="路灯坏了两周")
        cls.extension = actions.request_extension(
            message=cls.message, by=cast.handler_a, days=3, reason="需协调供电部门", at=NOW
        )
        cls.appeal = cast.replied(at=MONDAY, category=cast.appeal, title="自来水水压不足")
        actions.request_long_cycle_closure(
            message=cls.appeal, by=cast.leader_a, explanation="需新建水厂，预计明年完工", at=MONDAY
        )
        elsewhere = cast.submit(unit="c", at=MONDAY, title="环江的延期")
        actions.request_extension(message=elsewhere, by=cast.handler_c, days=2, reason="环江理由", at=NOW)

    def decide_extension(self, decision, note="", next_url=URL):
        data = {f"extension-{self.extension.pk}-decision": decision, f"extension-{self.extension.pk}-note": note}
        if next_url:
            data["next"] = next_url
        return self.client.post(f"/work/extensions/{self.extension.pk}/decision/", data, follow=True)

    def decide_closure(self, decision, note=""):
        prefix = f"long-cycle-decision-{self.appeal.pk}"
        data = {f"{prefix}-decision": decision, f"{prefix}-note": note, "next": URL}
        return self.client.post(f"/work/messages/{self.appeal.pk}/long-cycle-decision/", data, follow=True)

    def reply_due(self):
        return Stage.objects.get(message=self.message, kind="reply", completed_at__isnull=True).due_at

    def test_it_is_for_the_county_office(self):
        self.assertAccess(URL, allowed=COUNTY_STAFF, hidden={"other_county_office"})

    def test_it_lists_extension_requests_and_long_cycle_closures(self):
        self.as_("county_office")
        response = self.client.get(URL)
        self.assertContains(response, "延期申请（1）")
        self.assertContains(response, "延期3个工作日（已延期0个，累计上限15个）")
        self.assertContains(response, "需协调供电部门")
        self.assertContains(response, "回复期限3月9日24时，剩余3个工作日")
        # What approving makes of it, as approving counts it (below): 12 March.
        self.assertContains(response, "<dt>同意后回复期限</dt><dd>2026年3月12日24时</dd>", html=True)
        self.assertContains(response, "长周期办结（1）")
        self.assertContains(response, "需新建水厂，预计明年完工")
        self.assertNotContains(response, "环江理由")

    def test_approving_an_extension_moves_the_reply_deadline(self):
        self.as_("county_office")
        response = self.decide_extension("approve", "同意")
        self.assertRedirects(response, URL)
        self.assertContains(response, "已同意延期3个工作日。")
        self.assertEqual(ExtensionRequest.objects.get(pk=self.extension.pk).status, "approved")
        # 24:00 Monday 9 March plus three working days: 24:00 Thursday 12 March.
        self.assertEqual(self.reply_due(), local(2026, 3, 13))

    def test_refusing_an_extension_needs_a_reason(self):
        self.as_("county_office")
        before = snapshot()
        response = self.decide_extension("reject")
        self.assertContains(response, "请填写不同意延期的理由。")
        self.assertUnchanged(before)
        response = self.decide_extension("reject", "理由不充分")
        self.assertContains(response, "已不同意延期，回复期限不变。")
        self.assertEqual(ExtensionRequest.objects.get(pk=self.extension.pk).status, "rejected")
        self.assertEqual(self.reply_due(), local(2026, 3, 10))

    def test_a_decision_without_a_button_changes_nothing(self):
        self.as_("county_office")
        before = snapshot()
        response = self.decide_extension("")
        self.assertContains(response, "审批决定：这个字段是必填项。")
        self.assertUnchanged(before)

    def test_on_the_message_page_the_office_decides_and_returns_there(self):
        self.as_("county_office")
        page = self.client.get(f"/work/messages/{self.message.pk}/")
        self.assertContains(page, "延期申请待审批")
        self.assertContains(page, f'action="/work/extensions/{self.extension.pk}/decision/"')
        response = self.decide_extension("approve", next_url=None)
        self.assertRedirects(response, f"/work/messages/{self.message.pk}/")

    def test_an_extension_into_a_year_without_its_calendar_says_so_beside_the_request(self):
        # The reply is due on Monday 28 December 2026; five working days more reach
        # into 2027, whose holidays are not entered: counted by weekdays only.
        c = self.cast
        m = c.submit(at=local(2026, 12, 21, 9), title="年底的延期")
        actions.request_extension(message=m, by=c.handler_a, days=5, reason="跨年协调", at=local(2026, 12, 22, 9))
        self.as_("county_office")
        response = self.client.get(URL)
        warning = "2027年的节假日安排尚未录入，期限暂按周一至周五计算，录入后将重新核定。"
        self.assertContains(
            response,
            f'<dt>同意后回复期限</dt><dd>2027年1月4日24时<span class="due-warning" role="note">⚠ {warning}</span></dd>',
            html=True,
        )
        # Only there: the request within the calendar's years says nothing of it.
        self.assertContains(response, warning, count=1)

    def test_a_request_left_waiting_by_a_late_reply_is_still_offered_with_what_approving_makes_of_it(self):
        c = self.cast
        late = c.submit(at=local(2026, 2, 25, 9), title="井盖缺失")  # reply due at the end of Tuesday 3 March
        asked = actions.request_extension(
            message=late, by=c.handler_a, days=3, reason="需协调市政", at=local(2026, 3, 2, 9)
        )
        actions.reply(message=late, by=c.handler_a, text="已补装。", at=local(2026, 3, 4, 9))
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{late.pk}/")
        self.assertContains(page, "延期申请待审批")
        self.assertContains(page, "申请延期3个工作日：需协调市政")
        self.as_("county_office")
        response = self.client.get(URL)
        self.assertContains(response, "延期申请（2）")
        self.assertContains(
            response, "<dt>现回复期限</dt><dd>2026年3月3日24时；2026年3月4日 09:00已回复，超期</dd>", html=True
        )
        self.assertContains(response, "<dt>同意后回复期限</dt><dd>2026年3月6日24时，已作的回复改判按时</dd>", html=True)
        page = self.client.get(f"/work/messages/{late.pk}/")
        self.assertContains(page, f'action="/work/extensions/{asked.pk}/decision/"')
        data = {f"extension-{asked.pk}-decision": "approve", f"extension-{asked.pk}-note": "", "next": URL}
        response = self.client.post(f"/work/extensions/{asked.pk}/decision/", data, follow=True)
        self.assertContains(response, "已同意延期3个工作日。")
        self.assertEqual(Stage.objects.get(message=late, kind="reply").outcome, "on_time")

    def test_after_a_refused_hand_back_the_deadline_shown_is_the_one_approving_sets(self):
        """The hand-back, asked past the reply's first deadline but before the one the
        waiting extension gives, was refused: approving counts the days it waited too
        (deadlines.counted_held_days). The page said 3月12日, the extension's days
        alone added to the deadline, and approving set 3月17日."""
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9), title="井盖缺失")  # reply due at the end of Monday 9 March
        asked = actions.request_extension(message=m, by=c.handler_a, days=3, reason="需核实", at=local(2026, 3, 4, 9))
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=local(2026, 3, 10, 9))
        actions.reject_transfer(message=m, by=c.county_office, reason="属东门镇。", at=local(2026, 3, 16, 9))
        self.as_("county_office")
        response = self.client.get(URL)
        self.assertContains(response, "<dt>同意后回复期限</dt><dd>2026年3月17日24时</dd>", html=True)
        actions.approve_extension(request=asked, by=c.county_office, at=local(2026, 3, 16, 10))
        # 5 + 3 working days from 2 March, and 11, 12 and 13 March the hand-back held.
        self.assertEqual(Stage.objects.get(message=m, kind="reply").due_at, local(2026, 3, 18))

    def test_a_reopened_stage_asks_beside_the_request_about_the_late_reply_and_each_is_decided(self):
        c = self.cast
        m = c.submit(at=local(2026, 2, 25, 9), title="井盖缺失")  # reply due at the end of Tuesday 3 March
        first = actions.request_extension(
            message=m, by=c.handler_a, days=3, reason="需协调市政", at=local(2026, 3, 2, 9)
        )
        actions.reply(message=m, by=c.handler_a, text="已补装。", at=local(2026, 3, 4, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 4, 9, 10))
        actions.reopen(message=m, by=c.county_office, reason="未答清楚。", at=local(2026, 3, 4, 9, 20))
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{m.pk}/")
        self.assertContains(page, "<summary>申请延期</summary>", html=True)
        self.assertContains(page, "另有3个工作日待审批，最多还可申请12个工作日。")
        data = {f"extension-{m.pk}-days": 2, f"extension-{m.pk}-reason": "需再核实"}
        self.client.post(f"/work/messages/{m.pk}/extension/", data)
        second = ExtensionRequest.objects.get(message=m, status="pending", stage__completed_at=None)
        self.as_("county_office")
        page = self.client.get(f"/work/messages/{m.pk}/")
        for asked in (first, second):
            self.assertContains(page, f'action="/work/extensions/{asked.pk}/decision/"')
        self.assertContains(page, "申请针对东门镇3月4日09:00已作的回复（超期）：同意后按延长的期限重新判定。")
        self.assertContains(self.client.get(URL), "延期申请（3）")

    def test_only_the_county_that_oversees_it_decides_an_extension(self):
        before = snapshot()
        for role, status in [("handler_a", 403), ("leader_a", 403), ("city_office", 403), ("other_county_office", 404)]:
            with self.subTest(role=role):
                self.as_(role)
                self.assertEqual(self.decide_extension("approve").status_code, status)
        self.assertUnchanged(before)

    def test_approving_a_long_cycle_closure_closes_the_message(self):
        self.as_("county_office")
        response = self.decide_closure("approve", "同意")
        self.assertContains(response, f"已同意留言{self.appeal.serial}长周期办结。")
        message = Message.objects.get(pk=self.appeal.pk)
        self.assertEqual((message.state, message.closure_kind), ("closed", "long_cycle"))
        self.assertContains(response, "没有待审批的长周期办结申请。")

    def test_refusing_a_long_cycle_closure_needs_a_reason_and_reopens_the_message(self):
        self.as_("county_office")
        before = snapshot()
        self.assertContains(self.decide_closure("reject"), "请填写不同意的理由。")
        self.assertUnchanged(before)
        response = self.decide_closure("reject", "可先临时增压")
        self.assertContains(response, "已退回东门镇重办")
        self.assertEqual(Message.objects.get(pk=self.appeal.pk).state, "responded")
        self.assertTrue(Stage.objects.filter(message=self.appeal, kind="reply", completed_at__isnull=True).exists())
