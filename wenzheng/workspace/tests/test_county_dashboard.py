import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenzheng.handling import actions

from .base import MONDAY, NOW, WorkspaceTestCase

COUNTY_STAFF = {"county_office", "admin"}
URL = "/work/county/luocheng/"


@time_machine.travel(NOW, tick=False)
class CountyDashboardTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cast.submit(unit=None, at=MONDAY, title="不知道找哪个部门")
        handed_back = cast.submit(at=MONDAY, title="供水问题")
        actions.request_transfer(message=handed_back, by=cast.handler_a, reason="不归本镇管", at=MONDAY)
        cls.waiting = cast.submit(unit="b", at=NOW, title="小区物业纠纷")
        actions.request_extension(message=cls.waiting, by=cast.handler_b, days=3, reason="需调查", at=NOW)
        cls.appeal = appeal = cast.replied(at=MONDAY, category=cast.appeal, title="自来水水压不足")
        actions.request_long_cycle_closure(message=appeal, by=cast.leader_a, explanation="需新建水厂", at=MONDAY)
        cast.submit(unit="c", at=MONDAY, title="环江的留言")

    def test_it_is_for_the_county_office(self):
        self.assertAccess(URL, allowed=COUNTY_STAFF, hidden={"other_county_office"})

    def test_another_countys_office_cannot_open_it(self):
        self.as_("county_office")
        self.assertEqual(self.client.get("/work/county/huanjiang/").status_code, 404)
        self.assertEqual(self.client.get("/work/county/nowhere/").status_code, 404)

    def test_it_counts_what_waits_for_the_office(self):
        self.as_("county_office")
        response = self.client.get(URL)
        counts = response.context["counts"]
        self.assertEqual(
            (counts["dispatch"], counts["extensions"], counts["closures"], counts["approvals"]), (2, 1, 1, 2)
        )
        # Overdue: the handed-back message was never acknowledged (its clock runs on).
        self.assertEqual(counts["overdue"], 1)
        self.assertContains(response, "待交办<b>2</b>", html=False)
        self.assertContains(response, "延期1 · 长周期办结1")
        self.assertContains(response, "超期留言<b>1</b>")

    def test_it_shows_this_quarters_figures_for_the_county(self):
        self.as_("county_office")
        response = self.client.get(URL)
        self.assertContains(response, "2026年第一季度情况")
        self.assertContains(response, "共收到网民留言总数4条(其中,咨询类3条、建议类0条、诉求类1条)")
        self.assertContains(response, "回复率<b>25%</b>")
        self.assertNotContains(response, "环江的留言")
        self.assertContains(response, '<th scope="row">东门镇</th>', html=False)

    def test_its_unit_table_adds_up_to_the_countys_figures(self):
        c = self.cast
        again = c.submit(unit=None, at=MONDAY, title="自来水水压还是不足")
        actions.merge_duplicate(message=again, into=self.appeal, by=c.county_office, reason="同一小区", at=MONDAY)
        self.as_("county_office")
        response = self.client.get(URL)
        figures, units, outside = (response.context[k] for k in ("figures", "units", "outside"))
        for k in ("received", "replied", "closed"):
            with self.subTest(k=k):
                rows = sum(getattr(u, k) for u in units)
                self.assertEqual(rows + outside["waiting"][k] + outside["merged"][k], getattr(figures, k))
        # The message with no unit and the merged one (answered with its main) have rows.
        self.assertContains(response, "共收到网民留言总数5条")
        self.assertEqual(sum(u.received for u in units), 3)
        self.assertInHTML(
            '<tr class="outside-units"><th scope="row">尚未交办的留言</th><td>尚无办理单位</td>'
            '<td class="num">1</td><td class="num">0</td><td class="num">—</td><td class="num">0</td>'
            '<td class="num">—</td></tr>',
            response.content.decode(),
        )
        self.assertInHTML(
            '<tr class="outside-units"><th scope="row">已并单的留言</th><td>随主留言答复</td>'
            '<td class="num">1</td><td class="num">1</td><td class="num">—</td><td class="num">0</td>'
            '<td class="num">—</td></tr>',
            response.content.decode(),
        )
        self.assertContains(response, '<th scope="row">全县合计</th>', html=False)

    def test_the_administrator_can_switch_counties(self):
        self.as_("admin")
        response = self.client.get(URL)
        self.assertContains(response, '<a href="/work/county/huanjiang/">环江毛南族自治县</a>', html=True)
        self.assertContains(
            response, '<a href="/work/county/luocheng/" aria-current="page">罗城仫佬族自治县</a>', html=True
        )

    def test_it_reads_in_a_fixed_number_of_queries(self):
        self.as_("county_office")
        with CaptureQueriesContext(connection) as few:
            self.client.get(URL)
        for i in range(4):
            self.cast.submit(unit="b", at=MONDAY, title=f"更多{i}")
        with CaptureQueriesContext(connection) as many:
            self.client.get(URL)
        self.assertEqual(len(many), len(few))
