"""Re-reading open deadlines after the calendar changes.

A stage's deadline is computed when the stage opens. When the county office later
enters a year's official schedule (or corrects a day), the deadlines of stages still
open are counted again from their start, with the same limit, the extensions
granted since and the days refused hand-backs waited (counted again too:
`counted_held_days`). Completed stages keep their frozen outcome, with one exception: a
stage whose deadline fell in a year with no calendar data was judged against a
weekdays-only guess, with a warning that promised "录入后将重新核定". When that year
is entered, such a stage is judged again against the real deadline, in either
direction (DOMAIN.md), with an event that says what changed.

A change to the calendar only queues the recount (`request_recount`); the background
worker does it (`handling/work.py`), in batches of stages, each batch its own short
transaction, so that entering a year's holidays never holds every open stage locked
while citizens submit.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from wenzheng.eventlog import chain, hashing
from wenzheng.eventlog.models import Event
from wenzheng.ops import batches, queue
from wenzheng.workdays import clock

from .models import DeadlineRecount, ExtensionRequest, Message, Stage

BATCH = 500
WORK = "deadlines"  # handling.work.DeadlineRecountWork's name


def request_recount(*, by, at=None) -> None:
    """Queue a recount, unless one is already waiting (it will read the calendar as it
    stands when it runs, this change included)."""
    try:
        with transaction.atomic():
            DeadlineRecount.objects.create(requested_by=by, requested_at=at or timezone.now())
    except IntegrityError:
        pass  # deadline_recount_one_queued: one is waiting already


def claim_recount() -> DeadlineRecount | None:
    now = timezone.now()
    waiting = queue.waiting(DeadlineRecount, now=now)
    pk = queue.claim(
        DeadlineRecount,
        waiting,
        order_by=("requested_at", "pk"),
        state=DeadlineRecount.State.RUNNING,
        heartbeat_at=now,
        attempts=F("attempts") + 1,  # ops.batches: a run begun at the batch after `after`
    )
    return DeadlineRecount.objects.select_related("requested_by").get(pk=pk) if pk else None


def run_recount(recount: DeadlineRecount, *, at=None) -> DeadlineRecount:
    """Run a claimed recount to its end, from where it stands: its two walks over
    the stages, each batch committed with the recount's progress and heartbeat (the
    same write). A batch that killed its worker MAX_ATTEMPTS times is taken a stage at
    a time, and a stage that does it alone is skipped and listed (ops.batches)."""
    at = at or timezone.now()
    mine = DeadlineRecount.objects.filter(pk=recount.pk)
    walks = [
        (DeadlineRecount.Walk.OPEN, _open_ids, _recompute, "moved"),
        (DeadlineRecount.Walk.FALLBACK, _fallback_ids, _rejudge, "rejudged"),
    ]
    if recount.walk == DeadlineRecount.Walk.FALLBACK:
        walks = walks[1:]
    for walk, ids_after, batch_of, counted in walks:
        if recount.walk != walk:
            recount.walk, recount.after, recount.attempts, recount.isolating_to = walk, 0, 1, None
            mine.update(walk=walk, after=0, attempts=1, isolating_to=None)
        batches.begin(recount, work=WORK, ids_after=ids_after, batch=BATCH)
        while ids := ids_after(recount.after, batches.size(recount, BATCH)):
            with transaction.atomic():
                done = batch_of(ids, by=recount.requested_by, at=at)
                mine.update(
                    **batches.advanced(recount, ids[-1]), heartbeat_at=timezone.now(), **{counted: F(counted) + done}
                )
    recount.refresh_from_db()
    return recount


def retry_stage(stage_id: int, *, at=None) -> int:
    """A stage a recount skipped (ops.batches), counted again and judged again now."""
    at = at or timezone.now()
    return _recompute([stage_id], by=None, at=at) + _rejudge([stage_id], by=None, at=at)


def _open_ids(after, n) -> list[int]:
    stages = Stage.objects.filter(completed_at__isnull=True, pk__gt=after)
    return list(stages.order_by("pk").values_list("pk", flat=True)[:n])


def _fallback_ids(after, n) -> list[int]:
    stages = Stage.objects.filter(completed_at__isnull=False, pk__gt=after).exclude(due_warning="")
    return list(stages.order_by("pk").values_list("pk", flat=True)[:n])


def recompute_open_deadlines(*, by, at=None, on_batch: Callable[[], None] = lambda: None) -> int:
    """Count every open stage's deadline again; returns how many moved."""
    at = at or timezone.now()
    moved, after = 0, 0
    while True:
        ids = _open_ids(after, BATCH)
        if not ids:
            return moved
        moved += _recompute(ids, by=by, at=at)
        after = ids[-1]
        on_batch()


def _locked_stages(ids, **where) -> list[Stage]:
    """The stages `ids` still `where`, under row locks taken after their messages',
    in ascending message id order: as every step locks its message before its stages
    (handling.actions), and several messages in id order. With the stages alone
    locked, the event a change appends, which refers to its message (its foreign key
    takes a share of the message's row lock), waited for a step on the message that
    waited for the stage: PostgreSQL aborted one of them, a unit's reply among them."""
    messages = Stage.objects.filter(pk__in=ids).values("message_id")
    list(Message.objects.select_for_update().filter(pk__in=messages).order_by("pk").values_list("pk", flat=True))
    stages = Stage.objects.select_for_update(of=("self",)).filter(pk__in=ids, **where)
    return list(stages.select_related("message", "unit").order_by("pk"))


@transaction.atomic
def _recompute(ids, *, by, at) -> int:
    moved = 0
    stages = _locked_stages(ids, completed_at__isnull=True)
    refused = _refused_hand_backs(stages)
    for stage in stages:
        held = counted_held_days(stage) if stage.message_id in refused else stage.held_days
        due, result = clock.deadline_after(stage.started_at, stage.limit_days + stage.extension_days + held)
        warning = result.warning()
        if (due, warning, held) == (stage.due_at, stage.due_warning, stage.held_days):
            continue
        old = stage.due_at
        stage.due_at, stage.due_warning, stage.held_days = due, warning, held
        stage.save(update_fields=["due_at", "due_warning", "held_days"])
        chain.append(
            kind=Event.Kind.DEADLINE_RECOMPUTED,
            at=at,
            actor=by,
            actor_role=by.role if by else "system",
            message=stage.message,
            unit=stage.unit,
            note="节假日安排更新后重新核定期限",
            data={
                "stage": stage.kind,
                "from": old,
                "to": due,
                "stages": [{"id": stage.pk, "due_at": hashing.timestamp(due), "held_days": held}],
            },
        )
        moved += 1
    return moved


def _refused_hand_backs(stages) -> set[int]:
    """Of the stages' messages, those with a refused hand-back (the others have no
    held days to count again)."""
    return set(
        Event.objects.filter(
            message_id__in={s.message_id for s in stages if s.kind == Stage.Kind.REPLY},
            kind=Event.Kind.TRANSFER_REJECTED,
        ).values_list("message_id", flat=True)
    )


def counted_held_days(stage, *, approving=None) -> int:
    """The working days the reply stage's refused hand-backs (退单) waited, counted on
    the calendar as it stands. Each refusal counted them when it came
    (actions._give_back_held_days), on the calendar then: in a year not yet entered,
    every weekday, a Spring Festival's week of holidays among them. Counted again as
    each refusal counted them: the hand-back's wait in whole working days, if it was
    asked before the deadline (the days given back before it, and the extensions
    asked before it and approved, whenever the office approved them).

    An extension asked in time moves the deadline from when it was asked, once
    approved (a late reply is judged by it, actions.approve_extension): a hand-back
    asked after the first deadline but before the extended one was asked in time
    whichever the office decided first. Counted by the approval's time, approving
    then refusing gave the days back and refusing then approving did not.
    `approving`: a request still waiting, counted as approved (`approved_deadline`)."""
    if stage.kind != Stage.Kind.REPLY:
        return stage.held_days
    events = Event.objects.filter(
        message_id=stage.message_id,
        kind__in=[Event.Kind.TRANSFER_REQUESTED, Event.Kind.TRANSFER_REJECTED],
        at__gte=stage.started_at,
    )
    if stage.completed_at is not None:
        events = events.filter(at__lte=stage.completed_at)
    approved = list(
        stage.extension_requests.filter(status=ExtensionRequest.Status.APPROVED).values_list("requested_at", "days")
    )
    if approving is not None:
        approved.append((approving.requested_at, approving.days))
    held, asked = 0, None
    for event in events.order_by("seq"):
        if event.kind == Event.Kind.TRANSFER_REQUESTED:
            asked = event.at if event.unit_id == stage.unit_id else None
            continue
        if asked is None:
            continue
        extended = sum(days for requested_at, days in approved if requested_at < asked)
        due, _ = clock.deadline_after(stage.started_at, stage.limit_days + extended + held)
        if asked < due:
            held += clock.whole_working_days_between(max(asked, stage.started_at), event.at)
        asked = None
    return held


def approved_deadline(stage, request):
    """The reply stage's deadline once the waiting extension `request` is approved, as
    approving sets it (actions.approve_extension) and the county's approvals page
    shows it beforehand: counted from the stage's start over its limit, its
    extensions with this one, and the days its refused hand-backs held it, counted
    again with this one approved (`counted_held_days`: a hand-back asked past the
    first deadline, but before this one, held the reply too). Returns the deadline,
    the held days and the count (its warning, for a year not entered yet)."""
    held = counted_held_days(stage, approving=request)
    due, result = clock.deadline_after(stage.started_at, stage.limit_days + stage.extension_days + request.days + held)
    return due, held, result


# --- completed stages judged against a weekdays-only deadline -----------------------


def rejudge_fallback_stages(*, by, at=None, on_batch: Callable[[], None] = lambda: None) -> int:
    """Judge again every completed stage whose deadline was counted by weekdays only,
    now that the calendar may cover it; returns how many stages changed."""
    at = at or timezone.now()
    changed, after = 0, 0
    while True:
        ids = _fallback_ids(after, BATCH)
        if not ids:
            return changed
        changed += _rejudge(ids, by=by, at=at)
        after = ids[-1]
        on_batch()


def _judged(stage, due) -> str:
    """The stage's outcome against the deadline `due`, as the actions judged it: a
    stage ended by its unit's hand-back (the dispatch away) is "transferred" if the
    unit handed back before the deadline (Stage.judge); one the unit completed late
    while that hand-back waited (a 签收 during the wait) is excused the same way
    (actions._excuse_signed_while_handed_back), one completed in time stays so."""
    events = Event.objects.filter(message_id=stage.message_id)
    asked = (
        events.filter(kind=Event.Kind.TRANSFER_REQUESTED, unit_id=stage.unit_id, at__lte=stage.completed_at)
        .order_by("-seq")
        .first()
    )
    decided = (
        events.filter(kind__in=[Event.Kind.DISPATCHED, Event.Kind.TRANSFER_REJECTED], seq__gt=asked.seq)
        .order_by("seq")
        .first()
        if asked is not None
        else None
    )
    granted = (
        decided is not None
        and decided.kind == Event.Kind.DISPATCHED
        and decided.data.get("from_unit") == stage.unit_id
        and decided.at >= stage.completed_at
    )
    if not granted:
        return Stage.judge(completed_at=stage.completed_at, due_at=due)
    if decided.at == stage.completed_at:  # ended by the dispatch away
        return Stage.judge(completed_at=stage.completed_at, due_at=due, handed_back_at=asked.at)
    outcome = Stage.judge(completed_at=stage.completed_at, due_at=due)
    if outcome == Stage.Outcome.LATE:
        outcome = Stage.judge(completed_at=stage.completed_at, due_at=due, handed_back_at=asked.at)
    return outcome


def handed_back_undecided(cutoff) -> Q:
    """For a stage row: still open at the cut-off, its unit having handed the message
    back (退单) before its deadline, and the office not having decided yet. Neither
    late nor on time until it does: accepted, it counts for nobody; refused, it is
    the unit's again, in the period where its deadline falls, moved back by the
    days the hand-back waited (actions.reject_transfer) (a trial found it counted late
    at the cut-off, and gone from the same period once the office accepted). The
    decision counts when it comes, after the cut-off too: were it cut there, a
    hand-back asked for at a quarter's end and refused after it would count nowhere."""
    asked = (
        Event.objects.filter(message=OuterRef("message"), unit=OuterRef("unit"), kind=Event.Kind.TRANSFER_REQUESTED)
        .filter(at__lt=OuterRef("due_at"))
        .filter(at__lt=cutoff)
    )
    decided = Event.objects.filter(
        message=OuterRef("message"),
        kind__in=[Event.Kind.DISPATCHED, Event.Kind.TRANSFER_REJECTED],
        seq__gt=OuterRef("seq"),
    )
    waiting = asked.exclude(Exists(decided))
    return (Q(completed_at__isnull=True) | Q(completed_at__gte=cutoff)) & Q(Exists(waiting))


def extension_undecided(cutoff) -> Q:
    """For a stage row: still open at the cut-off, or replied late, an extension (延期)
    asked for before its deadline and the cut-off still waiting for the office. As a
    hand-back: not counted until the office decides; approved, the stage counts where
    its moved deadline falls, judged by it (actions.approve_extension); refused, late
    where it fell due. (Counted late at the cut-off, it left the period's figures once
    an approval after the cut-off moved it on.) A late reply leaves the request
    pending (actions._publish), before the cut-off too."""
    waiting = ExtensionRequest.objects.filter(
        stage=OuterRef("pk"),
        status=ExtensionRequest.Status.PENDING,
        requested_at__lt=OuterRef("due_at"),
    ).filter(requested_at__lt=cutoff)
    undecided = Q(completed_at__isnull=True) | Q(completed_at__gte=cutoff) | Q(outcome=Stage.Outcome.LATE)
    return undecided & Q(Exists(waiting))


def waiting_for_office(cutoff) -> Q:
    """For a stage row: neither late nor on time at the cut-off, for the office has not
    decided what its unit asked in time (a hand-back, an extension)."""
    return handed_back_undecided(cutoff) | extension_undecided(cutoff)


# The steps that stop a clock for nobody, keeping it late if it was (actions._stop_clocks).
STOPPED_FOR_NOBODY = {Event.Kind.MERGED: Stage.Outcome.MERGED, Event.Kind.SPAM_MARKED: Stage.Outcome.SPAM}


def _stopped_for_nobody(stage) -> str | None:
    """The outcome of the step that stopped the stage's clock rather than completing
    it (并单, 垃圾留言), if one did."""
    events = Event.objects.filter(message_id=stage.message_id, kind__in=STOPPED_FOR_NOBODY, at=stage.completed_at)
    for e in events:
        if stage.kind in (e.data.get("stopped") or []):
            return STOPPED_FOR_NOBODY[e.kind]
    return None


# The outcomes a unit's own step (or a hand-back) gave, which a new deadline may change.
# A clock stopped for nobody (spam, a merge, a reassignment) stays stopped.
JUDGED = (Stage.Outcome.ON_TIME, Stage.Outcome.LATE, Stage.Outcome.TRANSFERRED)


@transaction.atomic
def _rejudge(ids, *, by, at) -> int:
    changed = 0
    stages = _locked_stages(ids, completed_at__isnull=False, outcome__in=JUDGED)
    refused = _refused_hand_backs(stages)
    for stage in stages:
        held = counted_held_days(stage) if stage.message_id in refused else stage.held_days
        due, result = clock.deadline_after(stage.started_at, stage.limit_days + stage.extension_days + held)
        warning = result.warning()
        if (due, warning, held) == (stage.due_at, stage.due_warning, stage.held_days):
            continue
        outcome = _judged(stage, due)
        if outcome != Stage.Outcome.LATE:
            # Ended late by a merge or a spam mark (its deadline had passed), and with
            # the real calendar it had not: the clock stopped for nobody, as theirs do.
            outcome = _stopped_for_nobody(stage) or outcome
        old_due, old_outcome = stage.due_at, stage.outcome
        stage.due_at, stage.due_warning, stage.outcome, stage.held_days = due, warning, outcome, held
        stage.save(update_fields=["due_at", "due_warning", "outcome", "held_days"])
        chain.append(
            kind=Event.Kind.STAGE_REJUDGED,
            at=at,
            actor=by,
            actor_role=by.role if by else "system",
            message=stage.message,
            unit=stage.unit,
            note=_rejudged_note(stage, old_due, old_outcome),
            data={
                "stage": stage.kind,
                "from": old_due,
                "to": due,
                "outcome_from": old_outcome,
                "outcome_to": outcome,
                "stages": [{"id": stage.pk, "due_at": hashing.timestamp(due), "outcome": outcome, "held_days": held}],
            },
        )
        if old_outcome == Stage.Outcome.LATE and outcome != Stage.Outcome.LATE:
            _lapse_extensions(stage, by=by, at=at)
        elif outcome == Stage.Outcome.LATE and old_outcome != Stage.Outcome.LATE:
            _restore_extensions(stage, by=by, at=at)
        changed += 1
    return changed


# What a request ended by a reply in time says: given (actions._publish), or found
# so by a recount.
LAPSED_REPLIED = "留言已回复，延期申请随之失效。"
LAPSED_IN_TIME = "节假日安排录入后，回复在期限内，延期申请随之失效。"
RESTORED_LATE = "节假日安排录入后，回复超过期限，延期申请恢复待审批。"


def _lapse_extensions(stage, *, by, at) -> None:
    """A reply judged late, its extension asked in time and waiting for the office
    (actions._publish leaves it so), found in time on the real calendar: the request
    has nothing left to extend and lapses, as one does when the reply is in time,
    with the same event (approving it was refused, "该留言已经回复", and it sat in the
    office's queue until refused)."""
    waiting = ExtensionRequest.objects.select_for_update().filter(stage=stage, status=ExtensionRequest.Status.PENDING)
    for request in waiting:
        request.status, request.decided_at, request.decision_note = ExtensionRequest.Status.LAPSED, at, LAPSED_IN_TIME
        request.save(update_fields=["status", "decided_at", "decision_note"])
        _extension_event(Event.Kind.EXTENSION_LAPSED, stage, request, by=by, at=at, note=LAPSED_IN_TIME)


def _restore_extensions(stage, *, by, at) -> None:
    """The other way round: a reply found late, whose request lapsed only because the
    reply was in time (given so, actions._publish, or found so by an earlier recount,
    `_lapse_extensions`: the year's days entered one at a time, a day entered in
    error and taken out again). Asked before the deadline as it now stands, and
    never decided by the office, the request waits for the office again, as it would
    have had the reply been late from the start: lapsed, the unit would be late for
    the office's silence, and it can ask no more (its reply given, its deadline
    past). One asked after that deadline stays lapsed (it was in time by the guess
    alone); so does one that the message's move, merge or spam mark ended."""
    lapsed = ExtensionRequest.objects.select_for_update().filter(
        stage=stage,
        status=ExtensionRequest.Status.LAPSED,
        decision_note__in=[LAPSED_REPLIED, LAPSED_IN_TIME],
        requested_at__lt=stage.due_at,
    )
    # One waits per stage (extension_one_pending_per_stage), and none does: the stage
    # is completed, and the reply ended the one that did.
    request = lapsed.order_by("-requested_at", "-pk").first()
    if request is None:
        return
    request.status, request.decided_by, request.decided_at, request.decision_note = (
        ExtensionRequest.Status.PENDING, None, None, ""
    )  # fmt: skip
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _extension_event(Event.Kind.EXTENSION_RESTORED, stage, request, by=by, at=at, note=RESTORED_LATE)


def _extension_event(kind, stage, request, *, by, at, note) -> None:
    chain.append(
        kind=kind,
        at=at,
        actor=by,
        actor_role=by.role if by else "system",
        message=stage.message,
        unit=stage.unit,
        note=note,
        data={"request": request.pk},
    )


def _rejudged_note(stage, old_due, old_outcome) -> str:
    """What changed, in words: 回应期限由2027-01-01改为2027-01-04，结果由“超期”改为“按时”。"""
    what = stage.get_kind_display()
    days = f"{clock.deadline_day(old_due):%Y-%m-%d}改为{clock.deadline_day(stage.due_at):%Y-%m-%d}"
    said = f"节假日安排录入后重新判定：{what}期限由{days}"
    if old_outcome == stage.outcome:
        return f"{said}，结果仍为“{stage.get_outcome_display()}”。"
    return f"{said}，结果由“{Stage.Outcome(old_outcome).label}”改为“{stage.get_outcome_display()}”。"
