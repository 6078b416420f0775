"""Text typed into a form survives what would lose it: a staff session that timed out
while a reply was written, a form refused because the browser lost its cookie. Found
by a newcomer: both lost the text, without a word."""

import time
from importlib import import_module

from django.conf import settings
from playwright.sync_api import expect

from wenzheng.security.middleware import SEEN

from .base import BrowserTestCase

REPLY = "经现场核实，新街路灯控制箱进水损坏，已于今日更换，路灯已恢复照明。"
BODY = "东门镇新街路段的路灯已经坏了两个星期，晚上出行很不方便，请尽快维修。"
RESTORED = "已恢复您在这个页面上填写但未送达的内容"


class DraftsKeptTest(BrowserTestCase):
    def open_reply(self, page):
        panel = page.locator("details.action", has=page.locator("summary", has_text="回复")).first
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()

    def type_a_reply(self, page, username, message):
        """`username` signs in, opens the message and types the reply, unsent."""
        self.sign_in(page, username)
        page.goto(f"/work/messages/{message.pk}/")
        self.open_reply(page)
        page.get_by_label("回复内容").fill(REPLY)

    def kept(self, page) -> list[str]:
        """The keys of the texts kept in the tab's storage."""
        return page.evaluate("Object.keys(sessionStorage).filter((key) => key.startsWith('wz-draft:'))")

    def test_a_reply_typed_as_the_session_timed_out_is_there_after_signing_in_again(self):
        message = self.cast.submit()
        page = self.new_page()
        self.type_a_reply(page, "handler_a", message)

        # Half an hour passes before the handler presses the button.
        key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        session[SEEN] = time.time() - 3600
        session.save()
        page.get_by_role("button", name="发布回复").click()
        expect(page.get_by_text("为保护账号安全已自动退出")).to_be_visible()
        self.assertFalse(message.replies.exists())

        page.get_by_label("用户名").fill("handler_a")
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(f"{self.live_server_url}/work/messages/{message.pk}/")
        self.open_reply(page)
        expect(page.get_by_label("回复内容")).to_have_value(REPLY)
        expect(page.get_by_text(RESTORED)).to_be_visible()

        # Sent, it arrives, and is not offered again.
        page.get_by_role("button", name="发布回复").click()
        expect(page.get_by_text("答复以本单位名义公开")).to_be_visible()
        self.assertEqual(message.replies.get().text, REPLY)
        # The page that says it arrived drops the kept copy from the tab's storage
        # (the replied message may offer no reply box to restore it into).
        self.assertEqual(self.kept(page), [])
        page.reload()
        self.assertEqual(page.get_by_text(RESTORED).count(), 0)

    def test_what_one_handler_typed_is_not_offered_to_the_next_at_the_same_computer(self):
        """Found by a newcomer: handler 1 typed a reply, did not send it and signed out;
        handler 2, signing in in the same tab, was offered handler 1's text."""
        message = self.cast.submit()
        page = self.new_page()
        self.type_a_reply(page, "handler_a", message)
        page.get_by_role("button", name="退出").click()
        expect(page.get_by_role("link", name="登录")).to_be_visible()
        self.assertEqual(self.kept(page), [])
        self.sign_in(page, "handler_a2")
        page.goto(f"/work/messages/{message.pk}/")
        self.open_reply(page)
        expect(page.get_by_label("回复内容")).to_have_value("")
        self.assertEqual(page.get_by_text(RESTORED).count(), 0)

        # Not signed out (the session ended, the cookies were cleared): still not theirs.
        page.get_by_label("回复内容").fill(REPLY)
        page.context.clear_cookies()
        self.sign_in(page, "handler_a")
        page.goto(f"/work/messages/{message.pk}/")
        self.open_reply(page)
        expect(page.get_by_label("回复内容")).to_have_value("")
        self.assertEqual(self.kept(page), [])

    def test_a_message_refused_for_a_lost_cookie_is_there_when_the_form_opens_again(self):
        page = self.new_page(phone=True)
        page.goto("/post/?county=luocheng")
        page.get_by_role("textbox", name="标题", exact=True).fill("新街路灯不亮")
        page.get_by_role("textbox", name="留言内容", exact=True).fill(BODY)
        page.context.clear_cookies()
        page.get_by_role("button", name="提交留言").click()
        expect(page.get_by_role("heading", name="页面已过期，请重新提交")).to_be_visible()
        self.shot(page, "csrf-failure")
        page.get_by_role("link", name="重新打开页面").click()
        expect(page.get_by_role("textbox", name="留言内容", exact=True)).to_have_value(BODY)
        expect(page.get_by_role("textbox", name="标题", exact=True)).to_have_value("新街路灯不亮")
        expect(page.get_by_text(RESTORED).first).to_be_visible()
