"""The quarterly figures (回复率, 办结率) and the summary sentence that publishes them.

Definitions from the seed: 回复率 = messages replied ÷ messages received in the
period; 办结率 = messages closed ÷ messages received. Each message received in the
period counts as replied or closed if it was so at the cut-off moment, so a report
for a past quarter reads the same whenever it is run, but for what the side steps
change afterwards: a message merged (并单), transferred or marked as spam since, or
history entered since, is counted as it stands now (its main message's answer, its
present unit). A published bulletin keeps what it said (PublishedBulletin), and the
statistics page of a period with one says so and leads to it. Counting every side
step as it stood at the cut-off is not done: the kept figures (tally) would have to
keep each message's unit by month.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Category, Message, Reply
from wenzheng.units.models import Region, Unit
from wenzheng.workdays.clock import local_date

from .periods import Period


def percent(part: int, whole: int) -> str:
    """One decimal, half up, a trailing ".0" dropped: 45/46 → "97.8%", 46/46 → "100%"."""
    if whole == 0:
        raise ValueError("a rate over no messages is undefined")
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


@dataclass(frozen=True)
class Figures:
    period: Period
    cutoff: dt.datetime
    new_units: int
    total_units: int
    received: int
    by_category: list[tuple[str, int]]
    replied: int
    closed: int

    @property
    def in_progress(self) -> int:
        return self.received - self.closed

    @property
    def reply_rate(self) -> str | None:
        return percent(self.replied, self.received) if self.received else None

    @property
    def closure_rate(self) -> str | None:
        return percent(self.closed, self.received) if self.received else None

    def summary(self) -> str:
        """The seed's sentence, word for word in form."""
        units = f"新增{self.new_units}个实名上网单位,实名上网单位总数达{self.total_units}个。"
        if not self.received:
            return units + "本期未收到网民留言。"
        breakdown = "、".join(f"{name}类{n}条" for name, n in self.by_category)
        return (
            f"{units}共收到网民留言总数{self.received}条(其中,{breakdown}),"
            f"回复网民留言{self.replied}条,回复率{self.reply_rate}。"
            f"办结网民留言{self.closed}条,正在办理{self.in_progress}条,办结率为{self.closure_rate}。"
        )


def messages_received(region, period: Period, *, once: bool = False, major: str | None = None):
    """Messages received in the period, in a county or in all counties of a city
    (those marked as spam never count: `counted()`). Merged messages (并单) are received
    like any other; `once` leaves them out, as a unit's figures do (`counted_once`).
    `major`, the first two digits of a 大类's code, keeps the messages under it."""
    messages = Message.objects.counted_once() if once else Message.objects.counted()
    messages = messages.received_between(period.start, period.end)
    if major:
        messages = messages.filter(topic__code__startswith=major)
    if region.kind == Region.Kind.CITY:
        return messages.filter(region__parent=region)
    return messages.filter(region=region)


def status_counts(cutoff) -> dict:
    """Aggregates counting messages received, replied and closed as of `cutoff`.

    Closed means: a closure before the cut-off that no reopening before the cut-off
    undid. So a past period reads the same whenever it is counted. A merged message
    (并单) is replied and closed when its main message is: they are answered together.
    An answer to a follow-up (追问) is no reply to the message: a message merged and
    then unmerged holds the main message's unit's answers to its citizen's follow-ups
    and no reply of its own.
    """
    answered_as = Message.answered_as(OuterRef)
    replied = Reply.objects.filter(message=answered_as, at__lt=cutoff, follow_up__isnull=True)
    reopened_later = Event.objects.filter(
        message=OuterRef("message"), kind=Event.Kind.REOPENED, seq__gt=OuterRef("seq"), at__lt=cutoff
    )
    closed = Event.objects.filter(message=answered_as, kind=Event.Kind.CLOSED, at__lt=cutoff).exclude(
        Exists(reopened_later)
    )
    return {
        "received": Count("pk"),
        "replied": Count("pk", filter=Q(Exists(replied))),
        "closed": Count("pk", filter=Q(Exists(closed))),
    }


def unit_counts(region, period: Period, *, now: dt.datetime) -> tuple[int, int]:
    """Units newly registered in the period, and all registered at its cut-off."""
    cutoff = period.cutoff(now)
    units = Unit.objects.in_region(region)
    new = units.filter(registered_on__gte=period.first_day, registered_on__lte=period.last_day).count()
    total = units.registered_by(min(period.last_day, local_date(cutoff - dt.timedelta(microseconds=1)))).count()
    return new, total


def compute(region, period: Period, *, now: dt.datetime, major: str | None = None) -> Figures:
    """Counted from the messages, replies and events: the bulletin's figures. Pages
    read the same figures kept current (wenzheng.reports.tally)."""
    cutoff = period.cutoff(now)
    messages = messages_received(region, period, major=major)
    totals = messages.aggregate(**status_counts(cutoff))
    per_category = dict(messages.values_list("category").annotate(n=Count("pk")).values_list("category", "n"))
    by_category = [
        (c.name, per_category.get(c.pk, 0))
        for c in Category.objects.all()
        if c.counted_in_bulletin or per_category.get(c.pk)
    ]
    new_units, total_units = unit_counts(region, period, now=now)
    return Figures(
        period=period,
        cutoff=cutoff,
        new_units=new_units,
        total_units=total_units,
        received=totals["received"],
        by_category=by_category,
        replied=totals["replied"],
        closed=totals["closed"],
    )


@dataclass(frozen=True)
class UnitFigures:
    unit: Unit
    received: int
    replied: int
    closed: int

    @property
    def reply_rate(self) -> str | None:
        return percent(self.replied, self.received) if self.received else None

    @property
    def closure_rate(self) -> str | None:
        return percent(self.closed, self.received) if self.received else None


def per_unit(region, period: Period, *, now: dt.datetime, major: str | None = None) -> list[UnitFigures]:
    """Every unit registered by the period's end, with its figures (zeros included)."""
    cutoff = period.cutoff(now)
    # A merged message counts for no unit: its main message counts once (并单).
    rows = messages_received(region, period, once=True, major=major).values("unit").annotate(**status_counts(cutoff))
    by_unit = {row["unit"]: row for row in rows}
    units = Unit.objects.in_region(region).registered_by(period.last_day).select_related("region")
    empty = {"received": 0, "replied": 0, "closed": 0}
    return [
        UnitFigures(unit, **{k: by_unit.get(unit.pk, empty)[k] for k in empty})
        for unit in units.order_by("kind", "name")
    ]


def outside_units(region, period: Period, *, now: dt.datetime) -> dict[str, dict]:
    """The county's figures that no unit's row holds, so that a unit table and the
    county's figures add up: messages received with no unit yet (`waiting`, 待交办)
    and merged ones (`merged`, 并单: counted by the county, and for a unit only once,
    as their main message). Each {received, replied, closed}, as of the cut-off.
    Counted from the messages: both are few, and the kept rows do not tell them apart."""
    cutoff = period.cutoff(now)
    return {
        "waiting": messages_received(region, period, once=True).filter(unit=None).aggregate(**status_counts(cutoff)),
        "merged": messages_received(region, period)
        .filter(state=Message.State.MERGED)
        .aggregate(**status_counts(cutoff)),
    }


# Said beside every monthly chart: the months do not add up to the period's figures.
MONTHLY_NOTE = (
    "各月数字为当月收到的留言截至当月月底的回复、办结情况；此后才回复、办结的计入全期数字，故各月相加可能少于全期。"
)


def monthly(region, period: Period, *, now: dt.datetime, major: str | None = None) -> list[tuple[dt.date, dict]]:
    """Figures month by month across the period, each counted at its own cut-off (the
    month's end): a message of March answered in April is replied in the quarter's
    figures, not in March's (MONTHLY_NOTE)."""
    months = []
    day = period.first_day.replace(day=1)
    while day <= period.last_day:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        span = Period(max(day, period.first_day), min(nxt - dt.timedelta(days=1), period.last_day), f"{day.month}月")
        if span.start <= now:
            counts = messages_received(region, span, major=major).aggregate(**status_counts(span.cutoff(now)))
            months.append((day, counts))
        day = nxt
    return months
