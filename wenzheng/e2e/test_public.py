"""The public zone in a real browser: posting and tracking without an account, and
every public page at phone and desktop widths."""

import re

from playwright.sync_api import expect

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import local

from .base import BrowserTestCase


class AnonymousCitizenTest(BrowserTestCase):
    def test_post_track_and_follow_up_on_a_phone(self):
        page = self.new_page(phone=True)
        page.goto("/post/?county=luocheng")
        self.shot(page, "post-form")
        page.get_by_label("留言对象").select_option(label="东门镇")
        page.get_by_label("留言类别").select_option(label="诉求")
        page.get_by_role("textbox", name="标题", exact=True).fill("新街路灯不亮")
        page.get_by_role("textbox", name="留言内容", exact=True).fill(
            "东门镇新街的路灯坏了两个星期，晚上出行不便，请尽快维修。"
        )
        page.get_by_role("textbox", name="姓名", exact=True).fill("张三")
        page.get_by_role("textbox", name="联系电话", exact=True).fill("13800000000")
        page.get_by_label("同意在网络问政专区公开").check()
        page.get_by_role("button", name="提交留言").click()

        expect(page.get_by_role("heading", name="留言已提交")).to_be_visible()
        message = Message.objects.get(title="新街路灯不亮")
        expect(page.locator("#tracking-code")).to_have_text(message.tracking_code)
        passcode = page.locator("#passcode").inner_text()
        self.shot(page, "posted")

        actions.reply(message=message, by=self.cast.handler_a, text="已安排维修，三日内修复。")

        other = self.new_page(phone=True)
        other.goto("/track/")
        other.get_by_role("textbox", name="查询码", exact=True).fill(message.tracking_code)
        other.get_by_label("查询密码").fill(passcode)
        other.get_by_role("button", name="查询").click()
        expect(other.get_by_text("已安排维修，三日内修复。")).to_be_visible()
        other.get_by_role("textbox", name="追问内容", exact=True).fill("修好后请告知。")
        other.get_by_role("button", name="提交追问").click()
        expect(other.get_by_text("追问已提交")).to_be_visible()
        expect(other.get_by_text("修好后请告知。")).to_be_visible()
        self.shot(other, "tracked-message")
        # Nothing personal on the public board.
        other.goto("/messages/")
        expect(other.get_by_role("link", name="新街路灯不亮")).to_be_visible()
        expect(other.get_by_text("13800000000")).to_have_count(0)
        expect(other.get_by_text("张三")).to_have_count(0)

    def test_a_bad_form_is_explained_in_place(self):
        page = self.new_page()
        page.goto("/post/?county=luocheng")
        page.get_by_role("textbox", name="联系电话", exact=True).fill("abc")
        page.get_by_role("button", name="提交留言").click()
        expect(page.get_by_role("alert").first).to_contain_text("提交未成功")
        expect(page.get_by_text("联系电话格式不对")).to_be_visible()
        self.assertFalse(Message.objects.exists())


class PublicPagesTest(BrowserTestCase):
    def test_every_public_page_reads_well_on_a_phone_and_a_desktop(self):
        c = self.cast
        for i in range(3):
            c.replied(title=f"公开留言{i}", category=c.appeal if i else c.consultation)
        actions.publish_exposure(
            unit=c.unit_a,
            by=c.county_office,
            title="东门镇办理留言迟延",
            body="多条留言超期未回复。",
            outlet="县融媒体中心",
        )
        page = self.new_page()
        for path, name, heading in [
            ("/", "public-home", "网络问政专区"),
            ("/messages/", "public-board", "留言板"),
            ("/exposures/", "public-exposures", "曝光台"),
            ("/statistics/?region=luocheng", "public-statistics", "网络问政统计"),
            ("/track/", "public-track", "查询留言"),
            ("/accounts/login/", "login", "登录"),
            ("/accounts/signup/", "signup", "注册网民账号"),
        ]:
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
            self.shot(page, name)
        page.goto("/messages/")
        page.get_by_label("类别").select_option(label="诉求")
        expect(page.get_by_text("共2条公开留言")).to_be_visible()  # htmx swapped the list in place
        expect(page).to_have_url(re.compile(r"category="))

    def test_a_period_typed_after_choosing_other_is_the_one_read_and_linked(self):
        # Choosing 其他期间 reads the board at once; a period typed and entered while
        # that read is still on its way must be the one read and kept in the link (a
        # newcomer once saw period_other= left empty; htmx queues the typed read
        # behind the first, which this holds back on purpose).
        c = self.cast
        c.replied(title="三月的留言", at=local(2026, 3, 2, 9))
        c.replied(title="六月的留言", at=local(2026, 6, 1, 9))
        page = self.new_page()
        page.goto("/messages/")
        held = []

        def hold_the_first(route):
            if held:
                route.continue_()
            else:
                held.append(route)  # still on its way while the period is typed

        page.route(re.compile(r"/messages/\?"), hold_the_first)
        box = page.locator("input[name=period_other]")
        if not box.is_visible():
            page.get_by_text("更多筛选").click()
        page.locator("select[name=period]").select_option(label="其他期间（在旁边的框里填写）")
        box.fill("2026-06-01..2026-06-30")
        box.press("Enter")
        for route in held:
            route.continue_()
        expect(page).to_have_url(re.compile(r"period_other=2026-06-01"))
        results = page.locator("#results")
        expect(results).to_contain_text("六月的留言")
        expect(results).not_to_contain_text("三月的留言")
