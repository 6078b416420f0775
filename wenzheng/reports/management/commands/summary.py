from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wenzheng.reports import figures, periods
from wenzheng.units.models import Region


class Command(BaseCommand):
    help = (
        "Print the summary sentence of a period's figures (回复率, 办结率), as the bulletin states it, "
        "then the region, the period's dates and the cut-off it was counted at."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026Q1, 2026, 2026-03 or 2026-01-01..2026-03-31")
        parser.add_argument("--region", help="region code (default: the county, or the city if there are several)")

    def handle(self, *, period, region, **options):
        now = timezone.now()
        try:
            span = periods.started(period, now=now)
        except periods.BadPeriod as e:
            raise CommandError(str(e)) from None
        if region:
            place = Region.objects.filter(code=region).first()
            if place is None:
                known = "、".join(Region.objects.values_list("code", flat=True)) or "（无）"
                raise CommandError(f"没有代码为“{region}”的行政区域。已有：{known}")
        else:
            place = Region.objects.default()
            if place is None:
                raise CommandError("尚未设置行政区域：请先运行 python manage.py loaddemo 或在后台添加。")
        self.stdout.write(figures.compute(place, span, now=now).summary())
        self.stdout.write(f"（{place.name}；{span.heading(now)}）")
