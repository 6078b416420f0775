"""The offices' side of the year, as timeline scripts: roster filings, weekly
supervision flags, written-explanation orders, supervision checks and the city's
quarterly bulletins with the exposures that follow them.

The office scripts look at the database as it stands at their moment (which
messages are overdue, which units were late) and act on what they find, as the
county office would.
"""

import datetime as dt
from collections import Counter

from django.db.models import Q

from wenzheng.evaluation import publication
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Revisit, Stage
from wenzheng.supervision.models import SupervisionFinding
from wenzheng.units.models import Unit
from wenzheng.units.services import roster_file
from wenzheng.workdays import rules
from wenzheng.workdays.clock import local_date

from . import texts
from .timeline import OFFICE_CLOSES, at_local, office_moment, seconds, working_days_after
from .world import World

INCOMPLETE_ROSTERS = {"one_handler": 3, "no_leader": 2}
# A message whose script has not yet chosen when to reply.
UNDECIDED = object()
# Written-explanation orders: on (or soon after) these days, each meant to end as
# listed: backlog cleared by its deadline, not cleared, or left to chance.
ORDERS = [
    (dt.date(2026, 2, 9), True),
    (dt.date(2026, 4, 20), False),
    (dt.date(2026, 6, 22), True),
    (dt.date(2026, 9, 14), False),
    (dt.date(2026, 11, 16), None),
]
COUNTY_CHECKS = [
    dt.date(2026, 3, 6),
    dt.date(2026, 5, 15),
    dt.date(2026, 7, 17),
    dt.date(2026, 9, 18),
    dt.date(2026, 11, 13),
]
# The city's bulletin for each quarter comes out a couple of weeks after it ends; from
# the second quarter on, the slowest unit is criticised in writing and then exposed.
BULLETINS = [
    ("2026年第一季度", dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 4, 14), False),
    ("2026年第二季度", dt.date(2026, 4, 1), dt.date(2026, 7, 1), dt.date(2026, 7, 14), True),
    ("2026年第三季度", dt.date(2026, 7, 1), dt.date(2026, 10, 1), dt.date(2026, 10, 15), True),
]


# --- rosters ------------------------------------------------------------------------


def roster_scripts(world: World) -> list:
    """Every unit files its 2026 roster in January (the newcomers once registered);
    a few file incomplete lists, which costs them in the evaluation."""
    departments = [s for s in world.county.staff.values() if s.unit.kind == Unit.Kind.DEPARTMENT]
    picked = world.rng.sample([s.unit.name for s in departments], sum(INCOMPLETE_ROSTERS.values()))
    flaw = {}
    for kind, n in INCOMPLETE_ROSTERS.items():
        for name in picked[:n]:
            flaw[name] = kind
        picked = picked[n:]
    return [_file_roster(world, staff, flaw.get(name)) for name, staff in world.county.staff.items()]


def _file_roster(world, staff, flaw):
    rng = world.child_rng()
    start = max(at_local(dt.date(2026, 1, 5), dt.time(0)), at_local(staff.unit.registered_on, dt.time(0)))
    at = office_moment(rng, world.cal, start, working_days_after(world.cal, start, 12))
    yield at
    leader, handlers, by = staff.leader, staff.handlers, staff.leader
    if flaw == "one_handler":
        handlers = handlers[:1]
    elif flaw == "no_leader":
        # The unit named no leader; the county office files what it sent in.
        leader, by = None, world.county.county_office
    roster_file(unit=staff.unit, year=2026, leader=leader, handlers=handlers, by=by, at=at)


# --- supervision flags --------------------------------------------------------------


def weekly_flags(world: World):
    """Every Monday morning the county office goes through the overdue messages and
    puts most of them under supervision (督办); now and then the city's office does."""
    rng = world.child_rng()
    c = world.county
    day = dt.date(2026, 1, 5)
    while True:
        if world.cal.is_working_day(day):
            at = at_local(day, dt.time(10, 30))
            yield at
            overdue = (
                Message.objects.overdue(at=at)
                .filter(region=c.county, supervised_at__isnull=True, state__in=Message.State.with_unit())
                .order_by("submitted_at", "pk")
            )
            # All in one sitting, at one moment: nothing else happens in between.
            for message in overdue:
                if rng.random() < 0.7:
                    by = c.city_office if rng.random() < 0.15 else c.county_office
                    note = rng.choice(texts.SUPERVISION_NOTES)
                    actions.flag_for_supervision(message=message, by=by, note=note, at=at)
        day += dt.timedelta(days=7)


# --- 回访 ---------------------------------------------------------------------------


def weekly_revisits(world: World):
    """Every Thursday afternoon the county office goes through the follow-ups and 不满意
    ratings of the week before and, having called the citizen, records why the answer
    stands. (Reopening is the story in stories.py; here it would leave replies owing
    that no script writes.) The notes are chosen by the serial, not the generator."""
    c = world.county
    day = dt.date(2026, 1, 8)
    while True:
        if world.cal.is_working_day(day):
            at = at_local(day, dt.time(15, 0))
            yield at
            week_ago = at - dt.timedelta(days=7)
            waiting = (
                Revisit.objects.open()
                .filter(message__region=c.county, opened_at__lt=week_ago)
                .select_related("message")
                .order_by("opened_at", "pk")
            )
            for revisit in waiting:
                # A follow-up still unanswered waits for the unit's answer first.
                if revisit.follow_up_id is not None and not revisit.follow_up.answers.exists():
                    continue
                note = texts.REVISIT_UPHELD[revisit.message.number % len(texts.REVISIT_UPHELD)]
                actions.uphold_answer(revisit=revisit, by=c.county_office, note=note, at=at)
        day += dt.timedelta(days=7)


# --- written explanations -----------------------------------------------------------


def explanation_orders(world: World):
    """The leadership group orders a slow unit to explain itself in writing and to
    clear its overdue messages by a deadline (书面说明, 限期梳理回复).

    The deadline is set against the replies the unit's messages have planned, so that
    some orders end with the backlog cleared in time and some do not.
    """
    rng = world.child_rng()
    day = None
    for first_day, cleared in ORDERS:
        day = max(first_day, day + dt.timedelta(days=1)) if day else first_day
        for _ in range(20):  # no slow unit with a fitting backlog today: try the next day
            if world.cal.is_working_day(day):
                at = at_local(day, dt.time(9, rng.randint(0, 59)))
                yield at
                choice = _pick_backlog(world, at, cleared)
                if choice:
                    unit, messages, deadline = choice
                    order = actions.order_written_explanation(
                        unit=unit,
                        by=world.county.county_office,
                        reason=f"{unit.name}有{len(messages)}条网民留言超过规定时限未回复，请作出书面说明，并限期梳理回复。",
                        messages=messages,
                        backlog_deadline=deadline,
                        at=at,
                    )
                    world.timeline.start(_explanation(world, order))
                    break
            day += dt.timedelta(days=1)


def _pick_backlog(world, at, cleared):
    """(unit, overdue messages, backlog deadline) for a slow unit, or None."""
    for name in sorted(world.slow_units):
        unit = world.county.unit(name)
        overdue = list(
            Message.objects.filter(
                unit=unit,
                state__in=[Message.State.DISPATCHED, Message.State.RESPONDED],
                stages__kind=Stage.Kind.REPLY,
                stages__completed_at__isnull=True,
                stages__due_at__lte=at,
            ).order_by("submitted_at", "pk")
        )
        if not overdue:
            continue
        plans = [world.planned_replies.get(m.pk, UNDECIDED) for m in overdue]
        replies = [p for p in plans if isinstance(p, dt.datetime)]
        deadline = working_days_after(world.cal, at, 3)
        if cleared is True:
            # Every reply planned: a deadline just after the last one is met.
            if len(replies) == len(plans):
                return unit, overdue, max(deadline - dt.timedelta(days=2), max(replies) + dt.timedelta(hours=2))
        elif cleared is False:
            # A reply that never comes, or one planned after the deadline: it is missed.
            if None in plans or any(p > deadline for p in replies):
                return unit, overdue, deadline
        else:
            return unit, overdue, deadline
    return None


def _explanation(world, order):
    rng = world.child_rng()
    at = office_moment(rng, world.cal, order.ordered_at, working_days_after(world.cal, order.ordered_at, 4))
    yield at
    staff = world.staff(order.unit)
    by = staff.leader if rng.random() < 0.8 else world.county.county_office
    text = (
        f"关于{order.unit.name}网络问政留言回复迟延的书面说明：因近期业务集中、网络评论员调整，"
        "对网民留言的签收和回复未能严格按时限执行。现已明确分管领导每日督促、网络评论员专人值守，"
        "对超时留言逐条梳理并限期回复，今后将严格落实回应、回复时限要求。"
    )
    actions.record_explanation(order=order, by=by, text=text, at=at)


# --- checks and bulletins -----------------------------------------------------------


def late_counts(county, start: dt.datetime, end: dt.datetime) -> list[tuple[Unit, int, int]]:
    """Late stages per unit as they stood at `end`: completed late in [start, end), or
    past their deadline and still open at `end`. (unit, late stages, latest message
    concerned), worst first."""
    stages = Stage.objects.filter(unit__region=county).filter(
        Q(outcome=Stage.Outcome.LATE, completed_at__gte=start, completed_at__lt=end)
        | (Q(due_at__gte=start, due_at__lt=end) & (Q(completed_at__isnull=True) | Q(completed_at__gte=end)))
    )
    counts, latest = Counter(), {}
    for unit_id, message_id in stages.order_by("started_at", "pk").values_list("unit_id", "message_id"):
        counts[unit_id] += 1
        latest[unit_id] = message_id
    units = Unit.objects.in_bulk(list(counts))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], units[item[0]].name))
    return [(units[unit_id], n, latest[unit_id]) for unit_id, n in ranked]


def county_checks(world: World):
    """The county's irregular supervision checks (督查): the two slowest units of the
    last two months are found wanting; one prompt unit is checked and found in order."""
    rng = world.child_rng()
    c = world.county
    for day in COUNTY_CHECKS:
        at = at_local(day, dt.time(15, rng.randint(0, 59)))
        yield at
        start = at - dt.timedelta(days=60)
        for unit, n, message_id in late_counts(c.county, start, at)[:2]:
            if n < 2:
                break
            actions.record_finding(
                unit=unit,
                by=c.county_office,
                summary=f"督查发现，{unit.name}近两个月有{n}次未在规定时限内回应或回复网民留言。",
                found_on=day,
                message=_still_with(unit, message_id),
                at=at,
            )
        prompt = _prompt_unit(c.county, start, at)
        if prompt:
            actions.record_finding(
                unit=prompt,
                by=c.county_office,
                summary=f"督查抽查{prompt.name}近期办理的网民留言，均按时回应、回复，答复内容规范。",
                found_on=day,
                adverse=False,
                at=at,
            )


def _still_with(unit, message_id) -> Message | None:
    """The message, if the unit still holds it (a finding or exposure may cite only
    the unit's own messages; a late stage may belong to one since transferred)."""
    return Message.objects.filter(pk=message_id, unit=unit).first()


def _prompt_unit(county, start, end) -> Unit | None:
    """The unit with the most on-time replies and no late stage in the window."""
    late = {unit.pk for unit, _, _ in late_counts(county, start, end)}
    on_time = Counter(
        Stage.objects.filter(
            unit__region=county,
            kind=Stage.Kind.REPLY,
            outcome=Stage.Outcome.ON_TIME,
            completed_at__gte=start,
            completed_at__lt=end,
        ).values_list("unit_id", flat=True)
    )
    candidates = sorted((-n, unit_id) for unit_id, n in on_time.items() if unit_id not in late and n >= 3)
    return Unit.objects.get(pk=candidates[0][1]) if candidates else None


def city_bulletins(world: World):
    """The city's quarterly bulletin names the county's slowest unit; the county
    records it as a finding, and from the second quarter exposes the criticised unit."""
    rng = world.child_rng()
    c = world.county
    for label, first, end, day, criticise in BULLETINS:
        at = at_local(day, dt.time(10, rng.randint(0, 59)))
        yield at
        ranked = late_counts(c.county, at_local(first, dt.time(0)), at_local(end, dt.time(0)))
        if not ranked:
            continue
        unit, n, message_id = ranked[0]
        summary = f"河池市{label}网络问政工作通报：{unit.name}有{n}次未按时限回应或回复网民留言"
        actions.record_finding(
            unit=unit,
            by=c.city_office,
            source=SupervisionFinding.Source.CITY_BULLETIN,
            summary=summary + ("，予以书面通报批评。" if criticise else "，请抓紧整改。"),
            written_criticism=criticise,
            found_on=day,
            at=at,
        )
        if criticise:
            world.timeline.start(_exposure(world, unit, message_id, label, at))


def county_bulletins(world: World):
    """The county office publishes its own bulletin of each quarter a week after it
    ends: the figures, the late units, the red and black list, the chains' anchors."""
    c = world.county
    for code, day in (
        ("2026Q1", dt.date(2026, 4, 8)),
        ("2026Q2", dt.date(2026, 7, 8)),
        ("2026Q3", dt.date(2026, 10, 13)),
    ):
        yield at_local(day, dt.time(16, 0))
        publication.publish_bulletin(region=c.county, code=code, by=c.county_office, at=at_local(day, dt.time(16, 0)))


def _exposure(world, unit, message_id, label, after):
    rng = world.child_rng()
    day = rules.add_working_days(world.cal, local_date(after), 3).day
    at = seconds(office_moment(rng, world.cal, after, at_local(day, OFFICE_CLOSES)))
    yield at
    actions.publish_exposure(
        unit=unit,
        by=world.county.county_office,
        message=_still_with(unit, message_id),
        title=f"{unit.name}网络问政办理迟缓被市通报批评",
        body=(
            f"在河池市{label}网络问政工作通报中，{unit.name}因多次未按时限回应、回复网民留言被书面通报批评。"
            "县网络问政工作领导小组已责成该单位作出书面说明，限期整改，整改情况将跟踪报道。"
        ),
        outlet="罗城县融媒体中心、河池日报",
        at=at,
    )
