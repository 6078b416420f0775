"""The year-end report of a stored run, as .docx and .xlsx, opened again and read."""

import io
from decimal import Decimal

import openpyxl
from docx import Document

from wenzheng.evaluation import documents, runs
from wenzheng.evaluation.models import Scheme
from wenzheng.eventlog import chain
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local

from .fixtures import build_q1, build_towns

TITLE = "罗城仫佬族自治县2026年第一季度网络问政绩效考评结果"
SUMMARY = (
    "参评单位5个（乡镇4个、部门1个）。参与排名的4个单位中，优秀0个、良好0个、合格0个、不合格4个。"
    "本期到期应回复留言不足5条的1个单位样本不足，按有数据的项目折算总分，单列，不参与排名。"
)


class YearEndReportTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_q1(cls.cast)
        build_towns(cls.cast)
        cls.stored = runs.run_evaluation(
            scheme=Scheme.objects.latest_version("default"),
            region=cls.cast.county,
            period=periods.parse("2026Q1"),
            now=local(2026, 6, 1),
        )

    def test_the_summary_counts_units_grades_and_those_apart(self):
        self.assertEqual(documents.report_summary(self.stored, list(self.stored.results.all())), SUMMARY)

    def test_the_docx(self):
        d = Document(io.BytesIO(documents.report_docx(self.stored)))
        texts = [p.text for p in d.paragraphs]
        self.assertEqual(texts[0], TITLE)
        self.assertEqual(texts[1], "考评方案：网络问政绩效考评默认方案（第1版）　统计截止：2026年3月31日24时")
        self.assertIn(SUMMARY, texts)
        self.assertIn("二、乡镇排名", texts)
        self.assertIn("三、部门排名", texts)
        self.assertIn("没有部门参与排名。", texts)
        scheme, towns, apart = d.tables
        self.assertEqual(
            [row.cells[0].text for row in scheme.rows][1:],
            ["人员配备", "按时回应", "按时回复", "分类办结", "网民满意度", "督查与问责"],
        )
        self.assertEqual(
            [[c.text for c in row.cells] for row in towns.rows][1:],
            [
                # Tied, so listed by name (乙 sorts before 甲 by code point, on every database).
                ["1", "乙镇", "0", "15", "15", "0", "10", "10", "50", "不合格"],
                ["1", "甲镇", "0", "15", "15", "0", "10", "10", "50", "不合格"],
                ["3", "丙镇", "0", "12", "12", "0", "10", "10", "44", "不合格"],
                ["4", "东门镇", "10", "0", "0", "15", "3.33", "0", "28.33", "不合格"],
            ],
        )
        # Listed apart, scored over the items with data: one without (no rating) says
        # so, not the item's full marks its stored points hold.
        self.assertEqual(
            [c.text for c in apart.rows[1].cells],
            ["县住房和城乡建设局", "部门", "1", "0", "15", "15", "0", "无数据", "10", "44.44", "不合格（样本不足）"],
        )
        self.assertEqual(len(d.inline_shapes), 1)  # the townships' totals
        self.assertIn(self.stored.digest, texts[-2])
        anchor = self.stored.anchor_list[0]
        self.assertEqual(anchor.chain, "luocheng")
        self.assertIn(str(anchor), texts[-1])
        self.assertIsNone(chain.check_anchor(str(anchor)))

    def test_the_xlsx(self):
        book = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(self.stored)))
        self.assertEqual(book.sheetnames, ["说明", "乡镇排名", "部门排名", "单列单位"])
        intro = [row[0] for row in book["说明"].iter_rows(values_only=True)]
        self.assertEqual(
            intro[:3], [TITLE, "考评方案：网络问政绩效考评默认方案（第1版）　统计截止：2026年3月31日24时", SUMMARY]
        )
        towns = list(book["乡镇排名"].iter_rows(values_only=True))
        self.assertEqual(towns[0][:3], ("名次", "单位", "人员配备（10）"))
        self.assertEqual(towns[-1], (4, "东门镇", 10, 0, 0, 15, 3.33, 0, 28.33, "不合格"))
        self.assertEqual(len(list(book["部门排名"].iter_rows())), 1)
        self.assertEqual(list(book["单列单位"].iter_rows(values_only=True))[1][:3], ("县住房和城乡建设局", "部门", 1))
        self.assertEqual(Decimal(str(towns[1][-2])), Decimal("50"))
