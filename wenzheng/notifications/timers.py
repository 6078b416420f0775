"""Timed notices: reminders before and after deadlines, the office's overdue and
backlog warnings, digests, and the quarter-end proposals.

When, in the county's zone and on the official working-day calendar (NOTICE_HOUR is
09:00 unless set):
- due soon (预警): at NOTICE_HOUR on the working day before a deadline's last day, to
  the unit's handlers and leader, for every stage of theirs falling due;
- overdue (超期): at NOTICE_HOUR on the first working day after the last day, to the
  same people;
- overdue by N working days (NOTICE_OFFICE_OVERDUE_DAYS): at NOTICE_HOUR on the Nth
  working day after the last day, to the county office;
- a backlog deadline passed with messages still unanswered: at NOTICE_HOUR on the
  first working day after it, to the county office;
- the weekly digest of each unit's leader: at NOTICE_HOUR on the first working day of
  each week;
- the quarter-end proposals of written explanations: at NOTICE_HOUR on the first day
  of each quarter, to the county office (wenzheng.supervision.proposals);
- the daily digest of the deliveries held for it: at DIGEST_HOUR every day.

A unit hears once a day per kind, of all its stages together ("3条留言…（2026-000046等）"),
not once per message: twenty SMS each morning would go unread.

A pass covers a window of time (the last sweep's end up to now, taken with a
conditional update, see Sweep). The rules are turned round: each moment in the window
names a range of deadline days, and the open stages with a deadline in that range are
found by one indexed range query (stage_open_by_due), never by looking at every stage.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import connections, transaction
from django.db.models import BigIntegerField, Count, Exists, Func, Max, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.handling.models import Message, Reply, Revisit, Stage
from wenzheng.supervision.models import WrittenExplanationOrder
from wenzheng.units.models import Region
from wenzheng.workdays import clock

from . import planning, recipients, texts
from .models import Delivery, Notice, Sweep


@dataclass(frozen=True)
class Window:
    """The moments after `start`, up to and including `end`."""

    start: dt.datetime
    end: dt.datetime

    def days_at(self, hour: int):
        """The local days whose `hour` o'clock falls in the window."""
        day, last = clock.local_date(self.start), clock.local_date(self.end)
        while day <= last:
            if self.start < at_hour(day, hour) <= self.end:
                yield day
            day += dt.timedelta(days=1)


def at_hour(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.county_zone())


def due_in(window: Window) -> bool:
    """Whether any timed notice falls in the window (if not, a pass has nothing to do)."""
    return any(True for _ in window.days_at(settings.NOTICE_HOUR)) or any(
        True for _ in window.days_at(settings.DIGEST_HOUR)
    )


class Days:
    """Working-day steps on the official calendar, for the days a window touches."""

    def __init__(self, window: Window):
        self.calendar = clock.calendar()

    def working(self, day: dt.date) -> bool:
        return self.calendar.is_working_day(day)

    def after(self, day: dt.date) -> dt.date:
        """The first working day after `day`."""
        day += dt.timedelta(days=1)
        while not self.working(day):
            day += dt.timedelta(days=1)
        return day

    def before(self, day: dt.date, n: int) -> dt.date:
        """The nth working day before `day` (`day` itself for n = 0)."""
        while n > 0:
            day -= dt.timedelta(days=1)
            if self.working(day):
                n -= 1
        return day


class Pass:
    """What one sweep reads once and shares between its timers: the calendar around
    the window."""

    def __init__(self, window: Window, now: dt.datetime):
        self.window, self.now = window, now
        self.days = Days(window)


class Reminder(NamedTuple):
    """A timed notice for everyone of one place: the handlers and leader of a unit
    (`unit_id`; its leader only with `leaders_only`), or the county office of
    `region_id`. A timer finds what is due and says it once per place; `address`
    turns each into one notice per person, keyed `key:<their id>`."""

    kind: str
    key: str
    region_id: int
    text: str
    link: str
    unit_id: int | None = None
    leaders_only: bool = False


class Addressing:
    """The people the reminders of one sweep go to, read in one query for the units
    and one for the county offices, whatever the number of timers."""

    def __init__(self, reminders: list[Reminder]):
        units = {r.unit_id for r in reminders if r.unit_id is not None}
        counties = {r.region_id for r in reminders if r.unit_id is None}
        self.staff = recipients.staff_of_units(units) if units else {}
        self.offices = recipients.offices_of(counties) if counties else {}

    def people(self, r: Reminder):
        if r.unit_id is None:
            return self.offices.get(r.region_id, ())
        staff = self.staff.get(r.unit_id, ())
        return [p for p in staff if p.role == Role.LEADER] if r.leaders_only else staff

    def drafts(self, reminders: list[Reminder]) -> list[planning.Draft]:
        drafts = []
        for r in reminders:
            drafts += planning.for_people(
                self.people(r), key=r.key, kind=r.kind, region_id=r.region_id, text=r.text, link=r.link
            )
        return drafts


def last_days(first: dt.date, last: dt.date, *, field: str = "due_at") -> Q:
    """Deadlines whose last day lies in [first, last]: a deadline is 24:00 of its last
    day, stored as 00:00 of the day after."""
    return Q(
        **{
            f"{field}__gt": clock.local_midnight(first),
            f"{field}__lte": clock.local_midnight(last + dt.timedelta(days=1)),
        }
    )


# --- the stages ---------------------------------------------------------------------


def serial_of(number: int) -> str:
    """A serial number (Stage.serial_number) as it is printed: 2026-000046."""
    return f"{number // 1_000_000}-{number % 1_000_000:06d}"


class UnitDue(NamedTuple):
    """A unit's open stages with a deadline in range, as the database counts them. (A
    tuple: a city's pass reads a row for each of a thousand units or more.)"""

    unit_id: int
    region_id: int
    count: int  # messages
    first_serial: str
    last_day: dt.date  # the earliest deadline's
    stage: str  # 回应, 回复, or 办理 for both


def open_stages(deadlines: Q, *, extra: Q | None = None):
    """Open stages with a deadline in range: the indexed query a pass makes
    (stage_open_by_due), never a reading of every stage. Not a reply while its
    message's hand-back (退单) waits for the office: the unit cannot reply then, and
    the office's refusal gives it back the days waited (a trial: the unit was told
    it was overdue, the office to 督办 its own pending decision)."""
    waiting = Q(kind=Stage.Kind.REPLY, message__state=Message.State.TRANSFER_REQUESTED)
    return Stage.objects.filter(deadlines, extra or Q(), completed_at__isnull=True).exclude(waiting).order_by()


class Epoch(Func):
    """A timestamp as whole seconds since 1970: a unit's earliest deadline comes back
    as a number, which costs nothing to read, where a timestamp per unit costs a
    parse and a time-zone conversion in Python (on PostgreSQL, Django's loader)."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::bigint", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # '%%%%s' is strftime's '%s' once the template and then the query's
        # placeholders are formatted.
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)", **extra
        )


def due_by_unit(deadlines: Q, *, extra: Q | None = None) -> list[UnitDue]:
    """The open stages in range, one row per unit, grouped by the database in one
    query.

    A city's range holds about a thousand units: the rows are read from the cursor
    as they come (integers and short strings only), not through Django's per-row
    converters, and each distinct deadline and pair of stage kinds is worded once."""
    rows = (
        open_stages(deadlines, extra=extra)
        .values("unit_id", "unit__region_id")
        .annotate(
            n=Count("message", distinct=True),
            first=Min("serial_number"),
            due=Min(Epoch("due_at")),
            lo=Min("kind"),
            hi=Max("kind"),
        )
        .values_list("unit_id", "unit__region_id", "n", "first", "due", "lo", "hi")
    )
    days, words = {}, {}
    found = []
    for unit_id, region_id, n, first, due, lo, hi in fetch(rows):
        if due not in days:
            days[due] = clock.deadline_day(dt.datetime.fromtimestamp(due, dt.UTC))
        if (lo, hi) not in words:
            words[lo, hi] = str(Stage.Kind(lo).label) if lo == hi else "办理"
        found.append(UnitDue(unit_id, region_id, n, serial_of(first), days[due], words[lo, hi]))
    return found


def fetch(queryset) -> list[tuple]:
    """A values_list query's rows straight from the cursor: for aggregates over
    integer and text columns, whose values need no conversion."""
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _unit_reminders(kind, due: list[UnitDue], *, day: dt.date, text) -> list[Reminder]:
    """One reminder a day of each kind for each unit with stages due."""
    link, kind, on = reverse("workspace:inbox"), str(kind), f"{day:%Y%m%d}"
    return [Reminder(kind, f"{kind}:{d.unit_id}:{on}", d.region_id, text(d), link, d.unit_id) for d in due]


def due_soon(window: Window, ctx: Pass) -> list[Reminder]:
    days, now = ctx.days, ctx.now
    found = []
    for x in window.days_at(settings.NOTICE_HOUR):
        if not days.working(x):
            continue
        moment = at_hour(x, settings.NOTICE_HOUR)
        # Messages that arrived after the moment heard of their deadline on arrival.
        due = due_by_unit(
            last_days(x + dt.timedelta(days=1), days.after(x)), extra=Q(started_at__lt=moment, due_at__gt=now)
        )

        def text(d):
            return texts.due_soon(count=d.count, serial=d.first_serial, stage=d.stage, last_day=d.last_day)

        found += _unit_reminders(Notice.Kind.DUE_SOON, due, day=x, text=text)
    return found


def overdue(window: Window, ctx: Pass) -> list[Reminder]:
    days = ctx.days
    found = []
    for x in window.days_at(settings.NOTICE_HOUR):
        if not days.working(x):
            continue
        due = due_by_unit(last_days(days.before(x, 1), x - dt.timedelta(days=1)))

        def text(d):
            return texts.overdue(count=d.count, serial=d.first_serial, stage=d.stage, last_day=d.last_day)

        found += _unit_reminders(Notice.Kind.OVERDUE, due, day=x, text=text)
    return found


def office_overdue(window: Window, ctx: Pass) -> list[Reminder]:
    days, n = ctx.days, settings.NOTICE_OFFICE_OVERDUE_DAYS
    found = []
    for x in window.days_at(settings.NOTICE_HOUR):
        if not days.working(x):
            continue
        stages = open_stages(last_days(days.before(x, n), days.before(x, n - 1) - dt.timedelta(days=1)))
        by_county = stages.values_list("unit__region_id", "unit__region__code").annotate(
            n=Count("message", distinct=True), first=Min("serial_number")
        )
        found += [
            Reminder(
                Notice.Kind.OFFICE_OVERDUE,
                f"office_overdue:{region_id}:{x:%Y%m%d}",
                region_id,
                texts.office_overdue(count=count, days=n, first_serial=serial_of(first)),
                reverse("workspace:supervision", args=[code]),
            )
            for region_id, code, count, first in by_county
        ]
    return found


def backlog_passed(window: Window, ctx: Pass) -> list[Reminder]:
    days = ctx.days
    found = []
    for x in window.days_at(settings.NOTICE_HOUR):
        if not days.working(x):
            continue
        # Few orders exist (tens a year): no index needed for this range.
        orders = (
            WrittenExplanationOrder.objects.filter(
                last_days(days.before(x, 1), x - dt.timedelta(days=1), field="backlog_deadline")
            )
            .with_backlog_open()
            .filter(backlog_open=True)
            .select_related("unit__region")
        )
        for order in orders:
            # Replied by the unit before the deadline: one reply of the unit's, then (an
            # answer to a follow-up is none: WrittenExplanationOrder.with_backlog_open).
            replied = Reply.objects.filter(
                message=OuterRef("pk"), unit=order.unit, at__lt=order.backlog_deadline, follow_up__isnull=True
            )
            unanswered = order.messages.exclude(Exists(replied)).count()
            found.append(
                Reminder(
                    Notice.Kind.BACKLOG_PASSED,
                    f"backlog:{order.pk}",
                    order.unit.region_id,
                    texts.backlog_passed(
                        unit=order.unit.name,
                        last_day=clock.deadline_day(order.backlog_deadline),
                        unanswered=unanswered,
                    ),
                    reverse("workspace:county-orders", args=[order.unit.region.code]),
                )
            )
    return found


def weekly(window: Window, ctx: Pass) -> list[Reminder]:
    """Each unit leader's week: open, due soon, overdue, dissatisfied."""
    days, now = ctx.days, ctx.now
    found = []
    for x in window.days_at(settings.NOTICE_HOUR):
        monday = x - dt.timedelta(days=x.weekday())
        if not days.working(x) or days.before(x, 1) >= monday:
            continue  # not the week's first working day
        year, week, _ = x.isocalendar()
        link = reverse("workspace:inbox")
        for unit_id, c in _week_counts(soon_until=days.after(x), now=now).items():
            if unit_id is None or not any(c.values()):
                continue
            text = texts.weekly(
                open_count=c["open"], due_soon=c["soon"], overdue=c["late"], dissatisfied=c["dissatisfied"]
            )
            key = f"weekly:{unit_id}:{year}W{week:02d}"
            found.append(Reminder(Notice.Kind.WEEKLY_DIGEST, key, c["region"], text, link, unit_id, leaders_only=True))
    return found


def _week_counts(*, soon_until: dt.date, now) -> dict[int, dict]:
    counts: dict[int, dict] = defaultdict(lambda: {"open": 0, "soon": 0, "late": 0, "dissatisfied": 0, "region": None})
    rows = (
        Message.objects.filter(state__in=Message.State.with_unit())
        .values("unit_id", "region_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["unit_id"]]["open"] += row["n"]
        counts[row["unit_id"]]["region"] = row["region_id"]
    open_stages_ = Stage.objects.filter(completed_at__isnull=True)
    soon = open_stages_.filter(due_at__gt=now, due_at__lte=clock.local_midnight(soon_until + dt.timedelta(days=1)))
    for key, stages in (("soon", soon), ("late", open_stages_.filter(due_at__lte=now))):
        for row in stages.values("unit_id").annotate(n=Count("message", distinct=True)).order_by():
            counts[row["unit_id"]][key] = row["n"]
    revisits = Revisit.objects.open().filter(kind=Revisit.Kind.DISSATISFIED)
    for row in revisits.values("unit_id", "message__region_id").annotate(n=Count("pk")).order_by():
        counts[row["unit_id"]]["dissatisfied"] = row["n"]
        counts[row["unit_id"]]["region"] = row["message__region_id"]
    return counts


def proposals(window: Window, ctx: Pass) -> list[Reminder]:
    """At each quarter's start: the proposals for the quarter just ended."""
    from wenzheng.reports import periods
    from wenzheng.supervision import proposals as proposing

    found = []
    for x in window.days_at(settings.NOTICE_HOUR):
        if x.day != 1 or x.month not in (1, 4, 7, 10):
            continue
        quarter = periods.quarter_of(x - dt.timedelta(days=1))
        moment = at_hour(x, settings.NOTICE_HOUR)
        for county in Region.objects.filter(kind=Region.Kind.COUNTY):
            made = proposing.propose(county=county, period=quarter, at=moment)
            if made:
                found.append(
                    Reminder(
                        Notice.Kind.PROPOSALS,
                        f"proposals:{county.pk}:{periods.quarter_code(quarter.first_day)}",
                        county.pk,
                        texts.proposals(period=quarter.label, count=len(made)),
                        reverse("workspace:proposals", args=[county.code]),
                    )
                )
    return found


STAFF_TIMERS = [due_soon, overdue, office_overdue, backlog_passed, weekly, proposals]


def daily_digests(window: Window, now) -> int:
    """Gather each person's held deliveries into one digest notice a day."""
    made = 0
    for x in window.days_at(settings.DIGEST_HOUR):
        moment = at_hour(x, settings.DIGEST_HOUR)
        held = Delivery.objects.filter(state=Delivery.State.HELD, notice__created_at__lte=moment)
        rows = held.values_list("notice__recipient_id", "notice__region_id", "notice__text").order_by(
            "notice__recipient_id", "notice__created_at"
        )
        firsts, totals = {}, defaultdict(set)
        for user_id, region_id, text in rows:
            firsts.setdefault(user_id, (region_id, text))
        for user_id, notice_id in held.values_list("notice__recipient_id", "notice_id"):
            totals[user_id].add(notice_id)
        drafts = []
        for user_id, (region_id, first) in firsts.items():
            person = recipients.person(user_id)
            if person is None:
                continue
            drafts.append(
                planning.Draft(
                    key=f"digest:{x:%Y%m%d}:{user_id}",
                    kind=Notice.Kind.DAILY_DIGEST,
                    region_id=region_id,
                    text=texts.daily_digest(count=len(totals[user_id]), first=first),
                    link=reverse("notifications:list"),
                    person=person,
                    read=True,  # the bell showed each notice already
                )
            )
        made += planning.write(drafts, at=moment)
        digests = dict(Notice.objects.filter(key__in=[d.key for d in drafts]).values_list("recipient_id", "pk"))
        for user_id, digest in digests.items():
            held.filter(notice__recipient_id=user_id).update(state=Delivery.State.DIGESTED, digest_id=digest)
    return made


# --- the sweep ----------------------------------------------------------------------


def claim(now=None) -> Window | None:
    """The window from the last sweep up to now, if a timed notice falls in it. The
    first look only starts the clock: nothing before it is swept."""
    now = now or timezone.now()
    sweep = Sweep.objects.filter(pk=1).first()
    if sweep is None:
        Sweep.objects.get_or_create(pk=1, defaults={"swept_until": now})
        return None
    window = Window(sweep.swept_until, now)
    if window.end <= window.start or not due_in(window):
        return None
    return window


def sweep(window: Window) -> dict[str, int] | None:
    """Make the window's timed notices, or None if another worker swept it first.

    The window is taken by a conditional update inside the transaction that writes
    the notices: a second worker's update waits for the first to commit, then finds
    the watermark moved and changes nothing."""
    now = window.end
    with transaction.atomic():
        if Sweep.objects.filter(pk=1, swept_until=window.start).update(swept_until=window.end) != 1:
            return None
        ctx = Pass(window, now)
        found = {timer.__name__: timer(window, ctx) for timer in STAFF_TIMERS}
        addressing = Addressing([r for reminders in found.values() for r in reminders])
        made = {name: planning.write(addressing.drafts(reminders), at=now) for name, reminders in found.items()}
        made["daily_digests"] = daily_digests(window, now)
        return made
