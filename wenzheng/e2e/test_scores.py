"""The scores' inputs and outputs in a real browser: a unit leader corrects the roster
on a phone, the county office edits a scheme, and anyone reads what was published."""

from playwright.sync_api import expect

from wenzheng.evaluation import publication, schemes
from wenzheng.evaluation.defaults import DEFAULT
from wenzheng.evaluation.models import Scheme
from wenzheng.evaluation.tests.fixtures import build_q1, build_towns
from wenzheng.testing import local
from wenzheng.units.models import RosterFiling
from wenzheng.units.services import roster_file

from .base import BrowserTestCase


class ScoresInTheBrowserTest(BrowserTestCase):
    def test_the_leader_corrects_an_incomplete_roster_on_a_phone(self):
        c = self.cast
        roster_file(unit=c.unit_a, year=local(2026, 1, 1).year, leader=c.leader_a, handlers=[c.handler_a],
                    by=c.leader_a)  # fmt: skip
        page = self.new_page(phone=True)
        self.sign_in(page, "leader_a")
        page.goto("/work/unit/roster/")
        expect(page.get_by_text("名单不完整").first).to_be_visible()
        page.get_by_text("更正名单").first.click()
        page.get_by_label("handler_a2").first.check()
        page.get_by_role("button", name="上报更正后的名单").click()
        expect(page.get_by_text("名单已更正（第2版）")).to_be_visible()
        expect(page.get_by_text("名单完整").first).to_be_visible()
        self.shot(page, "roster-corrected")
        self.assertEqual(RosterFiling.objects.in_force().get(unit=c.unit_a).version, 2)

    def test_the_office_edits_a_scheme_and_the_public_reads_the_bulletin(self):
        c = self.cast
        schemes.store(DEFAULT)  # the migration's default scheme, gone with the flush between tests
        build_q1(c)
        build_towns(c)
        page = self.new_page()
        self.sign_in(page, "county_office")
        page.goto("/evaluation/schemes/")
        page.get_by_role("link", name="网络问政绩效考评默认方案").first.click()
        # Shared by every county: the change becomes this county's own version.
        page.get_by_role("link", name="修改（另存为新版本）").click()
        expect(page.get_by_text("这一版是各县共用的方案，不会被改动")).to_be_visible()
        page.get_by_label("样本不足门槛（条）").fill("3")
        self.shot(page, "scheme-edit")
        page.get_by_role("button", name="另存为新版本").click()
        expect(page.get_by_text("改动已另存为罗城仫佬族自治县的第2版")).to_be_visible()
        self.assertEqual(Scheme.objects.default_for(c.county).min_due, 3)
        self.assertEqual(Scheme.objects.default_for(c.other_county).min_due, DEFAULT["min_due"])

        publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=local(2026, 4, 10, 9))
        public = self.new_page(phone=True)
        public.goto("/statistics/?region=luocheng")
        public.get_by_role("link", name="通报与考评公示（季度通报、考评结果、红黑榜）").click()
        expect(public.get_by_role("heading", name="罗城仫佬族自治县通报与考评公示")).to_be_visible()
        # The anchors fold away on a phone; opened, they read.
        public.locator("details.anchors summary").first.click()
        expect(public.get_by_text("luocheng:").first).to_be_visible()
        expect(public.get_by_role("heading", name="红黑榜")).to_be_visible()
        self.shot(public, "publications")
        public.get_by_role("link", name="2026年第一季度情况通报").click()
        expect(public.get_by_text("记录链锚点")).to_be_visible()
        self.shot(public, "published-bulletin")
