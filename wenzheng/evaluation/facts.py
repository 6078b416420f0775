"""What the evaluation counts, read with aggregate queries (GROUP BY unit).

The facts of every unit of a region come from a fixed handful of queries, whatever
the number of units or messages: the database counts, Python only scores. The same
conditions select the rows behind each count on a unit's drill-down page (the
`*_evidence` functions), so a count and its evidence cannot disagree.

When an obligation counts (DOMAIN.md: "rates count only messages that were due by
the cut-off, or completed before it"). Each response or reply stage counts in the
period in which it was settled: when it fell due, or when it was completed if that
came first. So a stage counts once across consecutive periods, a message received
yesterday counts against nobody, and a stage still open at its deadline counts as
late in the period of that deadline. A stage ended by a transfer that the unit
asked for before its deadline (outcome "transferred") never counts against it: the
receiving unit's clock restarts. Handed back late, it was late (handling.actions).
A stage ended by reassignment (改派, outcome "reassigned") counts for nobody either.
Among counted stages, on time is exactly the outcome frozen as on time: such a stage
was completed before its deadline, and so before the cut-off.

Closure is counted on the same reply stages, by the seed's criteria per category
(see `closure_met`), as the message stood at the cut-off: closed then, and not
reopened (重办) before it, which is what the bulletin's 办结 means too
(wenzheng.reports.figures.status_counts).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, Least

from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Category, Message, Reply, Stage
from wenzheng.supervision.models import Exposure, SupervisionFinding, WrittenExplanationOrder
from wenzheng.units.models import RosterFiling, RosterMember, Unit
from wenzheng.workdays.clock import local_date

from .models import BulletinRow

ON_TIME = Stage.Outcome.ON_TIME
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Window:
    """The period's local dates, its first instant and the cut-off instant."""

    first_day: dt.date
    last_day: dt.date
    start: dt.datetime
    cutoff: dt.datetime

    @classmethod
    def of(cls, period, now: dt.datetime) -> "Window":
        return cls(period.first_day, period.last_day, period.start, period.cutoff(now))

    @property
    def last_counted_day(self) -> dt.date:
        """The last local day before the cut-off (for records dated by day)."""
        return min(self.last_day, local_date(self.cutoff - dt.timedelta(microseconds=1)))


@dataclass
class Facts:
    """Every evaluated unit's counts, and the category names the kinds write with."""

    units: list[tuple[int, str, str]]  # (id, name, kind), by id: the same order on every database
    by_unit: dict[int, dict] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)

    def of(self, unit_id: int) -> dict:
        return self.by_unit.get(unit_id, {})


def evaluated_units(region, window: Window):
    """Units of the region registered by the cut-off and still active after the
    period began."""
    return (
        Unit.objects.in_region(region)
        .filter(registered_on__lte=window.last_counted_day)
        .filter(Q(deactivated_on__isnull=True) | Q(deactivated_on__gt=window.first_day))
    )


# --- the conditions, shared by counts and evidence ----------------------------------


def counted_stages(window: Window):
    """Stages settled in the window, as the module docstring says."""
    settled = Least("due_at", Coalesce("completed_at", "due_at"))
    return (
        Stage.objects.alias(settled=settled)
        .filter(settled__gte=window.start, settled__lt=window.cutoff)
        # Ended by a transfer asked for in time, or by reassignment (改派): for nobody.
        .exclude(outcome__in=[Stage.Outcome.TRANSFERRED, Stage.Outcome.REASSIGNED])
    )


def closed_at_cutoff(cutoff) -> Q:
    """For a stage row: its message was closed at the cut-off.

    The message's own closed_at settles almost every case: a closure before the
    cut-off that is still in force. Only a message reopened after the cut-off needs
    its events read, to see whether it was closed at the cut-off.
    """
    reopened_since = Event.objects.filter(message=OuterRef("message"), kind=Event.Kind.REOPENED, at__gte=cutoff)
    undone = Event.objects.filter(
        message=OuterRef("message"), kind=Event.Kind.REOPENED, seq__gt=OuterRef("seq"), at__lt=cutoff
    )
    closed_then = Event.objects.filter(message=OuterRef("message"), kind=Event.Kind.CLOSED, at__lt=cutoff).exclude(
        Exists(undone)
    )
    return Q(message__closed_at__lt=cutoff) | (Q(Exists(reopened_since)) & Q(Exists(closed_then)))


def closure_met(cutoff) -> Q:
    """For a reply stage: it counts as closed by the seed's criteria.

    建议类、咨询类 (closure rule "reply"): replied within the limit and closed.
    诉求类 (closure rule "resolve"): closed as solved, or as explained where it cannot
    be solved soon. Long-cycle or unsolvable, in any category: closed after the city
    or county leadership group approved it.
    """
    long_cycle = Event.objects.filter(message=OuterRef("message"), kind=Event.Kind.LONG_CYCLE_APPROVED, at__lt=cutoff)
    criteria = (
        Q(message__category__closure_rule=Category.ClosureRule.RESOLVE) | Q(outcome=ON_TIME) | Q(Exists(long_cycle))
    )
    return Q(kind=Stage.Kind.REPLY) & closed_at_cutoff(cutoff) & criteria


def backlog_missed(window: Window):
    """Written-explanation orders whose backlog deadline passed in the window with a
    message still unanswered by the unit (as WrittenExplanationOrder.backlog_cleared_in_time)."""
    replied = Reply.objects.filter(
        message=OuterRef("pk"), unit=OuterRef(OuterRef("unit")), at__lt=OuterRef(OuterRef("backlog_deadline"))
    )
    unanswered = Message.objects.filter(explanation_orders=OuterRef("pk")).exclude(Exists(replied))
    return WrittenExplanationOrder.objects.filter(
        backlog_deadline__gte=window.start, backlog_deadline__lt=window.cutoff
    ).filter(Exists(unanswered))


def findings_in(window: Window):
    return SupervisionFinding.objects.filter(found_on__gte=window.first_day, found_on__lte=window.last_counted_day)


# Each finding costs a unit through one source only: a written criticism as such;
# otherwise an imported bulletin row by its own points; otherwise an adverse finding.
CRITICISM = Q(written_criticism=True)
BULLETIN = Q(written_criticism=False, bulletin_row__isnull=False)
ADVERSE = Q(written_criticism=False, adverse=True, bulletin_row__isnull=True)


def ratings_in(window: Window):
    return Message.objects.filter(rated_at__gte=window.start, rated_at__lt=window.cutoff)


def exposures_in(window: Window):
    return Exposure.objects.filter(published_at__gte=window.start, published_at__lt=window.cutoff)


def orders_in(window: Window):
    return WrittenExplanationOrder.objects.filter(ordered_at__gte=window.start, ordered_at__lt=window.cutoff)


def filings_for(window: Window):
    """The roster filed for the period's year before the cut-off."""
    return RosterFiling.objects.filter(year=window.last_day.year, filed_at__lt=window.cutoff)


# --- the counts ---------------------------------------------------------------------


def collect(region, window: Window, *, unit_ids=None) -> Facts:
    """Count every fact the item kinds score, for each evaluated unit of the region.

    Each `fp.*` entry sums the ids of the rows behind a count: two runs whose facts
    agree counted the same rows, not just as many.
    """
    units = evaluated_units(region, window)
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    facts = Facts(units=list(units.order_by("pk").values_list("pk", "name", "kind")))
    facts.categories = dict(Category.objects.order_by("order", "pk").values_list("code", "name"))
    for unit_id, *_ in facts.units:
        facts.by_unit[unit_id] = {}

    def add(rows, mapping):
        for row in rows:
            target = facts.by_unit.get(row["unit"])
            if target is None:
                continue
            for key, column in mapping.items():
                value = row[column]
                if value:
                    # PostgreSQL sums bigints as numeric: counts and id sums are ints.
                    value = value if key == "deduct.bulletin_points" else int(value)
                    target[key] = target.get(key, 0) + value

    _stages(units, window, add)
    add(
        ratings_in(window)
        .filter(unit__in=units)
        .values("unit")
        .annotate(
            rated=Count("pk"),
            satisfied=Count("pk", filter=Q(rating=Message.Rating.SATISFIED)),
            basic=Count("pk", filter=Q(rating=Message.Rating.BASICALLY_SATISFIED)),
            fp=Sum("pk"),
        )
        .order_by(),
        {"rating.rated": "rated", "rating.satisfied": "satisfied", "rating.basic": "basic", "fp.rating": "fp"},
    )
    for name, records in (
        ("explanation_ordered", orders_in(window)),
        ("backlog_missed", backlog_missed(window)),
        ("exposure", exposures_in(window)),
    ):
        add(
            records.filter(unit__in=units).values("unit").annotate(n=Count("pk"), fp=Sum("pk")).order_by(),
            {f"deduct.{name}": "n", f"fp.{name}": "fp"},
        )
    add(
        findings_in(window)
        .filter(unit__in=units)
        .values("unit")
        .annotate(
            criticism=Count("pk", filter=CRITICISM),
            adverse=Count("pk", filter=ADVERSE),
            bulletin=Count("pk", filter=BULLETIN),
            points=Sum("bulletin_row__points", filter=BULLETIN),
            fp=Sum("pk"),
        )
        .order_by(),
        {
            "deduct.written_criticism": "criticism",
            "deduct.adverse_finding": "adverse",
            "deduct.bulletin": "bulletin",
            "deduct.bulletin_points": "points",
            "fp.finding": "fp",
        },
    )
    add(
        filings_for(window)
        .filter(unit__in=units)
        .values("unit")
        .annotate(
            filed=Count("pk", distinct=True),
            leaders=Count("members", filter=Q(members__position=RosterMember.Position.LEADER)),
            handlers=Count("members", filter=Q(members__position=RosterMember.Position.HANDLER)),
            fp=Max("pk"),
            fp_members=Sum("members__pk"),
        )
        .order_by(),
        {
            "roster.filed": "filed",
            "roster.leaders": "leaders",
            "roster.handlers": "handlers",
            "fp.roster": "fp",
            "fp.roster_members": "fp_members",
        },
    )
    for unit_facts in facts.by_unit.values():
        # Decimal sums go into JSON as text, to the cent: SQLite and PostgreSQL return
        # sums at different scales (1.5, 1.50), and the digest must not differ.
        if "deduct.bulletin_points" in unit_facts:
            unit_facts["deduct.bulletin_points"] = f"{Decimal(unit_facts['deduct.bulletin_points']).quantize(CENT):f}"
    return facts


def _stages(units, window, add):
    """One pass over the counted stages: timeliness per kind, closure per category."""
    rows = (
        counted_stages(window)
        .filter(unit__in=units)
        .values("unit", "kind", "message__category__code")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(outcome=ON_TIME)),
            met=Count("pk", filter=closure_met(window.cutoff)),
            fp=Sum("pk"),
            fp_on_time=Sum("pk", filter=Q(outcome=ON_TIME)),
            fp_met=Sum("pk", filter=closure_met(window.cutoff)),
        )
        .order_by()
    )
    for row in rows:
        kind, code = row["kind"], row["message__category__code"]
        mapping = {
            f"{kind}.due": "due",
            f"{kind}.on_time": "on_time",
            f"fp.{kind}": "fp",
            f"fp.{kind}_on_time": "fp_on_time",
        }
        if kind == Stage.Kind.REPLY:
            mapping |= {f"closure.{code}.due": "due", f"closure.{code}.met": "met", "fp.closure": "fp_met"}
        add([row], mapping)


# --- the evidence behind one unit's counts ------------------------------------------


def stage_evidence(unit, window: Window, kind: str):
    """The counted stages of one kind, each with whether it counted as on time (and,
    for replies, as closed), oldest deadline first."""
    return (
        counted_stages(window)
        .filter(unit=unit, kind=kind)
        .select_related("message", "message__category", "message__region")
        .annotate(met=ExpressionWrapper(closure_met(window.cutoff), output_field=BooleanField()))
        .order_by("due_at", "pk")
    )


def rating_evidence(unit, window: Window):
    return ratings_in(window).filter(unit=unit).select_related("category", "region").order_by("rated_at", "pk")


def deduction_evidence(unit, window: Window) -> dict:
    """The records behind each deduction source, by source code."""
    findings = findings_in(window).filter(unit=unit).select_related("message").order_by("found_on", "pk")
    return {
        "explanation_ordered": list(orders_in(window).filter(unit=unit).order_by("ordered_at", "pk")),
        "backlog_missed": list(
            backlog_missed(window).filter(unit=unit).prefetch_related("messages").order_by("backlog_deadline", "pk")
        ),
        "written_criticism": list(findings.filter(CRITICISM)),
        "exposure": list(exposures_in(window).filter(unit=unit).order_by("published_at", "pk")),
        "adverse_finding": list(findings.filter(ADVERSE)),
        "bulletin": list(
            BulletinRow.objects.filter(finding__in=findings.filter(BULLETIN))
            .select_related("source", "finding")
            .order_by("source", "row_number")
        ),
    }


def roster_evidence(unit, window: Window):
    return filings_for(window).filter(unit=unit).prefetch_related("members__user").first()
