"""Personal data in a real browser: a citizen's phone and ID number typed into a
message are masked on the public page, in the API and in Open311, while the unit's
page shows them whole; and review before publishing, from the queue to the
redacted version the public reads and the reason the citizen is told."""

import json

from playwright.sync_api import expect

from wenzheng.handling.models import Message
from wenzheng.privacy.models import AccessRecord, CountyPrivacy, Review, SensitiveWord
from wenzheng.testing import local

from .base import BrowserTestCase

BODY = "东门镇新街的路灯坏了两个星期。我的电话13912345678，身份证号450225199001011234，请尽快联系我。"


class PersonalDataTest(BrowserTestCase):
    def as_user(self, username, *, phone=False):
        page = self.new_page(phone=phone)
        page.on("dialog", lambda dialog: dialog.accept())
        self.sign_in(page, username)
        return page

    def post(self, citizen, title):
        citizen.goto("/post/?county=luocheng")
        citizen.get_by_label("留言对象").select_option(label="东门镇")
        citizen.get_by_label("留言类别").select_option(label="诉求")
        citizen.get_by_role("textbox", name="标题", exact=True).fill(title)
        citizen.get_by_role("textbox", name="留言内容", exact=True).fill(BODY)
        citizen.get_by_role("textbox", name="姓名", exact=True).fill("张三丰")
        citizen.get_by_role("textbox", name="联系电话", exact=True).fill("13912345678")
        citizen.get_by_label("同意在网络问政专区公开").check()
        citizen.get_by_role("button", name="提交留言").click()
        expect(citizen.get_by_text("查询码").first).to_be_visible()
        return Message.objects.get(title=title)

    def reply(self, handler, message):
        handler.goto(f"/work/messages/{message.pk}/")
        expect(handler.get_by_text("13912345678").first).to_be_visible()  # the unit sees it whole
        expect(handler.get_by_text("450225199001011234").first).to_be_visible()
        panel = handler.locator("details.action", has=handler.locator("summary", has_text="回复")).first
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()
        handler.get_by_label("回复内容").fill("网友您好！已安排维修人员更换灯具，今晚恢复照明。")
        handler.get_by_role("button", name="发布回复").click()
        expect(handler.get_by_text("答复以本单位名义公开")).to_be_visible()

    def test_a_phone_and_an_id_number_are_masked_in_public_and_whole_for_the_unit(self):
        citizen = self.as_user("citizen", phone=True)
        message = self.post(citizen, "新街路灯坏了")
        handler = self.as_user("handler_a")
        self.reply(handler, message)
        self.shot(handler, "unit-message-contact-whole")
        self.assertTrue(AccessRecord.objects.filter(user=self.cast.handler_a, message=message, surface="page").exists())

        public = self.new_page(phone=True)
        public.goto(f"/messages/luocheng/{message.serial}/")
        expect(public.get_by_text("我的电话139****5678，身份证号4502**********1234")).to_be_visible()
        expect(public.get_by_text("13912345678")).to_have_count(0)
        expect(public.get_by_text("450225199001011234")).to_have_count(0)
        self.shot(public, "public-message-masked")

        api = json.loads(public.goto(f"/api/v1/messages/luocheng/{message.serial}").text())
        self.assertIn("139****5678", api["body"])
        self.assertNotIn("13912345678", json.dumps(api, ensure_ascii=False))
        for fmt in ("json", "xml"):
            found = public.goto(f"/open311/v2/requests/{message.serial}.{fmt}?jurisdiction_id=luocheng").text()
            self.assertIn("4502**********1234", found)
            self.assertNotIn("13912345678", found)
            self.assertNotIn("450225199001011234", found)

    def test_review_before_publishing_from_the_queue_to_the_citizens_tracking_page(self):
        c = self.cast
        CountyPrivacy.objects.create(region=c.county, review_before_publishing=True)
        SensitiveWord.objects.create(region=c.county, word="路灯", added_by=c.county_office, added_at=local(2026, 1, 5))
        citizen = self.as_user("citizen", phone=True)
        message = self.post(citizen, "路灯坏了没人修")
        self.reply(self.as_user("handler_a"), message)
        public = self.new_page()
        self.assertEqual(public.goto(f"/messages/luocheng/{message.serial}/").status, 404)

        office = self.as_user("county_office")
        office.goto("/work/county/luocheng/reviews/")
        expect(office.get_by_role("link", name=f"{message.serial} 路灯坏了没人修")).to_be_visible()
        self.shot(office, "county-review-queue")
        office.get_by_role("link", name=f"{message.serial} 路灯坏了没人修").click()
        expect(office.locator(".marked mark.hit-word").first).to_have_text("路灯")
        expect(office.locator("mark.hit-personal", has_text="13912345678")).to_be_visible()
        self.shot(office, "county-review")
        office.locator("summary", has_text="删节后公开").click()
        office.get_by_label("公开内容").fill("东门镇新街的路灯坏了两个星期，请尽快维修。")
        office.get_by_label("删节理由").fill("删去个人联系方式。")
        office.get_by_role("button", name="按删节版本公开").click()
        expect(office.get_by_text("已按删节后的版本审核通过，已公开")).to_be_visible()
        self.assertEqual(Review.objects.get(message=message).state, Review.State.REDACTED)

        public.goto(f"/messages/luocheng/{message.serial}/")
        expect(public.get_by_text("东门镇新街的路灯坏了两个星期，请尽快维修。")).to_be_visible()
        expect(public.get_by_text("请尽快联系我")).to_have_count(0)

        citizen.goto(f"/messages/luocheng/{message.serial}/")
        expect(citizen.get_by_text("以删节后的版本公开您的留言")).to_be_visible()
        expect(citizen.get_by_text("删去个人联系方式。", exact=False)).to_be_visible()
        self.shot(citizen, "citizen-review-notice")

        # The office's own pages: its setting and lists, who saw contact details, erasure.
        office.goto("/work/county/luocheng/privacy/")
        expect(office.get_by_label("先审后发：网民的留言和追问经本办审核通过后才公开")).to_be_checked()
        self.shot(office, "county-privacy")
        office.goto("/work/county/luocheng/privacy/access/")
        expect(office.get_by_role("link", name=message.serial).first).to_be_visible()  # handler_a opened it
        self.shot(office, "county-access-records")
        office.goto("/work/county/luocheng/privacy/erase/")
        office.get_by_label("查询码").fill(message.tracking_code)
        office.get_by_label("删除依据").fill("网民来电申请")
        office.get_by_role("button", name="查找").click()
        expect(office.get_by_text(f"{message.serial} 路灯坏了没人修")).to_be_visible()
        self.shot(office, "county-erase-preview")
