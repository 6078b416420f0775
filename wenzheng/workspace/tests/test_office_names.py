"""The staff of a district (区) work with the 区网络问政办: its inbox, message page,
forms and notes say so, and its office's own pages call it that; the demo's county
still reads 县网络问政办."""

import time_machine

from wenzheng.accounts.policy import ActionRefused
from wenzheng.handling import actions
from wenzheng.testing import District, local

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
