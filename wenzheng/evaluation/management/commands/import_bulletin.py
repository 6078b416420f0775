from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenzheng.accounts.models import User
from wenzheng.evaluation import bulletin_import
from wenzheng.evaluation.management.commands.evaluate import Command as Evaluate


class Command(BaseCommand):
    help = "Import the city's quarterly bulletin findings from an .xlsx (write the template with --template)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx to import, or to write with --template")
        parser.add_argument("--by", help="the office account that records the findings (username)")
        parser.add_argument("--region", help="region code (default: the county, or the city if there are several)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, import nothing")
        parser.add_argument("--template", action="store_true", help="write the empty template to FILE instead")

    def handle(self, *, file, by, region, dry_run, template, **options):
        path = Path(file)
        if template:
            path.write_bytes(bulletin_import.template_xlsx())
            self.stdout.write(f"已写入导入模板：{path}")
            return
        if not by:
            raise CommandError("请用 --by 指定录入人（县或市网络问政办的账号）。")
        user = User.objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"没有账号“{by}”。")
        if not path.exists():
            raise CommandError(f"找不到文件：{path}")
        report = bulletin_import.import_file(
            path.read_bytes(), file_name=path.name, region=Evaluate()._region(region), by=user, dry_run=dry_run
        )
        for problem in report.problems:
            self.stdout.write(f"文件：{problem}")
        for note in report.notes:
            self.stdout.write(f"提示：{note}")
        for row in report.rows:
            said = "；".join(row.errors) if row.errors else row.status
            self.stdout.write(f"第{row.number}行：{said}")
        if report.imported:
            self.stdout.write(f"已导入{report.imported.rows}条，均已记入督查结果。")
        elif report.ok:
            self.stdout.write(f"{len(report.data_rows)}条全部无误（只检查，未导入）。")
        else:
            raise CommandError("文件未导入：请按上面逐行的说明改正后重新导入。")
