"""Counting by topic: the statistics page, the board's filter and the bulletin."""

import io

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from docx import Document

from wenzheng.evaluation import bulletin, documents
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local
from wenzheng.topics import catalogue
from wenzheng.topics import figures as topic_figures
from wenzheng.topics.models import Topic

NOW = local(2026, 4, 10, 9)


@time_machine.travel(NOW, tick=False)
class TopicFiguresTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        catalogue.load_default(cast.county)
        catalogue.load_default(cast.other_county)
        lamp = Topic.objects.get(region=cast.county, code="010101")
        water = Topic.objects.get(region=cast.county, code="010102")
        roads = Topic.objects.get(region=cast.county, code="020101")
        at = local(2026, 3, 2, 9)
        for topic, title in ((lamp, "路灯一"), (water, "供水二"), (roads, "道路三")):
            m = cast.submit(at=at, topic=topic, title=title)
            actions.reply(message=m, by=cast.handler_a, text="已处理。", at=at)
        cast.submit(at=at, title="未分类四")
        foreign = Topic.objects.get(region=cast.other_county, code="010101")
        cast.submit(unit="c", at=at, topic=foreign, title="环江路灯")

    def test_it_counts_by_major_topic_with_unsorted_last(self):
        rows = topic_figures.by_major(self.cast.county, periods.parse("2026Q1"), now=NOW)
        self.assertEqual(
            [(t.code, t.name, t.received, t.replied) for t in rows],
            [("010000", "城乡建设", 2, 2), ("020000", "交通运输", 1, 1), ("", "未分类", 1, 0)],
        )
        self.assertEqual(topic_figures.sentence(rows), "按事项分类：城乡建设2条、交通运输1条、未分类1条。")
        # The city adds its counties up by code.
        city = topic_figures.by_major(self.cast.city, periods.parse("2026Q1"), now=NOW)
        self.assertEqual(city[0].code, "010000")
        self.assertEqual(city[0].received, 3)

    def test_the_statistics_page_shows_the_topic_mix(self):
        response = self.client.get("/statistics/", {"period": "2026Q1", "region": "luocheng"})
        self.assertContains(response, "按事项分类（大类）")
        self.assertContains(
            response,
            '<tr><th scope="row"><span class="muted">010000</span> 城乡建设</th><td class="num">2</td>'
            '<td class="num">2</td><td class="num">100%</td><td class="num">0</td><td class="num">0%</td></tr>',
            html=True,
        )

    def test_the_board_filters_by_major_or_middle_topic(self):
        response = self.client.get("/messages/", {"region": "luocheng", "topic": "010000"})
        titles = [m.title for m in response.context["page"].object_list]
        self.assertEqual(sorted(titles), ["供水二", "路灯一"])
        response = self.client.get("/messages/", {"region": "luocheng", "topic": "020100"})
        self.assertEqual([m.title for m in response.context["page"].object_list], ["道路三"])
        response = self.client.get("/messages/", {"region": "luocheng", "topic": "999999"})
        self.assertContains(response, "选择一个有效的选项")

    def test_the_api_filters_by_topic_as_the_board_does(self):
        found = self.client.get("/api/v1/messages", {"region": "luocheng", "topic": "010000"}).json()
        self.assertEqual(sorted(m["title"] for m in found["results"]), ["供水二", "路灯一"])
        self.assertEqual(found["count"], 2)
        found = self.client.get("/api/v1/messages", {"region": "luocheng", "topic": "020100"}).json()
        self.assertEqual([m["title"] for m in found["results"]], ["道路三"])
        refused = self.client.get("/api/v1/messages", {"region": "luocheng", "topic": "999999"})
        self.assertEqual((refused.status_code, refused.json()["code"]), (422, "invalid_filter"))

    def test_the_bulletin_prints_the_topic_mix(self):
        b = bulletin.assemble(self.cast.county, periods.parse("2026Q1"), now=NOW)
        d = Document(io.BytesIO(documents.bulletin_docx(b)))
        text = "\n".join(p.text for p in d.paragraphs)
        self.assertIn("按事项分类：城乡建设2条、交通运输1条、未分类1条。", text)
        cells = {c.text for t in d.tables for row in t.rows for c in row.cells}
        self.assertIn("交通运输", cells)

    def test_the_message_page_names_its_topic_for_the_citizen_and_the_public(self):
        lamp = Message.objects.get(title="路灯一")
        url = f"/messages/{lamp.region.code}/{lamp.serial}/"
        badge = '<span class="badge" title="事项分类">路灯照明</span>'
        self.assertContains(self.client.get(url), badge, html=True)
        self.client.force_login(self.cast.citizen)
        self.assertContains(self.client.get(url), badge, html=True)
        untopiced = Message.objects.get(title="未分类四")
        self.assertNotContains(self.client.get(f"/messages/{untopiced.region.code}/{untopiced.serial}/"), "事项分类")


@time_machine.travel(NOW, tick=False)
class StatisticsByTopicTests(CastTestCase):
    """The statistics page (and API) filtered by one 大类: every figure counts only its
    messages, read from the kept figures, never counted from the messages."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        catalogue.load_default(cast.county)
        catalogue.load_default(cast.other_county)
        at = local(2026, 3, 2, 9)
        topic = {code: Topic.objects.get(region=cast.county, code=code) for code in ("010101", "010102", "020101")}
        for code, title, unit in (("010101", "路灯一", "a"), ("010102", "供水二", "a"), ("020101", "道路三", "a")):
            m = cast.submit(at=at, topic=topic[code], title=title, unit=unit)
            actions.reply(message=m, by=cast.handler_a, text="已处理。", at=at)
        cast.submit(at=at, topic=topic["020101"], title="道路四", unit="b")
        cast.submit(at=at, title="未分类五")
        foreign = Topic.objects.get(region=cast.other_county, code="010101")
        cast.submit(unit="c", at=at, topic=foreign, title="环江路灯")

    def get(self, **params):
        return self.client.get("/statistics/", {"period": "2026Q1", "region": "luocheng", **params})

    def kpi(self, label, value):
        return f'<div class="kpi">{label}<b>{value}</b></div>'

    def test_the_figures_count_only_the_chosen_major_topic(self):
        everything = self.get()
        self.assertContains(everything, self.kpi("收到留言", 5), html=True)
        self.assertContains(everything, '<option value="020000">交通运输</option>', html=True)
        with CaptureQueriesContext(connection) as queries:
            roads = self.get(topic="020000")
        self.assertEqual(roads.status_code, 200)
        self.assertContains(roads, "2026年第一季度情况通报 · 交通运输")
        self.assertContains(roads, "以下数字只计事项分类为“交通运输”的留言")
        self.assertContains(roads, '<option value="020000" selected>交通运输</option>', html=True)
        self.assertContains(roads, self.kpi("收到留言", 2), html=True)
        self.assertContains(roads, self.kpi("回复率", "50%"), html=True)
        self.assertNotContains(roads, "城乡建设</th>")  # the topic table keeps the chosen row
        self.assertEqual(
            [(u.unit.name, u.received, u.replied) for u in roads.context["units"]],
            [("东门镇", 1, 1), ("县住房和城乡建设局", 1, 0)],
        )
        # From the kept figures: not one query reads the messages.
        self.assertFalse([q["sql"] for q in queries.captured_queries if "handling_message" in q["sql"]])
        # A custom range of days is counted from the messages, narrowed to the topic too.
        days = self.get(topic="020000", period="2026-03-01..2026-03-15")
        self.assertContains(days, self.kpi("收到留言", 2), html=True)

    def test_a_city_sees_its_counties_for_the_topic(self):
        response = self.client.get("/statistics/", {"period": "2026Q1", "region": "hechi", "topic": "010000"})
        self.assertEqual(
            [(c.county.code, c.received) for c in response.context["counties"]], [("huanjiang", 1), ("luocheng", 2)]
        )
        self.assertContains(response, self.kpi("收到留言", 3), html=True)

    def test_a_topic_that_is_no_major_is_refused_plainly(self):
        for code in ("999999", "010100", "０１００００x"):
            response = self.get(topic=code)
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, "不是本地区事项分类的大类", status_code=400)
            self.assertContains(response, self.kpi("收到留言", 5), html=True, status_code=400)

    def test_the_api_filters_by_topic_too(self):
        found = self.client.get("/api/v1/statistics", {"region": "luocheng", "period": "2026Q1", "topic": "020000"})
        body = found.json()
        self.assertEqual((body["topic"], body["received"], body["replied"]), ("020000", 2, 1))
        self.assertEqual(
            sorted(u["unit"]["name"] for u in body["units"] if u["received"]), ["东门镇", "县住房和城乡建设局"]
        )
        refused = self.client.get("/api/v1/statistics", {"region": "luocheng", "topic": "010100"})
        self.assertEqual((refused.status_code, refused.json()["code"]), (422, "invalid_topic"))

    @override_settings(PUBLIC_PAGE_CACHE=True)
    def test_the_public_page_cache_keeps_each_topic_apart(self):
        cache.set_many({f"pages:token:{n}": "t0" for n in ("default", "hechi", "luocheng", "huanjiang")})
        self.addCleanup(cache.clear)
        towns = self.get(topic="010000")
        roads = self.get(topic="020000")
        self.assertNotIn("X-Page-Cache", roads)
        self.assertContains(roads, self.kpi("收到留言", 2), html=True)
        again = self.get(topic="010000")
        self.assertEqual(again["X-Page-Cache"], "hit")
        self.assertEqual(again.content, towns.content)
        self.assertContains(again, "情况通报 · 城乡建设")
