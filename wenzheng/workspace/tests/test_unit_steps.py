import time_machine

from wenzheng.attachments.models import Attachment
from wenzheng.attachments.testing import phone_photo
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import ExtensionRequest, Message, Reply
from wenzheng.privacy import actions as privacy

from .base import MONDAY, NOW, WorkspaceTestCase, snapshot


@time_machine.travel(NOW, tick=False)
class UnitStepTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.new = cls.cast.submit(at=MONDAY, title="路灯坏了两周")
        cls.appeal = cls.cast.replied(at=MONDAY, category=cls.cast.appeal, title="自来水水压不足")

    def step(self, message, step, **data):
        prefixed = {f"{step}-{message.pk}-{k}": v for k, v in data.items()}
        return self.client.post(f"/work/messages/{message.pk}/{step}/", prefixed, follow=True)

    def state(self, message):
        return Message.objects.get(pk=message.pk).state

    def test_a_handler_responds(self):
        self.as_("handler_a")
        response = self.step(self.new, "respond", note="已安排专人办理")
        self.assertRedirects(response, f"/work/messages/{self.new.pk}/")
        self.assertContains(response, f"已签收留言{self.new.serial}，请在期限内回复。")
        self.assertEqual(self.state(self.new), "responded")
        event = Event.objects.filter(message=self.new).last()
        self.assertEqual((event.kind, event.actor, event.note), ("responded", self.cast.handler_a, "已安排专人办理"))

    def test_a_handler_replies(self):
        self.as_("handler_a")
        response = self.step(self.new, "reply", text="路灯已于今日修复，感谢您的反映。")
        self.assertContains(response, "答复以本单位名义公开")
        self.assertContains(response, "路灯已于今日修复，感谢您的反映。")
        self.assertEqual(self.state(self.new), "replied")
        self.assertEqual(Reply.objects.get(message=self.new).author, self.cast.handler_a)

    def test_a_reply_giving_an_unlisted_office_number_is_told_it_will_be_masked(self):
        # A leader asked for the office's number in a reply; the public read 0778-*****45
        # and nothing said why.
        self.as_("handler_a")
        response = self.step(self.new, "reply", text="如有疑问请致电本单位0778-8212345。")
        self.assertContains(response, "答复中的电话号码在公开页面显示为“0778-*****45”")
        self.assertContains(response, "“个人信息保护”中列为公开号码")
        listed = self.cast.submit()
        privacy.add_public_contact(
            region=self.cast.county, value="0778-8212345", label="东门镇办公室", by=self.cast.county_office
        )
        response = self.step(listed, "respond")
        response = self.step(listed, "reply", text="如有疑问请致电本单位0778-8212345。")
        self.assertContains(response, "答复以本单位名义公开")
        self.assertNotContains(response, "公开页面显示为")

    def test_an_empty_reply_is_shown_again_with_its_error_and_changes_nothing(self):
        self.as_("handler_a")
        before = snapshot()
        response = self.step(self.new, "reply", text="  ")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "请填写回复内容。", status_code=400)
        self.assertContains(response, '<details class="action" open>', status_code=400)
        self.assertUnchanged(before)

    def test_an_empty_reply_with_a_photo_says_at_the_top_what_to_do_again(self):
        # On a phone the form's own error is a long scroll below the top of the page.
        self.as_("handler_a")
        before = snapshot()
        response = self.step(self.new, "reply", text=" ", files=phone_photo(size=(40, 30)))
        flash = response.content.decode().split('<div class="flash"', 1)[1].split("</div>", 1)[0]
        self.assertIn("请填写回复内容。（所选附件未保存，请重新选择。）", flash)
        self.assertFalse(Attachment.objects.exists())
        self.assertUnchanged(before)

    def test_an_error_that_names_its_box_is_not_prefixed_with_the_name_again(self):
        self.as_("handler_a")
        response = self.step(self.new, "respond", note="注" * 501)
        flash = response.content.decode().split('<div class="flash"', 1)[1].split("</div>", 1)[0]
        self.assertIn("签收说明（选填）不能超过500个字（现有501个字）。", flash)
        self.assertNotIn("签收说明（选填）：签收说明", flash)

    def test_a_handler_hands_a_message_back_with_a_reason(self):
        self.as_("handler_a")
        response = self.step(self.new, "transfer", reason="供水归县自来水公司管理")
        self.assertContains(response, "已申请退单")
        self.assertEqual(self.state(self.new), "transfer_requested")
        self.assertEqual(Event.objects.filter(message=self.new).last().note, "供水归县自来水公司管理")
        # Asked before 签收: 签收 is still offered while the office decides, and then not.
        self.assertContains(response, "<summary>签收</summary>", html=True)
        response = self.step(self.new, "respond", note="")
        self.assertEqual(self.state(self.new), "transfer_requested")
        self.assertNotContains(response, "<summary>签收</summary>", html=True)

    def test_a_handler_asks_for_an_extension(self):
        self.as_("handler_a")
        response = self.step(self.new, "extension", days=3, reason="需要协调供电部门")
        self.assertContains(response, "已申请延期3个工作日，等待县网络问政办审批。")
        request = ExtensionRequest.objects.get(message=self.new)
        self.assertEqual((request.days, request.status), (3, "pending"))
        self.assertContains(response, "延期申请待审批")
        self.assertNotContains(response, "<summary>申请延期</summary>", html=True)

    def test_a_second_extension_request_is_refused_with_the_reason(self):
        actions.request_extension(message=self.new, by=self.cast.handler_a, days=2, reason="协调", at=NOW)
        self.as_("handler_a")
        before = snapshot()
        response = self.step(self.new, "extension", days=3, reason="再延期")
        self.assertContains(response, "已有一项延期申请待审批。", status_code=400)
        self.assertUnchanged(before)

    def test_an_extension_longer_than_the_category_allows_is_refused_by_the_form(self):
        self.as_("handler_a")
        before = snapshot()
        response = self.step(self.new, "extension", days=16, reason="很久")
        self.assertContains(response, "本单位最多还可申请15个工作日的延期。", status_code=400)
        self.assertUnchanged(before)

    def test_the_extension_form_says_what_is_left_before_it_is_sent(self):
        # 10 of 15 days granted: the form said 15 and the refusal came after sending.
        request = actions.request_extension(message=self.new, by=self.cast.handler_a, days=10, reason="协调", at=NOW)
        actions.approve_extension(request=request, by=self.cast.county_office, at=NOW)
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{self.new.pk}/")
        self.assertContains(page, "本单位已延期10个工作日，最多还可申请5个工作日。")
        self.assertContains(page, 'max="5"')
        # All 15 used: nothing more to ask for, the step is not offered (its max was 0).
        request = actions.request_extension(message=self.new, by=self.cast.handler_a, days=5, reason="再协调", at=NOW)
        actions.approve_extension(request=request, by=self.cast.county_office, at=NOW)
        page = self.client.get(f"/work/messages/{self.new.pk}/")
        self.assertNotContains(page, "<summary>申请延期</summary>", html=True)

    def test_no_extension_is_offered_once_the_reply_deadline_has_passed(self):
        self.as_("handler_a")
        due = self.new.open_stage("reply").due_at
        self.assertContains(self.client.get(f"/work/messages/{self.new.pk}/"), "<summary>申请延期</summary>", html=True)
        with time_machine.travel(due, tick=False):
            self.as_("handler_a")  # signed in again: idle for days
            page = self.client.get(f"/work/messages/{self.new.pk}/")
        self.assertNotContains(page, "<summary>申请延期</summary>", html=True)

    def test_a_handler_is_told_who_closes_and_a_leader_signs_off_before_closing(self):
        from wenzheng.units.models import Unit

        c = self.cast
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{self.appeal.pk}/")
        self.assertContains(page, "办结由本单位分管领导确认")
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        asked = actions.follow_up(message=self.appeal, who=actions.Citizen(user=c.citizen), text="何时修？", at=NOW)
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=NOW)
        self.as_("leader_a")
        page = self.client.get(f"/work/messages/{self.appeal.pk}/").content.decode()
        self.assertLess(page.index("<summary>审核回复</summary>"), page.index("<summary>办结</summary>"))
        self.assertNotIn("办结由本单位分管领导确认", page)

    def test_the_leader_closes_an_appeal_as_solved(self):
        self.as_("leader_a")
        response = self.step(self.appeal, "close", kind="solved", note="已维修到位")
        self.assertContains(response, f"留言{self.appeal.serial}已办结。")
        message = Message.objects.get(pk=self.appeal.pk)
        self.assertEqual((message.state, message.closure_kind), ("closed", "solved"))

    def test_a_handler_cannot_close_and_is_told_why(self):
        self.as_("handler_a")
        before = snapshot()
        response = self.step(self.appeal, "close", kind="solved")
        self.assertContains(response, "只有本单位分管领导可以办理此事项。", status_code=400)
        self.assertUnchanged(before)

    def test_closing_in_the_wrong_state_is_refused_with_the_reason(self):
        self.as_("leader_a")
        before = snapshot()
        response = self.step(self.new, "close", kind="answered")
        self.assertContains(response, "留言当前状态为“待签收”，此操作只能在“已回复”状态下进行。", status_code=400)
        self.assertUnchanged(before)

    def test_the_leader_asks_for_long_cycle_approval(self):
        self.as_("leader_a")
        response = self.step(self.appeal, "long-cycle", explanation="需新建水厂，预计明年完工，已向网民解释。")
        self.assertContains(response, "已申请长周期办结")
        message = Message.objects.get(pk=self.appeal.pk)
        self.assertEqual(message.state, "closure_pending")
        self.assertEqual(message.closure_explanation, "需新建水厂，预计明年完工，已向网民解释。")

    def test_another_units_message_is_a_404_and_changes_nothing(self):
        before = snapshot()
        for role in ("handler_b", "leader_b", "handler_c", "other_county_office"):
            with self.subTest(role=role):
                self.as_(role)
                response = self.client.post(f"/work/messages/{self.new.pk}/respond/", {})
                self.assertEqual(response.status_code, 404)
        self.assertUnchanged(before)

    def test_citizens_cannot_post_steps(self):
        before = snapshot()
        for role in ("citizen", "other_citizen"):
            self.as_(role)
            self.assertEqual(self.client.post(f"/work/messages/{self.new.pk}/respond/").status_code, 403)
        self.as_("anonymous")
        response = self.client.post(f"/work/messages/{self.new.pk}/respond/")
        self.assertTrue(response["Location"].startswith("/accounts/login/"))
        self.assertUnchanged(before)

    def test_the_county_office_cannot_take_the_units_steps(self):
        self.as_("county_office")
        before = snapshot()
        response = self.step(self.new, "respond", note="")
        self.assertContains(response, "只有本单位网络评论员或分管领导可以办理此事项。", status_code=400)
        self.assertUnchanged(before)

    def test_a_step_is_a_post_and_an_unknown_step_is_a_404(self):
        self.as_("handler_a")
        before = snapshot()
        # Its address opened again (a refused form was shown there): the message's
        # page, not a bare 405; nothing done.
        response = self.client.get(f"/work/messages/{self.new.pk}/respond/")
        self.assertRedirects(response, f"/work/messages/{self.new.pk}/")
        self.assertUnchanged(before)
        self.assertEqual(self.client.put(f"/work/messages/{self.new.pk}/respond/").status_code, 405)
        self.assertEqual(self.client.post(f"/work/messages/{self.new.pk}/delete/").status_code, 404)
