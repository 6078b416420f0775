"""Hot issues (热点问题) in a browser, on a desktop and a 390 px phone: the county
office opens the page from its menu, reads a group's count, trend and day bars, and
opens the group's messages."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from wenzheng.handling import actions
from wenzheng.hotspots import compute
from wenzheng.hotspots.tests.test_grouping import BACKGROUND, GARBAGE_FENGHUANG, STREETLIGHT_FENGHUANG

from .base import BrowserTestCase


class HotspotsTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        c, now = self.cast, timezone.now()
        self.lights = [
            self.message(title, body, at=now - dt.timedelta(days=n, seconds=30), unit=(c.unit_a, c.unit_b)[n % 2])
            for n, (title, body) in enumerate(STREETLIGHT_FENGHUANG)
        ]
        for n, (title, body) in enumerate(GARBAGE_FENGHUANG):
            self.message(title, body, at=now - dt.timedelta(days=n, hours=2))
        for n, (title, body) in enumerate(BACKGROUND[:20]):
            self.message(title, body, at=now - dt.timedelta(days=n % 10, hours=3))
        compute.rebuild(c.county, now=now)

    def message(self, title, body, *, at, unit=None):
        c = self.cast
        return actions.submit(
            by=c.citizen, category=c.appeal, unit=unit, region=None if unit else c.county, title=title, body=body,
            name="张三", phone="13800000000", consent_to_publish=True, at=at,
        )  # fmt: skip

    def test_the_county_office_finds_the_weeks_hot_issues_and_their_messages(self):
        for phone in (False, True):
            page = self.new_page(phone=phone)
            self.sign_in(page, "county_office")
            page.goto("/work/county/luocheng/")
            expect(page.get_by_role("heading", name="近7天热点问题")).to_be_visible()
            page.get_by_role("link", name="热点问题", exact=True).first.click()
            expect(page.get_by_role("heading", level=1)).to_have_text("罗城仫佬族自治县 · 热点问题")
            card = page.locator("li.hotspot").filter(has_text="涉及单位：东门镇、县住房和城乡建设局")
            expect(card.locator(".count b")).to_have_text("4")
            expect(card.get_by_role("img")).to_have_attribute("aria-label", "每日留言数：0、0、0、1、1、1、1")
            self.shot(page, f"hotspots-{'phone' if phone else 'desktop'}")
            card.get_by_role("link").first.click()
            for m in self.lights:
                expect(page.get_by_role("link", name=m.serial)).to_be_visible()
            self.shot(page, f"hotspot-group-{'phone' if phone else 'desktop'}")
