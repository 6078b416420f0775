import time_machine

from wenzheng.handling import actions
from wenzheng.handling.models import Message

from .base import MONDAY, NOW, WorkspaceTestCase, snapshot

URL = "/work/city/hechi/"


@time_machine.travel(NOW, tick=False)
class CityTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cast.submit(at=MONDAY, title="罗城超期")
        cast.replied(at=MONDAY, title="罗城已回复")
        cls.luocheng_appeal = cast.replied(at=MONDAY, category=cast.appeal, title="罗城水压不足")
        actions.request_long_cycle_closure(
            message=cls.luocheng_appeal, by=cast.leader_a, explanation="需新建水厂", at=MONDAY
        )
        cls.huanjiang = cast.submit(unit="c", at=MONDAY, title="环江留言")
        actions.reply(message=cls.huanjiang, by=cast.handler_c, text="已答复", at=MONDAY)

    def test_its_pages_are_for_the_city_office(self):
        for url in (URL, f"{URL}approvals/"):
            with self.subTest(url=url):
                self.assertAccess(url, allowed={"city_office", "admin"})

    def test_another_city_is_a_404(self):
        self.as_("city_office")
        self.assertEqual(self.client.get("/work/city/liuzhou/").status_code, 404)
        # A county's code is not a city's.
        self.assertEqual(self.client.get("/work/city/luocheng/").status_code, 404)

    def test_it_puts_the_counties_side_by_side(self):
        self.as_("city_office")
        response = self.client.get(URL)
        rows = {r.county.name: r for r in response.context["rows"]}
        luocheng, huanjiang = rows["罗城仫佬族自治县"], rows["环江毛南族自治县"]
        self.assertEqual((luocheng.figures.received, luocheng.figures.reply_rate, luocheng.overdue), (3, "66.7%", 1))
        self.assertEqual((huanjiang.figures.received, huanjiang.figures.reply_rate, huanjiang.overdue), (1, "100%", 0))
        self.assertEqual((luocheng.figures.total_units, huanjiang.figures.total_units), (2, 1))
        self.assertContains(response, "河池市各县（区）2026年第一季度情况")
        self.assertContains(response, '<th scope="row">罗城仫佬族自治县</th>', html=True)
        self.assertContains(response, '<td class="num">66.7%</td>', html=True)
        self.assertContains(response, '<td class="num">75%</td>', html=True)  # the city: 3 of 4

    def test_the_city_approves_a_long_cycle_closure(self):
        self.as_("city_office")
        page = self.client.get(f"{URL}approvals/")
        self.assertContains(page, "罗城仫佬族自治县 · 东门镇")
        self.assertContains(page, "需新建水厂")
        prefix = f"long-cycle-decision-{self.luocheng_appeal.pk}"
        response = self.client.post(
            f"/work/messages/{self.luocheng_appeal.pk}/long-cycle-decision/",
            {f"{prefix}-decision": "approve", f"{prefix}-note": "市领导小组同意", "next": f"{URL}approvals/"},
            follow=True,
        )
        self.assertRedirects(response, f"{URL}approvals/")
        self.assertContains(response, "长周期办结。")
        message = Message.objects.get(pk=self.luocheng_appeal.pk)
        self.assertEqual((message.state, message.closure_kind), ("closed", "long_cycle"))

    def test_the_city_cannot_reopen_or_dispatch(self):
        self.as_("city_office")
        before = snapshot()
        response = self.client.post(
            f"/work/messages/{self.huanjiang.pk}/reject-transfer/",
            {f"reject-transfer-{self.huanjiang.pk}-reason": "x"},
        )
        self.assertContains(response, "只有县网络问政办可以办理此事项。", status_code=400)
        self.assertUnchanged(before)
