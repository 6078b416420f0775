import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command

from wenzheng.accounts.models import Role
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase

from . import platform_export as export
from .helpers import good_row, xlsx


class ImportCommandTests(CastTestCase):
    def call(self, content, *args, name="导出.xlsx", out=None):
        """The command's output; `out` keeps it when the command fails."""
        out = out or io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            call_command("import_messages", str(path), "--region", "luocheng", *args, stdout=out, stderr=io.StringIO())
            return out.getvalue()

    def test_it_imports_and_reports_each_problem_and_fails_for_the_rows_refused(self):
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "有1行未导入"):
            self.call(xlsx([good_row("1"), good_row("2", unit="无此单位")]), out=out)
        self.assertEqual(
            out.getvalue().splitlines(),
            [
                "问题汇总（一行有几类问题，就计入几类）：",
                "  1行：单位不存在",
                "问题明细：",
                "第3行\t单位\t“无此单位”不是本县的实名上网单位",
                "导出.xlsx：共2行，新增留言1条，已导入过0条，有问题1行。",
                "其中已答复但没有办理状态的1条已视为已办结（办结时间为答复时间）。",
                "其中已答复但没有签收时间的1条已不计签收（回应）时限，不算任何单位签收超期。",
            ],
        )
        self.assertEqual(Message.objects.get().events.first().actor, self.cast.county_office)

    def test_a_dry_run_says_so_and_writes_nothing(self):
        out = self.call(xlsx([good_row()]), "--dry-run")
        self.assertEqual(
            out.splitlines()[-3:],
            [
                "导出.xlsx：共1行，可新增留言1条，已导入过0条，有问题0行。（仅检查，未写入）",
                "其中已答复但没有办理状态的1条将视为已办结（办结时间为答复时间）。",
                "其中已答复但没有签收时间的1条将不计签收（回应）时限，不算任何单位签收超期；"
                "原平台记有签收时间的，请先在文件中加一列“签收时间”再导入。",
            ],
        )
        self.assertFalse(Message.objects.exists())

    def test_it_refuses_a_user_who_does_not_oversee_the_county(self):
        for username in ("other_county_office", "handler_a", "city_office"):
            with self.subTest(username), self.assertRaises(CommandError):
                self.call(xlsx([good_row()]), "--user", username)

    def test_a_file_it_cannot_import_fails_loudly(self):
        with self.assertRaisesMessage(CommandError, "文件缺少必需的列"):
            self.call(xlsx([["1"]], header=["留言编号", "单位"]))

    def test_the_default_importer_is_the_countys_office(self):
        self.assertEqual(self.cast.county_office.role, Role.COUNTY_OFFICE)
        self.call(xlsx([good_row()]))
        self.assertEqual(Message.objects.get().replies.get().author, self.cast.county_office)


class RealExportCommandTests(CastTestCase):
    """A real platform's export, through the command, as an office would run it."""

    def call(self, content, *args, name="导出.csv"):
        """(output, the CommandError's message or "")."""
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            try:
                call_command(
                    "import_messages", str(path), "--region", "luocheng", "--default-category", "咨询", *args,
                    stdout=out, stderr=io.StringIO(),
                )  # fmt: skip
            except CommandError as e:
                return out.getvalue(), str(e)
        return out.getvalue(), ""

    def test_it_opens_with_the_summary_and_fails_saying_how_many_rows(self):
        out, error = self.call(export.many_replied(2_816).xlsx(), name="导出.xlsx")
        lines = out.splitlines()
        self.assertEqual(
            lines[:5],
            [
                "问题汇总（一行有几类问题，就计入几类）：",
                "  2,816行：缺少单位",
                "未导入的列：" + "、".join(export.IGNORED),
                "问题明细：",
                "第3行\t单位\t文件没有“单位”列：已答复的留言须有答复单位，请在导入时选择“单位为空时交给”的单位",
            ],
        )
        self.assertEqual(lines[-1], "导出.xlsx：共2,816行，新增留言0条，已导入过0条，有问题2,816行。")
        self.assertEqual(error, "有2,816行未导入，问题见上面的报告；改正后重新导入即可，已导入的行不会重复。")

    def test_a_default_unit_and_the_waiver_import_the_history(self):
        made = export.typical()
        out, error = self.call(made.gbk_csv(), "--unit", "东门镇", "--waive-registration")
        self.assertEqual(error, "有1行未导入，问题见上面的报告；改正后重新导入即可，已导入的行不会重复。")
        self.assertIn("  1行：超过字数", out)
        self.assertIn("第8行\t留言内容\t不能超过20000个字（这一格有140,000个字）", out)
        self.assertEqual(Message.objects.filter(unit=self.cast.unit_a).count(), 5)
        # History by default: the unanswered rows have no clock.
        self.assertEqual(
            set(Message.objects.filter(untimed=True).values_list("import_source__number", flat=True)),
            set(export.UNANSWERED),
        )

    def test_a_unit_by_its_number_and_the_clock_for_unanswered_rows(self):
        self.call(
            export.typical().gbk_csv(), "--unit", str(self.cast.unit_b.pk), "--waive-registration",
            "--unanswered", "clock",
        )  # fmt: skip
        waiting = Message.objects.get(import_source__number=export.UNANSWERED[0])
        self.assertEqual((waiting.unit, waiting.untimed, waiting.stages.count()), (self.cast.unit_b, False, 2))

    def test_it_refuses_a_unit_of_another_county(self):
        for unit in ("思恩镇", "无此单位", str(self.cast.unit_c.pk)):
            with self.subTest(unit):
                _out, error = self.call(export.typical().gbk_csv(), "--unit", unit)
                self.assertEqual(error, f"罗城仫佬族自治县没有名称或编号为“{unit}”的单位")
        self.assertFalse(Message.objects.exists())

    def test_it_exits_cleanly_when_every_row_is_in(self):
        made = export.typical()
        made.rows = [row for row in made.rows if row is None or row.number != export.TOO_LONG]
        out, error = self.call(made.gbk_csv(), "--unit", "东门镇", "--waive-registration")
        self.assertEqual(error, "")
        self.assertIn("导出.csv：共6行，新增留言5条，已导入过0条，有问题0行。", out.splitlines())
        # Run again without the unit: the rows are recognised by number, nothing is refused.
        out, error = self.call(made.gbk_csv())
        self.assertEqual((error, out.splitlines()[-1]), ("", "导出.csv：共6行，新增留言0条，已导入过5条，有问题0行。"))
