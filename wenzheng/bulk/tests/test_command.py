import io
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command

from wenzheng.accounts.models import Role
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase

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
                "第3行\t单位\t“无此单位”不是本县（区）的实名上网单位",
                "导出.xlsx：共2行，新增留言1条，已导入过0条，有问题1行。",
            ],
        )
        self.assertEqual(Message.objects.get().events.first().actor, self.cast.county_office)

    def test_a_dry_run_says_so_and_writes_nothing(self):
        out = self.call(xlsx([good_row()]), "--dry-run")
        self.assertEqual(
            out.splitlines()[-1], "导出.xlsx：共1行，可新增留言1条，已导入过0条，有问题0行。（仅检查，未写入）"
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
