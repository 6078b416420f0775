"""Counting by topic: the statistics page, the board's filter and the bulletin."""

import io

import time_machine
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
