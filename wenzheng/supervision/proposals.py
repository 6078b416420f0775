"""End-of-quarter proposals of written-explanation orders (书面说明建议).

At each quarter's end (the worker, wenzheng.notifications.timers) or when the county
office asks (its proposals page), every unit late to respond or reply in the quarter
gets a proposal: the late messages, a reason and a backlog deadline. The office
confirms each (the order is then made by `order_written_explanation`) or declines it,
with an event; nothing is ordered automatically (DOMAIN.md).

Late in the quarter: a response or reply stage of the unit whose deadline fell in the
quarter and was not met (completed late, or still open past it). Stages ended by a
transfer asked for in time, or by reassignment (改派), are late for nobody; one whose
hand-back or extension asked for in time still waits for the office is not late until
the office decides (as the evaluation counts: handling.deadlines.waiting_for_office).
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from wenzheng.accounts.policy import ActionRefused, handled_by, require_office
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.deadlines import waiting_for_office
from wenzheng.handling.models import Message, Stage
from wenzheng.reports import periods
from wenzheng.units.models import Unit
from wenzheng.workdays import clock

from .models import ExplanationProposal


def late_stages(county, period, *, at):
    """The stages of the county's units late in `period`, as of `at`."""
    end = min(period.end, at)
    missed = Q(outcome=Stage.Outcome.LATE) | Q(completed_at__isnull=True, due_at__lte=at)
    found = Stage.objects.counted().filter(unit__region=county, due_at__gte=period.start, due_at__lt=end)
    return found.filter(missed).exclude(waiting_for_office(at))


def backlog_deadline(at) -> dt.datetime:
    """24:00 of the PROPOSAL_BACKLOG_DAYS-th working day after `at`."""
    due, _result = clock.deadline_after(at, settings.PROPOSAL_BACKLOG_DAYS)
    return due


def deadline_for(proposal, *, at) -> dt.datetime:
    """The backlog deadline a proposal offers when decided at `at`: its own, or, once
    that has passed (a quarter's proposals decided weeks after they were made), the
    PROPOSAL_BACKLOG_DAYS-th working day after `at`, as a proposal made then would."""
    return proposal.backlog_deadline if proposal.backlog_deadline > at else backlog_deadline(at)


def reason_for(unit, period, *, responses, replies) -> str:
    parts = []
    if responses:
        parts.append(f"{responses}条留言回应超时")
    if replies:
        parts.append(f"{replies}条留言回复超时")
    return (
        f"{period.label}，{unit.name}{'、'.join(parts)}。按照{unit.region.level}网络问政工作规定，责成该单位作出书面说明，"
        "并限期梳理、回复办理积压留言。"
    )


@transaction.atomic
def propose(*, county, period, at=None) -> list[ExplanationProposal]:
    """Make (or bring up to date) the proposals of a county's quarter; returns the
    proposals still waiting for the office. Decided ones are left as they are."""
    at = at or timezone.now()
    code = periods.quarter_code(period.first_day)
    stages = late_stages(county, period, at=at)
    counts = {
        row["unit"]: row
        for row in stages.values("unit").annotate(
            responses=Count("message", filter=Q(kind=Stage.Kind.RESPONSE), distinct=True),
            replies=Count("message", filter=Q(kind=Stage.Kind.REPLY), distinct=True),
        )
    }
    waiting = []
    deadline = backlog_deadline(at)
    for unit in Unit.objects.filter(pk__in=counts).select_related("region").order_by("kind", "name"):
        row = counts[unit.pk]
        fields = {
            "late_responses": row["responses"],
            "late_replies": row["replies"],
            "reason": reason_for(unit, period, responses=row["responses"], replies=row["replies"]),
            "backlog_deadline": deadline,
            "proposed_at": at,
        }
        proposal, created = ExplanationProposal.objects.select_for_update().get_or_create(
            unit=unit, period=code, defaults=fields
        )
        if proposal.state != ExplanationProposal.State.PROPOSED:
            continue
        if not created:
            for name, value in fields.items():
                setattr(proposal, name, value)
            proposal.save(update_fields=list(fields))
        proposal.messages.set(
            Message.objects.filter(pk__in=stages.filter(unit=unit).values("message")).order_by("year", "number")
        )
        waiting.append(proposal)
    # A unit late no more (its late message reassigned, or a hand-back or extension
    # now waiting): its proposal, not yet decided, is withdrawn (a trial confirmed one
    # and docked the unit for lateness its figures no longer held).
    ExplanationProposal.objects.filter(
        unit__region=county, period=code, state=ExplanationProposal.State.PROPOSED
    ).exclude(unit__in=counts).delete()
    return waiting


def _waiting(proposal, by) -> ExplanationProposal:
    proposal = (
        ExplanationProposal.objects.select_for_update(of=("self",)).select_related("unit__region").get(pk=proposal.pk)
    )
    require_office(by, proposal.unit.region)
    if proposal.state != ExplanationProposal.State.PROPOSED:
        raise ActionRefused("already_decided", f"该建议已处理（{proposal.get_state_display()}）。")
    return proposal


@transaction.atomic
def confirm(*, proposal, by, reason: str = "", backlog_deadline: dt.datetime | None = None, at=None):
    """确认: the written-explanation order is made as proposed (reason and deadline as
    the office edited them), over the late messages still with the unit."""
    at = at or timezone.now()
    proposal = _waiting(proposal, by)
    period = periods.parse(proposal.period)
    if not late_stages(proposal.unit.region, period, at=at).filter(unit=proposal.unit).exists():
        raise ActionRefused(
            "no_longer_late",
            f"{proposal.unit.name}{period.label}已没有超时的回应或回复（留言可能已改派，或退单、延期待审核），"
            "这条建议已失效，请按当前数据重新生成建议。",
        )
    # Still the unit's: not moved away, nor merged (并单) into another unit's message,
    # whose lateness the proposal counts all the same.
    messages = proposal.messages.filter(handled_by(proposal.unit))
    order = actions.order_written_explanation(
        unit=proposal.unit,
        by=by,
        reason=reason or proposal.reason,
        messages=messages,
        backlog_deadline=backlog_deadline or deadline_for(proposal, at=at),
        at=at,
    )
    proposal.state, proposal.decided_by, proposal.decided_at, proposal.order = "confirmed", by, at, order
    proposal.save(update_fields=["state", "decided_by", "decided_at", "order"])
    return order


@transaction.atomic
def decline(*, proposal, by, note: str, at=None) -> ExplanationProposal:
    """不予责成, with the office's reason (an event, so the decision stays on record)."""
    at = at or timezone.now()
    proposal = _waiting(proposal, by)
    note = actions._require_text(note, "不予责成的理由")
    proposal.state, proposal.decided_by, proposal.decided_at = "declined", by, at
    proposal.decision_note = note
    proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    chain.append(
        kind=Event.Kind.PROPOSAL_DECLINED,
        at=at,
        actor=by,
        actor_role=by.role,
        unit=proposal.unit,
        note=note,
        data={"proposal": proposal.pk, "period": proposal.period},
    )
    return proposal
