"""What a citizen meets first (issue 16): the deadlines they are promised, the post
form's category and phone number, the rating form, the exposure list and the order of
a conversation."""

import time_machine

from wenzheng.accounts.models import User
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase, local

MONDAY = local(2026, 3, 2, 9)


class DeadlinesTest(CastTestCase):
    def form(self, **changes):
        c = self.cast
        return {
            "unit": c.unit_a.pk, "category": c.appeal.pk, "title": "村道塌方", "body": "村道塌方，影响出行。",
            "name": "李四", "phone": "13900000000", **changes,
        }  # fmt: skip

    def test_the_receipt_says_by_when_the_unit_must_respond_and_reply(self):
        with time_machine.travel(MONDAY, tick=False):
            page = self.client.post("/post/?county=luocheng", self.form(), follow=True)
        # Arrived on Monday 2 March: 1 working day to respond, 5 to reply (the weekend skipped).
        self.assertContains(page, "东门镇须于 <strong>2026年3月3日（星期二）</strong> 24时前签收", html=False)
        self.assertContains(page, "东门镇须于 <strong>2026年3月9日（星期一）</strong> 24时前答复", html=False)

    def test_a_message_left_to_the_office_says_what_follows_dispatch(self):
        with time_machine.travel(MONDAY, tick=False):
            page = self.client.post("/post/?county=luocheng", self.form(unit=""), follow=True)
        self.assertContains(page, "交办后，办理单位须在1个工作日内签收、5个工作日内答复")

    def test_the_tracking_page_shows_the_open_deadline_and_drops_what_is_done(self):
        c = self.cast
        message = c.submit(by=None, at=MONDAY)
        self.client.post("/track/", {"code": message.tracking_code, "passcode": message.issued_passcode})
        page = self.client.get(f"/track/{message.tracking_code}/")
        self.assertContains(page, "2026年3月3日（星期二）</strong> 24时前签收", html=False)
        actions.respond(message=message, by=c.handler_a, at=local(2026, 3, 2, 15))
        page = self.client.get(f"/track/{message.tracking_code}/")
        self.assertNotContains(page, "24时前签收")
        self.assertContains(page, "2026年3月9日（星期一）</strong> 24时前答复", html=False)


class PhoneNumberTest(CastTestCase):
    def form(self, phone):
        c = self.cast
        return {
            "unit": c.unit_a.pk, "category": c.appeal.pk, "title": "村道塌方", "body": "村道塌方，影响出行。",
            "name": "李四", "phone": phone,
        }  # fmt: skip

    def test_the_post_form_accepts_and_normalises_how_people_write_numbers(self):
        for typed, stored in [("+86 138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000")]:
            with self.subTest(typed=typed):
                self.client.post("/post/?county=luocheng", self.form(typed))
                self.assertEqual(Message.objects.latest("pk").citizen_phone, stored)

    def test_the_post_form_refuses_ten_and_twelve_digit_mobiles(self):
        for typed in ("1380013800", "138001380001"):
            with self.subTest(typed=typed):
                response = self.client.post("/post/?county=luocheng", self.form(typed))
                self.assertContains(response, "手机号应为11位数字")
        self.assertFalse(Message.objects.exists())

    def test_signup_takes_a_mobile_with_the_country_code(self):
        self.client.post(
            "/accounts/signup/",
            {"username": "wangwu", "display_name": "王五", "phone": "+86 139-0000-1111",
             "password1": "Zhong-Wen-2026!", "password2": "Zhong-Wen-2026!"},
        )  # fmt: skip
        self.assertEqual(User.objects.get(username="wangwu").phone, "13900001111")


class PostFormCategoryTest(CastTestCase):
    def test_no_category_is_chosen_in_advance_and_each_is_explained(self):
        body = self.client.get("/post/?county=luocheng").content.decode()
        select = body[body.index('name="category"') : body.index("</select>", body.index('name="category"'))]
        self.assertIn('<option value="" selected>请选择留言类别</option>', select)
        self.assertEqual(select.count("selected"), 1)
        self.assertIn("诉求：反映需要解决的具体问题", body)

    def test_a_message_without_a_category_is_sent_back_with_a_reason(self):
        c = self.cast
        form = {"unit": c.unit_a.pk, "title": "村道塌方", "body": "村道塌方。", "name": "李四", "phone": "13900000000"}
        self.assertContains(self.client.post("/post/?county=luocheng", form), "请选择留言类别。")
        self.assertFalse(Message.objects.exists())


class RatingWithoutChoiceTest(CastTestCase):
    def test_submitting_the_rating_form_with_nothing_chosen_asks_for_a_rating(self):
        message = self.cast.replied(at=MONDAY)
        self.client.force_login(self.cast.citizen)
        url = f"/messages/luocheng/{message.serial}/"
        self.assertContains(self.client.get(url), 'name="step" value="rating"')
        response = self.client.post(url, {"step": "rating", "reason": ""})
        self.assertContains(response, "请选择评价。", status_code=400)
        self.assertNotContains(response, "请填写追问内容", status_code=400)
        message.refresh_from_db()
        self.assertEqual((message.rating, message.follow_ups.count()), ("", 0))
