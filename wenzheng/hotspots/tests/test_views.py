"""The hot-issue pages: the county office's, the city's, and one group's messages."""

import datetime as dt

import time_machine
from django.test import override_settings

from wenzheng.handling import actions
from wenzheng.hotspots import compute
from wenzheng.hotspots.models import Hotspot
from wenzheng.workspace.tests.base import WorkspaceTestCase

from .base import NOW, HotspotTestCase


class PageTests(HotspotTestCase, WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        # A phone number typed into a title: the city office reads it masked.
        cls.streetlight[0].title = "凤凰路路灯不亮请回电13912345678"
        cls.streetlight[0].save(update_fields=["title"])
        compute.rebuild(c.county, now=NOW)
        compute.rebuild(c.other_county, now=NOW)
        week = Hotspot.objects.filter(window="week")
        cls.lights = week.get(region=c.county, messages=cls.streetlight[1])
        cls.water = week.get(region=c.other_county)

    def setUp(self):
        # Ten minutes after the computation: in time, no warning of a stale one.
        traveller = time_machine.travel(NOW + dt.timedelta(minutes=10), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def test_the_county_office_sees_its_hot_issues_with_count_trend_units_and_place(self):
        self.as_("county_office")
        page = self.client.get("/work/county/luocheng/hotspots/")
        self.assertContains(page, "罗城仫佬族自治县 · 热点问题")
        self.assertContains(page, f'href="/work/hotspots/{self.lights.pk}/"')
        self.assertContains(page, "地点：凤凰路")
        self.assertContains(page, "前7天2条")
        self.assertContains(page, '<span class="trend up">↑2</span>', html=True)
        self.assertContains(page, "东门镇、县住房和城乡建设局")
        self.assertContains(page, "尚未交办")  # the garbage group: no unit yet
        self.assertContains(page, 'aria-label="每日留言数：0、0、0、1、1、1、1"')
        self.assertContains(page, "本页为2026年6月30日 20:00计算的结果")
        self.assertNotContains(page, "没有更新")
        self.assertNotContains(page, "横岸村")  # the other county's
        month = self.client.get("/work/county/luocheng/hotspots/?window=month")
        self.assertContains(month, "前30天")
        self.assertContains(month, "<b>6</b>", html=True)
        wrong = self.client.get("/work/county/luocheng/hotspots/?window=year")
        self.assertContains(wrong, "前7天2条")

    def test_the_city_office_sees_every_county_with_titles_masked(self):
        self.as_("city_office")
        page = self.client.get("/work/city/hechi/hotspots/")
        self.assertContains(page, "河池市各县（区） · 热点问题")
        self.assertContains(page, '<span class="badge">环江毛南族自治县</span>', html=True)
        self.assertContains(page, '<span class="badge">罗城仫佬族自治县</span>', html=True)
        self.assertContains(page, "横岸村")
        self.assertNotContains(page, "13912345678")
        group = self.client.get(f"/work/hotspots/{self.lights.pk}/")
        self.assertContains(group, "凤凰路路灯不亮请回电139****5678")  # the member list, masked
        self.assertNotContains(group, "13912345678")
        self.assertContains(group, 'href="/work/city/hechi/hotspots/?window=week"')
        self.as_("county_office")
        group = self.client.get(f"/work/hotspots/{self.lights.pk}/")
        self.assertContains(group, "凤凰路路灯不亮请回电13912345678")  # the county office reads the original

    def test_a_group_page_lists_its_messages_and_drops_one_marked_as_spam_since(self):
        self.as_("county_office")
        actions.mark_spam(message=self.streetlight[2], by=self.cast.county_office, reason="重复。")
        page = self.client.get(f"/work/hotspots/{self.lights.pk}/")
        for m in self.streetlight:
            if m != self.streetlight[2]:
                self.assertContains(page, f'<a href="/work/messages/{m.pk}/">{m.serial}</a>', html=True)
        self.assertNotContains(page, self.streetlight[2].serial)
        self.assertNotContains(page, self.garbage[0].serial)

    def test_no_office_reaches_another_countys_hot_issues(self):
        self.as_("county_office")
        self.assertEqual(self.client.get(f"/work/hotspots/{self.water.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/work/county/huanjiang/hotspots/").status_code, 404)
        self.as_("other_county_office")
        self.assertEqual(self.client.get(f"/work/hotspots/{self.lights.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/work/hotspots/999999/").status_code, 404)

    def test_who_may_open_the_pages(self):
        self.assertAccess(
            f"/work/hotspots/{self.lights.pk}/", allowed={"county_office", "city_office", "admin"},
            hidden={"other_county_office"},
        )  # fmt: skip
        self.assertAccess("/work/county/luocheng/hotspots/", allowed={"county_office", "admin"}, hidden={
            "other_county_office"})  # fmt: skip
        self.assertAccess("/work/city/hechi/hotspots/", allowed={"city_office", "admin"})

    def test_the_dashboards_show_the_weeks_largest_and_link_to_the_page(self):
        self.as_("county_office")
        page = self.client.get("/work/county/luocheng/")
        self.assertContains(page, "近7天热点问题")
        self.assertContains(page, f'href="/work/hotspots/{self.lights.pk}/"')
        self.assertContains(page, 'href="/work/county/luocheng/hotspots/"')
        self.as_("city_office")
        page = self.client.get("/work/city/hechi/")
        self.assertContains(page, f'href="/work/hotspots/{self.water.pk}/"')
        self.assertContains(page, 'href="/work/city/hechi/hotspots/"')
        self.assertNotContains(page, "13912345678")


class StalenessTests(HotspotTestCase, WorkspaceTestCase):
    def test_a_county_never_computed_says_so(self):
        self.as_("county_office")
        page = self.client.get("/work/county/luocheng/hotspots/")
        self.assertContains(page, "热点问题尚未计算")
        self.assertNotContains(page, "没有热点问题")
        compute.rebuild(self.cast.county, now=NOW)
        self.as_("city_office")
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/work/city/hechi/hotspots/")
        self.assertContains(page, "本页为2026年6月30日 20:00计算的结果")
        self.assertContains(page, "另有1个县（区）尚未计算。")
        self.assertContains(page, "凤凰路")

    @override_settings(HOTSPOT_MIN_MESSAGES=10)
    def test_a_computation_with_no_group_says_so_and_an_old_one_warns(self):
        compute.rebuild(self.cast.county, now=NOW - dt.timedelta(hours=5))
        self.as_("county_office")
        with time_machine.travel(NOW, tick=False):
            page = self.client.get("/work/county/luocheng/hotspots/")
        self.assertContains(page, "近7天没有热点问题：没有哪个地点的同一问题有10条以上留言。")
        self.assertContains(page, "已超过两个计算周期没有更新")
