"""Posting a message on a phone as a tester did: back after posting and 提交留言
again, and the CAPTCHA near the rate limit (many citizens share a carrier's address)."""

import re

from captcha.models import CaptchaStore
from django.utils import timezone
from playwright.sync_api import expect

from wenzheng.handling.models import Message
from wenzheng.security import limits
from wenzheng.security.models import RateCounter

from .base import BrowserTestCase

TITLE = "新街路灯不亮"
BODY = "东门镇新街的路灯坏了两个星期，晚上出行不便，请尽快维修。"


class PostOnceTest(BrowserTestCase):
    def fill(self, page):
        page.get_by_label("留言对象").select_option(label="东门镇")
        page.get_by_label("留言类别").select_option(label="诉求")
        page.get_by_role("textbox", name="标题", exact=True).fill(TITLE)
        page.get_by_role("textbox", name="留言内容", exact=True).fill(BODY)
        page.get_by_role("textbox", name="姓名", exact=True).fill("张三")
        page.get_by_role("textbox", name="联系电话", exact=True).fill("13800000000")

    def test_back_after_posting_and_submitting_again_makes_no_second_message(self):
        page = self.new_page(phone=True)
        page.goto("/post/?county=luocheng")
        self.fill(page)
        page.get_by_role("button", name="提交留言").click()
        expect(page.get_by_role("heading", name="留言已提交")).to_be_visible()
        message = Message.objects.get()
        passcode = page.locator("#passcode").inner_text()

        page.go_back()
        expect(page.get_by_role("heading", name=re.compile("我要留言"))).to_be_visible()
        title = page.get_by_role("textbox", name="标题", exact=True)
        if not title.input_value():  # where the browser has not filled in what was typed, the citizen does
            self.fill(page)
        page.get_by_role("button", name="提交留言").click()

        expect(page.get_by_text("这条留言已经提交过，没有重复提交。")).to_be_visible()
        expect(page.get_by_text(message.tracking_code)).to_be_visible()
        expect(page.get_by_text(passcode)).to_have_count(0)
        self.assertEqual(Message.objects.count(), 1)

    def test_the_captcha_reads_well_on_a_phone_and_a_new_one_keeps_what_was_typed(self):
        start, _end = limits._window(3600, timezone.now())
        RateCounter.objects.create(key="post:ip:127.0.0.1", window=start, count=10)
        page = self.new_page(phone=True)
        page.goto("/post/?county=luocheng")
        self.fill(page)
        image = page.locator("img.captcha")
        expect(image).to_be_visible()
        self.assertEqual(page.evaluate("() => document.querySelector('img.captcha').naturalWidth"), 360)
        box = image.bounding_box()
        self.assertGreaterEqual(box["width"], 160)
        self.assertGreaterEqual(box["height"], 60)
        expect(page.get_by_text("加法或减法")).to_be_visible()
        self.shot(page, "post-form-captcha")

        first = page.locator("input[name=captcha_0]").input_value()
        page.get_by_role("textbox", name="验证码").fill("999")
        page.get_by_role("button", name="换一张").click()
        expect(page.locator("input[name=captcha_0]")).not_to_have_value(first)
        self.assertNotEqual(image.get_attribute("src"), f"/captcha/image/{first}/")
        # Only the CAPTCHA was read again: the rest is as typed, and nothing was sent.
        expect(page.get_by_role("textbox", name="标题", exact=True)).to_have_value(TITLE)
        expect(page.get_by_role("textbox", name="验证码")).to_have_value("")
        self.assertFalse(Message.objects.exists())

        # Enter in the answer's box sends the message (not 换一张 again).
        store = CaptchaStore.objects.get(hashkey=page.locator("input[name=captcha_0]").input_value())
        page.get_by_role("textbox", name="验证码").fill(store.response)
        page.get_by_role("textbox", name="验证码").press("Enter")
        expect(page.get_by_role("heading", name="留言已提交")).to_be_visible()
        self.assertEqual(Message.objects.get().title, TITLE)
