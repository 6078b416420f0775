"""The evaluation pages: who may open them, and what they show."""

import io
from urllib.parse import quote, unquote

import openpyxl
from django.urls import reverse
from django.utils import timezone

from wenzheng.accounts.policy import ActionRefused
from wenzheng.evaluation import runs, schemes
from wenzheng.evaluation.models import PublishedBulletin, Run, Scheme
from wenzheng.handling import actions
from wenzheng.reports import periods
from wenzheng.supervision.models import SupervisionFinding
from wenzheng.testing import CastTestCase, local

from .fixtures import build_q1, build_towns
from .test_bulletin_import import GOOD, workbook

Q1 = periods.parse("2026Q1")


class PagesTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = build_q1(cls.cast)
        cls.scheme = Scheme.objects.latest_version("default")
        cls.stored = runs.run_evaluation(scheme=cls.scheme, region=cls.cast.county, period=Q1, now=local(2026, 6, 1))

    def as_(self, role):
        user = getattr(self.cast, role)
        if user is not None:
            self.client.force_login(user)

    def urls(self):
        run, a = self.stored.pk, self.cast.unit_a.pk
        return [
            reverse("evaluation:index"),
            reverse("evaluation:run", args=[run]),
            reverse("evaluation:unit", args=[run, a]),
            reverse("evaluation:report", args=[run]),
            reverse("evaluation:report-docx", args=[run]),
            reverse("evaluation:report-xlsx", args=[run]),
            reverse("evaluation:compare"),
            reverse("evaluation:bulletin") + "?region=luocheng&period=2026Q1",
            reverse("evaluation:bulletin-xlsx") + "?region=luocheng&period=2026Q1",
            reverse("evaluation:findings-import"),
            reverse("evaluation:findings-template"),
            reverse("evaluation:schemes"),
            reverse("evaluation:scheme", args=[self.scheme.pk]),
            reverse("evaluation:scheme-export", args=[self.scheme.pk]),
        ]

    # --- access ---------------------------------------------------------------------

    def test_strangers_are_sent_to_log_in(self):
        for url in self.urls():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith("/accounts/login/"), url)

    def test_citizens_and_unit_staff_are_refused(self):
        for role in ("citizen", "handler_a", "leader_a", "handler_b"):
            self.as_(role)
            for url in self.urls():
                self.assertEqual(self.client.get(url).status_code, 403, (role, url))

    def test_the_offices_over_the_county_and_the_admin_see_every_page(self):
        for role in ("county_office", "city_office", "admin"):
            self.as_(role)
            for url in self.urls():
                self.assertEqual(self.client.get(url).status_code, 200, (role, url))

    def test_another_county_office_cannot_see_this_countys_runs(self):
        self.as_("other_county_office")
        for url in self.urls()[1:6]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertNotContains(self.client.get(reverse("evaluation:index")), f"第{self.stored.pk}次")
        response = self.client.get(reverse("evaluation:bulletin") + "?region=luocheng&period=2026Q1")
        self.assertEqual(response.status_code, 400)  # not a region it may choose

    # --- runs -----------------------------------------------------------------------

    def test_starting_a_run_stores_it_and_shows_its_ranking(self):
        self.as_("county_office")
        response = self.client.post(
            reverse("evaluation:run-new"), {"region": "luocheng", "period": "2026q1", "scheme": self.scheme.pk}
        )
        run = Run.objects.latest("pk")
        self.assertRedirects(response, reverse("evaluation:run", args=[run.pk]))
        self.assertEqual((run.period_code, run.created_by), ("2026Q1", self.cast.county_office))
        page = self.client.get(response["Location"])
        self.assertContains(page, "东门镇")
        self.assertContains(page, "不合格")
        self.assertContains(page, "单列单位（到期应回复留言不足5条，不参与排名）")
        # A unit listed apart: an item it had no data for says so, not full marks.
        self.assertContains(page, '<span class="muted" title="无数据，不计入总分">无数据</span>', count=1, html=True)
        # Its own page says the same of that item, not "按满分计" beside "不计入" (a newcomer's find).
        housing = run.results.get(unit_name="县住房和城乡建设局")
        unit_page = self.client.get(reverse("evaluation:unit", args=[run.pk, housing.unit_id]))
        self.assertContains(unit_page, "本期没有可计的数据。样本不足的单位，本项不计入总分")
        self.assertNotContains(unit_page, "按满分计，得10分")

    def test_a_bad_period_is_refused_with_the_reason(self):
        self.as_("county_office")
        response = self.client.post(
            reverse("evaluation:run-new"), {"region": "luocheng", "period": "2026Q5", "scheme": self.scheme.pk}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "无法识别的统计期间“2026Q5”", status_code=400)
        self.assertEqual(Run.objects.count(), 1)

    def test_a_form_sent_as_it_came_runs_nothing(self):
        """Issue 10: submitting the evaluation form empty ran an evaluation."""
        self.as_("county_office")
        page = self.client.get(reverse("evaluation:index"))
        self.assertNotContains(page, 'name="period" value=')
        self.assertContains(page, ">网络问政绩效考评默认方案（第1版）</option>")  # not “(default 第1版)”
        response = self.client.post(reverse("evaluation:run-new"), {"region": "luocheng"})
        self.assertContains(response, "请填写考评期间。", status_code=400)
        self.assertEqual(self.client.post(reverse("evaluation:run-new"), {}).status_code, 400)
        self.assertEqual(Run.objects.count(), 1)

    def test_a_period_that_has_not_begun_is_refused(self):
        """Issue 10: a future period (2027Q1) was accepted."""
        self.as_("county_office")
        future = f"{timezone.localdate().year + 2}Q1"
        response = self.client.post(
            reverse("evaluation:run-new"), {"region": "luocheng", "period": future, "scheme": self.scheme.pk}
        )
        self.assertContains(response, "尚未开始，没有可统计的数据", status_code=400)
        self.assertEqual(Run.objects.count(), 1)
        with self.assertRaises(ActionRefused):
            runs.run_evaluation(scheme=self.scheme, region=self.cast.county, period=periods.parse(future))

    def test_the_drill_down_traces_points_to_messages_records_and_findings(self):
        self.as_("county_office")
        page = self.client.get(reverse("evaluation:unit", args=[self.stored.pk, self.cast.unit_a.pk]))
        self.assertContains(page, "按时回应率55.6%（5/9），低于下限80%，不得分，得0分。")
        self.assertContains(page, "应扣14分，以10分为限，得0分。")
        for key in ("m1", "m2", "m3", "m5", "m7", "m8", "m9", "m10", "m11"):
            self.assertContains(page, self.m[key].serial)
        self.assertNotContains(page, self.m["m4"].serial)  # nothing of it was due
        stage = self.m["m5"].stages.get(kind="response")
        self.assertContains(page, f"#{stage.pk}")
        self.assertContains(page, f"督查结果#{self.m['criticism'].pk}")
        self.assertContains(page, f"书面说明#{self.m['missed'].pk}")
        self.assertContains(page, f"曝光#{self.m['exposure'].pk}")
        self.assertNotContains(page, "考评之后，该单位在本期的数据有变动")

    def test_the_drill_down_writes_a_start_and_a_completion_at_midnight_in_order(self):
        # Imported history gives times as dates alone: midnight, local time.
        c = self.cast
        message = c.submit(at=local(2026, 3, 5), title="导入的留言")
        actions.reply(message=message, by=c.handler_a, text="已答复。", at=local(2026, 3, 5))
        stage = message.stages.get(kind="response")
        self.as_("county_office")
        page = self.client.get(reverse("evaluation:unit", args=[self.stored.pk, c.unit_a.pk]))
        self.assertContains(page, f"#{stage.pk}：2026年3月5日00:00起，")
        # Its deadline is still 24时 of its last day; its completion is not 3月4日24时.
        self.assertContains(page, "24时止，2026年3月5日00:00完成（按时）")
        self.assertNotContains(page, "2026年3月4日24时完成")

    def test_the_drill_down_says_when_the_data_changed_since_the_run(self):
        actions.reply(message=self.m["m5"], by=self.cast.handler_a, text="补答复。", at=local(2026, 3, 27, 9))
        self.as_("county_office")
        page = self.client.get(reverse("evaluation:unit", args=[self.stored.pk, self.cast.unit_a.pk]))
        self.assertContains(page, "考评之后，该单位在本期的数据有变动")

    def test_the_year_end_report_page(self):
        self.as_("city_office")
        page = self.client.get(reverse("evaluation:report", args=[self.stored.pk]))
        self.assertContains(page, "罗城仫佬族自治县2026年第一季度网络问政绩效考评结果")
        self.assertContains(page, "参评单位2个（乡镇1个、部门1个）。")
        self.assertContains(page, self.stored.digest)

    def test_a_citys_run_names_each_unit_with_its_county(self):
        # A trial of a second county: a city's ranking named two 县交通运输局 alike.
        c = self.cast
        c.unit_c.name = c.unit_a.name
        c.unit_c.save()
        run = runs.run_evaluation(scheme=self.scheme, region=c.city, period=Q1, now=local(2026, 6, 1))
        self.as_("city_office")
        for url in (reverse("evaluation:run", args=[run.pk]), reverse("evaluation:report", args=[run.pk])):
            with self.subTest(url):
                page = self.client.get(url)
                self.assertContains(page, f"罗城仫佬族自治县·{c.unit_a.name}")
                self.assertContains(page, f"环江毛南族自治县·{c.unit_a.name}")
        unit = self.client.get(reverse("evaluation:unit", args=[run.pk, c.unit_c.pk]))
        self.assertContains(unit, "<small>（环江毛南族自治县）</small>", html=True)
        book = openpyxl.load_workbook(
            io.BytesIO(self.client.get(reverse("evaluation:report-xlsx", args=[run.pk])).content)
        )
        cells = {cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
        self.assertIn(f"环江毛南族自治县·{c.unit_a.name}", cells)

    # --- bulletin and findings ------------------------------------------------------

    def test_the_bulletin_page_names_late_units_and_offers_the_documents(self):
        self.as_("county_office")
        page = self.client.get(reverse("evaluation:bulletin") + "?region=luocheng&period=2026Q1")
        self.assertContains(page, "罗城仫佬族自治县网络问政工作2026年第一季度情况通报")
        self.assertContains(page, "本期回应、回复迟延的单位有1个：东门镇（")
        self.assertContains(page, '<svg class="chart"', count=3)
        self.assertContains(page, "故各月相加可能少于全期")  # the months do not add up: it says why
        docx = self.client.get(reverse("evaluation:bulletin-docx") + "?region=luocheng&period=2026Q1")
        self.assertEqual(
            docx["Content-Type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        # The Chinese name, and a readable one for browsers that read only the ASCII name.
        self.assertEqual(
            docx["Content-Disposition"],
            'attachment; filename="bulletin-luocheng-2026-01-01-2026-03-31.docx"; '
            f"filename*=UTF-8''{quote('罗城仫佬族自治县网络问政工作2026年第一季度情况通报.docx')}",
        )

    def test_the_reports_files_name_themselves_in_ascii_too(self):
        self.as_("county_office")
        run = self.stored.pk
        for fmt in ("docx", "xlsx"):
            with self.subTest(fmt=fmt):
                response = self.client.get(reverse(f"evaluation:report-{fmt}", args=[run]))
                fallback = f'filename="evaluation-luocheng-2026Q1-run{run}.{fmt}"'
                self.assertIn(fallback, response["Content-Disposition"])
                self.assertIn(f"（第{run}次）.{fmt}", unquote(response["Content-Disposition"]))

    def test_a_bulletin_file_for_a_period_or_region_out_of_reach_leads_to_the_page_that_says_why(self):
        # Links typed or shared: a future quarter, a period left empty, the city's
        # region opened by a county office (a 500 before: the view's `_` shadowed gettext).
        self.as_("county_office")
        for name in ("evaluation:bulletin-docx", "evaluation:bulletin-xlsx"):
            for query in ("period=2027Q1", "period=other&period_other=2027", "region=hechi&period=2026Q3"):
                with self.subTest(name=name, query=query):
                    page = self.client.get(reverse(name) + "?" + query, follow=True)
                    self.assertEqual(page.redirect_chain, [(reverse("evaluation:bulletin") + "?" + query, 302)])
                    self.assertEqual(page.status_code, 400)
                    self.assertContains(page, 'class="errorlist', status_code=400)
        with self.subTest("a link with the period alone is of the office's own county"):
            docx = self.client.get(reverse("evaluation:bulletin-docx") + "?period=2026Q1")
            self.assertEqual(docx.status_code, 200)
            self.assertIn("filename*=UTF-8''%E7%BD%97", docx["Content-Disposition"])

    def test_uploading_bulletin_findings_reports_and_imports(self):
        self.as_("county_office")
        url = reverse("evaluation:findings-import")
        bad = workbook([GOOD[0], ["不存在镇", "2026Q1", "x", 1]])
        page = self.client.post(url, {"region": "luocheng", "file": _upload(bad)})
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "找不到单位“不存在镇”", status_code=400)
        self.assertEqual(SupervisionFinding.objects.filter(source="city_bulletin").count(), 1)  # the fixture's own
        page = self.client.post(url, {"region": "luocheng", "file": _upload(workbook(GOOD))})
        self.assertContains(page, "已导入2条，均已记入督查结果")
        self.assertEqual(SupervisionFinding.objects.filter(source="city_bulletin").count(), 3)

    # --- schemes and the what-if ----------------------------------------------------

    def test_a_scheme_page_explains_each_item_in_chinese(self):
        self.as_("county_office")
        page = self.client.get(reverse("evaluation:scheme", args=[self.scheme.pk]))
        self.assertContains(page, "按时回应率低于80%的不得分；达到100%的得满分15分")
        self.assertContains(page, "基础分10分，被责成书面说明每次扣2分")
        self.assertContains(page, "已用于考评")

    def test_exporting_and_importing_a_scheme_file(self):
        self.as_("county_office")
        text = self.client.get(reverse("evaluation:scheme-export", args=[self.scheme.pk])).content.decode()
        changed = text.replace("floor = 0.8", "floor = 0.6")
        response = self.client.post(reverse("evaluation:scheme-import"), {"file": _upload(changed.encode(), "x.toml")})
        newest = Scheme.objects.default_for(self.cast.county)
        self.assertRedirects(response, reverse("evaluation:scheme", args=[newest.pk]))
        self.assertEqual((newest.version, newest.region), (2, self.cast.county))
        self.assertEqual(Scheme.objects.latest_version("default"), self.scheme)  # the shared one unchanged
        broken = text.replace('kind = "rate"', 'kind = "lottery"', 1)
        response = self.client.post(reverse("evaluation:scheme-import"), {"file": _upload(broken.encode(), "x.toml")})
        self.assertContains(response, "不认识的计分方式“lottery”", status_code=400)


class CompareTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_towns(cls.cast)
        cls.a = Scheme.objects.latest_version("default")
        data = schemes.snapshot(cls.a)
        data["code"], data["name"] = "no-timeliness", "不计时效的方案"
        for item in data["items"]:
            if item["key"] in ("response", "reply"):
                item["max_points"] = "0"
        cls.b, _ = schemes.store(data)

    def test_rank_changes_are_marked(self):
        rows = runs.compare(scheme_a=self.a, scheme_b=self.b, region=self.cast.county, period=Q1, now=local(2026, 6, 1))
        got = {r.name: (r.a.rank, r.b.rank, r.change) for r in rows}
        # Without the timeliness items all three towns tie: 丙镇 climbs from 3rd to 1st.
        self.assertEqual(got["丙镇"], (3, 1, 2))
        self.assertEqual(got["甲镇"], (1, 1, 0))
        self.client.force_login(self.cast.county_office)
        page = self.client.get(
            reverse("evaluation:compare"), {"region": "luocheng", "period": "2026Q1", "a": self.a.pk, "b": self.b.pk}
        )
        self.assertContains(page, "↑ 上升2位")
        self.assertContains(page, "与方案甲相比，方案乙下1个单位名次上升，0个下降。")


def _upload(content, name="通报.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


class PublishedBulletinTest(CastTestCase):
    """Once the office publishes a finished period's bulletin, anyone may read it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = build_q1(cls.cast)

    def url(self):
        return reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"])

    def publish(self, who, period="2026Q1"):
        self.client.force_login(getattr(self.cast, who))
        return self.client.post(reverse("evaluation:bulletin-publish"), {"region": "luocheng", "period": period})

    def test_nobody_sees_a_bulletin_before_it_is_published(self):
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_the_office_publishes_and_the_public_reads_it_without_titles(self):
        self.publish("county_office")
        self.client.logout()
        page = self.client.get(self.url())
        self.assertContains(page, "罗城仫佬族自治县网络问政工作2026年第一季度情况通报")
        self.assertContains(page, "本期回应、回复迟延的单位有1个：东门镇（")
        self.assertContains(page, self.m["m5"].serial)
        self.assertNotContains(page, self.m["m5"].title)
        self.assertNotContains(page, "张三")  # the citizen's name never shows
        office = self.client
        office.force_login(self.cast.county_office)
        self.assertContains(office.get(reverse("evaluation:bulletin") + "?region=luocheng&period=2026Q1"), "本通报已于")

    def test_a_period_not_yet_over_cannot_be_published(self):
        running = periods.quarter_of(timezone.localdate())
        response = self.publish("county_office", period=periods.quarter_code(timezone.localdate()))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(PublishedBulletin.objects.exists())
        page = self.client.get(response["Location"])
        self.assertContains(page, f"{running.label}尚未结束，结束后才能发布通报。")
        # One that has not even begun is no period to publish.
        self.assertEqual(self.publish("county_office", period="2099Q1").status_code, 404)

    def test_only_the_offices_over_the_county_publish(self):
        self.assertEqual(self.publish("handler_a").status_code, 403)
        self.assertEqual(self.publish("other_county_office").status_code, 404)
        self.assertFalse(PublishedBulletin.objects.exists())


class PublishedBulletinUnitsTest(CastTestCase):
    """The public bulletin lists the same units, with the same figures, as the office's."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = build_q1(cls.cast)

    def test_it_lists_the_units_that_received_messages(self):
        import re

        self.client.force_login(self.cast.county_office)
        self.client.post(reverse("evaluation:bulletin-publish"), {"region": "luocheng", "period": "2026Q1"})
        office = self.client.get(reverse("evaluation:bulletin") + "?region=luocheng&period=2026Q1").content.decode()
        self.client.logout()
        public = self.client.get(reverse("evaluation:public-bulletin", args=["luocheng", "2026Q1"])).content.decode()
        row = re.search(r'<tr><th scope="row">东门镇</th>.*?</tr>', office).group(0)
        self.assertIn('<td class="num">', row)
        self.assertIn(row, public)
        self.assertNotIn("本期没有单位收到留言", public)
        self.assertIn("本期收到留言的单位（", public)
