"""Citizens' messages: what is written, to whom, and each message's life as a script.

A `Plan` fixes what a citizen writes and when; `Life` runs the message through the
handling actions, choosing each next moment from the deadlines the actions stored
(on time for most units, late for the habitually slow ones). Everything counted in
the first quarter's figures is done before `Q1_CAP`.
"""

import dataclasses
import datetime as dt
import random
import zlib
from dataclasses import dataclass

from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage
from wenzheng.units.models import Unit
from wenzheng.workdays.clock import local_date

from . import photos as demo_photos
from . import texts
from . import topics as demo_topics
from .county import person_name, phone
from .timeline import at_local, citizen_moment, late_moment, office_moment, working_days_after
from .world import Q1_CAP, World

CONSULTATION, SUGGESTION, APPEAL = "consultation", "suggestion", "appeal"
# The seed's first quarter: 23 consultations, 5 suggestions, 18 appeals.
Q1_MIX = {CONSULTATION: 23, SUGGESTION: 5, APPEAL: 18}
# After the first quarter, by share.
LATER_MIX = {CONSULTATION: 0.45, SUGGESTION: 0.15, APPEAL: 0.40}
# Messages a month after the first quarter.
MONTHLY = (40, 80)
# Q1 messages after this date take no side path (transfer, extension), so they are
# surely answered and closed before the quarter ends.
Q1_CALM_FROM = at_local(dt.date(2026, 3, 10), dt.time(0))
# Where villagers write from: the county seat (东门镇) three times as often as elsewhere.
PLACES = texts.TOWNSHIPS + [texts.TOWNSHIPS[0]] * 2


@dataclass
class Plan:
    rng: random.Random
    submitted_at: dt.datetime
    category: str
    title: str
    body: str
    text_index: int  # which of the topic's texts, so the reply answers that one
    slots: dict
    topic: texts.Topic
    unit: Unit  # the responsible unit
    chosen: Unit | None  # the unit the citizen picked; None leaves it to the county office
    name: str
    phone: str
    consent: bool
    address: str = ""
    by_account: bool = False
    pushback: bool = False  # the unit tries to hand the message back and is refused
    cap: dt.datetime | None = None  # counted in Q1: everything that counts is done by then
    calm: bool = False  # no side paths
    outcome: str | None = None  # forced outcome for appeals: solved, explained, long_cycle
    approver: str | None = None  # "county" or "city", for a long-cycle closure
    approve_at: dt.datetime | None = None
    on_time: bool | None = None  # forced punctuality
    stuck: bool = False  # acknowledged, never replied before the horizon
    undispatched: bool = False  # the county office has not dispatched it yet

    @property
    def misdirected(self) -> bool:
        return self.chosen is not None and self.chosen.pk != self.unit.pk


# --- planning -----------------------------------------------------------------------


def plan_all(world: World) -> list[Plan]:
    """The random flow of messages: the first quarter's 46 less the story messages,
    then 40–80 a month up to the horizon."""
    plans = []
    q1 = dict(Q1_MIX)
    q1[APPEAL] -= 2  # the two Q1 stories are appeals (see `stories`)
    categories = [c for c, n in q1.items() for _ in range(n)]
    world.rng.shuffle(categories)
    start, end = at_local(dt.date(2026, 1, 1), dt.time(0)), at_local(dt.date(2026, 3, 25), dt.time(0))
    moments = sorted(_moment_between(world.rng, start, end) for _ in categories)
    for category, moment in zip(categories, moments, strict=True):
        plans.append(plan_one(world, category, moment, cap=Q1_CAP))
    month = dt.date(2026, 4, 1)
    while (month_start := at_local(month, dt.time(0))) < world.until:
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        month_end = min(at_local(next_month, dt.time(0)), world.until)
        share = (month_end - month_start) / (at_local(next_month, dt.time(0)) - month_start)
        count = round(world.rng.randint(*MONTHLY) * share)
        codes = list(LATER_MIX)
        for _ in range(count):
            category = world.rng.choices(codes, weights=[LATER_MIX[c] for c in codes])[0]
            plans.append(plan_one(world, category, _moment_between(world.rng, month_start, month_end)))
        month = next_month
    return sorted(plans, key=lambda p: p.submitted_at)


def _moment_between(rng, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A citizen's moment: any day (weekends a little quieter), mostly daytime and
    evening hours."""
    while True:
        day = local_date(start) + dt.timedelta(days=rng.randrange((end - start).days + 1))
        if day.weekday() >= 5 and rng.random() < 0.4:
            continue
        moment = at_local(day, dt.time(rng.choice(texts.CITIZEN_HOURS), rng.randrange(60), rng.randrange(60)))
        if start <= moment < end:
            return moment


def plan_one(world: World, category: str, submitted_at: dt.datetime, *, cap=None, topic=None, **forced) -> Plan:
    """A message with random contents and handling; `forced` fixes any Plan field."""
    rng = world.child_rng()
    day = local_date(submitted_at)
    topic = texts.TOPIC_BY_KEY[topic] if topic else rng.choice([t for t in texts.TOPICS if t.texts(category)])
    slots = _slots(world, rng, topic)
    unit = _responsible_unit(world, rng, topic, slots["township"], day)
    text_index = rng.randrange(len(topic.texts(category)))
    title, body = (s.format_map(slots) for s in topic.texts(category)[text_index])
    title = rng.choice(texts.TITLE_PREFIXES[category]) + title
    body = rng.choice(texts.BODY_OPENERS) + body + rng.choice(texts.BODY_CLOSERS)
    calm = cap is not None and submitted_at >= Q1_CALM_FROM
    by_account = rng.random() < 0.08
    citizen = world.county.citizen
    roll = rng.random()
    if roll < 0.3:
        chosen = None
    elif roll < 0.37 and not calm:
        chosen = _wrong_unit(world, rng, unit, day)
    else:
        chosen = unit
    plan = Plan(
        rng=rng,
        submitted_at=submitted_at,
        category=category,
        title=title,
        body=body,
        text_index=text_index,
        slots=slots,
        topic=topic,
        unit=unit,
        chosen=chosen,
        name=citizen.display_name if by_account else person_name(rng),
        phone=citizen.phone if by_account else phone(rng),
        consent=rng.random() < 0.85,
        address=slots["place"] if rng.random() < 0.4 else "",
        by_account=by_account,
        pushback=chosen is not None and not calm and rng.random() < 0.04,
        cap=cap,
        calm=calm,
    )
    plan = dataclasses.replace(plan, body=_with_personal_data(plan))
    return dataclasses.replace(plan, **forced)


def _with_personal_data(plan: Plan) -> str:
    """One message in eight carries the citizen's own details in its text, as real
    ones do; which one, and what, follows from a hash of the text, not from the
    random source, so the rest of the demo is unchanged."""
    h = zlib.crc32(plan.body.encode())
    if h % 8 or plan.by_account:
        return plan.body
    phone = plan.phone
    details = {
        "phone": phone,
        "phone_spaced": f"{phone[:3]} {phone[3:7]} {phone[7:]}",
        "name": plan.name,
        "place": plan.slots["place"],
        "house": h % 60 + 1,
        "id_number": f"450225{1950 + h % 50}{h % 12 + 1:02d}{h % 28 + 1:02d}{h % 1000:03d}{h % 10}",
    }
    addition = texts.PERSONAL_ADDITIONS[(h // 8) % len(texts.PERSONAL_ADDITIONS)]
    return plan.body + addition.format_map(details)


def _slots(world, rng, topic) -> dict:
    if topic.in_town:
        township, village = "东门镇", ""
    else:
        township, _, villages = rng.choice(PLACES)
        village = rng.choice(villages)
    street, street2 = rng.sample(texts.STREETS, 2)
    return {
        "township": township,
        "village": village or street,
        "place": f"{township}{village or street}",
        "street": street,
        "street2": street2,
        "school": rng.choice(texts.SCHOOLS),
        "n": rng.randint(2, 9),
        "tel": f"8{rng.randrange(10**6):06d}",
    }


def _responsible_unit(world, rng, topic, township, day) -> Unit:
    """The first registered unit of the topic's list, now and then another one."""
    names = [township if n == "{township}" else n for n in topic.units]
    units = [world.county.unit(n) for n in names if world.county.unit(n).registered_on <= day]
    if len(units) > 1 and rng.random() < 0.35:
        return rng.choice(units[1:])
    return units[0]


def _wrong_unit(world, rng, unit, day) -> Unit:
    """A citizen's guess at the wrong door: another registered unit of the same kind."""
    others = [u for u in world.county.units if u.kind == unit.kind and u.pk != unit.pk and u.registered_on <= day]
    return rng.choice(others)


# --- a message's life ---------------------------------------------------------------


class Life:
    """One message from submission to rating, as a script for the timeline."""

    def __init__(self, world: World, plan: Plan):
        self.w, self.p, self.rng = world, plan, plan.rng
        self.t = plan.submitted_at
        self.message = None
        self.passcode = ""  # issued at submission, for the citizen's later steps
        self.outcome = None
        self.late_reply = False
        slow = plan.unit.name in world.slow_units
        # Habitually slow units answer late far more often (the seed's 迟延 units).
        self.late_odds = (0.3, 0.45) if slow else (0.03, 0.04)
        self.slow = slow

    # moments

    def wait(self, at: dt.datetime) -> dt.datetime:
        self.t = at
        return at

    def capped(self, latest: dt.datetime) -> dt.datetime:
        return min(latest, self.p.cap) if self.p.cap else latest

    def office(self, latest: dt.datetime) -> dt.datetime:
        return office_moment(self.rng, self.w.cal, self.t, self.capped(latest))

    def within(self, working_days: int) -> dt.datetime:
        return self.office(working_days_after(self.w.cal, self.t, working_days))

    def late(self, due: dt.datetime, days: int) -> dt.datetime:
        moment = late_moment(self.rng, self.w.cal, due, days, earliest=self.t)
        return moment if not self.p.cap or moment <= self.p.cap else self.office(self.p.cap)

    def due(self, kind) -> dt.datetime | None:
        stage = Stage.objects.filter(message=self.message, kind=kind, completed_at__isnull=True).first()
        return stage.due_at if stage else None

    def is_late(self, odds: float) -> bool:
        if self.p.on_time is not None:
            return not self.p.on_time
        return self.rng.random() < odds

    # people

    @property
    def staff(self):
        return self.w.staff(self.message.unit)

    def handler(self):
        staff = self.staff
        return staff.leader if self.rng.random() < 0.15 else self.rng.choice(staff.handlers)

    @property
    def office_user(self):
        return self.w.county.county_office

    @property
    def citizen(self) -> actions.Citizen:
        if self.p.by_account:
            return actions.Citizen(user=self.w.county.citizen)
        return actions.Citizen(passcode=self.passcode)

    def state(self) -> str:
        self.message.refresh_from_db(fields=["state"])
        return self.message.state

    # the script

    def run(self):
        p = self.p
        yield from self.submit()
        if p.undispatched:
            return
        if p.chosen is None:
            yield from self.dispatch(p.unit)
        elif p.misdirected:
            yield from self.hand_back(to=p.unit)
        elif p.pushback:
            yield from self.push_back()
        yield from self.respond()
        if p.stuck:
            self.w.planned_replies[self.message.pk] = None
            return
        yield from self.maybe_extend()
        self.outcome = self.choose_outcome()
        yield from self.reply(self.answer(self.outcome))
        yield from self.close()
        yield from self.aftercare()

    def submit(self):
        p = self.p
        yield self.wait(p.submitted_at)
        self.message = actions.submit(
            by=self.w.county.citizen if p.by_account else None,
            category=self.w.categories[p.category],
            unit=p.chosen,
            region=None if p.chosen else self.w.county.county,
            title=p.title,
            body=p.body,
            name=p.name,
            phone=p.phone,
            consent_to_publish=p.consent,
            address=p.address,
            # A citizen who picks the unit often picks the subject too; the office
            # sets it at dispatch otherwise.
            topic=demo_topics.topic_for(self.w.county.county, p.topic.key) if p.chosen else None,
            attachments=demo_photos.for_message(p.topic.key, p.title),
            at=p.submitted_at,
        )
        self.passcode = self.message.issued_passcode

    def dispatch(self, unit, note=None):
        yield self.wait(self.within(1))
        note = note if note is not None else self.rng.choice(texts.DISPATCH_NOTES)
        topic = demo_topics.topic_for(self.w.county.county, self.p.topic.key)
        self.message = actions.dispatch(
            message=self.message, by=self.office_user, unit=unit, note=note, topic=topic, at=self.t
        )

    def hand_back(self, *, to):
        """The citizen picked the wrong unit: it hands the message back and the county
        office sends it on, where the clock starts afresh."""
        yield self.wait(self.office(self.due(Stage.Kind.RESPONSE)))
        reason = self.rng.choice(texts.TRANSFER_REASONS).format(to=to.name)
        actions.request_transfer(message=self.message, by=self.handler(), reason=reason, at=self.t)
        yield from self.dispatch(to, note=self.rng.choice(texts.REDISPATCH_NOTES))

    def push_back(self):
        """The right unit tries to pass the message on; the county office refuses, and
        the unit's deadlines have kept running."""
        yield self.wait(self.office(self.due(Stage.Kind.RESPONSE)))
        actions.request_transfer(
            message=self.message, by=self.handler(), reason=self.rng.choice(texts.PUSHBACK_REASONS), at=self.t
        )
        yield self.wait(self.within(1))
        reason = self.rng.choice(texts.PUSHBACK_REJECTIONS)
        actions.reject_transfer(message=self.message, by=self.office_user, reason=reason, at=self.t)

    def respond(self):
        # One in ten units skips the acknowledgement: the reply acknowledges too.
        if self.rng.random() < 0.1 and not self.p.stuck:
            return
        due = self.due(Stage.Kind.RESPONSE)
        late = self.is_late(self.late_odds[0]) or (self.p.stuck and self.slow)
        yield self.wait(self.late(due, self.rng.randint(1, 3)) if late else self.office(due))
        actions.respond(message=self.message, by=self.handler(), at=self.t)

    def maybe_extend(self):
        p = self.p
        odds = {APPEAL: 0.12, SUGGESTION: 0.06}.get(p.category, 0)
        if p.calm or p.outcome or self.rng.random() >= odds:
            return
        due = self.due(Stage.Kind.REPLY)
        latest = min(due, working_days_after(self.w.cal, self.t, 2))
        if latest - self.t < dt.timedelta(hours=2):
            return
        yield self.wait(self.office(latest))
        reason = self.rng.choice(texts.EXTENSION_REASONS)
        request = actions.request_extension(
            message=self.message, by=self.staff.leader, days=self.rng.choice([5, 10]), reason=reason, at=self.t
        )
        yield self.wait(self.within(1))
        if self.rng.random() < 0.75:
            note = self.rng.choice(texts.EXTENSION_APPROVALS)
            actions.approve_extension(request=request, by=self.office_user, note=note, at=self.t)
        else:
            reason = self.rng.choice(texts.EXTENSION_REJECTIONS)
            actions.reject_extension(request=request, by=self.office_user, reason=reason, at=self.t)

    def choose_outcome(self) -> str:
        if self.p.category != APPEAL:
            return self.p.category
        if self.p.outcome:
            return self.p.outcome
        roll = self.rng.random()
        if roll < 0.07 and self.p.cap is None:
            return "long_cycle"
        return "solved" if roll < 0.67 else "explained"

    def answer(self, outcome: str) -> str:
        # A long-cycle closure is first of all an explained reply.
        key = "explained" if outcome == "long_cycle" else outcome
        answers = self.p.topic.answers.get(key) or texts.GENERIC_ANSWERS[key]
        answer = answers[min(self.p.text_index, len(answers) - 1)]
        frame = self.rng.choice(texts.REPLY_FRAMES[self.p.category])
        if self.p.by_account:
            # Units greet a signed-in citizen by the account's name: masked when public.
            frame = frame.replace("网友您好", f"网友{self.w.county.citizen.display_name}您好")
        # The unit's own published line, on the county's list of numbers left unmasked.
        slots = {**self.p.slots, "unit": self.message.unit.name, "tel": texts.hotline(self.message.unit.name)[5:]}
        return frame.format_map({**slots, "answer": answer.format_map(slots)})

    def reply(self, text):
        due = self.due(Stage.Kind.REPLY)
        self.late_reply = self.is_late(self.late_odds[1])
        if self.late_reply:
            forgotten = self.slow and self.rng.random() < 0.12
            days = self.rng.randint(10, 20) if forgotten else self.rng.randint(1, 6 if self.slow else 2)
            at = self.late(due, days)
        else:
            at = self.office(due)
        self.w.planned_replies[self.message.pk] = at
        yield self.wait(at)
        actions.reply(message=self.message, by=self.handler(), text=text, at=self.t)

    def close(self):
        """办结 by the category's rule, signed off by the leader; a few units never get
        round to it."""
        if self.p.cap is None and self.rng.random() < 0.03 and not self.p.outcome:
            return
        if self.outcome == "long_cycle":
            yield from self.long_cycle()
            return
        kind = {CONSULTATION: "answered", SUGGESTION: "answered"}.get(self.outcome, self.outcome)
        yield self.wait(self.within(2))
        note = self.rng.choice(texts.CLOSING_NOTES)
        actions.close(message=self.message, by=self.staff.leader, kind=kind, note=note, at=self.t)

    def long_cycle(self):
        yield self.wait(self.within(3))
        explanation = self.rng.choice(texts.LONG_CYCLE_EXPLANATIONS)
        actions.request_long_cycle_closure(
            message=self.message, by=self.staff.leader, explanation=explanation, at=self.t
        )
        approver = self.p.approver or ("city" if self.rng.random() < 0.3 else "county")
        by = self.w.county.city_office if approver == "city" else self.office_user
        yield self.wait(self.p.approve_at or self.within(self.rng.randint(2, 6)))
        note = self.rng.choice(texts.LONG_CYCLE_APPROVALS)
        actions.approve_long_cycle_closure(message=self.message, by=by, note=note, at=self.t)

    def aftercare(self):
        """The citizen asks more and the unit adds to its answer; the citizen rates."""
        if self.rng.random() < 0.08:
            yield self.wait(citizen_moment(self.rng, self.t, days=(0, 4)))
            asked = actions.follow_up(
                message=self.message, who=self.citizen, text=self.rng.choice(texts.FOLLOW_UPS), at=self.t
            )
            if self.rng.random() < 0.8:
                yield self.wait(self.office(working_days_after(self.w.cal, self.t, 2)))
                if self.state() in (Message.State.REPLIED, Message.State.CLOSED):
                    text = self.rng.choice(texts.SUPPLEMENTS)
                    actions.answer_follow_up(follow_up=asked, by=self.handler(), text=text, at=self.t)
        if self.rng.random() < 0.6:
            yield self.wait(citizen_moment(self.rng, self.t, days=(0, 6)))
            weights = (45, 30, 25) if self.late_reply else (78, 16, 6)
            rating = self.rng.choices(Message.Rating.values, weights=weights)[0]
            # Chosen by the serial, not the generator: the rest of the county stays as it was.
            reason = texts.DISSATISFIED_REASONS[self.message.number % len(texts.DISSATISFIED_REASONS)]
            actions.rate(message=self.message, who=self.citizen, rating=rating, reason=reason, at=self.t)
