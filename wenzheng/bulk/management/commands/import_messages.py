from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenzheng.accounts.models import Role, User
from wenzheng.handling.models import Category
from wenzheng.units.models import Region, Unit

from ...importer import Import
from ...models import ImportJob, summary_line, unrecorded_line, unstated_line


class Command(BaseCommand):
    help = (
        "导入其他平台导出的留言（.xlsx、.xls 或 .csv）。同一文件重复导入不会重复新增。"
        "报告先按问题类型汇总，再逐行列出；有不能导入的行时以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx、.xls 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--region", help="县（区）代码，如 luocheng；只有一个县时可省略")
        parser.add_argument(
            "--user", help="记为导入人的账号（县级网络问政办或管理员）；省略时取该县（区）第一个网络问政办账号"
        )
        parser.add_argument("--source", default="", help="来源平台名称，留言编号在同一来源内唯一")
        parser.add_argument("--default-category", help="“类别”为空时使用的类别，如 咨询")
        parser.add_argument(
            "--unit",
            help="“单位”为空或文件没有“单位”列时交给的单位（单位名称或编号）；写明单位的行仍交给所写的单位",
        )
        parser.add_argument(
            "--waive-registration",
            action="store_true",
            help="历史留言：留言时间早于单位在本系统实名上网日期的，仍导入给该单位（记录在每条留言的导入记录中）",
        )
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="“一级分类”“二级分类”等列写的事项分类不在该县（区）分类表中时按所写名称新增（默认：列为问题，该行不导入）",
        )
        parser.add_argument(
            "--unanswered",
            choices=ImportJob.Unanswered.values,
            default=ImportJob.Unanswered.HISTORY,
            help="未答复的留言：history 记为历史留言，不计办理时限，单位仍可答复"
            "（默认：导入多年的旧留言不会在导入次日全部超期）；clock 自导入时起计办理时限，如同新交办",
        )

        parser.add_argument(
            "--replied",
            choices=ImportJob.Replied.values,
            default=ImportJob.Replied.CLOSED,
            help="已答复但没有办理状态（无此列或为空，也无办结时间）的留言：closed 视为已办结，办结时间为答复时间"
            "（默认：旧留言不会成为单位的待办）；open 记为已回复，待单位办结",
        )

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
            default_unit=self._unit(options["unit"], region) if options["unit"] else None,
            waive_registration=options["waive_registration"],
            create_topics=options["create_topics"],
            unanswered=options["unanswered"],
            replied=options["replied"],
            dry_run=options["dry_run"],
            on_progress=self._progress,
        )
        outcome = job.run()
        self._report(outcome)
        if outcome.failure:
            raise CommandError(outcome.failure)
        dry_run = options["dry_run"]
        verb = "可新增" if dry_run else "新增"
        self.stdout.write(
            f"{path.name}：共{outcome.total:,}行，{verb}留言{outcome.created:,}条，"
            f"已导入过{outcome.skipped:,}条，有问题{outcome.problem_rows:,}行。"
            + ("（仅检查，未写入）" if dry_run else "")
        )
        if outcome.unstated:
            self.stdout.write(unstated_line(outcome.unstated, options["replied"], dry_run=dry_run))
        if outcome.unrecorded:
            self.stdout.write(unrecorded_line(outcome.unrecorded, dry_run=dry_run))
        if outcome.problem_rows:
            # A script running the import must see that rows were left out.
            refused = "不能导入" if dry_run else "未导入"
            raise CommandError(
                f"有{outcome.problem_rows:,}行{refused}，问题见上面的报告；改正后重新导入即可，已导入的行不会重复。"
            )

    def _report(self, outcome):
        """The summary by kind of problem, the columns left out, then each problem."""
        if outcome.problems:
            self.stdout.write("问题汇总（一行有几类问题，就计入几类）：")
            for kind, rows in outcome.summary():
                self.stdout.write(f"  {summary_line(kind, rows)}")
        if outcome.ignored:
            self.stdout.write("未导入的列：" + "、".join(outcome.ignored))
        if outcome.problems:
            self.stdout.write("问题明细：")
        for problem in outcome.problems:
            self.stdout.write(f"第{problem.row}行\t{problem.column}\t{problem.text}")

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
    def _unit(name_or_number, region):
        units = Unit.objects.filter(region=region)
        unit = units.filter(name=name_or_number.strip()).first()
        if unit is None and name_or_number.strip().isdigit():
            unit = units.filter(pk=int(name_or_number)).first()
        if unit is None:
            raise CommandError(f"{region.name}没有名称或编号为“{name_or_number}”的单位")
        return unit

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
            raise CommandError(f"{user}不是{region.office_name}的账号，不能导入")
        return user
