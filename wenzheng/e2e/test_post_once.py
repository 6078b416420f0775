"""Posting a message on a phone as a tester did: back after posting and 提交留言
again."""

import re

from playwright.sync_api import expect

from wenzheng.handling.models import Message

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
