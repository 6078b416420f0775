"""The quarterly figures and their summary sentence, on small built cases."""

import io

import time_machine
from django.core.management import CommandError, call_command

from wenzheng.handling import actions
from wenzheng.reports import figures, periods
from wenzheng.reports.figures import percent
from wenzheng.testing import CastTestCase, local
from wenzheng.units.models import Unit

Q1 = periods.parse("2026Q1")
AFTER_Q1 = local(2026, 6, 1)


def test_percent_has_one_decimal_and_drops_a_trailing_zero():
    assert percent(45, 46) == "97.8%"
    assert percent(46, 46) == "100%"
    assert percent(0, 46) == "0%"
    assert percent(1, 3) == "33.3%"
    assert percent(2, 3) == "66.7%"
    assert percent(1, 2) == "50%"
    # Half up, not to even: 1/16 = 6.25% → 6.3%, 1/80 = 1.25% → 1.3%.
    assert percent(1, 16) == "6.3%"
    assert percent(1, 80) == "1.3%"
    assert percent(999, 1000) == "99.9%"
    assert percent(9999, 10000) == "100%"


class FiguresTest(CastTestCase):
    def compute(self, period=Q1, now=AFTER_Q1):
        return figures.compute(self.cast.county, period, now=now)

    def test_no_messages(self):
        f = self.compute()
        self.assertEqual((f.received, f.replied, f.closed), (0, 0, 0))
        self.assertIsNone(f.reply_rate)
        self.assertEqual(f.summary(), "新增0个实名上网单位,实名上网单位总数达2个。本期未收到网民留言。")

    def test_new_units_and_the_total_at_the_period_end(self):
        c = self.cast
        Unit.objects.create(region=c.county, name="新单位甲", kind="department", registered_on=local(2026, 2, 1).date())
        Unit.objects.create(region=c.county, name="新单位乙", kind="department", registered_on=local(2026, 5, 1).date())
        Unit.objects.create(
            region=c.county,
            name="已停用单位",
            kind="department",
            registered_on=local(2019, 1, 1).date(),
            deactivated_on=local(2025, 12, 1).date(),
        )
        f = self.compute()
        self.assertEqual((f.new_units, f.total_units), (1, 3))

    def test_late_replies_still_count_as_replied(self):
        c = self.cast
        for day in (2, 3, 4):
            m = c.submit(at=local(2026, 3, day, 9))
            actions.reply(message=m, by=c.handler_a, text="答复。", at=local(2026, 3, 30, 9))  # all late
        f = self.compute()
        self.assertEqual((f.received, f.replied, f.closed), (3, 3, 0))
        self.assertEqual(
            f.summary().split("。")[1],
            "共收到网民留言总数3条(其中,咨询类3条、建议类0条、诉求类0条),回复网民留言3条,回复率100%",
        )
        self.assertIn("办结网民留言0条,正在办理3条,办结率为0%。", f.summary())

    def test_figures_are_counted_at_the_cutoff(self):
        c = self.cast
        m = c.submit(category=c.appeal, at=local(2026, 3, 30, 9))
        actions.reply(message=m, by=c.handler_a, text="答复。", at=local(2026, 4, 2, 9))  # after Q1
        f = self.compute()
        self.assertEqual((f.received, f.replied, f.closed), (1, 0, 0))
        self.assertEqual(f.reply_rate, "0%")
        # Counted while Q1 was still running, at 2026-03-31 noon.
        self.assertEqual(self.compute(now=local(2026, 3, 31, 12)).cutoff, local(2026, 3, 31, 12))

    def test_a_message_reopened_after_the_cutoff_stays_closed_for_that_period(self):
        c = self.cast
        m = c.replied(at=local(2026, 3, 2, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 3, 9))
        actions.reopen(message=m, by=c.county_office, reason="网民反映未解决", at=local(2026, 4, 3, 9))
        self.assertEqual(self.compute().closed, 1)
        self.assertEqual(self.compute(periods.parse("2026-03-01..2026-04-30"), now=local(2026, 6, 1)).closed, 0)

    def test_a_message_reopened_and_closed_again_before_the_cutoff_counts_once(self):
        c = self.cast
        m = c.replied(at=local(2026, 3, 2, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 3, 9))
        actions.reopen(message=m, by=c.county_office, reason="答复不清楚", at=local(2026, 3, 4, 9))
        actions.reply(message=m, by=c.handler_a, text="补充答复。", at=local(2026, 3, 5, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 6, 9))
        f = self.compute()
        self.assertEqual((f.received, f.replied, f.closed), (1, 1, 1))

    def test_rounding_and_the_category_breakdown(self):
        c = self.cast
        done = [c.replied(at=local(2026, 1, 5 + i, 9), category=c.appeal) for i in range(2)]
        c.submit(at=local(2026, 1, 20, 9), category=c.suggestion)
        for m in done[:1]:
            actions.close(message=m, by=c.leader_a, kind="solved", at=local(2026, 1, 30, 9))
        f = self.compute()
        self.assertEqual(
            f.summary(),
            "新增0个实名上网单位,实名上网单位总数达2个。共收到网民留言总数3条(其中,咨询类0条、建议类1条、诉求类2条),"
            "回复网民留言2条,回复率66.7%。办结网民留言1条,正在办理2条,办结率为33.3%。",
        )

    def test_messages_outside_the_period_or_county_do_not_count(self):
        c = self.cast
        c.submit(at=local(2025, 12, 31, 23, 59))
        c.submit(at=local(2026, 4, 1, 0, 0))
        c.submit(unit="c", at=local(2026, 2, 2, 9))  # the other county
        c.submit(at=local(2026, 1, 1, 0, 0))
        self.assertEqual(self.compute().received, 1)

    def test_the_city_adds_up_its_counties(self):
        c = self.cast
        c.submit(at=local(2026, 2, 2, 9))
        c.submit(unit="c", at=local(2026, 2, 2, 9))
        f = figures.compute(c.city, Q1, now=AFTER_Q1)
        self.assertEqual((f.received, f.total_units), (2, 3))


class SummaryCommandTest(CastTestCase):
    def test_it_prints_the_sentence_then_its_period_and_cut_off(self):
        out = io.StringIO()
        call_command("summary", "--period", "2026Q1", "--region", "luocheng", stdout=out)
        self.assertEqual(
            out.getvalue().splitlines(),
            [
                "新增0个实名上网单位,实名上网单位总数达2个。本期未收到网民留言。",
                "（罗城仫佬族自治县；统计期间：2026年第一季度（2026年1月1日至2026年3月31日）；"
                "统计截止：2026年3月31日24时）",
            ],
        )

    def test_a_period_still_running_says_it_was_counted_up_to_now(self):
        out = io.StringIO()
        with time_machine.travel(local(2026, 2, 10, 15, 30), tick=False):
            call_command("summary", "--period", "2026Q1", "--region", "luocheng", stdout=out)
        self.assertIn("统计截止：2026年2月10日15:30", out.getvalue())

    def test_it_refuses_a_period_that_has_not_begun(self):
        """Issue 10: a future period (2027Q1) was accepted, and counted nothing."""
        with (
            time_machine.travel(local(2026, 11, 30, 9), tick=False),
            self.assertRaisesMessage(CommandError, "2027年第一季度尚未开始"),
        ):
            call_command("summary", "--period", "2027Q1", stdout=io.StringIO())

    def test_it_refuses_a_bad_period_saying_what_is_valid(self):
        with self.assertRaisesMessage(CommandError, "可用格式：2026Q1"):
            call_command("summary", "--period", "Q1-2026", stdout=io.StringIO())

    def test_it_refuses_an_unknown_region_listing_the_known_ones(self):
        with self.assertRaisesMessage(CommandError, "没有代码为“nowhere”的行政区域。已有："):
            call_command("summary", "--period", "2026Q1", "--region", "nowhere", stdout=io.StringIO())

    def test_without_a_region_it_uses_the_city_when_there_are_several_counties(self):
        out = io.StringIO()
        call_command("summary", "--period", "2026Q1", stdout=out)
        self.assertIn("实名上网单位总数达3个", out.getvalue())


class StatisticsPageTest(CastTestCase):
    def test_it_shows_the_summary_for_the_period(self):
        response = self.client.get("/statistics/", {"region": "luocheng", "period": "2026Q1"})
        self.assertContains(response, "2026年第一季度情况通报")
        self.assertContains(response, "新增0个实名上网单位,实名上网单位总数达2个。本期未收到网民留言。")
        # The cut-off written as the bulletin writes it (a journalist's trial found
        # "2026年4月1日 00:00" here and "2026年3月31日24时" on the bulletin).
        self.assertContains(response, "统计截止：2026年3月31日24时（北京时间）")

    def test_a_period_whose_bulletin_is_published_leads_to_it(self):
        # Counted live, a past period's figures move with a merge or a transfer made
        # since; the published bulletin does not (a journalist's trial).
        from wenzheng.evaluation import publication

        c = self.cast
        publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=local(2026, 5, 1))
        response = self.client.get("/statistics/", {"region": "luocheng", "period": "2026Q1"})
        self.assertContains(response, "本期通报已于2026年5月1日发布，以发布的通报为准。")
        self.assertContains(response, 'href="/evaluation/public/luocheng/2026Q1/"')
        response = self.client.get("/statistics/", {"region": "luocheng", "period": "2026Q2"})
        self.assertNotContains(response, "本期通报已于")

    def test_a_bad_period_is_explained_not_crashed(self):
        response = self.client.get("/statistics/", {"region": "luocheng", "period": "abc"})
        self.assertContains(response, "无法识别的统计期间“abc”", status_code=400)

    def test_an_unknown_region_is_404(self):
        self.assertEqual(self.client.get("/statistics/", {"region": "nowhere"}).status_code, 404)
