"""The quarterly bulletin (通报): what a period's page, workbook and document say.

Its 回复率 and 办结率 keep the seed's plain definition over all messages received in
the period (wenzheng.reports.figures). Its list of late messages uses the
evaluation's own rule (wenzheng.evaluation.facts): a response or reply that fell
due in the period and was not given in time, or is still not given at the cut-off.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from wenzheng.privacy.public import Publisher
from wenzheng.reports import figures
from wenzheng.reports.periods import Period
from wenzheng.topics import figures as topic_figures

from . import facts as facts_module


@dataclass(frozen=True)
class Late:
    stage_id: int
    serial: str
    region_code: str
    title: str
    unit_id: int
    unit: str  # its name; in a city's bulletin with its county's (unit_label)
    category: str
    kind: str  # 回应 | 回复
    due_at: dt.datetime
    completed_at: dt.datetime | None  # None: still not given at the cut-off

    @property
    def given(self) -> bool:
        return self.completed_at is not None


@dataclass
class Bulletin:
    region: object
    period: Period
    figures: figures.Figures
    units: list  # figures.UnitFigures, every unit registered by the period's end
    months: list
    late: list[Late]
    late_units: list[tuple[str, int]]  # (unit_label, late stages), most first
    topics: list = field(default_factory=list)  # topics.figures.TopicFigures, by 大类

    @property
    def title(self) -> str:
        return f"{self.region.name}网络问政工作{self.period.label}情况通报"

    @property
    def cutoff(self) -> dt.datetime:
        return self.figures.cutoff

    @property
    def units_with_messages(self):
        return [u for u in self.units if u.received]

    @property
    def late_by_unit(self) -> Counter:
        """Late stages by unit id: a city's counties have units of the same name (a
        trial: one county's 县交通运输局 showed the other's count)."""
        return Counter(item.unit_id for item in self.late)

    def unit_label(self, unit) -> str:
        return unit_label(self.region, unit)

    def late_sentence(self) -> str:
        if not self.late_units:
            return "本期没有回应、回复迟延的单位。"
        named = "、".join(f"{name}（{n}条次）" for name, n in self.late_units)
        return f"本期回应、回复迟延的单位有{len(self.late_units)}个：{named}。"


def unit_label(region, unit) -> str:
    """How a bulletin of `region` names `unit` (Region.names_unit)."""
    return region.names_unit(unit.name, unit.region.name)


def late_stages(region, period: Period, *, now):
    """Responses and replies that fell due in the period and were late, or are still
    not given at the cut-off, in the units of the region."""
    window = facts_module.Window.of(period, now)
    units = facts_module.evaluated_units(region, window)
    return (
        facts_module.counted_stages(window)
        .filter(unit__in=units)
        .exclude(outcome="on_time")
        .select_related("message", "message__category", "message__region", "message__citizen", "unit__region")
        .prefetch_related("message__reviews")
        .order_by("due_at", "pk")
    )


def assemble(region, period: Period, *, now) -> Bulletin:
    # A bulletin is published: message titles in it are masked as on every public surface.
    publisher = Publisher()
    late = [
        Late(
            stage_id=s.pk,
            serial=s.message.serial,
            region_code=s.message.region.code,
            title=publisher.title(s.message),
            unit_id=s.unit_id,
            unit=unit_label(region, s.unit),
            category=s.message.category.name,
            kind=s.get_kind_display(),
            due_at=s.due_at,
            # Completed after the cut-off: as the period stood, not given.
            completed_at=s.completed_at if s.completed_at and s.completed_at < period.cutoff(now) else None,
        )
        for s in late_stages(region, period, now=now)
    ]
    # Sorted here, not by the database, so every database gives the same order.
    late.sort(key=lambda item: (item.unit, item.due_at, item.stage_id))
    named = {item.unit_id: item.unit for item in late}
    counted = Counter(item.unit_id for item in late)
    late_units = sorted(((named[u], n) for u, n in counted.items()), key=lambda un: (-un[1], un[0]))
    return Bulletin(
        region=region,
        period=period,
        figures=figures.compute(region, period, now=now),
        units=figures.per_unit(region, period, now=now),
        months=figures.monthly(region, period, now=now),
        late=late,
        late_units=late_units,
        topics=topic_figures.by_major(region, period, now=now),
    )
