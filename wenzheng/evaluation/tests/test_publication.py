"""Publication: published bulletins and evaluation results listed for the public with
the anchors of the event chains printed, each publication an event; the quarter's
red and black list by the scheme's rates, small samples apart."""

import io
import re

from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from wenzheng.accounts.policy import ActionRefused
from wenzheng.evaluation import publication, runs
from wenzheng.evaluation.models import PublishedBulletin, Scheme
from wenzheng.eventlog import chain, triggers
from wenzheng.eventlog.models import ChainHead, Event
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local

from .fixtures import build_q1, build_towns

Q1 = periods.parse("2026Q1")
AFTER = local(2026, 6, 1)


class PublicationTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = build_q1(cls.cast)
        cls.towns = build_towns(cls.cast)
        cls.scheme = Scheme.objects.latest_version("default")

    def test_a_published_bulletin_is_an_event_and_prints_the_chains_head(self):
        c = self.cast
        published = publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=AFTER)
        event = Event.objects.get(kind=Event.Kind.BULLETIN_PUBLISHED)
        self.assertEqual(
            (event.actor, event.data["bulletin"], event.chain.region), (c.county_office, published.pk, c.county)
        )
        head = ChainHead.objects.get(region=c.county)
        self.assertEqual(published.anchors, [["luocheng", head.last_seq, head.last_hash]])
        self.assertEqual(head.last_hash, event.hash, "the anchor covers the publication itself")
        page = self.client.get(reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"]))
        self.assertContains(page, f"luocheng:{event.seq}:{event.hash}")
        self.assertContains(page, "记录链锚点")
        # Said for the public, not as a command to run (a newcomer's find).
        self.assertContains(page, "县网络问政办可随时用它们核对办理记录是否完整")
        self.assertNotContains(page, "manage.py")
        listing = self.client.get(reverse("evaluation:publications", args=["luocheng"]))
        self.assertContains(listing, "2026年第一季度情况通报")
        self.assertContains(listing, f"luocheng:{event.seq}:{event.hash}")

    def test_the_red_and_black_list_ranks_by_the_schemes_rates_with_small_samples_apart(self):
        listed = publication.red_black(self.cast.county, Q1, scheme=self.scheme, now=AFTER)
        towns = listed["kinds"]["township"]
        # Rates only (response 15 + reply 15 + closure 40 + satisfaction 10 = 80):
        # 甲镇, 乙镇 15 + 15 + 0/5 closed (0) + no ratings (10) = 40; 丙镇 4/5 on time,
        # exactly the floor, 12 + 12 + 0 + 10 = 34; 东门镇 (5/9, 4/8: under the floor)
        # 0 + 0 + 15 + 3.33 = 18.33. Four ranked: two on each list.
        self.assertEqual([(e["unit"], e["points"]) for e in towns["red"]], [("乙镇", "40"), ("甲镇", "40")])
        self.assertEqual([(e["unit"], e["points"]) for e in towns["black"]], [("东门镇", "18.33"), ("丙镇", "34")])
        self.assertEqual(towns["black"][0]["rates"], ["55.6%", "50%", "37.5%", "33.3%"])
        self.assertEqual(listed["kinds"]["department"], {"red": [], "black": []})
        self.assertEqual(listed["apart_by_kind"], {"department": ["县住房和城乡建设局"]})  # one due message
        self.assertEqual(
            listed["items"], ["按时回应（15分）", "按时回复（15分）", "分类办结（40分）", "网民满意度（10分）"]
        )

    def test_a_citys_list_names_each_unit_with_its_county(self):
        listed = publication.red_black(self.cast.city, Q1, scheme=self.scheme, now=AFTER)
        towns = listed["kinds"]["township"]
        self.assertEqual([e["unit"] for e in towns["red"]], ["罗城仫佬族自治县·乙镇", "罗城仫佬族自治县·甲镇"])
        self.assertIn("罗城仫佬族自治县·县住房和城乡建设局", listed["apart_by_kind"]["department"])

    def test_a_citys_publications_lead_to_its_counties(self):
        page = self.client.get(reverse("evaluation:publications", args=["hechi"]))
        self.assertContains(page, "各县（区）的通报与考评公示")
        self.assertContains(
            page, f'<a href="{reverse("evaluation:publications", args=["luocheng"])}">罗城仫佬族自治县</a>'
        )
        county = self.client.get(reverse("evaluation:publications", args=["luocheng"]))
        self.assertNotContains(county, "各县（区）的通报与考评公示")

    def test_a_tie_at_a_lists_edge_is_not_split_by_the_units_names(self):
        def entries(*points):
            return [{"unit": f"{i}镇", "points": p} for i, p in enumerate(points)]

        names = lambda found: [e["unit"] for e in found]  # noqa: E731
        self.assertEqual(names(publication._head(entries("40", "35", "35", "20"), 2)), ["0镇"])
        self.assertEqual(names(publication._head(entries("10", "10", "10", "10"), 2)), [])
        self.assertEqual(names(publication._head(entries("40", "35", "35.00", "20"), 3)), ["0镇", "1镇", "2镇"])
        self.assertEqual(names(publication._head(entries("40", "35"), 1)), ["0镇"])
        listed = publication.red_black(self.cast.county, Q1, scheme=self.scheme, now=AFTER)
        self.assertEqual(listed["unlisted_by_kind"], {})  # four townships, two on each list

    def test_the_public_bulletin_shows_its_red_and_black_list(self):
        c = self.cast
        publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=AFTER)
        page = self.client.get(reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"]))
        self.assertContains(page, "红黑榜")
        self.assertContains(page, "<caption>红榜</caption>", html=True)
        self.assertContains(page, "样本不足（到期应回复留言不足5条），不列入红黑榜：县住房和城乡建设局。")
        # Under its own kind's heading (a journalist's trial found a township named
        # under 部门): the department, alone of its kind and too small a sample, has one.
        self.assertRegex(page.content.decode(), r"<h3>部门</h3>\s*<p class=\"help\">样本不足")
        listing = self.client.get(reverse("evaluation:publications", args=["luocheng"]))
        self.assertContains(listing, "以下为最近一期季度通报（2026年第一季度）的红黑榜。")
        # One published before the lists were kept by kind reads as it did.
        published = PublishedBulletin.objects.get()
        old = {k: v for k, v in published.red_black.items() if not k.endswith("_by_kind")}
        PublishedBulletin.objects.filter(pk=published.pk).update(
            red_black={**old, "apart": ["县住房和城乡建设局"], "unlisted": ["某镇"]}
        )
        page = self.client.get(reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"]))
        self.assertContains(page, "样本不足（到期应回复留言不足5条），不列入红黑榜：县住房和城乡建设局。")
        self.assertContains(page, "未列入红黑榜（得分居中，或与榜末单位并列，或同类单位较少）：某镇。")

    def test_a_published_bulletin_reads_as_published_whatever_comes_in_later(self):
        c = self.cast
        publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=AFTER)
        self.client.force_login(c.county_office)
        working = self.client.get(reverse("evaluation:bulletin") + "?region=luocheng&period=2026Q1")
        self.assertNotContains(working, "发布以后，这一期间的留言有补录或变动")
        self.client.logout()
        url = reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"])
        before = self.client.get(url).content.decode()
        self.assertIn("2026年第一季度情况通报", before)
        received = re.search(r"收到留言<b>(\d+)</b>", before).group(1)
        # History imported afterwards (or a message merged, reassigned…) counts in the
        # quarter now: the office's working page counts it, the published one stands.
        c.replied(at=local(2026, 3, 20, 9), title="补录的三月留言")
        self.assertEqual(self.client.get(url).content.decode(), before)
        office = self.client
        office.force_login(c.county_office)
        live = office.get(reverse("evaluation:bulletin") + "?region=luocheng&period=2026Q1")
        self.assertContains(live, f"收到留言<b>{int(received) + 1}</b>")
        self.assertContains(live, "发布以后，这一期间的留言有补录或变动")

    def test_a_published_bulletin_rewritten_in_the_database_is_found_by_the_chains_check(self):
        # A journalist's trial: the body's 回复率 changed by an UPDATE, and the page
        # printed it under the same anchor, every check passing.
        c = self.cast
        published = publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=AFTER)
        event = Event.objects.get(kind=Event.Kind.BULLETIN_PUBLISHED)
        self.assertEqual(event.data["digest"], published.content_digest())
        out = io.StringIO()
        call_command("verify_events", stdout=out)
        self.assertIn("published bulletins: 1, each as published", out.getvalue())
        for change in ({"body": published.body.replace("收到留言", "收到网民留言")}, {"red_black": {}}):
            with self.subTest(change=list(change)):
                PublishedBulletin.objects.filter(pk=published.pk).update(**change)
                with self.assertRaisesMessage(CommandError, f"Published bulletin luocheng 2026Q1 (#{published.pk})"):
                    call_command("verify_events", stdout=io.StringIO())
                PublishedBulletin.objects.filter(pk=published.pk).update(
                    body=published.body, red_black=published.red_black
                )
        # Its anchors forged or its publication time moved (an attacker's trial), or the
        # row deleted while its publication event stays.
        for change in ({"anchors": [["luocheng", event.seq, "0" * 64]]}, {"published_at": local(2026, 3, 30)}):
            with self.subTest(change=list(change)):
                saved = {k: getattr(published, k) for k in change}
                PublishedBulletin.objects.filter(pk=published.pk).update(**change)
                with self.assertRaisesMessage(CommandError, f"Published bulletin luocheng 2026Q1 (#{published.pk})"):
                    call_command("verify_events", stdout=io.StringIO())
                PublishedBulletin.objects.filter(pk=published.pk).update(**saved)
        call_command("verify_events", stdout=io.StringIO())  # as published again
        PublishedBulletin.objects.filter(pk=published.pk).delete()
        with self.assertRaisesMessage(CommandError, f"Published bulletin #{published.pk} (2026Q1) is gone"):
            call_command("verify_events", stdout=io.StringIO())
        # One put in with no publication behind it is named too.
        forged = PublishedBulletin.objects.create(
            region=c.county, period_code="2026Q2", published_at=AFTER, published_by=c.county_office, body="伪造"
        )
        with self.assertRaisesMessage(CommandError, f"Published bulletin luocheng 2026Q2 (#{forged.pk}) has no"):
            call_command("verify_events", stdout=io.StringIO())

    def test_a_bulletin_published_before_its_body_was_kept_is_counted_again(self):
        c = self.cast
        published = publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=AFTER)
        kept = self.client.get(reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"]))
        PublishedBulletin.objects.filter(pk=published.pk).update(title="", span="", body="")
        again = self.client.get(reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"]))

        def page(response):  # its charts' ids aside, numbered as drawn
            return re.sub(r"\b([td])-\d+\b", r"\1-n", response.content.decode())

        self.assertEqual(page(again), page(kept))

    def test_published_results_are_public_with_the_runs_anchors(self):
        c = self.cast
        run = runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=AFTER, by=c.county_office)
        url = reverse("evaluation:public-results", args=["luocheng", "2026Q1"])
        self.assertEqual(self.client.get(url).status_code, 404, "not before it is published")
        self.client.force_login(c.county_office)
        response = self.client.post(reverse("evaluation:run-publish", args=[run.pk]), follow=True)
        self.assertContains(response, "考评结果已公布，公众可以查看。")
        run.refresh_from_db()
        self.assertEqual(run.published_by, c.county_office)
        event = Event.objects.get(kind=Event.Kind.RESULTS_PUBLISHED)
        self.assertEqual((event.data["run"], event.data["digest"]), (run.pk, run.digest))
        self.client.logout()
        page = self.client.get(url)
        self.assertContains(page, "罗城仫佬族自治县2026年第一季度网络问政绩效考评结果")
        self.assertContains(page, "不合格（样本不足）")
        self.assertContains(page, str(run.anchor_list[0]))
        self.assertNotContains(page, "张三")
        self.assertContains(
            self.client.get(reverse("evaluation:publications", args=["luocheng"])), str(run.anchor_list[0])
        )

    def test_results_counted_before_the_period_ended_or_twice_are_not_published(self):
        c = self.cast
        early = runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=local(2026, 3, 20))
        with self.assertRaisesMessage(ActionRefused, "尚未结束时的结果不能公布"):
            publication.publish_results(run=early, by=c.county_office)
        first = runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=AFTER)
        second = runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=AFTER)
        publication.publish_results(run=first, by=c.county_office)
        with self.assertRaisesMessage(ActionRefused, f"已公布第{first.pk}次考评的结果"):
            publication.publish_results(run=second, by=c.county_office)
        with self.assertRaisesMessage(ActionRefused, "只有罗城仫佬族自治县网络问政办或河池市网络问政办可以发布"):
            publication.publish_results(run=second, by=c.other_county_office)

    def test_a_printed_anchor_catches_a_tail_cut_after_publication(self):
        c = self.cast
        published = publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=AFTER)
        printed = str(published.anchor_list[0])
        call_command("verify_events", anchor=[printed], stdout=io.StringIO())
        head = ChainHead.objects.get(region=c.county)
        keep = Event.objects.get(chain=head, seq=head.last_seq - 5)
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM eventlog_event WHERE chain_id = %s AND seq > %s", [head.pk, keep.seq])
        ChainHead.objects.filter(pk=head.pk).update(last_seq=keep.seq, last_hash=keep.hash)
        self.assertIsNone(chain.verify()[1], "the cut chain verifies on its own")
        with self.assertRaisesMessage(CommandError, "the tail was cut"):
            call_command("verify_events", anchor=[printed], stdout=io.StringIO())

    def test_the_run_page_prints_its_anchors_and_offers_to_publish_once(self):
        c = self.cast
        run = runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=AFTER)
        self.client.force_login(c.county_office)
        page = self.client.get(reverse("evaluation:run", args=[run.pk]))
        self.assertContains(page, str(run.anchor_list[0]), count=1)
        title = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S)[1]
        self.assertNotIn("<", title)  # the anchors were drawn into the browser's title too
        self.assertContains(page, "manage.py verify_events --anchor")  # the office's how-to
        self.assertContains(page, "向公众公布本次结果")
        self.assertContains(page, "同一期间只能公布一次。确定公布吗？")  # asked before it goes public
        early = runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=local(2026, 3, 20))
        page = self.client.get(reverse("evaluation:run", args=[early.pk]))
        self.assertNotContains(page, "向公众公布本次结果")
        self.assertContains(page, "本次考评在期间结束前计算，不能公布")
        report = self.client.get(reverse("evaluation:report", args=[run.pk]))
        self.assertContains(report, str(run.anchor_list[0]))
        publication.publish_results(run=run, by=c.county_office)
        page = self.client.get(reverse("evaluation:run", args=[run.pk]))
        self.assertNotContains(page, "向公众公布本次结果")
        self.assertContains(page, "向公众公布</a>")

    def test_a_months_bulletin_published_later_leaves_the_quarters_list_on_the_public_page(self):
        c = self.cast
        publication.publish_bulletin(region=c.county, code="2026Q1", by=c.county_office, at=AFTER)
        publication.publish_bulletin(region=c.county, code="2026-04", by=c.county_office, at=AFTER)
        listing = self.client.get(reverse("evaluation:publications", args=["luocheng"]))
        self.assertContains(listing, "以下为最近一期季度通报（2026年第一季度）的红黑榜。")
        self.assertContains(listing, "2026年4月情况通报")

    def test_a_period_is_published_once_however_it_was_written(self):
        c = self.cast
        quarter = runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=AFTER)
        typed = periods.parse("2026-01-01..2026-03-31")
        self.assertEqual((typed.label, periods.code_of(typed)), ("2026年第一季度", "2026Q1"))
        dates = runs.run_evaluation(scheme=self.scheme, region=c.county, period=typed, now=AFTER)
        self.assertEqual((quarter.period_code, dates.period_code), ("2026Q1", "2026Q1"))
        publication.publish_results(run=quarter, by=c.county_office, at=AFTER)
        with self.assertRaises(ActionRefused) as refused:
            publication.publish_results(run=dates, by=c.county_office, at=AFTER)
        self.assertEqual(refused.exception.code, "already_published")
        publication.publish_bulletin(region=c.county, code="2026年第一季度", by=c.county_office, at=AFTER)
        with self.assertRaises(ActionRefused):
            publication.publish_bulletin(region=c.county, code="2026-01-01..2026-03-31", by=c.county_office, at=AFTER)
        self.assertEqual(periods.code_of(periods.parse("2026-01-01..2026-02-15")), "2026-01-01..2026-02-15")
        self.assertEqual(periods.code_of(periods.parse("2026-02-01..2026-02-28")), "2026-02")
        self.assertEqual(periods.code_of(periods.parse("2026-01-01..2026-12-31")), "2026")

    def test_nothing_unpublished_is_listed(self):
        c = self.cast
        runs.run_evaluation(scheme=self.scheme, region=c.county, period=Q1, now=AFTER)
        listing = self.client.get(reverse("evaluation:publications", args=["luocheng"]))
        self.assertContains(listing, "尚未公布考评结果。")
        self.assertContains(listing, "尚未发布通报。")
        self.assertFalse(PublishedBulletin.objects.exists())
        self.assertEqual(self.client.get(reverse("evaluation:publications", args=["nowhere"])).status_code, 404)
