"""The evaluate and bulletin commands."""

import io
import tempfile
from pathlib import Path

import openpyxl
from django.core.management import CommandError, call_command
from docx import Document

from wenzheng.evaluation.models import Run
from wenzheng.eventlog.models import ChainHead
from wenzheng.testing import CastTestCase

from .fixtures import build_q1


class CommandsTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_q1(cls.cast)

    def call(self, *args):
        out = io.StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()

    def test_evaluate_refuses_a_period_that_has_not_begun(self):
        with self.assertRaisesMessage(CommandError, "2027年第一季度尚未开始"):
            self.call("evaluate", "--period", "2027Q1", "--region", "luocheng", "--at", "2026-11-30T09:00")
        self.assertFalse(Run.objects.exists())

    def test_evaluate_prints_the_ranking_and_stores_the_run(self):
        out = self.call(
            "evaluate", "--period", "2026Q1", "--scheme", "default", "--region", "luocheng", "--at", "2026-06-01T09:00"
        )
        lines = out.splitlines()
        self.assertEqual(lines[0], "网络问政绩效考评：罗城仫佬族自治县 2026年第一季度（统计截止 2026年3月31日24时）")
        self.assertEqual(lines[1], "考评方案：网络问政绩效考评默认方案（default 第1版）")
        self.assertIn("【乡镇】参与排名1个", lines)
        row = next(line for line in lines if line.startswith("1 ") and "东门镇" in line)
        self.assertEqual(row.split(), ["1", "东门镇", "10", "0", "0", "15", "3.33", "0", "28.33", "不合格"])
        self.assertIn("到期应回复留言少于5条，样本不足，按有数据的项目折算总分，单列不排名（1个）：", lines)
        apart = next(line for line in lines if "县住房和城乡建设局" in line)
        self.assertEqual(apart.split()[-2:], ["44.44", "不合格（样本不足）"])
        run = Run.objects.get()
        self.assertEqual(run.period_code, "2026Q1")
        self.assertEqual(
            lines[-2], f"已保存为第{run.pk}次考评（/evaluation/runs/{run.pk}/），输入摘要 {run.short_digest}。"
        )
        head = ChainHead.objects.get(region__code="luocheng")
        anchor = f"luocheng:{head.last_seq}:{head.last_hash}"
        self.assertEqual(lines[-1], f"记录链锚点 {anchor}（manage.py verify_events --anchor {anchor} 可核对）")
        again = self.call("evaluate", "--period", "2026Q1", "--region", "luocheng", "--at", "2026-07-01T09:00")
        self.assertIn(f"与第{run.pk}次考评的输入和结果相同", again)

    def test_evaluate_refuses_what_it_cannot_read(self):
        with self.assertRaisesMessage(CommandError, "无法识别的统计期间“2026Q9”"):
            self.call("evaluate", "--period", "2026Q9")
        with self.assertRaisesMessage(CommandError, "没有可用的考评方案“strict”。已有：default"):
            self.call("evaluate", "--period", "2026", "--scheme", "strict")
        with self.assertRaisesMessage(CommandError, "没有代码为“nowhere”的行政区域"):
            self.call("evaluate", "--period", "2026", "--region", "nowhere")
        self.assertFalse(Run.objects.exists())

    def test_bulletin_writes_docx_and_xlsx(self):
        with tempfile.TemporaryDirectory() as tmp:
            docx_path, xlsx_path = Path(tmp) / "b.docx", Path(tmp) / "b.xlsx"
            out = self.call(
                "bulletin",
                "--period",
                "2026Q1",
                "--format",
                "docx",
                "-o",
                str(docx_path),
                "--region",
                "luocheng",
                "--at",
                "2026-06-01T09:00",
            )
            self.assertTrue(out.startswith("已写入罗城仫佬族自治县网络问政工作2026年第一季度情况通报："))
            self.assertEqual(
                Document(str(docx_path)).paragraphs[0].text, "罗城仫佬族自治县网络问政工作2026年第一季度情况通报"
            )
            self.call(
                "bulletin", "--period", "2026Q1", "--format", "xlsx", "-o", str(xlsx_path), "--region", "luocheng"
            )
            self.assertEqual(openpyxl.load_workbook(xlsx_path).sheetnames, ["概况", "各单位", "迟延留言"])


class ImportBulletinCommandTest(CastTestCase):
    def test_it_reports_every_row_and_imports_a_good_file(self):
        from wenzheng.supervision.models import SupervisionFinding

        from .test_bulletin_import import GOOD, workbook

        with tempfile.TemporaryDirectory() as tmp:
            bad, good = Path(tmp) / "bad.xlsx", Path(tmp) / "good.xlsx"
            bad.write_bytes(workbook([GOOD[0], ["不存在镇", "2026Q1", "x", 1]]))
            good.write_bytes(workbook(GOOD))
            out = io.StringIO()
            with self.assertRaisesMessage(CommandError, "文件未导入"):
                call_command("import_bulletin", str(bad), "--by", "county_office", "--region", "luocheng", stdout=out)
            self.assertIn("第2行：可导入", out.getvalue())
            self.assertIn("第3行：找不到单位“不存在镇”：请填写实名上网单位的全称。", out.getvalue())
            out = io.StringIO()
            call_command("import_bulletin", str(good), "--by", "county_office", "--region", "luocheng", stdout=out)
            self.assertIn("已导入2条，均已记入督查结果。", out.getvalue())
        self.assertEqual(SupervisionFinding.objects.count(), 2)
