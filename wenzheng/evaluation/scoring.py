"""Scoring a region's facts with a scheme: item points, totals, grades, ranks.

Pure over plain values: the scheme as its snapshot (schemes.snapshot) and the facts
(facts.collect). A stored run, the what-if comparison and a unit's drill-down all
score through here, so they cannot disagree.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from . import kinds, ranking


@dataclass
class UnitScore:
    unit_id: int
    name: str
    kind: str  # township | department
    facts: dict
    scores: dict  # item key → kinds.Score
    total: Decimal
    grade: str
    due: int
    apart: bool
    rank: int | None = None
    # A small sample's total is scaled: these are the points it got on the items that
    # had data, and their full marks (None for a unit scored on every item).
    measured_points: Decimal | None = None
    measured_max: Decimal | None = None

    @property
    def points(self) -> dict:
        return {key: score.points for key, score in self.scores.items()}


def due_messages(facts: dict) -> int:
    """The sample size the small-sample rule reads: reply obligations that counted."""
    return facts.get("reply.due", 0)


def scaled_total(scores: dict) -> tuple[Decimal, Decimal, Decimal]:
    """DOMAIN.md, "Counting rules": a unit with too few due messages is scored on what
    can be measured: its points on the items that had data, scaled to the scheme's
    full marks. Returns (total, points measured, their full marks). With nothing
    measured at all (a scheme of rates only, and no messages) the total is 0."""
    full = sum((s.max_points for s in scores.values()), Decimal(0))
    measured = [s for s in scores.values() if s.measured]
    got = sum((s.points for s in measured), Decimal(0))
    out_of = sum((s.max_points for s in measured), Decimal(0))
    if not out_of:
        return Decimal("0.00"), got, out_of
    return kinds.quantize(got * full / out_of), got, out_of


def score_unit(scheme: dict, facts: dict, ctx: kinds.Context) -> dict:
    return {
        item["key"]: kinds.get(item["kind"]).score(item["params"], Decimal(item["max_points"]), facts, ctx)
        for item in scheme["items"]
    }


@contextmanager
def _no_cycle_collection():
    """Scoring 10,000 units makes a few hundred thousand small objects that all live
    until the run is stored and hold no reference cycles; the cyclic collector would
    walk them again and again as they pile up (two thirds of the scoring time,
    measured). Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def score_all(scheme: dict, facts) -> list[UnitScore]:
    """Every unit scored and graded; ranked among its kind unless its sample is too
    small, in which case it is scored over the items that had data (`scaled_total`),
    marked 样本不足 and listed apart without a rank."""
    with _no_cycle_collection():
        return _score_all(scheme, facts)


def _score_all(scheme: dict, facts) -> list[UnitScore]:
    ctx = kinds.Context(categories=facts.categories)
    results = []
    for unit_id, name, kind in facts.units:
        unit_facts = facts.of(unit_id)
        scores = score_unit(scheme, unit_facts, ctx)
        due = due_messages(unit_facts)
        apart = due < scheme["min_due"]
        measured = (None, None)
        if apart:
            total, *measured = scaled_total(scores)
        else:
            total = sum((s.points for s in scores.values()), Decimal("0.00"))
        results.append(
            UnitScore(
                unit_id=unit_id,
                name=name,
                kind=kind,
                facts=unit_facts,
                scores=scores,
                total=total,
                grade=ranking.grade(total, scheme["grades"]),
                due=due,
                apart=apart,
                measured_points=measured[0],
                measured_max=measured[1],
            )
        )
    ranks = ranking.competition_ranks((r.unit_id, r.kind, r.total) for r in results if not r.apart)
    for r in results:
        r.rank = ranks.get(r.unit_id)
    return results


def ordered(results):
    """Townships then departments; ranked units by rank, then those listed apart."""
    kind_order = {"township": 0, "department": 1}
    return sorted(
        results,
        key=lambda r: (kind_order.get(r.kind, 2), r.apart, r.rank or 0, -r.total, r.name),
    )
