"""Importing the city's bulletin findings from Excel: every row checked and reported,
all or nothing, never twice; imported rows cost points through the conduct item."""

import io
import zipfile
from unittest import mock

import openpyxl

from wenzheng.evaluation import bulletin_import, facts
from wenzheng.evaluation.models import BulletinImport, BulletinRow
from wenzheng.eventlog.models import Event
from wenzheng.reports import periods
from wenzheng.supervision.models import SupervisionFinding
from wenzheng.testing import CastTestCase, local

NOW = local(2026, 4, 10, 9)
HEADER = ["单位", "通报期间", "通报内容", "扣分", "书面通报批评", "涉及留言编号", "备注"]


def workbook(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "市通报"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ["东门镇", "2026Q1", "回复网民留言迟延3条", 1.5, "否", None, "市办第1期"],
    ["县住房和城乡建设局", "2026年第一季度", "办结迟延，书面通报批评", 2, "是", None, None],
]


class BulletinImportTest(CastTestCase):
    def run_import(self, data, **kwargs):
        return bulletin_import.import_file(
            data,
            file_name="2026年一季度通报.xlsx",
            region=self.cast.county,
            by=self.cast.county_office,
            at=NOW,
            **kwargs,
        )

    def test_a_file_with_broken_rows_is_reported_row_by_row_and_nothing_is_imported(self):
        message = self.cast.submit(unit="b", at=local(2026, 3, 2, 9))
        rows = [
            GOOD[0],
            [None, None, None, None, None, None, None],
            ["不存在镇", "2026Q1", "回复迟延", 1, None, None, None],
            ["东门镇", "2026Q5", "回复迟延", 1, None, None, None],
            GOOD[1],
            GOOD[0],
            ["东门镇", "2026Q1", "扣分为负", -1, None, None, None],
            ["东门镇", "2026Q1", "批评一栏写错", 1, "也许", None, None],
            ["东门镇", "2026Q1", "留言编号不存在", 1, None, "2026-999999", None],
            ["东门镇", "2026Q1", "留言不是本单位的", 1, None, message.serial, None],
            ["东门镇", None, None, None, None, None, "只有备注"],
            ["东门镇", "2027Q1", "未来的通报", 1, None, None, None],
        ]
        report = self.run_import(workbook(rows))
        self.assertFalse(report.ok)
        self.assertIsNone(report.imported)
        got = {r.number: (r.status, r.errors) for r in report.rows}
        self.assertEqual(got[2], ("可导入", []))
        self.assertEqual(got[3], ("空行，未导入", []))
        self.assertEqual(got[4], ("有误", ["找不到单位“不存在镇”：请填写实名上网单位的全称。"]))
        self.assertEqual(got[5], ("有误", ["无法识别的通报期间“2026Q5”：请写成 2026Q1 或 2026年第一季度。"]))
        self.assertEqual(got[6], ("可导入", []))
        self.assertEqual(got[7], ("有误", ["与第2行重复（同一单位、同一期间、同样内容）。"]))
        self.assertEqual(got[8][1], ["扣分“-1”应为0到100之间的数，最多两位小数（不扣分填0）。"])
        self.assertEqual(got[9][1], ["书面通报批评应填“是”或“否”，而不是“也许”。"])
        self.assertEqual(got[10][1], ["找不到留言编号“2026-999999”。"])
        self.assertEqual(got[11][1], [f"留言{message.serial}不由东门镇办理。"])
        self.assertEqual(len(got[12][1]), 3)  # period, text and points all missing
        self.assertEqual(got[13][1], ["通报期间“2027Q1”尚未开始。"])
        self.assertEqual(len(report.rows), 12)  # every row of the sheet has its line
        self.assertEqual(report.notes, ["第7列“备注”不是模板中的列，其内容未导入。"])
        self.assertFalse(SupervisionFinding.objects.exists())
        self.assertFalse(BulletinImport.objects.exists())

    def test_a_good_file_becomes_findings_with_their_points(self):
        report = self.run_import(workbook(GOOD))
        self.assertTrue(report.ok)
        self.assertEqual(report.imported.rows, 2)
        rows = list(BulletinRow.objects.order_by("row_number"))
        self.assertEqual(
            [(r.row_number, r.unit.name, r.period_code, str(r.points)) for r in rows],
            [
                (2, "东门镇", "2026Q1", "1.50"),
                (3, "县住房和城乡建设局", "2026Q1", "2.00"),
            ],
        )
        first, second = (r.finding for r in rows)
        self.assertEqual((first.source, first.adverse, first.written_criticism), ("city_bulletin", True, False))
        self.assertEqual(first.found_on, local(2026, 3, 31).date())
        self.assertTrue(second.written_criticism)
        self.assertEqual(Event.objects.filter(kind=Event.Kind.FINDING_RECORDED).count(), 2)
        # In the evaluation: 东门镇's row by its own points; the criticism as a criticism.
        window = facts.Window.of(periods.parse("2026Q1"), NOW)
        found = facts.collect(self.cast.county, window)
        a, b = found.of(self.cast.unit_a.pk), found.of(self.cast.unit_b.pk)
        self.assertEqual((a["deduct.bulletin"], a["deduct.bulletin_points"]), (1, "1.50"))
        self.assertEqual((b["deduct.written_criticism"], b.get("deduct.bulletin")), (1, None))
        evidence = facts.deduction_evidence(self.cast.unit_a, window)
        self.assertEqual([r.row_number for r in evidence["bulletin"]], [2])

    def test_importing_the_same_file_twice_adds_nothing(self):
        self.assertTrue(self.run_import(workbook(GOOD)).ok)
        again = self.run_import(workbook(GOOD))
        self.assertFalse(again.ok)
        self.assertTrue(all(r.errors[0].startswith("已于2026-04-10从“2026年一季度通报.xlsx”第") for r in again.rows))
        self.assertEqual(SupervisionFinding.objects.count(), 2)

    def test_a_dry_run_checks_without_importing(self):
        report = self.run_import(workbook(GOOD), dry_run=True)
        self.assertTrue(report.ok)
        self.assertIsNone(report.imported)
        self.assertFalse(SupervisionFinding.objects.exists())

    def test_files_that_are_not_the_template_are_refused_whole(self):
        self.assertEqual(
            self.run_import(b"not a spreadsheet").problems,
            ["无法读取该文件：请上传按模板填写的 Excel 文件（.xlsx）。"],
        )
        missing = self.run_import(workbook([["东门镇", "x"]], header=["单位", "说明"]))
        self.assertTrue(missing.problems[0].startswith("缺少必填列：通报期间、通报内容、扣分。"))
        self.assertEqual(self.run_import(workbook([])).problems, ["文件中没有通报条目：第二行起每行填写一条。"])

    def test_a_citys_file_names_units_of_the_same_name_with_their_county(self):
        # A trial: a city's bulletin could not name a unit that two counties have.
        c = self.cast
        c.unit_c.name = c.unit_a.name
        c.unit_c.save()
        rows = [
            [c.unit_a.name, "2026Q1", "回复迟延", 1, "否", None, None],
            [f"环江毛南族自治县·{c.unit_a.name}", "2026Q1", "回复迟延", 1, "否", None, None],
            [f"罗城仫佬族自治县{c.unit_a.name}", "2026Q1", "回复迟延", 1, "否", None, None],
        ]
        report = bulletin_import.import_file(
            workbook(rows), file_name="市通报.xlsx", region=c.city, by=c.city_office, at=NOW, dry_run=True
        )
        self.assertEqual(
            [r.errors for r in report.rows],
            [
                [
                    f"“{c.unit_a.name}”在多个县（区）都有（环江毛南族自治县、罗城仫佬族自治县），无法确定是哪一个："
                    f"请连同县（区）名称填写，如“环江毛南族自治县·{c.unit_a.name}”。"
                ],
                [],
                [],
            ],
        )

    def test_a_broken_oversized_or_overlong_workbook_is_refused_whole(self):
        # An attacker's trial: a sheet's XML broken past its first rows gave a 500, and
        # 200,000 rows packed into 138 kB held a web worker for 25 s.
        good = workbook(GOOD)
        broken = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(broken, "w") as target:
            for item in source.infolist():
                part = source.read(item)
                if item.filename == "xl/worksheets/sheet1.xml":
                    part = part.replace(b"</sheetData>", b"<row><c>")
                target.writestr(item, part)
        self.assertEqual(
            self.run_import(broken.getvalue()).problems, ["无法读取该文件：请上传按模板填写的 Excel 文件（.xlsx）。"]
        )
        with mock.patch.object(bulletin_import, "MAX_ROWS", 1):
            self.assertEqual(
                self.run_import(good).problems, ["文件超过1行，不像是一期市通报：请检查文件，或分成几个文件导入。"]
            )
        with mock.patch.object(bulletin_import, "MAX_UNPACKED", 1024 * 1024):
            padded = workbook(
                [["东门镇", "2026Q1", f"迟延{i}" + "迟" * 30_000, 1, "否", None, None] for i in range(40)]
            )
            (said,) = self.run_import(padded).problems
        self.assertEqual(said, "工作簿解压后超过1MB，不像是市通报，请检查文件，或分成几个文件导入。")
        self.assertFalse(BulletinRow.objects.exists())

    def test_the_template_reads_back_as_the_documented_columns(self):
        book = openpyxl.load_workbook(io.BytesIO(bulletin_import.template_xlsx()))
        self.assertEqual(book.sheetnames, ["市通报", "填写说明"])
        header = next(book["市通报"].iter_rows(values_only=True))
        self.assertEqual(list(header), ["单位", "通报期间", "通报内容", "扣分", "书面通报批评", "涉及留言编号"])
        # Filled in, the template imports.
        sheet = book["市通报"]
        sheet.append(["东门镇", "2026Q1", "回复迟延", 1, None, None])
        out = io.BytesIO()
        book.save(out)
        self.assertTrue(self.run_import(out.getvalue()).ok)

    def test_only_office_staff_can_import(self):
        report = bulletin_import.import_file(
            workbook(GOOD), file_name="x.xlsx", region=self.cast.county, by=self.cast.handler_a, at=NOW
        )
        self.assertFalse(report.ok)
        self.assertEqual(report.problems, ["只有县、市网络问政办可以办理此事项。"])
        self.assertFalse(BulletinImport.objects.exists())


def test_periods_are_read_in_both_forms():
    assert bulletin_import.parse_period("2026年第一季度")[0] == "2026Q1"
    assert bulletin_import.parse_period("2026年第4季度")[0] == "2026Q4"
    assert bulletin_import.parse_period("2026q2")[0] == "2026Q2"
    assert bulletin_import.parse_period(2026)[0] == "2026"
    assert bulletin_import.parse_period("2026第1季度")[0] == "2026Q1"
    assert bulletin_import.parse_period("2026 年 第三 季度")[0] == "2026Q3"
    assert bulletin_import.parse_period(2026.0)[0] == "2026"
    assert bulletin_import.parse_period("2026年3月")[0] == "2026-03"
