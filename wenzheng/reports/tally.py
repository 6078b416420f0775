"""The kept figures: what the home page, the statistics page, the dashboards and the
API's statistics read, instead of counting every message on every request.

`sync(message)` is called by the actions (and the bulk writer, `sync_many`) in the
transaction of every step that changes what a message adds to the figures (its
receipt, its unit, its first reply, a closure, a reopening): it counts what the
message adds now, compares it with what it added when last counted (MessageTally)
and adds the difference to the county's and the unit's rows with one upsert each, so
two steps on two messages of one unit never lose each other's counts.

The figures themselves are defined in wenzheng.reports.figures, which counts them
from the messages, replies and events and stays the source for the bulletin and the
evaluation; `figures`, `per_unit`, `per_county` and `monthly` here give the same
numbers for any period made of whole months (a custom range of days is counted
there), as `manage.py keep_figures --check` and the tests verify.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Min, Sum

from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Category, Message, Reply
from wenzheng.units.models import Region, Unit
from wenzheng.workdays.clock import local_date

from . import figures as counted
from .models import MessageTally, RegionTally, UnitTally
from .periods import Period

# The events after which a message may add something else to the figures.
COUNTED_KINDS = frozenset(
    {
        Event.Kind.SUBMITTED,
        Event.Kind.DISPATCHED,
        Event.Kind.REASSIGNED,
        # Not FOLLOW_UP_ANSWERED: an answer to a follow-up is no reply to the message.
        Event.Kind.REPLIED,
        Event.Kind.CLOSED,
        Event.Kind.REOPENED,
        # A spam mark takes the message out of every figure; taking it back, in again.
        Event.Kind.SPAM_MARKED,
        Event.Kind.SPAM_UNMARKED,
        # The topic table counts a message under its 大类, the totals under its category.
        Event.Kind.TOPIC_SET,
        Event.Kind.CATEGORY_SET,
        # 并单: a merged message leaves its unit's figures and is answered as its main.
        Event.Kind.MERGED,
        Event.Kind.UNMERGED,
    }
)
CLOSING_KINDS = (Event.Kind.CLOSED, Event.Kind.REOPENED)


def month_of(instant: dt.datetime) -> dt.date:
    return local_date(instant).replace(day=1)


# --- what one message adds ------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """What one message adds to the figures (the fields of MessageTally)."""

    region_id: int
    unit_id: int | None
    category_id: int
    major: str  # the topic's 大类 (first two digits of its code), "" without one
    month: dt.date
    replied_month: dt.date | None
    closings: tuple  # ((month, +1 | -1), ...)

    def rows(self) -> dict:
        """{(table, region, (key columns...), month, at_month): [received, replied,
        closed]} for this message."""
        out = defaultdict(lambda: [0, 0, 0])
        keys = [("region", self.region_id, (self.category_id, self.major), self.month)]
        if self.unit_id is not None:
            keys.append(("unit", self.region_id, (self.unit_id, self.major), self.month))
        for key in keys:
            out[(*key, self.month)][0] += 1
            if self.replied_month is not None:
                out[(*key, self.replied_month)][1] += 1
            for month, change in self.closings:
                out[(*key, month)][2] += change
        return out

    @classmethod
    def of(cls, message, *, first_reply_at, closing_events) -> "Share":
        """From the message, the time of its first reply (not an answer to a follow-up,
        as figures counts "replied") and its closing and reopening events in order: a closure counts
        when it closes the message, a reopening when it reopens a closed one, so the
        sum up to any moment says whether the message stood closed then.

        For a merged message (并单) the reply and events are its main message's, and
        it counts for no unit (figures.per_unit counts `counted_once`)."""
        closings, closed = [], False
        for kind, at in closing_events:
            if kind == Event.Kind.CLOSED and not closed:
                closings.append((month_of(at), 1))
                closed = True
            elif kind == Event.Kind.REOPENED and closed:
                closings.append((month_of(at), -1))
                closed = False
        return cls(
            region_id=message.region_id,
            unit_id=None if message.state == Message.State.MERGED else message.unit_id,
            category_id=message.category_id,
            major=message.topic.code[:2] if message.topic_id else "",
            month=month_of(message.submitted_at),
            replied_month=month_of(first_reply_at) if first_reply_at else None,
            closings=tuple(closings),
        )

    @classmethod
    def kept(cls, row: MessageTally) -> "Share":
        return cls(
            region_id=row.region_id,
            unit_id=row.unit_id,
            category_id=row.category_id,
            major=row.major,
            month=row.month,
            replied_month=row.replied_month,
            closings=tuple((dt.date.fromisoformat(m), c) for m, c in row.closings),
        )

    def as_row(self, message_id) -> MessageTally:
        return MessageTally(
            message_id=message_id,
            region_id=self.region_id,
            unit_id=self.unit_id,
            category_id=self.category_id,
            major=self.major,
            month=self.month,
            replied_month=self.replied_month,
            closings=[[m.isoformat(), c] for m, c in self.closings],
        )


def _difference(new: dict, old: dict) -> dict:
    out = {}
    for key in new.keys() | old.keys():
        a, b = new.get(key, (0, 0, 0)), old.get(key, (0, 0, 0))
        change = [x - y for x, y in zip(a, b, strict=True)]
        if any(change):
            out[key] = change
    return out


# --- keeping them current -------------------------------------------------------------


def sync_many(message_ids) -> None:
    """Bring the kept figures up to date with these messages, in the caller's
    transaction (a step's own, which holds the message's row lock, through
    handling.derived; the bulk writer's batches): a fixed number of queries however
    many."""
    if not message_ids:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("the kept figures change inside the transaction of the step that changes them")
    ids = list(message_ids)
    # What is merged into these messages is answered with them: counted again too.
    ids += list(Message.objects.filter(merged_into__in=ids).exclude(pk__in=ids).values_list("pk", flat=True))
    messages = list(
        Message.objects.filter(pk__in=ids)
        .select_related("topic")
        .only("region_id", "unit_id", "category_id", "topic__code", "submitted_at", "state", "merged_into_id")
    )
    first_replies, events = _answers({m.merged_into_id or m.pk for m in messages})
    kept = {row.pk: row for row in MessageTally.objects.filter(pk__in=ids)}
    changes, fresh, changed, gone = defaultdict(lambda: [0, 0, 0]), [], [], []
    for m in messages:
        if m.state == Message.State.SPAM:
            # Spam counts nowhere (Message.objects.counted): what it added is taken back.
            if m.pk in kept:
                for key, change in _difference({}, Share.kept(kept[m.pk]).rows()).items():
                    total = changes[key]
                    for i in range(3):
                        total[i] += change[i]
                gone.append(m.pk)
            continue
        answered_as = m.merged_into_id or m.pk
        now = Share.of(m, first_reply_at=first_replies.get(answered_as), closing_events=events.get(answered_as, ()))
        before = Share.kept(kept[m.pk]) if m.pk in kept else None
        if now == before:
            continue
        for key, change in _difference(now.rows(), before.rows() if before else {}).items():
            total = changes[key]
            for i in range(3):
                total[i] += change[i]
        (changed if before else fresh).append(now.as_row(m.pk))
    _apply(changes)
    if gone:
        MessageTally.objects.filter(pk__in=gone).delete()
    if fresh:
        MessageTally.objects.bulk_create(fresh, batch_size=500)
    if changed:
        MessageTally.objects.bulk_update(
            changed, ["region", "unit", "category", "major", "month", "replied_month", "closings"], batch_size=500
        )


def _answers(ids) -> tuple[dict, dict]:
    """For these messages: the time of each one's first reply (an answer to a
    follow-up is none: figures.status_counts), and its closing and reopening events
    in order."""
    ids = list(ids)
    first_replies = dict(
        Reply.objects.filter(message_id__in=ids, follow_up__isnull=True)
        .values("message_id")
        .annotate(at=Min("at"))
        .values_list("message_id", "at")
    )
    events = defaultdict(list)
    for message_id, kind, at in (
        Event.objects.filter(message_id__in=ids, kind__in=CLOSING_KINDS)
        .order_by("message_id", "seq")
        .values_list("message_id", "kind", "at")
    ):
        events[message_id].append((kind, at))
    return first_replies, events


UPSERT = """INSERT INTO {table} (region_id, {key}, month, at_month, received, replied, closed)
VALUES (%s, {marks}, %s, %s, %s, %s, %s)
ON CONFLICT (region_id, {key}, month, at_month) DO UPDATE SET
  received = {table}.received + excluded.received,
  replied = {table}.replied + excluded.replied,
  closed = {table}.closed + excluded.closed"""


def _apply(changes: dict) -> None:
    """Add the changes to their rows, creating those not there yet. In key order, so
    two transactions touching the same rows take their locks in the same order."""
    tables = {
        "region": (RegionTally._meta.db_table, ("category_id", "major")),
        "unit": (UnitTally._meta.db_table, ("unit_id", "major")),
    }
    for name, (table, key) in tables.items():
        params = [
            [region, *other, _day(month), _day(at_month), *change]
            for (kind, region, other, month, at_month), change in sorted(changes.items(), key=_sort_key)
            if kind == name and any(change)
        ]
        if params:
            sql = UPSERT.format(table=table, key=", ".join(key), marks=", ".join(["%s"] * len(key)))
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)  # our own identifiers only


def _sort_key(item):
    kind, region, other, month, at_month = item[0]
    return (kind, region, other, month, at_month)


def _day(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def rebuild(*, batch: int = 50_000, out=None) -> int:
    """Count every message afresh and replace the kept figures with the result: after
    a migration, a restore, or data loaded behind the actions' back. Message ids are
    read a batch at a time, so memory stays flat; returns how many were counted."""
    with transaction.atomic():
        MessageTally.objects.all().delete()
        RegionTally.objects.all().delete()
        UnitTally.objects.all().delete()
        last, total, sums = 0, 0, defaultdict(lambda: [0, 0, 0])
        while True:
            ids = list(Message.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            last = ids[-1]
            messages = list(
                Message.objects.counted()
                .filter(pk__gte=ids[0], pk__lte=last)
                .select_related("topic")
                .only("region_id", "unit_id", "category_id", "topic__code", "submitted_at", "state", "merged_into_id")
            )
            first_replies, events = _answers({m.merged_into_id or m.pk for m in messages})
            rows = []
            for m in messages:
                answered_as = m.merged_into_id or m.pk
                share = Share.of(
                    m, first_reply_at=first_replies.get(answered_as), closing_events=events.get(answered_as, ())
                )
                rows.append(share.as_row(m.pk))
                for key, change in share.rows().items():
                    total_ = sums[key]
                    for i in range(3):
                        total_[i] += change[i]
            MessageTally.objects.bulk_create(rows, batch_size=2000)
            total += len(rows)
            if out:
                out(f"{total:,} messages counted")
        _apply(sums)
    return total


# --- reading them ---------------------------------------------------------------------


def whole_months(period: Period) -> bool:
    """Whether the kept figures can give this period (else figures counts it)."""
    return period.first_day.day == 1 and (period.last_day + dt.timedelta(days=1)).day == 1


def _in(model, region):
    rows = model.objects.all()
    if region.kind == Region.Kind.CITY:
        return rows.filter(region__parent=region)
    return rows.filter(region=region)


def _rows(model, region, period: Period, *, now: dt.datetime, major: str | None = None):
    """The rows of the period's months that count at its cut-off: those of its months
    and before once it has ended; all of them while it runs (nothing has happened
    after now). `major` (a 大类's two digits) keeps its topic's rows only."""
    rows = _in(model, region).filter(month__gte=period.first_day, month__lte=period.last_day)
    if major:
        rows = rows.filter(major=major)
    if period.end <= now:
        rows = rows.filter(at_month__lte=period.last_day)
    return rows


SUMS = {"received": Sum("received"), "replied": Sum("replied"), "closed": Sum("closed")}


def figures(region, period: Period, *, now: dt.datetime, major: str | None = None) -> counted.Figures:
    """figures.compute, from the kept rows: three small queries. `major`: the
    messages of one 大类 only (the units' counts are the county's all the same)."""
    if not whole_months(period):
        return counted.compute(region, period, now=now, major=major)
    rows = _rows(RegionTally, region, period, now=now, major=major)
    by_category = {row["category"]: row for row in rows.values("category").annotate(**SUMS)}
    categories = [
        (c.name, by_category.get(c.pk, {}).get("received") or 0)
        for c in Category.objects.all()
        if c.counted_in_bulletin or by_category.get(c.pk, {}).get("received")
    ]
    new_units, total_units = counted.unit_counts(region, period, now=now)
    total = {k: sum(row[k] or 0 for row in by_category.values()) for k in SUMS}
    return counted.Figures(
        period=period,
        cutoff=period.cutoff(now),
        new_units=new_units,
        total_units=total_units,
        received=total["received"],
        by_category=categories,
        replied=total["replied"],
        closed=total["closed"],
    )


def topic_sums(region, period: Period, *, now: dt.datetime) -> list[dict]:
    """[{major, received, replied, closed}] for a whole-month period: what
    wenzheng.topics.figures.by_major counts from the messages, from the kept rows."""
    return list(_rows(RegionTally, region, period, now=now).values("major").annotate(**SUMS).order_by())


def unit_sums(region, period: Period, *, now: dt.datetime, units=None, major: str | None = None) -> dict[int, dict]:
    """{unit id: {received, replied, closed}} for the units that received messages
    (of `units` only, when given; of one 大类's messages, given `major`)."""
    rows = _rows(UnitTally, region, period, now=now, major=major)
    if units is not None:
        rows = rows.filter(unit__in=[u.pk for u in units])
    rows = rows.values("unit").annotate(**SUMS)
    return {row["unit"]: row for row in rows if row["received"]}


def per_unit(
    region, period: Period, *, now: dt.datetime, units=None, major: str | None = None
) -> list[counted.UnitFigures]:
    """figures.per_unit, from the kept rows; `units` narrows it to a page of units."""
    if not whole_months(period):
        return counted.per_unit(region, period, now=now, major=major)
    sums = unit_sums(region, period, now=now, units=units, major=major)
    if units is None:
        units = Unit.objects.in_region(region).registered_by(period.last_day).select_related("region")
        units = units.order_by("kind", "name")
    empty = {"received": 0, "replied": 0, "closed": 0}
    return [counted.UnitFigures(u, **{k: sums.get(u.pk, empty)[k] for k in empty}) for u in units]


@dataclass(frozen=True)
class CountyFigures:
    county: Region
    received: int
    replied: int
    closed: int

    @property
    def reply_rate(self):
        return counted.percent(self.replied, self.received) if self.received else None

    @property
    def closure_rate(self):
        return counted.percent(self.closed, self.received) if self.received else None


def per_county(city, period: Period, *, now: dt.datetime, major: str | None = None) -> list[CountyFigures]:
    """A city's counties side by side, with their totals: what a city page lists
    instead of its thousands of units."""
    counties = list(Region.objects.filter(parent=city, kind=Region.Kind.COUNTY).order_by("name"))
    if not whole_months(period):
        found = {c.pk: counted.compute(c, period, now=now, major=major) for c in counties}
        sums = {pk: {"received": f.received, "replied": f.replied, "closed": f.closed} for pk, f in found.items()}
    else:
        rows = _rows(RegionTally, city, period, now=now, major=major)
        sums = {row["region"]: row for row in rows.values("region").annotate(**SUMS)}
    empty = {"received": 0, "replied": 0, "closed": 0}
    return [CountyFigures(c, **{k: sums.get(c.pk, empty)[k] or 0 for k in empty}) for c in counties]


def monthly(region, period: Period, *, now: dt.datetime, major: str | None = None) -> list[tuple[dt.date, dict]]:
    """figures.monthly, from the kept rows: each month as it stood at its own end (or
    now), in one query."""
    if not whole_months(period):
        return counted.monthly(region, period, now=now, major=major)
    rows = _in(RegionTally, region).filter(month__gte=period.first_day, month__lte=period.last_day)
    if major:
        rows = rows.filter(major=major)
    rows = rows.values("month", "at_month").annotate(**SUMS)
    grid = defaultdict(list)
    for row in rows:
        grid[row["month"]].append(row)
    months = []
    day = period.first_day
    while day <= period.last_day:
        nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        span = Period(day, nxt - dt.timedelta(days=1), "")
        if span.start <= now:
            ended = span.end <= now
            counts = {"received": 0, "replied": 0, "closed": 0}
            for row in grid.get(day, ()):
                for k in ("replied", "closed"):
                    if not ended or row["at_month"] <= span.last_day:
                        counts[k] += row[k] or 0
                counts["received"] += row["received"] or 0
            months.append((day, counts))
        day = nxt
    return months


def check(region, period: Period, *, now: dt.datetime) -> list[str]:
    """Where the kept figures differ from a full count (empty when they agree)."""
    problems = []
    kept, full = figures(region, period, now=now), counted.compute(region, period, now=now)
    if kept != full:
        problems.append(f"{region.code} {period.label}: kept {kept} ≠ counted {full}")
    kept_units = {(u.unit.pk, u.received, u.replied, u.closed) for u in per_unit(region, period, now=now)}
    full_units = {(u.unit.pk, u.received, u.replied, u.closed) for u in counted.per_unit(region, period, now=now)}
    if kept_units != full_units:
        problems.append(f"{region.code} {period.label}: units differ: {sorted(kept_units ^ full_units)[:10]}")
    if monthly(region, period, now=now) != counted.monthly(region, period, now=now):
        problems.append(f"{region.code} {period.label}: months differ")
    from wenzheng.topics import figures as topic_figures

    kept_topics = topic_figures.kept_by_major(region, period, now=now)
    if kept_topics != topic_figures.by_major(region, period, now=now):
        problems.append(f"{region.code} {period.label}: topics differ")
    # The statistics page filtered by a 大类 reads the same rows narrowed to it.
    for major in sorted({t.code[:2] for t in kept_topics if t.code}):
        if figures(region, period, now=now, major=major) != counted.compute(region, period, now=now, major=major):
            problems.append(f"{region.code} {period.label}: topic {major} differs")
        if region.kind == Region.Kind.COUNTY:
            kept_units = {
                (u.unit.pk, u.received, u.replied, u.closed) for u in per_unit(region, period, now=now, major=major)
            }
            full_units = {
                (u.unit.pk, u.received, u.replied, u.closed)
                for u in counted.per_unit(region, period, now=now, major=major)
            }
            if kept_units != full_units:
                problems.append(f"{region.code} {period.label}: units of topic {major} differ")
    return problems


# --- unit tables, a page at a time --------------------------------------------------

UNIT_PAGE_SIZE = 120  # a county's units fit one page (罗城 has 108); a city's never do


def unit_page(
    region, period: Period, *, now: dt.datetime, number, size: int = UNIT_PAGE_SIZE, busiest=False, major=None
):
    """A page of the region's unit table, as UnitFigures: every unit registered by the
    period's end in kind and name order, or (`busiest`) the units that received
    messages, most first (of one 大类's messages, given `major`). Returns (page, rows)."""
    from django.core.paginator import Paginator

    units = Unit.objects.in_region(region).registered_by(period.last_day).select_related("region")
    if not busiest:
        # Townships first, as the page shows them ("township" sorts after "department").
        page = Paginator(units.order_by("-kind", "name", "pk"), size).get_page(number)
        return page, per_unit(region, period, now=now, units=list(page.object_list), major=major)
    if not whole_months(period):
        ranked = [u for u in counted.per_unit(region, period, now=now, major=major) if u.received]
    else:
        sums = unit_sums(region, period, now=now, major=major)
        ranked = [
            counted.UnitFigures(u, sums[u.pk]["received"], sums[u.pk]["replied"] or 0, sums[u.pk]["closed"] or 0)
            for u in units.filter(pk__in=list(sums))
        ]
    ranked.sort(key=lambda u: (-u.received, u.unit.name))
    page = Paginator(ranked, size).get_page(number)
    return page, list(page.object_list)
