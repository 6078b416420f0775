from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenzheng.accounts.models import Role, User
from wenzheng.handling.models import Category
from wenzheng.units.models import Region

from ...importer import Import


class Command(BaseCommand):
    help = "导入其他平台导出的留言（.xlsx 或 .csv）。同一文件重复导入不会重复新增。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--region", help="县（区）代码，如 luocheng；只有一个县时可省略")
        parser.add_argument("--user", help="记为导入人的账号（县网络问政办或管理员）；省略时取该县第一个网络问政办账号")
        parser.add_argument("--source", default="", help="来源平台名称，留言编号在同一来源内唯一")
        parser.add_argument("--default-category", help="“类别”为空时使用的类别，如 咨询")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        region = self._region(options["region"])
        by = self._user(options["user"], region)
        category = None
        if options["default_category"]:
            name = options["default_category"]
            category = Category.objects.filter(name=name).first() or Category.objects.filter(code=name).first()
            if category is None:
                raise CommandError(f"类别“{name}”不存在")
        job = Import(
            content=path.read_bytes(),
            filename=path.name,
            region=region,
            by=by,
            source=options["source"],
            default_category=category,
            dry_run=options["dry_run"],
            on_progress=self._progress,
        )
        outcome = job.run()
        for row, column, problem in outcome.problems:
            self.stdout.write(f"第{row}行\t{column}\t{problem}")
        if outcome.failure:
            raise CommandError(outcome.failure)
        verb = "可新增" if options["dry_run"] else "新增"
        self.stdout.write(
            f"{path.name}：共{outcome.total}行，{verb}留言{outcome.created}条，"
            f"已导入过{outcome.skipped}条，有问题{outcome.problem_rows}行。"
            + ("（仅检查，未写入）" if options["dry_run"] else "")
        )

    def _progress(self, outcome, problems):
        if outcome.total >= 10_000:
            self.stderr.write(f"{outcome.processed}/{outcome.total}")

    @staticmethod
    def _region(code):
        if code:
            region = Region.objects.filter(code=code, kind=Region.Kind.COUNTY).first()
            if region is None:
                raise CommandError(f"没有代码为“{code}”的县（区）")
            return region
        counties = Region.objects.filter(kind=Region.Kind.COUNTY)
        if counties.count() != 1:
            raise CommandError("有多个县（区），请用 --region 指定")
        return counties.get()

    @staticmethod
    def _user(username, region):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有账号“{username}”")
        else:
            user = (
                User.objects.filter(role=Role.COUNTY_OFFICE, region=region, is_active=True).order_by("pk").first()
                or User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
            )
            if user is None:
                raise CommandError("请用 --user 指定导入人账号")
        if not user.oversees(region) or user.role not in (Role.COUNTY_OFFICE, Role.ADMIN):
            raise CommandError(f"{user}不是{region.name}的网络问政办账号，不能导入")
        return user
