import datetime as dt
import unicodedata
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wenzheng.evaluation import runs
from wenzheng.evaluation.documents import moment
from wenzheng.evaluation.kinds import show
from wenzheng.evaluation.models import Scheme
from wenzheng.reports import periods
from wenzheng.units.models import Region
from wenzheng.workdays.clock import county_zone


def width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text, size, *, right=False) -> str:
    text = str(text)
    fill = " " * max(size - width(text), 0)
    return fill + text if right else text + fill


def table(header, rows, *, numeric_from=2) -> list[str]:
    sizes = [max(width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(pad(cell, sizes[i], right=i >= numeric_from) for i, cell in enumerate(row)).rstrip()
        for row in [header, *rows]
    ]


class Command(BaseCommand):
    help = "Score every unit of a region over a period with a scheme (绩效考评), store the run and print the ranking."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026, 2026Q1, 2026-03 or 2026-01-01..2026-06-30")
        parser.add_argument("--scheme", default="default", help="scheme code (default: default)")
        parser.add_argument("--scheme-version", type=int, help="scheme version (default: the newest)")
        parser.add_argument("--region", help="region code (default: the county, or the city if there are several)")
        parser.add_argument(
            "--at",
            help="count as at this moment instead of now, e.g. 2027-01-10T09:00 (local time); "
            "the cut-off is the period's end or this moment, whichever comes first",
        )

    def handle(self, *, period, scheme, scheme_version, region, at, **options):
        now = self._moment(at)
        try:
            span = periods.started(period, now=now)
        except periods.BadPeriod as e:
            raise CommandError(str(e)) from None
        place = self._region(region)
        chosen = self._scheme(scheme, scheme_version, place)
        run = runs.run_evaluation(scheme=chosen, region=place, period=span, now=now)
        for line in self._report(run):
            self.stdout.write(line)

    def _region(self, code):
        if code:
            place = Region.objects.filter(code=code).first()
            if place is None:
                known = "、".join(Region.objects.values_list("code", flat=True)) or "（无）"
                raise CommandError(f"没有代码为“{code}”的行政区域。已有：{known}")
            return place
        place = Region.objects.default()
        if place is None:
            raise CommandError("尚未设置行政区域：请先运行 python manage.py loaddemo 或在后台添加。")
        return place

    def _scheme(self, code, version, place):
        """The version asked for, or the one the region uses (its own office's newest,
        else its city's, else the shared one), among those the region may use."""
        usable = Scheme.objects.usable_in(place)
        chosen = (
            usable.filter(code=code, version=version).first() if version else Scheme.objects.default_for(place, code)
        )
        if chosen is None:
            known = "、".join(sorted(set(usable.values_list("code", flat=True)))) or "（无）"
            which = f"“{code}”第{version}版" if version else f"“{code}”"
            elsewhere = Scheme.objects.filter(code=code, version=version).first() if version else None
            if elsewhere is not None:
                raise CommandError(f"考评方案{which}是{elsewhere.owner_name}的，不能用于{place.name}的考评。")
            raise CommandError(f"{place.name}没有可用的考评方案{which}。已有：{known}")
        return chosen

    def _moment(self, text):
        if not text:
            return timezone.now()
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(f"无法识别的时刻“{text}”，请写成 2027-01-10T09:00。") from None
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=county_zone())

    def _report(self, run):
        items = run.scheme_snapshot["items"]
        yield f"网络问政绩效考评：{run.region.name} {run.period_label}（统计截止 {moment(run.cutoff)}）"
        s = run.scheme_snapshot
        yield f"考评方案：{s['name']}（{s['code']} 第{s['version']}版）"
        header = ["名次", "单位", *[f"{i['label']}({i['max_points']})" for i in items], "总分", "等次"]
        results = list(run.results.all())
        for kind, title in (("township", "乡镇"), ("department", "部门")):
            ranked = sorted(
                (r for r in results if r.unit_kind == kind and not r.apart), key=lambda r: (r.rank, r.unit_name)
            )
            apart = sorted((r for r in results if r.unit_kind == kind and r.apart), key=lambda r: r.unit_name)
            yield ""
            yield f"【{title}】参与排名{len(ranked)}个"
            if ranked:
                yield from table(header, [self._row(r, items, r.rank) for r in ranked])
            if apart:
                said = f"到期应回复留言少于{s['min_due']}条，样本不足，按有数据的项目折算总分，单列不排名"
                yield f"{said}（{len(apart)}个）："
                yield from table(header, [self._row(r, items, "—") for r in apart])
        yield ""
        earlier = run.same_as_earlier()
        same = f"，与第{earlier.pk}次考评的输入和结果相同" if earlier else ""
        yield f"已保存为第{run.pk}次考评（/evaluation/runs/{run.pk}/），输入摘要 {run.short_digest}{same}。"
        for anchor in run.anchor_list:
            yield f"记录链锚点 {anchor}（manage.py verify_events --anchor {anchor} 可核对）"

    @staticmethod
    def _row(result, items, rank):
        points = [show(Decimal(result.points[i["key"]])) for i in items]
        return [rank, result.unit_name, *points, show(result.total), result.grade_shown]
