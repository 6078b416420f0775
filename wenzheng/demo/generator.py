"""Build the demo county: 罗城仫佬族自治县 of 河池市, modelled on the seed article.

108 real-name units with their staff and 2026 rosters; messages from 1 January 2026
up to `now`, each taken through the handling actions at historical moments, with
the offices' supervision work alongside. The first quarter holds exactly the seed's
figures (46 messages: 23 咨询, 5 建议, 18 诉求; 46 replied; 45 closed, 1 in progress;
2 new units, 108 in all), and they come out of the data, not out of a table.

Everything is drawn from one seeded random generator, so the same `now` gives the
same county. Tracking codes and passcodes alone are truly random (the actions draw
them from `secrets`, as they must).
"""

import contextlib
import datetime as dt
import logging
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wenzheng.accounts.models import User
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions, derived
from wenzheng.handling.models import Category, Message, Stage
from wenzheng.lib import pagecache
from wenzheng.reports import figures, periods
from wenzheng.supervision import proposals
from wenzheng.topics import catalogue
from wenzheng.units.models import Region, Unit
from wenzheng.workdays import clock

from . import county, messages, office, privacy, stories, texts
from .county import DemoError
from .timeline import Timeline, at_local
from .world import World

SEED = 20260101
# The first quarter and the April approval that ends it must lie in the past.
EARLIEST_NOW = at_local(dt.date(2026, 5, 1), dt.time(0))
# Logins shown after every run, in this order; the rest follow the same pattern.
SHOWN_LOGINS = [
    "admin",
    "county",
    "city",
    "citizen",
    "dongmen_leader",
    "dongmen_handler1",
    "dongmen_handler2",
    "huaiqun_leader",
    "huaiqun_handler1",
]


@dataclass(frozen=True)
class Result:
    created: bool
    units: int
    users: int
    messages: int
    events: int
    estimated_deadlines: int = 0  # counted by weekdays only: a year with no calendar
    seconds: float = 0.0
    steps: int = 0


def exists() -> bool:
    return Region.objects.filter(code=texts.COUNTY[1]).exists()


def build(*, now: dt.datetime | None = None) -> Result:
    """Create the demo county unless it is there already (then change nothing)."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    started = time.monotonic()
    with transaction.atomic():
        if exists():
            return _result(created=False)
        if now < EARLIEST_NOW:
            raise DemoError("演示数据需要2026年5月1日以后的日期：第一季度及其4月份的审批须已成为过去。")
        # The public pages are renewed once for the whole county, not per event, each
        # message's search documents and kept figures derived once, at the end, and
        # the event chain's head row written once.
        with _quiet_calendar_warnings(), pagecache.renewed_once(), derived.once(), chain.held():
            timeline = _populate(now)
    return _result(created=True, seconds=time.monotonic() - started, steps=timeline.steps)


def _with_topic_tree(built):
    """Every county of the demo city keeps the default topic tree (事项分类)."""
    for region in Region.objects.filter(kind=Region.Kind.COUNTY, topics__isnull=True):
        catalogue.load_default(region)
    return built


def _populate(now) -> Timeline:
    rng = random.Random(SEED)
    world = World(
        rng=rng,
        cal=clock.calendar(),
        county=_with_topic_tree(county.build(rng)),
        categories={c.code: c for c in Category.objects.all()},
        timeline=Timeline(until=now),
        slow_units=frozenset(texts.SLOW_UNITS),
    )
    timeline = world.timeline
    for script in office.roster_scripts(world):
        timeline.start(script)
    for plan in messages.plan_all(world):
        timeline.start(messages.Life(world, plan).run())
    for script in stories.stories(world):
        timeline.start(script)
    for script in (
        privacy.review_script(world),
        office.weekly_flags(world),
        office.weekly_revisits(world),
        office.explanation_orders(world),
        office.county_checks(world),
        office.city_bulletins(world),
        office.county_bulletins(world),
    ):
        timeline.start(script)
    timeline.run()
    _signoff_path(world, now)
    _proposals_of_last_quarter(world, now)
    return timeline


# The township whose replies wait for its leader's approval (审核后公开), so that the
# path can be seen with the demo logins (dongmen_handler1 writes, dongmen_leader approves).
SIGNOFF_UNIT = "东门镇"


def _signoff_path(world, now):
    """Turn sign-off on for one township and leave one reply waiting for its leader."""
    staff = world.county.staff[SIGNOFF_UNIT]
    Unit.objects.filter(pk=staff.unit.pk).update(reply_signoff=True)
    waiting = (
        Message.objects.filter(unit=staff.unit, state__in=[Message.State.RESPONDED, Message.State.DISPATCHED])
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if waiting is not None:
        actions.reply(message=waiting, by=staff.handlers[0], text=texts.DEMO_DRAFT, at=now)


def _proposals_of_last_quarter(world, now):
    """The written-explanation proposals the worker makes when a quarter ends, for the
    quarter before `now`'s, waiting for the county office."""
    this_quarter = periods.quarter_of(clock.local_date(now))
    last = periods.quarter_of(this_quarter.first_day - dt.timedelta(days=1))
    moment = at_local(this_quarter.first_day, dt.time(9))
    if last.first_day.year == 2026 and moment <= now:
        proposals.propose(county=world.county.county, period=last, at=moment)


@contextlib.contextmanager
def _quiet_calendar_warnings():
    """A deadline in a year with no official calendar is logged each time; building a
    county past the calendar's end would log hundreds. The stages keep their warning,
    and the command reports them in one line instead."""
    clock_log = logging.getLogger(clock.__name__)
    clock_log.addFilter(_drop)
    try:
        yield
    finally:
        clock_log.removeFilter(_drop)


def _drop(record) -> bool:
    return False


def _result(**kwargs) -> Result:
    region = Region.objects.get(code=texts.COUNTY[1])
    return Result(
        estimated_deadlines=Stage.objects.filter(message__region=region).exclude(due_warning="").count(),
        units=Unit.objects.filter(region=region).count(),
        users=User.objects.filter(unit__region=region).count(),
        messages=Message.objects.filter(region=region).count(),
        events=Event.objects.count(),
        **kwargs,
    )


def q1_summary(*, now: dt.datetime | None = None) -> str:
    """The first quarter's sentence as the bulletin would print it."""
    region = Region.objects.get(code=texts.COUNTY[1])
    return figures.compute(region, periods.parse("2026Q1"), now=now or timezone.now()).summary()


def logins(*, everyone: bool = False) -> list[User]:
    """The demo accounts to show: the main ones, or every one."""
    if everyone:
        region = Region.objects.get(code=texts.COUNTY[1])
        staff = User.objects.filter(unit__region=region).select_related("unit", "region")
        main = [u for u in logins() if u.unit_id is None]
        # Unit by unit as they were created (townships first), the leader first.
        return main + list(staff.order_by("unit_id", "-role", "username"))
    users = {u.username: u for u in User.objects.filter(username__in=SHOWN_LOGINS).select_related("unit", "region")}
    return [users[name] for name in SHOWN_LOGINS if name in users]
