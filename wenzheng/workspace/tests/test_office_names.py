"""The staff of a district (区) work with the 区网络问政办: its inbox, message page,
forms and notes say so, and its office's own pages call it that; its pages say 本区
and its leading group is the 区网络问政工作领导小组. The demo's county still reads
县网络问政办 and 本县."""

import time_machine

from wenzheng.accounts import staff
from wenzheng.accounts.policy import ActionRefused
from wenzheng.handling import actions
from wenzheng.reports import periods
from wenzheng.supervision import proposals
from wenzheng.testing import District, local
from wenzheng.topics.models import Topic
from wenzheng.workspace.forms import merge_target

from .base import MONDAY, NOW, WorkspaceTestCase

WRONG = "县网络问政办"


@time_machine.travel(NOW, tick=False)
class DistrictWorkspaceTest(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district = District(cls.cast)
        cls.new = cls.district.submit(at=MONDAY)

    def test_the_inbox_banner_names_the_districts_office(self):
        d = self.district
        actions.order_written_explanation(
            unit=d.unit,
            by=d.office,
            reason="回应不及时",
            messages=[self.new],
            backlog_deadline=local(2026, 3, 7),
            at=NOW,
        )
        self.client.force_login(d.leader)
        inbox = self.client.get("/work/unit/")
        self.assertContains(inbox, "<b>区网络问政办于2026-03-04责成本单位作出书面说明</b>")
        self.assertNotContains(inbox, WRONG)

    def test_the_handlers_message_page_and_its_steps_name_the_districts_office(self):
        self.client.force_login(self.district.handler)
        url = f"/work/messages/{self.new.pk}/"
        page = self.client.get(url)
        self.assertContains(page, "区网络问政办不同意退单的，回复期限按审核所用的工作日顺延")
        self.assertContains(page, 'data-confirm="确定将这条留言退回区网络问政办吗？"')
        self.assertContains(page, "由区网络问政办审批。")
        self.assertNotContains(page, WRONG)
        prefix = f"extension-{self.new.pk}"
        asked = self.client.post(f"{url}extension/", {f"{prefix}-days": 3, f"{prefix}-reason": "需要协调"}, follow=True)
        self.assertContains(asked, "已申请延期3个工作日，等待区网络问政办审批。")

    def test_the_demo_countys_handler_still_reads_xian(self):
        message = self.cast.submit(at=MONDAY)
        self.as_("handler_a")
        page = self.client.get(f"/work/messages/{message.pk}/")
        self.assertContains(page, 'data-confirm="确定将这条留言退回县网络问政办吗？"')
        self.assertContains(page, "由县网络问政办审批。")

    def test_the_districts_office_is_named_by_its_level_on_its_own_pages(self):
        waiting = self.district.submit(to_unit=False, at=MONDAY)
        self.client.force_login(self.district.office)
        page = self.client.get(f"/work/messages/{waiting.pk}/")
        self.assertContains(page, "待区网络问政办交办")
        self.assertContains(page, 'aria-label="区网络问政办工作台"')
        self.assertContains(page, "（区网络问政办）")  # the header: who is signed in
        self.assertNotContains(page, WRONG)
        printed = self.client.get(f"/work/messages/{waiting.pk}/print/")
        self.assertContains(printed, "待区网络问政办交办")
        staff = self.client.get("/work/county/jinchengjiang/staff/")
        self.assertContains(staff, "本区各单位的网络评论员和分管领导账号由区网络问政办开设")
        self.assertNotContains(staff, WRONG)

    def test_the_city_reads_whose_office_sees_the_citizens_details(self):
        self.as_("city_office")
        page = self.client.get(f"/work/messages/{self.new.pk}/")
        self.assertContains(page, "网民个人信息仅办理单位和区网络问政办可见。")
        self.assertNotContains(page, WRONG)

    def test_a_refusal_names_the_districts_office(self):
        waiting = self.district.submit(to_unit=False, at=MONDAY)
        with self.assertRaisesMessage(ActionRefused, "只有区网络问政办可以办理此事项。"):
            actions.dispatch(message=waiting, by=self.district.handler, unit=self.district.unit)
        with self.assertRaisesMessage(ActionRefused, "只有区、市网络问政办可以办理此事项。"):
            actions.approve_long_cycle_closure(message=self.new, by=self.district.handler, note="")

    def test_the_districts_office_pages_say_ben_qu(self):
        self.client.force_login(self.district.office)
        base = "/work/county/jinchengjiang"
        pages = {
            "units/": "本区的单位在管理后台维护",
            "messages/": "本区的全部留言，各种办理状态。",
            "reviews/": "本区未开启先审后发",
            "security/": "本区工作人员账号的登录",
        }
        for path, words in pages.items():
            with self.subTest(path=path):
                page = self.client.get(base + "/" + path)
                self.assertContains(page, words)
                self.assertNotContains(page, "本县")
        found = self.client.get(f"{base}/find/", {"serial": "2026-999999"}, follow=True)
        self.assertContains(found, "本区没有编号为2026-999999的留言。")
        elsewhere = self.cast.submit(at=MONDAY)  # 罗城's: not the district's to find
        erase = self.client.post(
            f"{base}/privacy/erase/", {"tracking_code": elsewhere.tracking_code, "reason": "申请", "confirm": "on"}
        )
        self.assertContains(erase, "本区没有这个查询码的留言", status_code=400)
        self.assertEqual(merge_target(self.new, "2026-999999")[1], "本区没有编号为 2026-999999 的留言。")

    def test_the_districts_units_read_of_its_leading_group(self):
        self.client.force_login(self.district.leader)
        page = self.client.get("/work/unit/orders/")
        self.assertContains(page, "对回应、回复不及时的单位，区网络问政工作领导小组责成其作出书面说明")
        reason = proposals.reason_for(self.district.unit, periods.parse("2026Q1"), responses=2, replies=1)
        self.assertIn("按照区网络问政工作规定，责成该单位作出书面说明", reason)

    def test_the_demo_county_still_reads_ben_xian(self):
        self.as_("county_office")
        self.assertContains(self.client.get("/work/county/luocheng/units/"), "本县的单位在管理后台维护")
        found = self.client.get("/work/county/luocheng/find/", {"serial": "2026-999999"}, follow=True)
        self.assertContains(found, "本县没有编号为2026-999999的留言。")
        self.as_("leader_a")
        page = self.client.get("/work/unit/orders/")
        self.assertContains(page, "对回应、回复不及时的单位，县网络问政工作领导小组责成其作出书面说明")
        reason = proposals.reason_for(self.cast.unit_a, periods.parse("2026Q1"), responses=2, replies=1)
        self.assertIn("按照县网络问政工作规定", reason)

    def test_a_districts_refusals_say_ben_qu(self):
        d, c = self.district, self.cast
        with self.assertRaisesMessage(ActionRefused, "只能并入本区的留言，不能跨县（区）并单。"):
            actions.merge_duplicate(message=self.new, into=c.submit(at=MONDAY), by=d.office, reason="同一问题")
        theirs = Topic.objects.create(region=c.county, code="010000", name="城乡建设", level=1)
        with self.assertRaisesMessage(ActionRefused, "所选事项分类不属于本区的分类表，或已停用。"):
            actions.set_topic(message=self.new, by=d.office, topic=theirs)
        with self.assertRaisesMessage(ActionRefused, "请选择本区的单位。"):
            staff.create_staff(
                county=d.region,
                by=d.office,
                username="district_handler2",
                display_name="韦二",
                role="handler",
                unit=c.unit_a,
            )
        with self.assertRaisesMessage(ActionRefused, "只能调整本区单位工作人员的账号。"):
            staff.change_staff(
                account=c.handler_a, county=d.region, by=d.office, unit=d.unit, role="handler", active=True
            )
