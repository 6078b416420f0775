import datetime as dt

import time_machine

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.supervision.models import AccountabilityReferral, Exposure, SupervisionFinding, WrittenExplanationOrder
from wenzheng.testing import local

from .base import MONDAY, NOW, WorkspaceTestCase, snapshot

COUNTY_STAFF = {"county_office", "admin"}
BASE = "/work/county/luocheng"


@time_machine.travel(NOW, tick=False)
class SupervisionPageTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.late_a = cast.submit(at=MONDAY, title="路灯坏了两周")
        cls.late_b = cast.submit(unit="b", at=MONDAY, title="小区物业纠纷")
        cls.on_time = cast.submit(at=NOW, title="今天的留言")
        cls.closed = cast.replied(at=MONDAY, title="低保申请流程")
        actions.close(message=cls.closed, by=cast.leader_a, kind="answered", at=MONDAY)
        cast.submit(unit="c", at=MONDAY, title="环江超期留言")

    def test_its_pages_are_for_the_county_office(self):
        for url in (f"{BASE}/supervision/", f"{BASE}/orders/", f"{BASE}/records/", f"{BASE}/units/"):
            with self.subTest(url=url):
                self.assertAccess(url, allowed=COUNTY_STAFF, hidden={"other_county_office"})
        self.assertAccess(
            f"{BASE}/units/{self.cast.unit_a.pk}/explanation/", allowed=COUNTY_STAFF, hidden={"other_county_office"}
        )

    def test_it_lists_overdue_messages_unit_by_unit(self):
        self.as_("county_office")
        response = self.client.get(f"{BASE}/supervision/")
        content = response.content.decode()
        self.assertContains(response, "超期未回应、未回复的留言（2）")
        self.assertContains(response, '东门镇 <span class="badge bad">超期1条</span>')
        self.assertContains(response, '县住房和城乡建设局 <span class="badge bad">超期1条</span>')
        # Each message in its own unit's group.
        groups = {part.split("</h3>")[0]: part for part in content.split('<section class="card"')[1:]}
        by_unit = {heading: part for heading, part in groups.items() if "超期" in heading}
        (a_group,) = [part for heading, part in by_unit.items() if "东门镇" in heading]
        (b_group,) = [part for heading, part in by_unit.items() if "县住房和城乡建设局" in heading]
        self.assertIn("路灯坏了两周", a_group)
        self.assertNotIn("小区物业纠纷", a_group)
        self.assertIn("小区物业纠纷", b_group)
        self.assertContains(response, "回应期限3月3日24时，已超过1个工作日", count=2)
        self.assertNotContains(response, "今天的留言")
        self.assertNotContains(response, "环江超期留言")
        self.assertContains(response, f'href="{BASE}/units/{self.cast.unit_a.pk}/explanation/"')

    def test_the_office_flags_a_message_for_supervision(self):
        self.as_("county_office")
        url = f"/work/messages/{self.late_a.pk}/supervise/"
        data = {f"supervise-{self.late_a.pk}-note": "请于今日签收", "next": f"{BASE}/supervision/"}
        response = self.client.post(url, data, follow=True)
        self.assertRedirects(response, f"{BASE}/supervision/")
        self.assertContains(response, f"留言{self.late_a.serial}已列入督办。")
        self.assertContains(response, '<span class="badge bad">已督办</span>', html=True)
        self.assertEqual(Message.objects.get(pk=self.late_a.pk).supervised_at, NOW)
        # A second flag is refused with the reason.
        before = snapshot()
        self.assertContains(self.client.post(url, data, follow=True), "这条留言已在督办中。")
        self.assertUnchanged(before)

    def test_the_city_may_flag_a_message_too(self):
        self.as_("city_office")
        response = self.client.post(
            f"/work/messages/{self.late_b.pk}/supervise/", {f"supervise-{self.late_b.pk}-note": "市里督办"}, follow=True
        )
        self.assertContains(response, "已列入督办")
        self.assertIsNotNone(Message.objects.get(pk=self.late_b.pk).supervised_at)

    def test_the_office_reopens_a_closed_message(self):
        self.as_("county_office")
        response = self.client.post(
            f"/work/messages/{self.closed.pk}/reopen/", {f"reopen-{self.closed.pk}-reason": "答复不清楚"}, follow=True
        )
        self.assertContains(response, f"留言{self.closed.serial}已退回东门镇重办。")
        self.assertEqual(Message.objects.get(pk=self.closed.pk).state, "responded")

    def test_reopening_an_open_message_is_refused_with_the_reason(self):
        self.as_("county_office")
        before = snapshot()
        response = self.client.post(
            f"/work/messages/{self.late_a.pk}/reopen/", {f"reopen-{self.late_a.pk}-reason": "重办"}
        )
        self.assertContains(response, "此操作只能在“已办结”状态下进行。", status_code=400)
        self.assertUnchanged(before)

    def test_the_office_opens_a_message_by_serial(self):
        self.as_("county_office")
        response = self.client.get(f"{BASE}/find/", {"serial": self.closed.serial})
        self.assertRedirects(response, f"/work/messages/{self.closed.pk}/")
        response = self.client.get(f"{BASE}/find/", {"serial": "2026-999999"}, follow=True)
        self.assertContains(response, "本县没有编号为2026-999999的留言。")
        response = self.client.get(f"{BASE}/find/", {"serial": "abc"}, follow=True)
        self.assertContains(response, "留言编号的格式如 2026-000046。")


@time_machine.travel(NOW, tick=False)
class ExplanationOrderTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.late = cast.submit(at=MONDAY, title="路灯坏了两周")
        cls.fresh = cast.submit(at=NOW, title="今天的留言")
        cls.other = cast.submit(unit="b", at=MONDAY, title="小区物业纠纷")
        cls.url = f"{BASE}/units/{cast.unit_a.pk}/explanation/"

    def post(self, **data):
        return self.client.post(self.url, data, follow=True)

    def test_it_offers_the_units_backlog_with_the_overdue_ones_ticked(self):
        self.as_("county_office")
        response = self.client.get(self.url)
        self.assertContains(response, "责成东门镇书面说明")
        self.assertContains(response, f"{self.late.serial} 路灯坏了两周")
        self.assertContains(response, f"{self.fresh.serial} 今天的留言")
        self.assertNotContains(response, "小区物业纠纷")
        self.assertContains(
            response, f'<input type="checkbox" name="messages" value="{self.late.pk}" id="id_messages_0" checked>'
        )
        self.assertContains(response, '<span class="badge bad">已超期</span>', count=1, html=True)

    def test_the_office_orders_an_explanation_with_a_backlog_deadline_at_24_00(self):
        self.as_("county_office")
        response = self.post(reason="回应不及时", messages=[self.late.pk], backlog_date="2026-03-10")
        self.assertRedirects(response, f"{BASE}/orders/")
        self.assertContains(response, "已责成东门镇作出书面说明。")
        order = WrittenExplanationOrder.objects.get()
        self.assertEqual(order.backlog_deadline, local(2026, 3, 11))
        self.assertEqual(list(order.messages.all()), [self.late])
        self.assertContains(response, "2026年3月10日24时前")
        self.assertContains(response, '<span class="badge warn">限期梳理回复中</span>', html=True)

    def test_a_backlog_deadline_in_the_past_is_refused_with_the_reason(self):
        self.as_("county_office")
        before = snapshot()
        response = self.post(reason="回应不及时", messages=[self.late.pk], backlog_date="2026-03-01")
        self.assertContains(response, "限期梳理回复的截止时间必须晚于现在。", status_code=400)
        self.assertUnchanged(before)

    def test_an_order_with_no_message_ticked_is_refused_while_the_unit_has_some_unanswered(self):
        # A trial: ordered with nothing ticked, it read "已按期梳理回复" from its first
        # day, and its deadline could never be missed.
        self.as_("county_office")
        before = snapshot()
        response = self.post(reason="回应不及时", backlog_date="2026-03-10")
        self.assertContains(response, "请勾选要限期梳理回复的留言：本单位有留言尚未签收或回复。", status_code=400)
        self.assertUnchanged(before)

    def test_an_order_for_a_unit_with_nothing_unanswered_has_no_backlog_to_clear(self):
        cast = self.cast
        for m in (self.late, self.fresh):
            actions.reply(message=m, by=cast.handler_a, text="已处理", at=NOW)
        self.as_("county_office")
        response = self.post(reason="三月回应不及时", backlog_date="2026-03-10")
        self.assertRedirects(response, f"{BASE}/orders/")
        self.assertContains(response, '<span class="badge">无积压留言</span>', html=True)
        self.assertNotContains(response, "已按期梳理回复")

    def test_another_units_message_cannot_be_chosen(self):
        self.as_("county_office")
        before = snapshot()
        response = self.post(reason="回应不及时", messages=[self.other.pk], backlog_date="2026-03-10")
        self.assertContains(response, f"选择一个有效的选项。 {self.other.pk} 不在可用的选项中。", status_code=400)
        self.assertUnchanged(before)

    def test_a_unit_of_another_county_is_a_404(self):
        self.as_("county_office")
        self.assertEqual(self.client.get(f"{BASE}/units/{self.cast.unit_c.pk}/explanation/").status_code, 404)

    def test_the_orders_list_shows_each_orders_status(self):
        cast = self.cast
        january = cast.submit(at=local(2026, 1, 26, 9, 0), title="一月的留言")
        actions.order_written_explanation(
            unit=cast.unit_a,
            by=cast.county_office,
            reason="一月逾期",
            messages=[january],
            backlog_deadline=local(2026, 2, 10),
            at=local(2026, 2, 2),
        )
        replied = cast.submit(unit="b", at=local(2026, 1, 28, 9, 0), title="一月底的留言")
        actions.reply(message=replied, by=cast.handler_b, text="已处理", at=local(2026, 2, 4))
        actions.order_written_explanation(
            unit=cast.unit_b,
            by=cast.county_office,
            reason="二月回复不及时",
            messages=[replied],
            backlog_deadline=local(2026, 2, 10),
            at=local(2026, 2, 2),
        )
        self.as_("county_office")
        response = self.client.get(f"{BASE}/orders/")
        self.assertContains(response, "东门镇 · 2026年2月2日责成书面说明")
        self.assertContains(response, '<span class="badge bad">未按期梳理回复</span>', html=True)
        self.assertContains(response, '<span class="badge ok">已按期梳理回复</span>', html=True)
        self.assertContains(response, "<summary>录入书面说明</summary>", html=True, count=2)


@time_machine.travel(NOW, tick=False)
class RecordTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.late = cls.cast.submit(at=MONDAY, title="路灯坏了两周")
        cls.elsewhere = cls.cast.submit(unit="c", at=MONDAY, title="环江留言")

    def record(self, kind, **data):
        data = {f"{kind}-{k}": v for k, v in data.items()}
        return self.client.post(f"{BASE}/records/{kind}/", data, follow=True)

    def test_the_office_records_a_supervision_finding_about_a_message(self):
        self.as_("county_office")
        response = self.record(
            "finding",
            unit=self.cast.unit_a.pk,
            serial=self.late.serial,
            source="county_check",
            found_on="2026-03-04",
            summary="超期未签收",
            adverse="on",
        )
        self.assertRedirects(response, f"{BASE}/records/")
        self.assertContains(response, "督查结果已录入。")
        finding = SupervisionFinding.objects.get()
        self.assertEqual((finding.unit, finding.message, finding.adverse), (self.cast.unit_a, self.late, True))
        self.assertContains(response, "超期未签收")

    def test_a_finding_dated_in_the_future_is_refused_with_the_reason(self):
        self.as_("county_office")
        before = snapshot()
        response = self.record(
            "finding", unit=self.cast.unit_a.pk, source="county_check", found_on="2026-03-05", summary="明天的督查"
        )
        self.assertContains(response, "督查日期不能晚于今天。", status_code=400)
        self.assertUnchanged(before)

    def test_a_serial_the_county_does_not_have_cannot_be_named(self):
        # 环江 numbers its messages on its own: its 2026-000002 is not 罗城's.
        self.cast.submit(unit="c", at=MONDAY, title="环江第二条")
        self.as_("county_office")
        before = snapshot()
        response = self.record(
            "finding",
            unit=self.cast.unit_a.pk,
            serial="2026-000002",
            source="county_check",
            found_on="2026-03-04",
            summary="x",
        )
        self.assertContains(response, "本县没有编号为2026-000002的留言。", status_code=400)
        self.assertUnchanged(before)

    def test_a_message_of_another_unit_is_refused_with_the_reason(self):
        self.as_("county_office")
        before = snapshot()
        response = self.record(
            "exposure", unit=self.cast.unit_b.pk, serial=self.late.serial, title="曝光", body="内容", outlet="县融媒体"
        )
        self.assertContains(response, f"留言{self.late.serial}不由县住房和城乡建设局办理。", status_code=400)
        self.assertUnchanged(before)

    def test_the_office_publishes_an_exposure(self):
        self.as_("county_office")
        response = self.record(
            "exposure",
            unit=self.cast.unit_a.pk,
            title="东门镇网络问政回复不及时",
            body="多条留言超期未回复。",
            outlet="罗城县融媒体中心",
        )
        self.assertContains(response, "曝光已发布，将在曝光台公开。")
        self.assertEqual(Exposure.objects.get().title, "东门镇网络问政回复不及时")

    def test_an_exposure_sent_twice_is_one_and_one_recorded_by_mistake_is_withdrawn(self):
        self.as_("county_office")
        fields = {
            "unit": self.cast.unit_a.pk,
            "title": "东门镇回复不及时",
            "body": "多条留言超期。",
            "outlet": "县电视台",
        }
        self.record("exposure", **fields)
        again = self.record("exposure", **fields)
        self.assertContains(again, "同样的曝光已于", status_code=400)
        exposure = Exposure.objects.get()
        self.assertContains(self.client.get("/exposures/"), "东门镇回复不及时")
        page = self.client.get(f"{BASE}/records/")
        self.assertContains(page, "<summary>撤销这条曝光</summary>", html=True)
        url = f"/work/exposures/{exposure.pk}/withdraw/"
        self.as_("other_county_office")
        self.assertEqual(self.client.post(url, {"reason": "录错。"}).status_code, 404)
        self.as_("county_office")
        self.assertContains(self.client.post(url, {"reason": " "}, follow=True), "请填写撤销理由")
        response = self.client.post(url, {"reason": "单位录错。"}, follow=True)
        self.assertRedirects(response, f"{BASE}/records/")
        self.assertContains(response, "已撤销曝光“东门镇回复不及时”，曝光台不再显示，考评不再扣分。")
        self.assertContains(response, "撤销：单位录错。")
        self.assertNotContains(self.client.get("/exposures/"), "东门镇回复不及时")

    def test_the_office_refers_for_accountability(self):
        self.as_("county_office")
        response = self.record(
            "referral", unit=self.cast.unit_a.pk, person="李四", reason="弄虚作假", referred_to="县纪委监委"
        )
        self.assertContains(response, "追究责任的移送已记录。")
        self.assertEqual(AccountabilityReferral.objects.get().person, "李四")

    def test_an_unknown_kind_is_a_404_and_a_get_goes_back_to_the_page(self):
        self.as_("county_office")
        self.assertEqual(self.client.post(f"{BASE}/records/prize/", {}).status_code, 404)
        self.assertRedirects(self.client.get(f"{BASE}/records/finding/"), f"{BASE}/records/")

    def test_the_finding_form_starts_at_today(self):
        self.as_("county_office")
        response = self.client.get(f"{BASE}/records/")
        self.assertEqual(response.context["forms"]["finding"]["found_on"].value(), dt.date(2026, 3, 4))
