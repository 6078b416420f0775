import time_machine

from wenzheng.accounts.models import User
from wenzheng.handling import actions
from wenzheng.notifications.models import Notice
from wenzheng.supervision.models import WrittenExplanationOrder
from wenzheng.testing import local
from wenzheng.units import services
from wenzheng.units.models import RosterFiling

from .base import MONDAY, NOW, WorkspaceTestCase, snapshot

UNIT_STAFF = {"handler_a", "leader_a", "handler_b", "leader_b", "handler_c"}


@time_machine.travel(NOW, tick=False)
class UnitOrdersTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        january = local(2026, 1, 26, 9, 0)
        forgotten = cast.submit(at=january, title="一月的留言无人回复")
        cls.missed = actions.order_written_explanation(
            unit=cast.unit_a,
            by=cast.county_office,
            reason="一月留言逾期未回复",
            messages=[forgotten],
            backlog_deadline=local(2026, 2, 10),
            at=local(2026, 2, 2, 9, 0),
        )
        late = cast.submit(at=MONDAY, title="路灯坏了两周")
        cls.open = actions.order_written_explanation(
            unit=cast.unit_a,
            by=cast.county_office,
            reason="回应不及时",
            messages=[late],
            backlog_deadline=local(2026, 3, 7),
            at=NOW,
        )
        other = cast.submit(unit="b", at=MONDAY, title="小区物业纠纷")
        cls.other = actions.order_written_explanation(
            unit=cast.unit_b,
            by=cast.county_office,
            reason="住建局回复不及时",
            messages=[other],
            backlog_deadline=local(2026, 3, 7),
            at=NOW,
        )

    def test_it_is_for_unit_staff(self):
        self.assertAccess("/work/unit/orders/", allowed=UNIT_STAFF)

    def test_the_inbox_banner_says_where_each_order_stands(self):
        # A leader's trial: sent back to be written again, or past its backlog
        # deadline with messages unanswered, the banner still read as on its first day.
        cast = self.cast
        actions.record_explanation(order=self.missed, by=cast.leader_a, text="人手不足。", at=NOW)
        actions.return_explanation(order=self.missed, by=cast.county_office, note="请写明整改措施。", at=NOW)
        self.as_("leader_a")
        inbox = self.client.get("/work/unit/")
        self.assertContains(inbox, "梳理回复期限已过，仍有积压留言未回复。", count=1)  # the January order
        self.assertContains(inbox, "<b>书面说明已于2026-03-04被退回重写</b>：请写明整改措施。", html=True)
        self.assertContains(inbox, "回应不及时")  # the open one, still within its deadline
        self.assertNotContains(inbox, "积压留言已按期回复")

    def test_it_lists_the_units_orders_with_their_backlog_deadline_and_status(self):
        self.as_("handler_a")
        response = self.client.get("/work/unit/orders/")
        self.assertContains(response, "一月留言逾期未回复")
        self.assertContains(response, '<span class="badge bad">未按期梳理回复</span>', html=True)
        self.assertContains(response, "回应不及时")
        self.assertContains(response, '<span class="badge warn">限期梳理回复中</span>', html=True)
        self.assertContains(response, "2026年3月6日24时前")
        self.assertContains(response, "路灯坏了两周")
        self.assertNotContains(response, "住建局回复不及时")
        # Only the leader submits the explanation.
        self.assertNotContains(response, "<summary>提交书面说明</summary>", html=True)

    def test_the_leader_submits_the_explanation(self):
        self.as_("leader_a")
        page = self.client.get("/work/unit/orders/")
        self.assertContains(page, "<summary>提交书面说明</summary>", html=True, count=2)
        response = self.client.post(
            f"/work/orders/{self.open.pk}/explanation/",
            {f"order-{self.open.pk}-text": "因值班人员变动未及时签收，已整改。"},
            follow=True,
        )
        self.assertRedirects(response, "/work/unit/orders/")
        self.assertContains(response, "书面说明已录入。")
        self.assertContains(response, "因值班人员变动未及时签收，已整改。")
        order = WrittenExplanationOrder.objects.get(pk=self.open.pk)
        self.assertEqual(order.explanation_received_at, NOW)

    def test_a_second_explanation_is_refused_with_the_reason(self):
        actions.record_explanation(order=self.open, by=self.cast.leader_a, text="第一次说明", at=NOW)
        self.as_("leader_a")
        before = snapshot()
        response = self.client.post(
            f"/work/orders/{self.open.pk}/explanation/", {f"order-{self.open.pk}-text": "第二次"}, follow=True
        )
        self.assertContains(response, "该书面说明已经录入。")
        self.assertUnchanged(before)

    def test_only_the_leader_or_the_county_office_may_post_an_explanation(self):
        url = f"/work/orders/{self.open.pk}/explanation/"
        data = {f"order-{self.open.pk}-text": "说明"}
        before = snapshot()
        for role, status in [
            ("handler_a", 403),
            ("citizen", 403),
            ("city_office", 403),
            ("leader_b", 404),
            ("other_county_office", 404),
        ]:
            with self.subTest(role=role):
                self.as_(role)
                self.assertEqual(self.client.post(url, data).status_code, status)
        self.assertUnchanged(before)

    def test_the_county_office_records_an_explanation_that_came_on_paper(self):
        self.as_("county_office")
        response = self.client.post(
            f"/work/orders/{self.other.pk}/explanation/", {f"order-{self.other.pk}-text": "纸质说明已收到"}, follow=True
        )
        self.assertRedirects(response, "/work/county/luocheng/orders/")
        self.assertContains(response, "书面说明已录入。")
        self.assertEqual(WrittenExplanationOrder.objects.get(pk=self.other.pk).explanation, "纸质说明已收到")

    def test_the_office_hears_of_an_explanation_and_may_send_it_back_to_be_written_again(self):
        self.as_("leader_a")
        self.client.post(f"/work/orders/{self.open.pk}/explanation/", {f"order-{self.open.pk}-text": "短"})
        office = Notice.objects.get(recipient=self.cast.county_office, kind=Notice.Kind.EXPLAINED)
        self.assertEqual(office.text, "东门镇已提交书面说明，请查阅；如不符合要求，可退回重写。")
        self.as_("county_office")
        page = self.client.get("/work/county/luocheng/orders/")
        self.assertContains(page, "<summary>退回重写</summary>", html=True, count=1)  # the one received
        response = self.client.post(
            f"/work/orders/{self.open.pk}/return/",
            {f"return-{self.open.pk}-note": "请写明原因和整改措施。"},
            follow=True,
        )
        self.assertRedirects(response, "/work/county/luocheng/orders/")
        self.assertContains(response, "书面说明已退回东门镇重写。")
        self.assertContains(response, '<span class="badge bad">书面说明已退回重写</span>', html=True)
        back = Notice.objects.get(recipient=self.cast.leader_a, kind=Notice.Kind.EXPLANATION_RETURNED)
        self.assertEqual(back.text, "县网络问政办退回了本单位的书面说明，请重写：请写明原因和整改措施。")
        # The leader reads the reason and writes it again from what was sent.
        self.as_("leader_a")
        page = self.client.get("/work/unit/orders/")
        self.assertContains(page, "请写明原因和整改措施。")
        self.assertContains(page, ">\n短</textarea>")
        self.client.post(
            f"/work/orders/{self.open.pk}/explanation/",
            {f"order-{self.open.pk}-text": "因人员变动未及时签收，已整改。"},
        )
        order = WrittenExplanationOrder.objects.get(pk=self.open.pk)
        self.assertEqual((order.explanation, order.explanation_received_at), ("因人员变动未及时签收，已整改。", NOW))
        self.assertEqual(
            Notice.objects.filter(recipient=self.cast.county_office, kind=Notice.Kind.EXPLAINED).count(), 2
        )

    def test_only_the_office_sends_an_explanation_back_and_only_one_received(self):
        url = f"/work/orders/{self.open.pk}/return/"
        data = {f"return-{self.open.pk}-note": "重写。"}
        self.as_("county_office")
        self.assertContains(self.client.post(url, data, follow=True), "该书面说明尚未提交，无需退回。")
        actions.record_explanation(order=self.open, by=self.cast.leader_a, text="说明", at=NOW)
        before = snapshot()
        for role, status in [("leader_a", 403), ("handler_a", 403), ("other_county_office", 404)]:
            with self.subTest(role=role):
                self.as_(role)
                self.assertEqual(self.client.post(url, data).status_code, status)
        self.as_("county_office")
        self.assertContains(self.client.post(url, {}, follow=True), "退回意见")  # required: said why
        self.assertUnchanged(before)


@time_machine.travel(NOW, tick=False)
class RosterTests(WorkspaceTestCase):
    def post(self, year=2026, **data):
        fields = {f"y{year}-{name}": value for name, value in data.items()}
        return self.client.post("/work/unit/roster/", {"year": year, **fields}, follow=True)

    def file(self, year=2026, **changes):
        cast = self.cast
        fields = {"leader": cast.leader_a, "handlers": [cast.handler_a], "by": cast.leader_a, "at": NOW}
        return services.roster_file(unit=cast.unit_a, year=year, **(fields | changes))

    def test_it_is_for_unit_staff(self):
        self.assertAccess("/work/unit/roster/", allowed=UNIT_STAFF)

    def test_a_handler_sees_it_is_not_filed_yet_and_gets_no_form(self):
        self.as_("handler_a")
        response = self.client.get("/work/unit/roster/")
        self.assertContains(response, "2026年度名单上报")
        self.assertContains(response, '<span class="badge warn">尚未上报</span>', html=True)
        self.assertContains(response, "请提醒本单位分管领导上报。")
        self.assertNotContains(response, "上报名单</button>")

    def test_the_leader_files_this_years_roster_from_the_units_staff(self):
        cast = self.cast
        self.as_("leader_a")
        page = self.client.get("/work/unit/roster/")
        self.assertContains(page, "handler_a2")
        self.assertNotContains(page, "handler_b")
        response = self.post(leader=cast.leader_a.pk, handlers=[cast.handler_a.pk, cast.handler_a2.pk])
        self.assertContains(response, "东门镇2026年度名单已上报。")
        self.assertContains(response, '<span class="badge ok">名单完整</span>', html=True)
        filing = RosterFiling.objects.get(unit=cast.unit_a, year=2026)
        self.assertTrue(filing.is_complete())
        self.assertEqual((filing.filed_by, filing.filed_at, filing.version), (cast.leader_a, NOW, 1))

    def test_a_roster_naming_someone_stopped_or_moved_since_asks_to_be_corrected(self):
        cast = self.cast
        self.file(handlers=[cast.handler_a, cast.handler_a2])
        User.objects.filter(pk=cast.handler_a2.pk).update(is_active=False)
        self.as_("leader_a")
        page = self.client.get("/work/unit/roster/")
        self.assertContains(page, "名单中有人员的账号已停用、调离本单位或改任其他职责，考评不再计入，请更正名单。")
        self.assertContains(page, "账号已停用、调离或改任，不再计入", count=1)
        # Not 名单完整 beside it (a leader's trial): one handler left counts short.
        self.assertContains(page, '<span class="badge bad">名单需更正</span>', html=True)
        self.assertContains(page, '<span class="badge bad">需更正</span>', html=True)  # the history's row
        self.assertNotContains(page, "名单完整")
        self.assertNotContains(page, '<span class="badge ok">完整</span>', html=True)
        self.as_("county_office")
        units = self.client.get("/work/county/luocheng/units/")
        self.assertContains(units, "需更正（有人员停用或调离）", count=1)

    def test_an_incomplete_roster_is_filed_and_shown_as_such(self):
        self.as_("leader_a")
        response = self.post(leader=self.cast.leader_a.pk, handlers=[self.cast.handler_a.pk])
        self.assertContains(response, '<span class="badge bad">名单不完整</span>', html=True)

    def test_the_leader_corrects_an_incomplete_roster_as_a_new_version(self):
        """Issue 10: a unit whose filed roster was incomplete could not correct it."""
        cast = self.cast
        first = self.file()
        self.as_("leader_a")
        page = self.client.get("/work/unit/roster/")
        self.assertContains(page, "更正名单")
        checked = (
            '<input type="checkbox" name="y2026-handlers" '
            f'value="{cast.handler_a.pk}" id="id_y2026-handlers_0" checked>'
        )
        self.assertContains(page, checked, html=True, msg_prefix="a correction starts from the roster in force")
        response = self.post(leader=cast.leader_a.pk, handlers=[cast.handler_a.pk, cast.handler_a2.pk])
        self.assertContains(response, "东门镇2026年度名单已更正（第2版）。")
        self.assertContains(response, '<span class="badge ok">名单完整</span>', html=True)
        self.assertContains(response, "历次上报与更正")
        self.assertContains(response, '<span class="badge">已更正</span>', html=True)
        self.assertEqual(list(RosterFiling.objects.in_force()), [RosterFiling.objects.get(version=2)])
        self.assertEqual(first.members.count(), 2, "the first version stays as filed")

    def test_the_leader_files_next_years_roster_ahead(self):
        cast = self.cast
        self.as_("leader_a")
        self.assertContains(self.client.get("/work/unit/roster/"), "2027年度名单（提前上报）")
        response = self.post(year=2027, leader=cast.leader_a.pk, handlers=[cast.handler_a.pk, cast.handler_a2.pk])
        self.assertContains(response, "东门镇2027年度名单已上报。")
        self.assertTrue(RosterFiling.objects.filter(unit=cast.unit_a, year=2027).exists())
        self.assertFalse(RosterFiling.objects.filter(unit=cast.unit_a, year=2026).exists())

    def test_a_past_year_cannot_be_filed(self):
        self.as_("leader_a")
        before = snapshot()
        response = self.post(year=2025, leader=self.cast.leader_a.pk)
        self.assertContains(response, "只能上报本年度或下一年度的名单。", status_code=400)
        self.assertUnchanged(before)

    def test_filing_the_same_roster_again_is_refused_with_the_reason(self):
        cast = self.cast
        self.file()
        self.as_("leader_a")
        before = snapshot()
        response = self.post(leader=cast.leader_a.pk, handlers=[cast.handler_a.pk])
        self.assertContains(response, "与东门镇2026年度现行名单（第1版）相同，无需重新上报。", status_code=400)
        self.assertUnchanged(before)

    def test_a_person_of_another_unit_cannot_be_chosen(self):
        self.as_("leader_a")
        before = snapshot()
        response = self.post(leader=self.cast.leader_a.pk, handlers=[self.cast.handler_b.pk])
        self.assertContains(
            response, f"选择一个有效的选项。 {self.cast.handler_b.pk} 不在可用的选项中。", status_code=400
        )
        self.assertUnchanged(before)

    def test_a_deactivated_account_is_not_offered(self):
        cast = self.cast
        cast.handler_a2.is_active = False
        cast.handler_a2.save(update_fields=["is_active"])
        self.as_("leader_a")
        self.assertNotContains(self.client.get("/work/unit/roster/"), "handler_a2")
        before = snapshot()
        response = self.post(leader=cast.leader_a.pk, handlers=[cast.handler_a.pk, cast.handler_a2.pk])
        self.assertEqual(response.status_code, 400)
        self.assertUnchanged(before)

    def test_a_handler_cannot_file(self):
        self.as_("handler_a")
        before = snapshot()
        self.assertEqual(self.post(leader=self.cast.leader_a.pk).status_code, 403)
        self.assertUnchanged(before)


@time_machine.travel(NOW, tick=False)
class CountyRosterHistoryTests(WorkspaceTestCase):
    def test_the_office_sees_every_version(self):
        cast = self.cast
        services.roster_file(
            unit=cast.unit_a, year=2026, leader=cast.leader_a, handlers=[cast.handler_a], by=cast.leader_a,
            at=local(2026, 1, 5, 9),
        )  # fmt: skip
        services.roster_file(
            unit=cast.unit_a, year=2026, leader=cast.leader_a, handlers=[cast.handler_a, cast.handler_a2],
            by=cast.leader_a, at=NOW,
        )  # fmt: skip
        url = f"/work/county/luocheng/units/{cast.unit_a.pk}/roster/"
        self.assertAccess(url, allowed={"county_office", "admin"}, hidden={"other_county_office"})
        self.as_("county_office")
        page = self.client.get(url)
        self.assertContains(page, "东门镇的名单上报记录")
        self.assertContains(page, "第2版")
        self.assertContains(page, "第1版")
        self.assertContains(page, "2026-01-05 09:00")
        units = self.client.get("/work/county/luocheng/units/")
        self.assertContains(units, f'href="{url}"')
        self.assertContains(units, "第2版")
        # Another county's unit is not found through this county.
        self.assertEqual(self.client.get(f"/work/county/luocheng/units/{cast.unit_c.pk}/roster/").status_code, 404)
