"""并单 in the browser, on a 390 px phone: a message repeating an open one arrives, the
county office sees the flag with its candidate and similarity in the dispatch queue,
and merges it; the merged citizen's tracking page then shows the main message's answer."""

from playwright.sync_api import expect

from wenzheng.duplicates.tests.helpers import LAMP, LAMP_AGAIN, write
from wenzheng.handling import actions
from wenzheng.handling.models import Message

from .base import BrowserTestCase


class DuplicatesTest(BrowserTestCase):
    def test_the_office_merges_a_duplicate_from_the_queue_on_a_phone(self):
        c = self.cast
        main = write(c, LAMP, unit=c.unit_a, phone="13900000001", at=None)
        dup = write(c, LAMP_AGAIN, phone="13900000002", at=None, name="王五")
        page = self.new_page(phone=True)
        page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" of the merge
        self.sign_in(page, "county_office")
        page.goto("/work/county/luocheng/dispatch/")
        flag = page.locator(f'[data-duplicate="{dup.pk}"]')
        expect(flag).to_contain_text("疑似重复留言")
        expect(flag).to_contain_text(main.serial)
        expect(flag).to_contain_text("相似度")
        self.shot(page, "phone-dispatch-duplicate")
        item = page.locator("article.queue-item", has=flag)
        item.get_by_text("并单", exact=True).click()
        expect(item.get_by_label("并入的主留言编号")).to_have_value(main.serial)
        # The main message named before the merge is sent, and again as a serial is typed.
        preview = item.locator(f"#merge-preview-{dup.pk}")
        expect(preview).to_contain_text(f"将并入留言{main.serial}：“{main.title}”（{c.unit_a.name}")
        item.get_by_label("并入的主留言编号").fill("2026-999999")
        expect(preview).to_contain_text("本县没有编号为 2026-999999 的留言")
        item.get_by_label("并入的主留言编号").fill(main.serial.replace("-", "－"))  # a phone's full-width dash
        expect(preview).to_contain_text(f"将并入留言{main.serial}")
        item.get_by_label("并单理由").fill("同一路段的路灯，与先到的留言一并办理。")
        item.get_by_role("button", name="并入主留言").click()
        expect(page.get_by_text(f"留言{dup.serial}已并入留言{main.serial}")).to_be_visible()
        self.assertEqual(Message.objects.get(pk=dup.pk).merged_into_id, main.pk)

        actions.reply(message=main, by=c.handler_a, text="已安排维修，本周内修复。")
        citizen = self.new_page(phone=True)
        citizen.goto("/track/")
        citizen.get_by_label("查询码").fill(dup.tracking_code)
        citizen.get_by_label("查询密码").fill(dup.issued_passcode)
        citizen.get_by_role("button", name="查询").click()
        expect(citizen.get_by_text(f"您的留言已与留言 {main.serial} 合并办理（并单）")).to_be_visible()
        expect(citizen.get_by_text("已安排维修，本周内修复。")).to_be_visible()
        self.shot(citizen, "phone-merged-citizen")
