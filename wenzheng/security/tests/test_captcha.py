"""The CAPTCHA near a rate limit, made humane for the many citizens behind one
carrier address: a sum its hint describes, drawn large, 换一张 with or without
scripts, and a wrong answer that costs nothing typed."""

import io
import re

from captcha.models import CaptchaStore
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from wenzheng.attachments.testing import phone_photo
from wenzheng.handling.models import Message
from wenzheng.security import captcha, limits
from wenzheng.security.models import RateCounter
from wenzheng.testing import CastTestCase

from .helpers import KEY, captcha_answer

A = {"REMOTE_ADDR": "203.0.113.5"}
POST = "/post/?county=luocheng"


@override_settings(RATE_LIMITS={"post": (20, 3600), "signup": (10, 3600), "track": (30, 600), "login": (30, 900)})
class PostCaptchaTest(CastTestCase):
    def setUp(self):
        # Ten posts this hour from the address: the form asks for a CAPTCHA.
        start, _end = limits._window(3600, timezone.now())
        RateCounter.objects.create(key="post:ip:203.0.113.5", window=start, count=10)

    def typed(self, **changes):
        c = self.cast
        return {
            "unit": c.unit_a.pk, "category": c.appeal.pk, "title": "村道塌方", "body": "龙岸镇某村村道塌方。",
            "name": "李四", "phone": "13900000000", "id_number": "45022519900101123X",
            "email": "lisi@example.com", "address": "龙岸镇某村5号", "consent_to_publish": "on", **changes,
        }  # fmt: skip

    def assert_kept(self, page, data):
        """Every box shows what was typed."""
        for name in ("title", "name", "phone", "id_number", "email", "address"):
            self.assertContains(page, f'value="{data[name]}"', status_code=page.status_code, msg_prefix=name)
        html = page.content.decode()
        self.assertRegex(html, rf'<textarea name="body"[^>]*>\s*{data["body"]}</textarea>')
        self.assertRegex(html, rf'<option value="{data["unit"]}"[^>]*selected')
        self.assertRegex(html, rf'<option value="{data["category"]}"[^>]*selected')
        self.assertRegex(html, r'name="consent_to_publish"[^>]*checked')

    def test_the_hint_names_the_operations_the_image_asks(self):
        hint = captcha.hint()
        self.assertIn("加法或减法", hint)
        self.assertIn("“7+5=”填 12", hint)
        self.assertIn("“9-4=”填 5", hint)
        for _ in range(300):
            drawn, answer = captcha.challenge()
            a, sign, b = re.fullmatch(r"(\d+)([^\d])(\d+)=", drawn).groups()
            self.assertIn(sign, captcha.OPERATIONS)
            self.assertEqual(str(captcha.OPERATIONS[sign][1](int(a), int(b))), answer)
            self.assertGreaterEqual(int(answer), 0)
        page = self.client.get(POST, **A)
        self.assertContains(page, hint)
        # What the form stored is a sum of those (the image draws this text).
        store = CaptchaStore.objects.get(hashkey=KEY.search(page.content.decode())[1])
        self.assertRegex(store.challenge, r"^\d+[+-]\d+=$")

    def test_the_image_is_large_and_sharp_on_a_phone(self):
        page = self.client.get(POST, **A)
        img = re.search(r'<img src="(/captcha/image/\w+/)"[^>]*>', page.content.decode())
        self.assertIn('width="180" height="64"', img[0])
        drawn = Image.open(io.BytesIO(self.client.get(img[1]).content))
        self.assertEqual(drawn.size, (360, 128))  # two image pixels to each CSS pixel
        self.assertContains(page, 'inputmode="numeric"')

    def test_an_answer_in_full_width_digits_is_right(self):
        page = self.client.get(POST, **A)
        answer = captcha_answer(page)
        wide = answer["captcha_1"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        response = self.client.post(POST, {**self.typed(), **answer, "captcha_1": wide}, **A)
        self.assertRedirects(response, "/post/done/", fetch_redirect_response=False)

    def test_a_wrong_answer_keeps_everything_typed_and_said_beforehand_the_photos_are_not(self):
        page = self.client.get(POST, **A)
        self.assertContains(page, "验证码填错时，已填写的内容会保留，但所选照片需要重新选择。")
        data = self.typed()
        answer = captcha_answer(page)
        wrong = str(int(answer["captcha_1"]) + 1)
        response = self.client.post(POST, {**data, **answer, "captcha_1": wrong, "photos": phone_photo()}, **A)
        self.assertContains(response, "验证码不正确，请重新计算图中的算式。")
        self.assertContains(response, "所选照片未保存，请重新选择。")
        self.assert_kept(response, data)
        self.assertNotEqual(captcha_answer(response)["captcha_0"], answer["captcha_0"])  # a new sum
        self.assertFalse(Message.objects.exists())

    def test_a_new_one_read_in_page_is_a_new_captcha_alone(self):
        page = self.client.get(POST, **A)
        old = KEY.search(page.content.decode())[1]
        self.assertContains(page, 'hx-get="/captcha/new/" hx-target="closest .captcha-box" hx-swap="outerHTML"')
        fresh = self.client.get("/captcha/new/", headers={"HX-Request": "true"})
        self.assertIn("no-store", fresh["Cache-Control"])
        html = fresh.content.decode()
        self.assertTrue(html.startswith('<span class="captcha-box">'))
        self.assertNotEqual(KEY.search(html)[1], old)
        # The same names and ids as the box it replaces: its label still names it.
        self.assertIn('id="id_captcha_1"', html)
        self.assertIn('id="id_captcha_1"', page.content.decode())
        self.assertEqual(self.client.post("/captcha/new/").status_code, 405)

    def test_a_new_one_without_scripts_sends_the_form_back_as_typed_and_posts_nothing(self):
        page = self.client.get(POST, **A)
        data = self.typed()
        answer = captcha_answer(page)
        response = self.client.post(POST, {**data, "captcha_0": answer["captcha_0"], "captcha_refresh": "1"}, **A)
        self.assertContains(response, "已换一张验证码，填写后再提交。")
        self.assertNotContains(response, "提交未成功")
        self.assert_kept(response, data)
        self.assertNotEqual(captcha_answer(response)["captcha_0"], answer["captcha_0"])
        self.assertFalse(Message.objects.exists())
        # Enter in a box presses the form's first submit button: one that sends the form, not 换一张.
        form = re.search(r'<form method="post".*?</form>', response.content.decode(), re.S)[0]
        buttons = re.findall(r"<button[^>]*>", form)
        self.assertNotIn("captcha_refresh", buttons[0])
        self.assertIn('type="submit"', buttons[0])
        # Sent with the new answer, it is posted.
        response = self.client.post(POST, {**data, **captcha_answer(response)}, **A)
        self.assertRedirects(response, "/post/done/", fetch_redirect_response=False)

    def test_the_button_neither_stands_in_for_an_answer_nor_stops_a_form_that_needs_none(self):
        RateCounter.objects.update(count=0)
        response = self.client.post(POST, {**self.typed(), "captcha_refresh": "1"}, **A)
        self.assertRedirects(response, "/post/done/", fetch_redirect_response=False)
        RateCounter.objects.update(count=10)
        self.client.post(POST, {**self.typed(title="再来一条"), "captcha_refresh": "1"}, **A)
        self.assertEqual(Message.objects.count(), 1)


@override_settings(RATE_LIMITS={"post": (20, 3600), "signup": (10, 3600), "track": (30, 600), "login": (30, 900)})
class OtherFormsTest(CastTestCase):
    def test_every_form_with_a_captcha_takes_a_new_one_without_scripts_and_keeps_what_was_typed(self):
        start, _end = limits._window(600, timezone.now())
        RateCounter.objects.create(key="track:ip:203.0.113.5", window=start, count=15)
        page = self.client.get("/track/", **A)
        self.assertContains(page, 'name="captcha_refresh"')
        typed = {"code": "AB12CD34EF", "passcode": "x", "captcha_0": captcha_answer(page)["captcha_0"]}
        response = self.client.post("/track/", {**typed, "captcha_refresh": "1"}, **A)
        self.assertContains(response, "已换一张验证码，请填写新图中算式的结果。")
        self.assertContains(response, 'value="AB12CD34EF"')
        self.assertNotContains(response, "查询码或查询密码不正确")  # nothing was looked up
