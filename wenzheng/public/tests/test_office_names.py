"""A citizen of a district (区) reads of the 区网络问政办, not of a 县网络问政办 (a city
of several counties and districts found every page saying 县); the demo's county
still reads 县网络问政办; a page that concerns no one county names the office by no
level."""

import re

from wenzheng.handling import actions, passcodes
from wenzheng.handling.models import Message, Revisit
from wenzheng.privacy.models import CountyPrivacy
from wenzheng.testing import CastTestCase, District, local
from wenzheng.units.models import Region

MONDAY = local(2026, 3, 2, 9)
WRONG = "县网络问政办"


def form_key(response) -> str:
    return re.search(r'name="form_key" value="([^"]+)"', response.content.decode()).group(1)


class DistrictPublicPagesTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district = District(cls.cast)

    def test_the_post_form_and_its_receipt_name_the_districts_office(self):
        CountyPrivacy.objects.create(region=self.district.region, review_before_publishing=True)
        page = self.client.get("/post/?county=jinchengjiang")
        self.assertContains(page, "不确定，由区网络问政办交办")
        self.assertContains(page, "不确定由谁办理时，区网络问政办会在1个工作日内交办。")
        self.assertContains(page, "不确定可不选，由区网络问政办确定。")
        self.assertContains(page, "本区实行先审后发：同意公开的留言经区网络问政办审核后公开")
        self.assertNotContains(page, WRONG)
        data = {
            "category": self.cast.consultation.pk, "title": "路灯不亮", "body": "东江镇新街的路灯坏了。",
            "name": "李四", "phone": "13900000000", "form_key": form_key(page),
        }  # fmt: skip
        self.client.post("/post/?county=jinchengjiang", data)
        done = self.client.get("/post/done/")
        message = Message.objects.get()
        self.assertEqual(message.region, self.district.region)
        self.assertContains(
            done, f"您给金城江区的留言编号为 <strong>{message.serial}</strong>，区网络问政办将尽快交办。"
        )
        self.assertNotContains(done, WRONG)

    def test_the_demo_countys_post_form_still_says_xian(self):
        page = self.client.get("/post/?county=luocheng")
        self.assertContains(page, "不确定，由县网络问政办交办")
        self.assertContains(page, "不确定可不选，由县网络问政办确定。")

    def test_the_message_page_names_the_districts_office_in_the_rating_and_its_revisit(self):
        d = self.district
        message = d.submit(by=self.cast.citizen, at=MONDAY)
        actions.reply(message=message, by=d.handler, text="已安排维修。", at=MONDAY)
        url = f"/messages/jinchengjiang/{message.serial}/"
        self.client.force_login(self.cast.citizen)
        page = self.client.get(url)
        self.assertContains(page, "选择“不满意”时请写明理由，区网络问政办将回访核实。")
        rated = self.client.post(
            url, {"rating": "dissatisfied", "reason": "路灯还是不亮。", "form_key": form_key(page)}, follow=True
        )
        self.assertContains(rated, "感谢您的评价，区网络问政办将回访核实。")
        self.assertContains(rated, "表示不满意，区网络问政办将回访核实，处理结果会在这里告诉您。")
        self.assertNotContains(rated, WRONG)
        actions.uphold_answer(revisit=Revisit.objects.get(), by=d.office, note="经现场核实，路灯已修复。")
        decided = self.client.get(url)
        self.assertContains(decided, "区网络问政办回访结果（")
        self.assertNotContains(decided, WRONG)

    def test_the_review_notice_names_the_districts_office(self):
        CountyPrivacy.objects.create(region=self.district.region, review_before_publishing=True)
        message = self.district.submit(by=self.cast.citizen, at=MONDAY)
        self.client.force_login(self.cast.citizen)
        page = self.client.get(f"/messages/jinchengjiang/{message.serial}/")
        self.assertContains(page, "您的留言正在等待区网络问政办审核，审核通过后公开。")
        self.assertNotContains(page, WRONG)

    def test_a_new_passcode_by_sms_names_the_districts_office_within_one_sms(self):
        from wenzheng.notifications import sms

        sms.outbox.clear()
        message = self.district.submit(at=MONDAY)
        with self.captureOnCommitCallbacks(execute=True):
            page = self.client.post(
                "/track/forgot/", {"code": message.tracking_code, "phone": "13900000000"}, follow=True
            )
        ((to, text),) = sms.outbox
        self.assertEqual(to, "13900000000")
        self.assertTrue(text.endswith("如非本人操作，请联系区网络问政办。"), text)
        self.assertLessEqual(len(text), 70)
        # The answer on the page is the same whether or not the code was found: it
        # names the page's office, and this deployment serves several counties.
        self.assertContains(page, "收不到短信，请联系网络问政办。")

    def test_the_passcode_sms_is_one_sms_for_the_demo_county_and_a_district_alike(self):
        for name in ("罗城仫佬族自治县", "金城江区"):
            region = Region(name=name, kind="county")
            text = passcodes.passcode_reset_text(region, serial="2026-999999", passcode="ABCDEFGH")
            with self.subTest(name=name):
                self.assertIn(f"请联系{region.office_by_level}。", text)
                self.assertLessEqual(len(text), 70)

    def test_a_page_of_no_one_county_names_the_office_by_no_level(self):
        # The cast's city serves two 县 and a 区: the sign-in page cannot tell whose.
        login = self.client.get("/accounts/login/")
        self.assertContains(login, "工作人员账号由网络问政办开设。")
        self.assertNotContains(login, WRONG)
        home = self.client.get("/")
        self.assertContains(home, "<li>网络问政办交办至责任单位</li>", html=True)
        district_home = self.client.get("/", {"region": "jinchengjiang"})
        self.assertContains(district_home, "<li>区网络问政办交办至责任单位</li>", html=True)
        county_home = self.client.get("/", {"region": "luocheng"})
        self.assertContains(county_home, "<li>县网络问政办交办至责任单位</li>", html=True)

    def test_a_district_handler_refused_a_page_is_told_to_ask_the_districts_office(self):
        self.client.force_login(self.district.handler)
        response = self.client.get("/work/county/jinchengjiang/")
        self.assertContains(response, "如需开通，请联系区网络问政办。", status_code=403)
        self.assertNotContains(response, WRONG, status_code=403)
