"""The workspace's reads: inboxes, queues and overviews, each in a fixed number of
queries however many rows they hold."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import search_audience
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import ExtensionRequest, FollowUp, Message, Reply, ReplyDraft, Revisit, Stage
from wenzheng.reports import figures, tally
from wenzheng.reports.periods import Period
from wenzheng.search.selectors import typed_or_words
from wenzheng.supervision.models import ExplanationProposal, WrittenExplanationOrder
from wenzheng.units.models import Region, RosterFiling, RosterMember, Unit
from wenzheng.workdays import clock

State = Message.State


# --- deadlines ----------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """An open stage as the screen shows it."""

    stage: Stage
    days_left: int
    overdue: bool

    @property
    def due_soon(self) -> bool:
        return not self.overdue and self.days_left <= 1

    @property
    def last_day(self) -> dt.date:
        return clock.deadline_day(self.stage.due_at)

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


class Countdown(clock.Countdown):
    def deadline(self, stage: Stage) -> Deadline:
        return Deadline(stage=stage, days_left=self.days_left(stage.due_at), overdue=stage.due_at <= self.at)


def with_open_stages(messages):
    """Annotate each message's nearest open deadline (`next_due`, for ordering) and
    prefetch its open stages, nearest first (`open_stages`, for display)."""
    open_stages = Stage.objects.filter(completed_at__isnull=True).order_by("due_at", "pk")
    # A correlated subquery, not MIN over a join: the join made every list (and its
    # page count) GROUP BY the message, and SQLite then read a county's queue through
    # the region index in rowid order (50,000 rows at 1M) instead of (region, state).
    nearest = Stage.objects.filter(message=OuterRef("pk"), completed_at__isnull=True, due_at__isnull=False)
    return messages.annotate(
        next_due=Subquery(nearest.order_by("due_at").values("due_at")[:1]),
    ).prefetch_related(Prefetch("stages", queryset=open_stages, to_attr="open_stages"))


def attach_deadlines(messages, *, at: dt.datetime) -> list:
    """Give every message from `with_open_stages` its nearest `deadline` (or None)."""
    messages = list(messages)
    countdown = Countdown([s.due_at for m in messages for s in m.open_stages], at=at)
    for m in messages:
        m.deadline = countdown.deadline(m.open_stages[0]) if m.open_stages else None
    return messages


# --- searching ----------------------------------------------------------------------


def matching(user, messages, query, *, order="relevance", among=None):
    """`messages` narrowed to those the user's search finds for `query` (the texts
    as the user may read them, wenzheng.search), best match first as on the board
    (`order` "relevance"), or newest first ("newest"); without a query, the list in
    its own order. And the query searched: `query`, or its words when it found
    none of `among` (by default `messages`) as typed: a tab of the inbox searches
    what the whole inbox would (wenzheng.search.selectors.typed_or_words)."""
    if query is None:
        return messages, None
    audience = search_audience(user)
    searched = typed_or_words(messages if among is None else among, query, audience=audience)
    return messages.search(searched, audience=audience, order=order), searched


# --- the unit -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    slug: str
    label: str
    # Which of the unit's messages the tab holds, for a handler or the leader (on the
    # annotations of `_annotated`).
    holds: Callable[[bool], Q]


OWING = Q(state__in=(State.DISPATCHED, State.RESPONDED, State.TRANSFER_REQUESTED))


# What waits on a message: a reply for sign-off, a follow-up not yet answered, a 不满意
# rating the county office has not yet dealt with. As expressions, so that a filter and
# a count can use them directly (an aggregate may not refer to an annotation's name).
def _draft_waiting():
    return Exists(ReplyDraft.objects.filter(message=OuterRef("pk"), state=ReplyDraft.State.PENDING))


def _follow_up_waiting():
    return Exists(FollowUp.objects.filter(message=OuterRef("pk"), answers__isnull=True))


def _dissatisfied():
    revisits = Revisit.objects.open().filter(message=OuterRef("pk"), kind=Revisit.Kind.DISSATISFIED)
    # A merged message's (并单) is for its main message's unit, which answered its
    # citizen and handles it (accounts.policy.handled_by), not for the unit it had.
    return Exists(revisits.filter(Q(unit=OuterRef("unit")) | Q(message__state=State.MERGED)))


def _replied_before():
    """重办 (with the message owing a reply again): the unit's earlier reply stage for it
    ended in a reply, on time or late."""
    earlier = Stage.objects.filter(
        message=OuterRef("pk"),
        unit=OuterRef("unit"),
        kind=Stage.Kind.REPLY,
        outcome__in=(Stage.Outcome.ON_TIME, Stage.Outcome.LATE),
    )
    return Exists(earlier)


def _last_draft():
    """The state of the unit's latest reply draft for the message ("returned": its
    leader sent it back, and the handler owes a new one)."""
    drafts = ReplyDraft.objects.filter(message=OuterRef("pk"), unit=OuterRef("unit"))
    return Subquery(drafts.order_by("-written_at", "-pk").values("state")[:1])


def _todo(leader: bool) -> Q:
    """待办: the unit owes a response or a reply (a hand-back waits on the county, but
    the unit's clock keeps running meanwhile) or an answer to a follow-up; for the
    leader, also the replies waiting for sign-off and the replied messages waiting for
    closure."""
    todo = OWING | Q(_follow_up_waiting())
    return todo | Q(_draft_waiting()) | Q(state=State.REPLIED) if leader else todo


INBOX_TABS = [
    Tab("todo", gettext_lazy("待办"), _todo),
    Tab("signoff", gettext_lazy("待审核"), lambda leader: Q(_draft_waiting())),
    Tab("follow-ups", gettext_lazy("待答复追问"), lambda leader: Q(_follow_up_waiting())),
    Tab("dissatisfied", gettext_lazy("不满意"), lambda leader: Q(_dissatisfied())),
    Tab("replied", gettext_lazy("已回复"), lambda leader: Q(state__in=(State.REPLIED, State.CLOSURE_PENDING))),
    Tab("closed", gettext_lazy("已办结"), lambda leader: Q(state=State.CLOSED)),
    Tab("all", gettext_lazy("全部"), lambda leader: Q()),
]


def inbox_tab(slug) -> Tab:
    return next((t for t in INBOX_TABS if t.slug == slug), INBOX_TABS[0])


def inbox(user, tab: Tab):
    """The unit's messages, nearest open deadline first, then the newest, each marked
    with what waits on it."""
    messages = (
        Message.objects.visible_to(user)
        .filter(tab.holds(user.role == Role.LEADER))
        .annotate(
            has_draft=_draft_waiting(),
            has_follow_up=_follow_up_waiting(),
            dissatisfied=_dissatisfied(),
            replied_before=_replied_before(),
            last_draft=_last_draft(),
        )
        .select_related("category")
    )
    return with_open_stages(messages).order_by(F("next_due").asc(nulls_last=True), "-submitted_at", "-pk")


def inbox_whole(user):
    """Every message of the user's inbox, whatever its tab: what the tabs count."""
    return Message.objects.visible_to(user)


def inbox_counts(user, query=None) -> dict[str, int]:
    """How many messages each tab holds; with a search, how many of them it finds
    (the tabs then count what the search would list in each)."""
    leader = user.role == Role.LEADER
    counts = {t.slug: Count("pk", filter=t.holds(leader)) for t in INBOX_TABS}
    messages = inbox_whole(user)
    if query is not None:
        messages = messages.search(query, audience=search_audience(user), order="newest").order_by()
    return messages.aggregate(**counts)


def open_orders(user):
    """Written-explanation orders addressed to the user's unit and not yet answered:
    at the top of the inbox until the explanation is in."""
    return WrittenExplanationOrder.objects.filter(unit_id=user.unit_id, explanation_received_at__isnull=True).order_by(
        "backlog_deadline"
    )


def with_backlog_status(orders, *, at: dt.datetime):
    """Each order with its `cleared` (True / False / None) and its messages, in a fixed
    number of queries."""
    orders = orders.with_backlog_open().select_related("unit", "ordered_by")
    orders = list(orders.prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("year", "number"))))
    for order in orders:
        order.cleared = order.backlog_cleared_in_time(at=at)
    return orders


def roster_history(unit):
    """Every version of every roster the unit filed, newest year and version first,
    each marked `in_force` (the newest version of its year)."""
    members = Prefetch("members", queryset=RosterMember.objects.select_related("user").order_by("position", "pk"))
    filings = list(
        RosterFiling.objects.filter(unit=unit)
        .select_related("filed_by")
        .prefetch_related(members)
        .order_by("-year", "-version")
    )
    seen = set()
    for filing in filings:
        filing.in_force = filing.year not in seen
        seen.add(filing.year)
    return filings


# --- the county office --------------------------------------------------------------

QUEUE_STATES = (State.PENDING_DISPATCH, State.TRANSFER_REQUESTED)


def dispatch_queue(user, county):
    """Messages waiting for the county office, oldest first, each with the unit's
    latest hand-back (`handbacks[0]`) where there is one."""
    handbacks = Event.objects.filter(kind=Event.Kind.TRANSFER_REQUESTED).select_related("unit").order_by("-seq")
    messages = (
        Message.objects.visible_to(user)
        .filter(region=county, state__in=QUEUE_STATES)
        .select_related("category", "unit")
        .prefetch_related(Prefetch("events", queryset=handbacks, to_attr="handbacks"))
        .order_by("submitted_at", "pk")
    )
    return with_open_stages(messages)


def county_counts(user, county, *, at) -> dict[str, int]:
    """The county dashboard's counts. `county` is one the user may see (county_for):
    the counts of related records go through the message's county with a join, not
    `message IN (every message of the county)`, which SQLite builds first (50,000
    ids at a city's scale: 6 ms each, for the few pending rows)."""
    messages = Message.objects.visible_to(user).filter(region=county)
    # Only the states counted, so the (region, state) index narrows the read: counting
    # with FILTER over all of a county's messages took 66 ms on PostgreSQL at 50,000.
    counts = messages.filter(state__in=[*QUEUE_STATES, State.CLOSURE_PENDING]).aggregate(
        dispatch=Count("pk", filter=Q(state__in=QUEUE_STATES)),
        closures=Count("pk", filter=Q(state=State.CLOSURE_PENDING)),
    )
    of_county = {"message__region": county}
    counts["extensions"] = ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING, **of_county).count()
    counts["approvals"] = counts["extensions"] + counts["closures"]
    # Read from the open stages past their deadline (a stage's unit is always of its
    # message's county: dispatch and transfer refuse another county's units), not by
    # looking for such a stage under each of the county's messages: 8 ms, not 17 ms,
    # for a county of 50,000 messages.
    counts["overdue"] = (
        Stage.objects.filter(unit__region=county, completed_at__isnull=True, due_at__lte=at)
        .values("message")
        .distinct()
        .count()
    )
    counts["revisits"] = Revisit.objects.open().filter(**of_county).count()
    counts["proposals"] = ExplanationProposal.objects.filter(
        unit__region=county, state=ExplanationProposal.State.PROPOSED
    ).count()
    counts["failed"] = failed_deliveries(county).count()
    return counts


def revisit_queue(user, county):
    """Messages with a 回访 the county office has yet to decide, the oldest waiting
    first, with what the citizen wrote and what the unit answered."""
    waiting = Revisit.objects.open().select_related("follow_up").order_by("opened_at", "pk")
    replies = Reply.objects.select_related("unit", "author")
    return (
        Message.objects.visible_to(user)
        .filter(region=county, revisits__state=Revisit.State.OPEN)
        .annotate(waiting_since=Min("revisits__opened_at", filter=Q(revisits__state=Revisit.State.OPEN)))
        .select_related("unit", "category", "merged_into__unit")
        .prefetch_related(
            Prefetch("revisits", queryset=waiting, to_attr="open_revisits"),
            Prefetch("replies", queryset=replies),
            # A merged message's citizen (并单) followed up or rated the main message's answer.
            Prefetch("merged_into__replies", queryset=replies),
            "follow_ups",
        )
        .order_by("waiting_since", "pk")
    )


def proposals(county, period_code: str):
    return (
        ExplanationProposal.objects.filter(unit__region=county, period=period_code)
        .select_related("unit", "order", "decided_by")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("year", "number")))
        .order_by("state", "unit__kind", "unit__name")
    )


def failed_deliveries(county):
    """E-mail and SMS that could not be sent, for the county's office to see."""
    from wenzheng.notifications.models import Delivery

    return (
        Delivery.objects.filter(state=Delivery.State.FAILED, notice__region=county)
        .select_related("notice__recipient", "notice__message")
        .order_by("-next_attempt_at", "-pk")
    )


def pending_extensions(user, county):
    return (
        ExtensionRequest.objects.filter(
            status=ExtensionRequest.Status.PENDING,
            message__in=Message.objects.visible_to(user).filter(region=county),
        )
        .select_related("message__category", "stage__unit", "requested_by")
        .order_by("requested_at", "pk")
    )


def closure_requests(user, *, region):
    """Long-cycle closures waiting for approval, in a county or in all of a city's."""
    messages = Message.objects.visible_to(user).filter(state=State.CLOSURE_PENDING)
    if region.kind == Region.Kind.CITY:
        messages = messages.filter(region__parent=region)
    else:
        messages = messages.filter(region=region)
    replies = Prefetch("replies", queryset=Reply.objects.select_related("unit"))
    return (
        messages.select_related("unit", "category", "region", "citizen")
        .prefetch_related(replies, "follow_ups")
        .order_by("submitted_at")
    )


def overdue(user, county, *, at):
    """Messages with an open stage past its deadline, grouped by unit in order."""
    messages = Message.objects.visible_to(user).filter(region=county).overdue(at=at).select_related("unit", "category")
    return with_open_stages(messages).order_by("unit__kind", "unit__name", "next_due", "pk")


def supervised(user, county):
    return (
        Message.objects.visible_to(user)
        .filter(region=county, supervised_at__isnull=False, state__in=State.with_unit())
        .select_related("unit", "category")
        .order_by("supervised_at")
    )


def county_units(county, *, at):
    """Each unit of the county with its open and overdue counts and this year's
    roster filing (`this_year`, a list of zero or one)."""
    year = clock.local_date(at).year
    members = Prefetch("members", queryset=RosterMember.objects.select_related("user"))
    filings = RosterFiling.objects.in_force().filter(year=year).prefetch_related(members)
    return (
        Unit.objects.filter(region=county)
        .annotate(
            open_count=Count("messages", filter=Q(messages__state__in=State.with_unit()), distinct=True),
            overdue_count=Count(
                "messages",
                filter=Q(messages__stages__completed_at__isnull=True, messages__stages__due_at__lte=at),
                distinct=True,
            ),
        )
        .prefetch_related(Prefetch("roster_filings", queryset=filings, to_attr="this_year"))
        .order_by("kind", "name")
    )


# --- the city office ----------------------------------------------------------------


@dataclass(frozen=True)
class CountyRow:
    county: Region
    figures: figures.Figures
    overdue: int


def counties_side_by_side(city, period: Period, *, at) -> list[CountyRow]:
    counties = Region.objects.filter(parent=city, kind=Region.Kind.COUNTY).order_by("name")
    late = Message.objects.filter(region__parent=city).overdue(at=at).values("region").annotate(n=Count("pk"))
    overdue_by_county = {row["region"]: row["n"] for row in late}
    return [
        CountyRow(county, tally.figures(county, period, now=at), overdue_by_county.get(county.pk, 0))
        for county in counties
    ]
