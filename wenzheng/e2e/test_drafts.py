"""Text typed into a form survives what would lose it: a staff session that timed out
while a reply was written, a form refused because the browser lost its cookie. Found
by a newcomer: both lost the text, without a word."""

import re
import time
from importlib import import_module

from django.conf import settings
from playwright.sync_api import expect

from wenzheng.handling import actions
from wenzheng.security.middleware import SEEN

from .base import BrowserTestCase

REPLY = "经现场核实，新街路灯控制箱进水损坏，已于今日更换，路灯已恢复照明。"
BODY = "东门镇新街路段的路灯已经坏了两个星期，晚上出行很不方便，请尽快维修。"
RESTORED = "已恢复您在这个页面上填写但未送达的内容"
REPLACED = "替换了页面上原已保存的内容"
RETURNED = "已处理。"  # the reply the leader sent back
REWRITTEN = "经现场核实，新街路灯控制箱进水损坏，已于3月9日更换，路灯已恢复照明，请您监督。"


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


class RewriteOfAReturnedReplyTest(BrowserTestCase):
    """Found by a tester on a phone: the leader sent a reply back (退回修改), the
    handler rewrote it over the old text the page filled in, the session ended, and
    after signing in again the box held the old text: the rewrite was gone, and
    nothing said so (a kept text was put back only into an empty box)."""

    def setUp(self):
        super().setUp()
        c = self.cast
        c.unit_a.reply_signoff = True
        c.unit_a.save(update_fields=["reply_signoff"])
        self.message = c.submit()
        actions.reply(message=self.message, by=c.handler_a, text=RETURNED)
        actions.return_reply(draft=self.message.drafts.get(), by=c.leader_a, note="请写明更换时间。")

    def rewrite(self, page):
        self.sign_in(page, "handler_a")
        page.goto(f"/work/messages/{self.message.pk}/")
        box = page.get_by_label("回复内容")
        expect(box).to_have_value(RETURNED)
        box.fill(REWRITTEN)
        return box

    def test_the_rewrite_is_put_back_over_the_old_text_and_said_so(self):
        page = self.new_page(phone=True)
        box = self.rewrite(page)
        # The session store forgot the session (a phone locked for an hour).
        key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).delete()
        page.get_by_role("button", name="提交分管领导审核").click()

        expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
        expect(page.get_by_text("登录已过期或尚未登录，请重新登录")).to_be_visible()
        expect(page.get_by_text("未提交的内容已暂存在这个浏览器窗口中")).to_be_visible()
        self.shot(page, "login-after-the-session-ended")
        page.get_by_label("用户名").fill("handler_a")
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()

        expect(page).to_have_url(f"{self.live_server_url}/work/messages/{self.message.pk}/")
        note = page.locator(".draft-restored")
        expect(box).to_have_value(REWRITTEN)
        expect(note).to_contain_text(RESTORED)
        expect(note).to_contain_text(REPLACED)
        expect(note).to_contain_text(re.compile(r"（\d\d:\d\d填写）"))
        # Said above the box, where it is read before the box.
        self.assertLess(note.bounding_box()["y"], box.bounding_box()["y"])
        self.shot(page, "draft-restored-over-a-returned-reply")

        # Back to the saved text, and forth again.
        page.get_by_role("button", name="改回原已保存的内容").click()
        expect(box).to_have_value(RETURNED)
        expect(note).to_contain_text("已改回页面上原已保存的内容")
        page.get_by_role("button", name="恢复我未送达的内容").click()
        expect(box).to_have_value(REWRITTEN)

        page.get_by_role("button", name="提交分管领导审核").click()
        expect(page.locator(".alert-success")).to_be_visible()
        self.assertEqual(self.message.drafts.order_by("pk").last().text, REWRITTEN)
        self.assertEqual(page.evaluate("Object.keys(sessionStorage).filter((k) => k.startsWith('wz-draft:'))"), [])

    def test_the_saved_text_chosen_is_not_offered_again(self):
        page = self.new_page()
        box = self.rewrite(page)
        page.reload()
        expect(box).to_have_value(REWRITTEN)
        page.get_by_role("button", name="改回原已保存的内容").click()
        page.reload()
        expect(box).to_have_value(RETURNED)
        self.assertEqual(page.locator(".draft-restored").count(), 0)

    def test_a_newer_saved_text_is_not_replaced_but_the_kept_one_is_offered(self):
        """What the server holds changed after the typing began (the handler sent
        another version from another device, and it came back again): theirs from
        this tab is offered, the newer one left in the box."""
        page = self.new_page()
        box = self.rewrite(page)
        c = self.cast
        actions.reply(message=self.message, by=c.handler_a, text="另一台电脑上改写的回复。")
        actions.return_reply(draft=self.message.drafts.order_by("pk").last(), by=c.leader_a, note="再具体些。")
        page.reload()
        expect(box).to_have_value("另一台电脑上改写的回复。")
        note = page.locator(".draft-restored")
        expect(note).to_contain_text("页面上保存的内容在那之后有了变化，因此没有自动替换")
        page.get_by_role("button", name="恢复我未送达的内容").click()
        expect(box).to_have_value(REWRITTEN)
        expect(note).to_contain_text(REPLACED)

    def test_the_sign_in_page_claims_nothing_kept_when_nothing_is(self):
        page = self.new_page()
        page.goto(f"/work/messages/{self.message.pk}/")
        expect(page.get_by_text("登录已过期或尚未登录，请重新登录")).to_be_visible()
        expect(page.get_by_text("未提交的内容已暂存")).to_be_hidden()
