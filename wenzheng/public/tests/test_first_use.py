"""What a citizen meets first (issue 16): the deadlines they are promised, the post
form's category and phone number, the rating form, the exposure list and the order of
a conversation."""

from wenzheng.accounts.models import User
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase


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
