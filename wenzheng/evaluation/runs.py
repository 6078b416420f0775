"""Running an evaluation and storing it; comparing two schemes on the same facts."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wenzheng.accounts.policy import ActionRefused
from wenzheng.eventlog import chain
from wenzheng.reports import periods
from wenzheng.reports.periods import Period

from . import facts as facts_module
from . import kinds, schemes, scoring
from .models import Run, Scheme, UnitResult

BATCH = 2000


def digest(region, window, facts) -> str:
    """The digest of a run's inputs: the region, the period and cut-off, and every
    unit's facts, whose `fp.*` entries sum the ids of the rows behind each count.
    The scheme is not part of it, so runs of two schemes over the same data show
    the same digest."""
    body = {
        "region": region.code,
        "period": [window.first_day.isoformat(), window.last_day.isoformat()],
        "cutoff": window.cutoff.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "categories": facts.categories,
        "units": [[uid, name, kind, facts.of(uid)] for uid, name, kind in facts.units],
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_evaluation(*, scheme: Scheme, region, period: Period, by=None, now=None) -> Run:
    """Score every unit of the region over the period and store the run.

    The facts are counted before the write transaction opens, so a long count never
    holds SQLite's write lock (transactions there begin IMMEDIATE) and blocks the
    units' work. Each count is one statement, consistent in itself; the digest
    records exactly what was read, so the stored scores always match their facts.
    """
    now = now or timezone.now()
    if period.start > now:
        raise ActionRefused("period_not_started", f"{period.label}尚未开始，没有可统计的数据。")
    if not scheme.may_score(region):
        raise ActionRefused("scheme_elsewhere", scheme.refusal_for(region))
    window = facts_module.Window.of(period, now)
    snapshot = schemes.snapshot(scheme)
    # The chains' heads before counting: whatever the count read was written by then.
    anchors = [a.as_list() for a in chain.anchors(region)]
    found = facts_module.collect(region, window)
    results = scoring.score_all(snapshot, found)
    with transaction.atomic():
        run = Run.objects.create(
            scheme=scheme,
            scheme_snapshot=snapshot,
            region=region,
            period_code=periods.code_of(period),
            period_label=period.label,
            first_day=period.first_day,
            last_day=period.last_day,
            cutoff=window.cutoff,
            digest=digest(region, window, found),
            categories=found.categories,
            units_count=len(results),
            created_at=now,
            created_by=by,
            anchors=anchors,
        )
        UnitResult.objects.bulk_create(
            (
                UnitResult(
                    run=run,
                    unit_id=r.unit_id,
                    unit_name=r.name,
                    unit_kind=r.kind,
                    facts=r.facts,
                    points={key: f"{p:f}" for key, p in r.points.items()},
                    total=r.total,
                    grade=r.grade,
                    due=r.due,
                    apart=r.apart,
                    rank=r.rank,
                    measured_points=r.measured_points,
                    measured_max=r.measured_max,
                )
                for r in results
            ),
            batch_size=BATCH,
        )
    return run


def labelled_results(run: Run) -> list[UnitResult]:
    """The run's results, each with `label`: its unit's name, in a city's run with
    its county's (天峨县·县交通运输局): every county has its 县交通运输局, and a trial of
    a second county found a city's ranking naming two alike."""
    results = list(run.results.select_related("unit__region"))
    for r in results:
        r.label = run.region.names_unit(r.unit_name, r.unit.region.name)
    return results


def window_of(run: Run) -> facts_module.Window:
    period = Period(run.first_day, run.last_day, run.period_label)
    return facts_module.Window(run.first_day, run.last_day, period.start, run.cutoff)


def rescore(run: Run, result: UnitResult) -> dict:
    """A stored unit result scored again from its stored facts with the run's scheme
    (the working for the drill-down page)."""
    return scoring.score_unit(run.scheme_snapshot, result.facts, kinds.Context(categories=run.categories))


def item_points(run: Run, result: UnitResult) -> list[Decimal | None]:
    """A result's points on each item of the run's scheme, in order; None for an item
    that had no data in a unit listed apart (样本不足), which its total leaves out
    (scoring.scaled_total): shown as points, its stored value (for a rate with no
    messages, the item's full marks) read as if earned."""
    items = run.scheme_snapshot["items"]
    if not result.apart:
        return [Decimal(result.points[i["key"]]) for i in items]
    scores = rescore(run, result)
    return [Decimal(result.points[i["key"]]) if scores[i["key"]].measured else None for i in items]


@dataclass
class Comparison:
    unit_id: int
    name: str
    kind: str
    a: scoring.UnitScore
    b: scoring.UnitScore

    @property
    def change(self) -> int | None:
        """Places gained (positive) or lost under scheme B; None if either is unranked."""
        if self.a.rank is None or self.b.rank is None:
            return None
        return self.a.rank - self.b.rank

    @property
    def places(self) -> int:
        return abs(self.change or 0)

    @property
    def delta(self):
        return self.b.total - self.a.total


def compare(*, scheme_a: Scheme, scheme_b: Scheme, region, period: Period, now=None) -> list[Comparison]:
    """What-if: the same facts, read once, scored by two schemes, unit by unit."""
    window = facts_module.Window.of(period, now or timezone.now())
    found = facts_module.collect(region, window)
    a = {r.unit_id: r for r in scoring.score_all(schemes.snapshot(scheme_a), found)}
    b = {r.unit_id: r for r in scoring.score_all(schemes.snapshot(scheme_b), found)}
    rows = [Comparison(uid, name, kind, a[uid], b[uid]) for uid, name, kind in found.units]
    kind_order = {"township": 0, "department": 1}
    return sorted(rows, key=lambda c: (kind_order.get(c.kind, 2), c.b.apart, c.b.rank or 0, c.name))
