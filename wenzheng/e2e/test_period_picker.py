"""The period picker as people use it: a period typed in the box beside a chosen
quarter is the one asked for (found by a newcomer: it was ignored without a word)."""

from playwright.sync_api import expect

from .base import BrowserTestCase


class PeriodPickerTest(BrowserTestCase):
    def test_a_period_typed_in_the_box_is_the_one_shown(self):
        page = self.new_page(phone=True)
        page.goto("/statistics/?region=luocheng&period=2026Q4")
        expect(page.get_by_label("统计期间", exact=True)).to_have_value("2026Q4")
        page.get_by_label("其他期间", exact=True).fill("2026-01-01..2026-02-15")
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_role("heading", name="2026年01月01日至2026年02月15日情况通报")).to_be_visible()
        expect(page.get_by_label("其他期间", exact=True)).to_have_value("2026-01-01..2026-02-15")
        # Choosing a listed period again empties the box, and that period is shown.
        page.get_by_label("统计期间", exact=True).select_option("2026Q1")
        expect(page.get_by_label("其他期间", exact=True)).to_have_value("")
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_role("heading", name="2026年第一季度情况通报")).to_be_visible()
