import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wenzheng.reports import periods, tally
from wenzheng.units.models import Region


class Command(BaseCommand):
    help = (
        "The kept figures (wenzheng.reports.tally): --rebuild counts every message afresh (after a restore, "
        "or data loaded behind the actions' back); --check compares them with a full count and exits 1 on "
        "any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--check", action="store_true")
        parser.add_argument("--period", default="", help="for --check: 2026Q1, 2026 or 2026-03 (default: this year)")
        parser.add_argument("--region", default="", help="for --check: a region's code (default: every region)")

    def handle(self, *, rebuild, check, period, region, **options):
        if not (rebuild or check):
            raise CommandError("请指定 --rebuild 或 --check。")
        if rebuild:
            counted = tally.rebuild(out=lambda line: self.stdout.write(line))
            self.stdout.write(f"统计计数已重建：{counted:,} messages counted")
        if check:
            now = timezone.now()
            try:
                span = periods.started(period or str(timezone.localdate(now).year), now=now)
            except periods.BadPeriod as e:
                raise CommandError(str(e)) from None
            regions = Region.objects.filter(code=region) if region else Region.objects.all()
            if not regions.exists():
                raise CommandError(f"没有代码为“{region}”的行政区域。")
            problems = [p for r in regions for p in tally.check(r, span, now=now)]
            for line in problems:
                self.stderr.write(line)
            if problems:
                sys.exit(1)
            self.stdout.write(f"{span.label}：统计计数与逐条统计一致（{regions.count()}个区域）。")
