"""The citizen's side of the loop: a 不满意 rating asks for a reason, a follow-up's
answer shows under it, and going back and submitting a form again adds nothing."""

import datetime as dt
import re

import time_machine

from wenzheng.handling import actions
from wenzheng.handling.models import FollowUp, Message, Reply, Revisit
from wenzheng.testing import CastTestCase, local

MONDAY = local(2026, 3, 2, 9)


def form_key(response) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', response.content.decode()).group(1)


class RatingAndThreadTest(CastTestCase):
    def setUp(self):
        self.message = self.cast.replied(at=MONDAY)
        self.url = f"/messages/luocheng/{self.message.serial}/"
        self.client.force_login(self.cast.citizen)

    def test_dissatisfied_without_a_reason_shows_the_form_again_and_rates_nothing(self):
        response = self.client.post(self.url, {"rating": "dissatisfied", "reason": "  "})
        self.assertContains(response, "请写明不满意的理由", status_code=400)
        self.assertRegex(response.content.decode(), r'value="dissatisfied"[^>]*checked')
        # At the top too, where the page opens: on a phone the form is screens below.
        self.assertContains(
            response, "评价没有提交：选择“不满意”时，请写明不满意的理由。 评价表在页面下方。", status_code=400
        )
        self.message.refresh_from_db()
        self.assertEqual(self.message.rating, "")

    def test_a_reason_too_long_is_too_long_and_not_missing_too(self):
        response = self.client.post(self.url, {"rating": "dissatisfied", "reason": "理" * 1001})
        self.assertContains(response, "不满意的理由不能超过1000个字（现有1001个字）", status_code=400)
        self.assertNotContains(response, "请写明不满意的理由", status_code=400)
        self.assertNotContains(response, "。；", status_code=400)

    def test_a_reopened_message_answered_again_offers_the_rating_again(self):
        c = self.cast
        actions.rate(message=self.message, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="没修。")
        self.assertNotContains(self.client.get(self.url), 'name="step" value="rating"')
        actions.reopen_on_revisit(revisit=self.message.revisits.get(), by=c.county_office, reason="未修复。")
        public = self.client_class()
        # Reopened, not yet answered again: the rating shown is of the answer that stands.
        self.assertContains(
            public.get(self.url), '<p id="rating">网民评价：<span class="badge bad">不满意</span></p>', html=True
        )
        actions.reply(message=self.message, by=c.handler_a, text="已更换灯具。")
        # Answered again: the 不满意 was of the earlier answer, not of this one.
        shown = public.get(self.url)
        self.assertContains(shown, "网民对此前一次答复的评价（")
        self.assertContains(shown, "；此后的答复尚待网民评价。")
        self.assertNotContains(shown, "网民评价：")
        page = self.client.get(self.url)
        self.assertContains(page, "办理单位已再次答复，您可以对新的答复重新评价（您上次的评价：不满意）。")
        response = self.client.post(self.url, {"rating": "satisfied", "form_key": form_key(page)}, follow=True)
        self.assertContains(response, "感谢您的评价。")
        self.message.refresh_from_db()
        self.assertEqual(self.message.rating, "satisfied")
        self.assertNotContains(response, 'name="step" value="rating"')

    def test_words_written_with_another_rating_are_not_dropped_unseen(self):
        response = self.client.post(self.url, {"rating": "satisfied", "reason": "谢谢，另外路口也需要一盏灯。"})
        self.assertContains(response, "其他意见请用下面的“追问”提交", status_code=400)
        self.assertContains(response, "谢谢，另外路口也需要一盏灯。", status_code=400)
        self.message.refresh_from_db()
        self.assertEqual(self.message.rating, "")

    def test_dissatisfied_with_a_reason_goes_to_the_unit_and_the_office(self):
        page = self.client.get(self.url)
        self.assertContains(page, "不满意的理由")
        response = self.client.post(
            self.url, {"rating": "dissatisfied", "reason": "路灯还是不亮。", "form_key": form_key(page)}, follow=True
        )
        self.assertContains(response, "县网络问政办将回访核实")
        self.assertEqual(Revisit.objects.get().reason, "路灯还是不亮。")
        # The citizen reads back what they wrote (a newcomer never saw it again); the
        # board does not show it.
        self.assertContains(response, "您写的不满意理由：")
        self.assertContains(response, "路灯还是不亮。")
        self.client.logout()
        self.assertNotContains(self.client.get(self.url), "路灯还是不亮。")

    def test_the_citizen_reads_what_the_office_made_of_their_dissatisfaction(self):
        c = self.cast
        me = actions.Citizen(user=c.citizen)
        actions.rate(message=self.message, who=me, rating="dissatisfied", reason="路灯还是不亮。")
        self.assertContains(self.client.get(self.url), "县网络问政办将回访核实，处理结果会在这里告诉您。")
        revisit = Revisit.objects.get()
        actions.uphold_answer(revisit=revisit, by=c.county_office, note="经现场核实，路灯已于3月5日修复。")
        page = self.client.get(self.url)
        self.assertContains(page, "：原答复成立。")
        self.assertContains(page, "经现场核实，路灯已于3月5日修复。")
        self.client.logout()  # the board's view: the office's note is the citizen's alone
        self.assertNotContains(self.client.get(self.url), "经现场核实")

    def test_a_reopening_on_the_citizens_dissatisfaction_is_told_to_them(self):
        c = self.cast
        actions.rate(message=self.message, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="没修。")
        actions.reopen_on_revisit(revisit=Revisit.objects.get(), by=c.county_office, reason="答复未解决问题。")
        page = self.client.get(self.url)
        self.assertContains(page, "：退回办理单位重新答复。")
        self.assertContains(page, "答复未解决问题。")
        # And it stays on the board with its answer, said to be handled again (it went
        # 404: the press's link and the citizen's complaint gone with it).
        self.client.logout()
        public = self.client.get(self.url)
        self.assertContains(public, "已安排维修人员处理。")
        self.assertContains(public, "这条留言正在重新办理，新的答复将在这里公开。")
        self.assertContains(self.client.get("/messages/?region=luocheng"), self.message.title)
        reopened = self.client.get("/messages/?region=luocheng&status=reopened")
        self.assertContains(reopened, self.message.serial)
        self.assertContains(reopened, "重新办理中</span>")  # the badge says as the filter does
        self.assertNotContains(self.client.get("/messages/?region=luocheng&status=replied"), self.message.serial)
        self.assertContains(self.client.get("/messages/?region=luocheng&q=路灯"), self.message.serial)
        self.assertTrue(Message.objects.published().filter(pk=self.message.pk).exists())
        # Answered again: 已回复, the notice gone.
        actions.reply(message=self.message, by=c.handler_a, text="已更换灯具。")
        again = self.client.get(self.url)
        self.assertContains(again, "已更换灯具。")
        self.assertNotContains(again, "正在重新办理")

    def test_a_replied_message_marked_spam_or_never_answered_is_not_public(self):
        c = self.cast
        waiting = c.submit(at=MONDAY, title="还没有答复")
        self.assertFalse(Message.objects.published().filter(pk=waiting.pk).exists())
        self.assertEqual(self.client.get(f"/messages/luocheng/{waiting.serial}/").status_code, 200)  # its writer
        actions.mark_spam(message=self.message, by=c.county_office, reason="广告")
        self.assertFalse(Message.objects.published().filter(pk=self.message.pk).exists())
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_follow_ups_answer_shows_under_it_in_time_order(self):
        c = self.cast
        asked = actions.follow_up(message=self.message, who=actions.Citizen(user=c.citizen), text="何时修好？")
        actions.reply(message=self.message, by=c.handler_a, text="补充：已订购灯泡。")
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="本周五前修好。")
        body = self.client.get(self.url).content.decode()
        order = [body.index(t) for t in ("已安排维修人员处理。", "何时修好？", "本周五前修好。", "补充：已订购灯泡。")]
        self.assertEqual(order, sorted(order))
        self.assertIn("东门镇 答复追问", body)
        self.client.logout()
        public = self.client.get(self.url).content.decode()  # the board's view
        self.assertLess(public.index("何时修好？"), public.index("本周五前修好。"))


class FormsPostOnceTest(CastTestCase):
    def test_back_and_resubmit_posts_one_message(self):
        page = self.client.get("/post/?county=luocheng")
        key = form_key(page)
        data = {
            "unit": self.cast.unit_a.pk, "category": self.cast.consultation.pk, "title": "重复提交的留言",
            "body": "网络很慢，点了两次提交。", "name": "王五", "phone": "13700000000", "form_key": key,
        }  # fmt: skip
        first = self.client.post("/post/?county=luocheng", data)
        self.assertRedirects(first, "/post/done/", fetch_redirect_response=False)
        message = Message.objects.get()
        done = self.client.get("/post/done/")
        self.assertContains(done, message.tracking_code)
        self.assertContains(done, f"您给罗城仫佬族自治县的留言编号为 <strong>{message.serial}</strong>")
        again = self.client.post("/post/?county=luocheng", data, follow=True)
        self.assertEqual(Message.objects.count(), 1)
        self.assertContains(again, "这条留言已经提交过，没有重复提交。")
        self.assertContains(again, message.serial)  # this session may open it again
        # Someone else replaying the form learns nothing of it.
        self.client.logout()
        self.client.cookies.clear()
        stranger = self.client.post("/post/?county=luocheng", data, follow=True)
        self.assertEqual(Message.objects.count(), 1)
        self.assertNotContains(stranger, message.tracking_code)
        self.assertEqual(stranger.redirect_chain[-1][0], "/track/")
        # A fresh page is a fresh form.
        data["form_key"] = form_key(self.client.get("/post/?county=luocheng"))
        self.client.post("/post/?county=luocheng", data)
        self.assertEqual(Message.objects.count(), 2)

    def test_the_same_message_from_a_new_form_is_told_it_was_sent_not_posted_again(self):
        # Back from the page it landed on: Chromium fetches the form again (a new key)
        # and fills in what was typed; 提交留言 then sent the same message again.
        data = {
            "unit": self.cast.unit_a.pk, "category": self.cast.consultation.pk, "title": "返回后再提交",
            "body": "路灯坏了。", "name": "王五", "phone": "13700000000",
        }  # fmt: skip
        with time_machine.travel(MONDAY, tick=False):
            page = self.client.get("/post/?county=luocheng")
            self.client.post("/post/?county=luocheng", {**data, "form_key": form_key(page)})
            message = Message.objects.get()
            done = self.client.get("/post/done/")
            passcode = self.client.session["tracked"][message.tracking_code]
            self.assertContains(done, passcode)
            # The receipt is not kept by the browser to show on back or forward.
            self.assertIn("no-store", done["Cache-Control"])
            again = self.client.post(
                "/post/?county=luocheng", {**data, "form_key": form_key(self.client.get("/post/?county=luocheng"))}
            )
            self.assertEqual(Message.objects.count(), 1)
            self.assertRedirects(again, f"/track/{message.tracking_code}/", fetch_redirect_response=False)
            shown = self.client.get(again["Location"])
            self.assertContains(shown, "这条留言已经提交过，没有重复提交。")
            self.assertContains(shown, message.tracking_code)
            self.assertNotContains(shown, passcode)  # no second receipt
            self.assertRedirects(self.client.get("/post/done/"), "/track/", fetch_redirect_response=False)

    def test_other_content_another_session_or_half_an_hour_later_is_a_new_message(self):
        data = {
            "category": self.cast.consultation.pk, "title": "路灯", "body": "路灯坏了。", "name": "王五",
            "phone": "13700000000",
        }  # fmt: skip

        def post(client, **changes):
            page = client.get("/post/?county=luocheng")
            return client.post("/post/?county=luocheng", {**data, **changes, "form_key": form_key(page)})

        with time_machine.travel(MONDAY, tick=False) as clock:
            post(self.client)
            post(self.client, body="路灯坏了，请尽快修。")  # edited after going back: a message of its own
            post(self.client, unit=self.cast.unit_a.pk)  # to a unit named this time
            self.assertEqual(Message.objects.count(), 3)
            # Another session sending the same learns nothing of this one's message.
            stranger = post(self.client_class())
            self.assertRedirects(stranger, "/post/done/", fetch_redirect_response=False)
            self.assertEqual(Message.objects.count(), 4)
            clock.shift(dt.timedelta(minutes=29))
            to_unit = Message.objects.get(unit=self.cast.unit_a)
            self.assertEqual(
                post(self.client, unit=self.cast.unit_a.pk)["Location"], f"/track/{to_unit.tracking_code}/"
            )
            clock.shift(dt.timedelta(minutes=2))
            post(self.client, unit=self.cast.unit_a.pk)
        self.assertEqual(Message.objects.count(), 5)

    def test_a_replayed_follow_up_or_rating_adds_nothing(self):
        c = self.cast
        message = c.replied(at=MONDAY)
        url = f"/messages/luocheng/{message.serial}/"
        self.client.force_login(c.citizen)
        key = form_key(self.client.get(url))
        for _ in range(2):
            self.client.post(url, {"text": "什么时候修？", "form_key": key})
        self.assertEqual(FollowUp.objects.count(), 1)
        key = form_key(self.client.get(url))
        first = self.client.post(url, {"rating": "satisfied", "form_key": key}, follow=True)
        second = self.client.post(url, {"rating": "satisfied", "form_key": key}, follow=True)
        self.assertContains(first, "感谢您的评价。")
        self.assertContains(second, "这份表单已经提交过，没有重复提交。")

    def test_a_replayed_reply_publishes_one_reply(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        self.client.force_login(c.handler_a)
        page = self.client.get(f"/work/messages/{message.pk}/")
        data = {f"reply-{message.pk}-text": "已安排维修。", "form_key": form_key(page)}
        self.client.post(f"/work/messages/{message.pk}/reply/", data)
        again = self.client.post(f"/work/messages/{message.pk}/reply/", data, follow=True)
        self.assertEqual(Reply.objects.count(), 1)
        self.assertContains(again, "这份表单已经提交过，没有重复提交。")


class UnitPickerTest(CastTestCase):
    def test_every_place_a_unit_is_chosen_groups_townships_and_departments_for_filtering(self):
        c = self.cast
        self.client.force_login(c.county_office)
        pages = {
            "post": "/post/?county=luocheng",
            "board": "/messages/?region=luocheng",
            "records": "/work/county/luocheng/records/",
            "export": "/bulk/imports/",
        }
        c.submit(unit=None)
        pages["dispatch"] = "/work/county/luocheng/dispatch/"
        for name, url in pages.items():
            with self.subTest(page=name):
                body = self.client.get(url).content.decode()
                self.assertIn("data-unit-picker", body)
                township, department = body.index('<optgroup label="乡镇">'), body.index('<optgroup label="部门">')
                self.assertLess(township, body.index("东门镇", township))
                self.assertLess(department, body.index("县住房和城乡建设局", department))
                self.assertLess(township, department)
                self.assertNotIn("思恩镇", body)  # the other county's unit


class SignedInReceiptTest(CastTestCase):
    def test_a_signed_in_citizen_is_sent_to_their_account_not_given_a_passcode(self):
        # Found on a phone: a signed-in citizen was shown a passcode "只显示这一次",
        # which they never need.
        self.client.force_login(self.cast.citizen)
        page = self.client.get("/post/?county=luocheng")
        data = {
            "unit": self.cast.unit_a.pk, "category": self.cast.consultation.pk, "title": "登录后留言",
            "body": "路灯坏了。", "name": "王五", "phone": "13700000000", "form_key": form_key(page),
        }  # fmt: skip
        self.client.post("/post/?county=luocheng", data)
        message = Message.objects.get()
        done = self.client.get("/post/done/")
        self.assertContains(done, message.tracking_code)
        self.assertContains(done, "不需要查询密码")
        self.assertNotContains(done, "查询密码：")
        self.assertNotContains(done, "只显示这一次")
        self.assertContains(done, f'href="/messages/luocheng/{message.serial}/"')
        self.assertContains(done, 'href="/me/"')
