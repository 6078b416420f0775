"""What the evaluation counts, read with aggregate queries (GROUP BY unit).

The facts of every unit of a region come from a fixed handful of queries, whatever
the number of units or messages: the database counts, Python only scores. The same
conditions select the rows behind each count on a unit's drill-down page (the
`*_evidence` functions), so a count and its evidence cannot disagree.

When an obligation counts (DOMAIN.md: "rates count only messages that were due by
the cut-off, or completed before it"). Each response or reply stage is settled when
it fell due, or when it was completed if that came first; a stage still open at its
deadline is late. A stage ended by a transfer that the unit asked for before its
deadline (outcome "transferred") never counts against it: the receiving unit's
clock restarts. Handed back late, it was late (handling.actions). A stage ended by
reassignment (改派, outcome "reassigned") counts for nobody either. A hand-back or an
extension asked for in time that the office has not decided yet is not counted until
it is (`handling.deadlines.waiting_for_office`).

What is counted is a message at a unit that held it, never a stage (DOMAIN.md,
"Counting rules"): a message counts once for a kind (response, reply) in the period
if any of its stages of that kind at the unit settled in it, and it was on time only
if every one of those stages was completed on time. So a message reopened and
answered twice counts once, and a late answer is not made good by a second one.

Closure is counted on the same messages (those with a reply that counted), as each
stood at the cut-off: closed then by this unit, and not reopened (重办) before it,
which is what the bulletin's 办结 means too (wenzheng.reports.figures.status_counts);
and by its category's criterion, which for every category needs the reply within the
limit, extensions included (建议/咨询 "在规定时间内能给予回复", 诉求 "及时解决 … 及时进行
答复解释"). Only the long-cycle route, explained and approved by the leadership
group, counts as closed whatever the reply's timing (`closure_met`).

The database counts distinct messages per unit, kind and category in one GROUP BY:
"on time" is the messages counted less those with a late stage, "closed" the messages
closed at the cut-off less those that needed a timely reply and had a late one.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Least

from wenzheng.accounts import staff
from wenzheng.eventlog.models import Event
from wenzheng.handling.deadlines import waiting_for_office
from wenzheng.handling.models import Category, Message, Stage
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
        # None of a message marked as spam, whenever its stages ended.
        Stage.objects.counted()
        .alias(settled=settled)
        .filter(settled__gte=window.start, settled__lt=window.cutoff)
        # Ended by a transfer asked for in time, or by reassignment (改派): for nobody.
        .exclude(outcome__in=[Stage.Outcome.TRANSFERRED, Stage.Outcome.REASSIGNED])
        .exclude(waiting_for_office(window.cutoff))
    )


def closed_at_cutoff(cutoff, *, long_cycle: bool | None = None) -> Q:
    """For a stage row: its message stood closed at the cut-off, by the stage's unit
    (long_cycle=True: closed by the long-cycle route; False: by any other).

    The message's own closed_at settles almost every case: a closure before the
    cut-off that is still in force. Only a message reopened after the cut-off needs
    its events read, to see whether it was closed at the cut-off, and how.
    """
    current = Q(message__closed_at__lt=cutoff, message__unit=F("unit"))
    reopened_since = Event.objects.filter(message=OuterRef("message"), kind=Event.Kind.REOPENED, at__gte=cutoff)
    undone = Event.objects.filter(
        message=OuterRef("message"), kind=Event.Kind.REOPENED, seq__gt=OuterRef("seq"), at__lt=cutoff
    )
    closed_then = Event.objects.filter(
        message=OuterRef("message"), unit=OuterRef("unit"), kind=Event.Kind.CLOSED, at__lt=cutoff
    ).exclude(Exists(undone))
    if long_cycle is True:
        current &= Q(message__closure_kind=Message.ClosureKind.LONG_CYCLE)
        closed_then = closed_then.filter(data__closure_kind=Message.ClosureKind.LONG_CYCLE)
    elif long_cycle is False:
        current &= ~Q(message__closure_kind=Message.ClosureKind.LONG_CYCLE)
        closed_then = closed_then.exclude(data__closure_kind=Message.ClosureKind.LONG_CYCLE)
    return current | (Q(Exists(reopened_since)) & Q(Exists(closed_then)))


LATE = ~Q(outcome=ON_TIME)


def closure_met(cutoff) -> dict:
    """The closure counts of reply stages, as Count aggregates over their messages:
    `closed`, the messages closed at the cut-off, and `closed_late`, those of them
    that needed a timely reply (every route but the long-cycle one) and had a late
    stage. A message counts as closed by the seed's criteria when it is in the first
    and not in the second: closure.met = closed − closed_late."""
    reply = Q(kind=Stage.Kind.REPLY)
    closed = reply & closed_at_cutoff(cutoff)
    return {
        "closed": Count("message", distinct=True, filter=closed),
        # Which messages were closed, not only how many: their ids add up differently.
        "fp_closed": Sum("message", distinct=True, filter=closed),
        "closed_late": Count(
            "message", distinct=True, filter=reply & closed_at_cutoff(cutoff, long_cycle=False) & LATE
        ),
    }


def backlog_missed(window: Window):
    """Written-explanation orders whose backlog deadline passed in the window with a
    message still unanswered by the unit (WrittenExplanationOrderQuerySet.with_backlog_open)."""
    return (
        WrittenExplanationOrder.objects.filter(backlog_deadline__gte=window.start, backlog_deadline__lt=window.cutoff)
        .with_backlog_open()
        .filter(backlog_open=True)
    )


def findings_in(window: Window):
    return SupervisionFinding.objects.filter(found_on__gte=window.first_day, found_on__lte=window.last_counted_day)


# Each finding costs a unit through one source only: a written criticism as such;
# otherwise an imported bulletin row by its own points; otherwise an adverse finding.
CRITICISM = Q(written_criticism=True)
BULLETIN = Q(written_criticism=False, bulletin_row__isnull=False)
ADVERSE = Q(written_criticism=False, adverse=True, bulletin_row__isnull=True)


def ratings_in(window: Window):
    """The ratings the window counts, as their events (the rating in their data): of each
    message at each unit whose answer was rated, the last rating given before the
    cut-off, if given in the window. DOMAIN.md counts a message at a unit that held
    it, once: a message reopened after a 不满意, answered again and rated again
    counts its new rating (the 不满意 stands until then, so a reopening alone pays
    nothing); one handed to another unit after a 不满意 stays the first unit's
    不满意, and the second unit's answer is rated for the second. A period's figures
    do not change with ratings given after its cut-off.

    The citizen of a message merged into another (并单) rates the main message's
    answer on their own message (its event names the main message, `main`, and the
    unit that answered it): counted for that unit once for their message, as each
    merged work order's citizen is asked separately in 12345 practice. Counted while
    the merge into that main message stands: a merge undone (撤销并单) was an error,
    and the answer rated was written about another citizen's matter."""
    later = Event.objects.filter(
        message=OuterRef("message"),
        unit=OuterRef("unit"),
        kind=Event.Kind.RATED,
        seq__gt=OuterRef("seq"),
        at__lt=window.cutoff,
    )
    own = Q(main__isnull=True, message__in=Message.objects.counted_once().values("pk"))
    merged = Q(message__state=Message.State.MERGED, message__merged_into=F("main"))
    return (
        Event.objects.filter(kind=Event.Kind.RATED, at__gte=window.start, at__lt=window.cutoff)
        .alias(main=Cast(KT("data__main"), BigIntegerField()))
        .filter(own | merged)
        .exclude(Exists(later))
    )


def exposures_in(window: Window):
    return Exposure.objects.standing().filter(published_at__gte=window.start, published_at__lt=window.cutoff)


def orders_in(window: Window):
    return WrittenExplanationOrder.objects.filter(ordered_at__gte=window.start, ordered_at__lt=window.cutoff)


def filings_for(window: Window):
    """The roster for the period's year in force at the cut-off: of the versions filed
    before it, the last (a correction filed after the cut-off does not count for it)."""
    return RosterFiling.objects.in_force(before=window.cutoff).filter(year=window.last_day.year)


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
            satisfied=Count("pk", filter=Q(data__rating=Message.Rating.SATISFIED)),
            basic=Count("pk", filter=Q(data__rating=Message.Rating.BASICALLY_SATISFIED)),
            fp=Sum("message_id"),
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
        _roster_counts(filings_for(window).filter(unit__in=units), window),
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
    """One pass over the counted stages: timeliness per kind and closure per category,
    each a count of messages (see the module docstring)."""
    rows = (
        counted_stages(window)
        .filter(unit__in=units)
        .values("unit", "kind", "message__category__code")
        .annotate(
            due=Count("message", distinct=True),
            late=Count("message", distinct=True, filter=LATE),
            **closure_met(window.cutoff),
            fp=Sum("pk"),
            fp_late=Sum("pk", filter=LATE),
        )
        .order_by()
    )
    for row in rows:
        kind, code = row["kind"], row["message__category__code"]
        row["on_time"] = row["due"] - row["late"]
        mapping = {f"{kind}.due": "due", f"{kind}.on_time": "on_time", f"fp.{kind}": "fp", f"fp.{kind}_late": "fp_late"}
        if kind == Stage.Kind.REPLY:
            row["met"] = row["closed"] - row["closed_late"]
            mapping |= {f"closure.{code}.due": "due", f"closure.{code}.met": "met", "fp.closure": "fp_closed"}
        add([row], mapping)


# --- the evidence behind one unit's counts ------------------------------------------


@dataclass
class Counted:
    """One message at the unit as a rate counted it: its counted stages of one kind,
    on time only if all were; for replies, whether it stood closed at the cut-off, by
    which route, and so whether it counts as closed."""

    message: Message
    stages: list
    closed: bool = False
    long_cycle: bool = False

    @property
    def on_time(self) -> bool:
        return all(s.outcome == ON_TIME for s in self.stages)

    @property
    def met(self) -> bool:
        return self.closed and (self.long_cycle or self.on_time)


def stage_evidence(unit, window: Window, kind: str) -> list[Counted]:
    """The messages counted for one kind, each with its counted stages, oldest
    deadline first: the rows behind `{kind}.due`, `.on_time` and the closure counts."""
    stages = (
        counted_stages(window)
        .filter(unit=unit, kind=kind)
        .select_related("message", "message__category", "message__region")
        .annotate(
            closed=ExpressionWrapper(closed_at_cutoff(window.cutoff), output_field=BooleanField()),
            long_cycle=ExpressionWrapper(closed_at_cutoff(window.cutoff, long_cycle=True), output_field=BooleanField()),
        )
        .order_by("due_at", "pk")
    )
    by_message: dict[int, Counted] = {}
    for stage in stages:
        counted = by_message.get(stage.message_id)
        if counted is None:
            counted = by_message[stage.message_id] = Counted(stage.message, [])
        counted.stages.append(stage)
        counted.closed = counted.closed or bool(stage.closed)
        counted.long_cycle = counted.long_cycle or bool(stage.long_cycle)
    return list(by_message.values())


def rating_evidence(unit, window: Window):
    """The ratings counted for `unit` (ratings_in), each its message's (`message`,
    with the main message it was merged into, 并单), with its rating (`given_rating`)."""
    return (
        ratings_in(window)
        .filter(unit=unit)
        .annotate(given_rating=KT("data__rating"))
        .select_related("message__category", "message__region", "message__merged_into")
        .order_by("at", "seq")
    )


def deduction_evidence(unit, window: Window) -> dict:
    """The records behind each deduction source, by source code."""
    findings = findings_in(window).filter(unit=unit).select_related("message").order_by("found_on", "pk")
    return {
        "explanation_ordered": list(orders_in(window).filter(unit=unit).order_by("ordered_at", "pk")),
        "backlog_missed": list(
            backlog_missed(window).filter(unit=unit).prefetch_related("messages").order_by("backlog_deadline", "pk")
        ),
        "written_criticism": list(findings.filter(CRITICISM)),
        "exposure": list(
            exposures_in(window).filter(unit=unit).select_related("message").order_by("published_at", "pk")
        ),
        "adverse_finding": list(findings.filter(ADVERSE)),
        "bulletin": list(
            BulletinRow.objects.filter(finding__in=findings.filter(BULLETIN))
            .select_related("source", "finding")
            .order_by("source", "row_number")
        ),
    }


def counted_members(members, states) -> list:
    """The roster `members` who count: their account, as it was at the cut-off
    (`states`: accounts.staff.states_at), active, of the filing's unit and in the role
    of their slot (RosterMember.counts_as). One stopped, moved to another unit or given
    another role since the filing no longer counts for it (DOMAIN.md: active accounts
    of the right roles)."""
    return [m for m in members if m.user_id in states and m.counts_as(*states[m.user_id])]


def _roster_counts(filings, window: Window) -> list[dict]:
    """Per unit: its roster in force, and its leaders and handlers who count."""
    filings = list(filings.prefetch_related("members"))
    members = {f.pk: list(f.members.all()) for f in filings}
    states = staff.states_at({m.user_id for ms in members.values() for m in ms}, window.cutoff)
    rows = []
    for filing in filings:
        counted = counted_members(members[filing.pk], states)
        positions = [m.position for m in counted]
        rows.append(
            {
                "unit": filing.unit_id,
                "filed": 1,
                "leaders": positions.count(RosterMember.Position.LEADER),
                "handlers": positions.count(RosterMember.Position.HANDLER),
                "fp": filing.pk,
                "fp_members": sum(m.pk for m in counted),
            }
        )
    return rows


def _why_not(filing, unit_id, role, active) -> str:
    if not active:
        return "账号已停用"
    if unit_id != filing.unit_id:
        return "已调离本单位"
    return "账号角色不符"


def roster_evidence(unit, window: Window):
    """The roster in force at the cut-off, each member marked `counted` (or not, and
    why: `not_counted`)."""
    filing = filings_for(window).filter(unit=unit).prefetch_related("members__user").first()
    if filing is None:
        return None
    members = list(filing.members.all())
    states = staff.states_at({m.user_id for m in members}, window.cutoff)
    counted = {m.pk for m in counted_members(members, states)}
    for m in members:
        m.counted = m.pk in counted
        m.not_counted = "" if m.counted else _why_not(filing, *states.get(m.user_id, (None, None, False)))
    filing.shown_members = members
    return filing
