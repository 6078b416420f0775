"""The county office's hand on what would otherwise slip: the 回访 queue (follow-ups
and 不满意 ratings), bulk dispatch, the quarter-end proposals of written explanations,
and the e-mail and SMS that could not be sent."""

import datetime as dt

from django.contrib import messages as flash
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenzheng.accounts.policy import ActionRefused
from wenzheng.handling import actions
from wenzheng.handling.thread import conversation
from wenzheng.lib.paging import page_of
from wenzheng.notifications import channels, recipients, sending
from wenzheng.reports import periods
from wenzheng.supervision import proposals as proposing
from wenzheng.supervision.models import ExplanationProposal
from wenzheng.workdays import clock

from .. import selectors
from ..access import county_for, county_staff_only
from ..forms import BulkDispatchForm, ProposalDecisionForm
from ..steps import STEPS, dispatchable_units
from .common import errors_text, page

QUEUE_PAGE_SIZE = 30


@county_staff_only
def revisits(request, code):
    """回访: follow-ups and 不满意 ratings the office has yet to decide on."""
    county = county_for(request.user, code)
    found = page_of(request, selectors.revisit_queue(request.user, county), QUEUE_PAGE_SIZE)
    for m in found.object_list:
        replies = list(m.replies.all())
        if m.merged_into is not None:  # 并单: the answer its citizen followed up or rated is the main message's
            replies += [r for r in m.merged_into.replies.all() if r.follow_up_id is None]
        m.thread = conversation(replies, m.follow_ups.all())
        m.decision_form = STEPS["revisit"].make_form(message=m)
    context = {"section": "revisits", "county": county, "page": found, "step": STEPS["revisit"]}
    return page(request, "workspace/county/revisits.html", context)


@county_staff_only
@require_POST
def bulk_dispatch(request, code):
    """Several messages of the queue to one unit: each is its own dispatch, and one
    refused does not stop the others."""
    county = county_for(request.user, code)
    queue = selectors.dispatch_queue(request.user, county)
    form = BulkDispatchForm(request.POST, prefix="bulk", messages=queue, units=dispatchable_units(county))
    if not form.is_valid():
        flash.error(request, errors_text(form))
        return redirect("workspace:dispatch", code=county.code)
    unit, note = form.cleaned_data["unit"], form.cleaned_data["note"]
    done, refused = [], []
    for message in form.cleaned_data["messages"].order_by("submitted_at", "pk"):
        try:
            actions.dispatch(message=message, by=request.user, unit=unit, note=note)
        except ActionRefused as e:
            refused.append(_("%(serial)s：%(reason)s") % {"serial": message.serial, "reason": e.reason})
        else:
            done.append(message.serial)
    if done:
        flash.success(
            request,
            _("已将%(n)s条留言交办%(unit)s：%(serials)s。")
            % {"n": len(done), "unit": unit.name, "serials": "、".join(done)},
        )
    for line in refused:
        flash.error(request, line)
    return redirect("workspace:dispatch", code=county.code)


def _quarter(request, now) -> periods.Period:
    """The quarter asked for, or the last one that has ended."""
    text = request.POST.get("period") or request.GET.get("period")
    if text:
        try:
            found = periods.parse(text)
        except periods.BadPeriod:
            found = None
        if found is not None and found.label.endswith("季度"):
            return found
        raise Http404(_("季度的写法如 2026Q1"))
    this = periods.quarter_of(clock.local_date(now))
    return periods.quarter_of(this.first_day - dt.timedelta(days=1))


@county_staff_only
def proposals(request, code):
    """At a quarter's end, the units late to respond or reply, each with a proposed
    written-explanation order to confirm or decline; on demand for any quarter."""
    county, now = county_for(request.user, code), timezone.now()
    quarter = _quarter(request, now)
    code_ = periods.quarter_code(quarter.first_day)
    if request.method == "POST":
        made = proposing.propose(county=county, period=quarter, at=now)
        flash.success(
            request, _("已按当前数据生成%(period)s的建议：%(n)s个单位。") % {"period": quarter.label, "n": len(made)}
        )
        return redirect(f"{request.path}?period={code_}")
    return _proposals_page(request, county, quarter, now)


def _proposals_page(request, county, quarter, now, *, bound=None):
    """The quarter's proposals, each still open with its decision form: `bound`, the
    one just refused, keeps what the office typed (400)."""
    code_ = periods.quarter_code(quarter.first_day)
    found = list(selectors.proposals(county, code_))
    for p in found:
        if p.state != ExplanationProposal.State.PROPOSED:
            continue
        if bound is not None and bound.prefix == f"proposal-{p.pk}":
            p.form = bound
        else:
            # A deadline already past (proposals decided weeks into the next
            # quarter) is offered afresh from today, not refused when confirmed as is.
            deadline = proposing.deadline_for(p, at=now)
            p.form = ProposalDecisionForm(
                prefix=f"proposal-{p.pk}",
                initial={"reason": p.reason, "backlog_date": clock.deadline_day(deadline)},
            )
    this = periods.quarter_of(clock.local_date(now))
    choices = [this]
    for _i in range(4):
        choices.append(periods.quarter_of(choices[-1].first_day - dt.timedelta(days=1)))
    # Each quarter's proposals waiting for a decision, on its tab (a newcomer's trial:
    # the dashboard counted 41 and the page it opened showed 22); and, where a quarter
    # has none, whether it had late units (not yet proposed) or none.
    waiting = dict(
        ExplanationProposal.objects.filter(unit__region=county, state=ExplanationProposal.State.PROPOSED)
        .values_list("period")
        .annotate(n=Count("pk"))
    )
    late_units = 0 if found else proposing.late_stages(county, quarter, at=now).values("unit").distinct().count()
    context = {
        "section": "orders",
        "county": county,
        "quarter": quarter,
        "quarter_code": code_,
        "proposals": found,
        "quarters": [
            (periods.quarter_code(q.first_day), q.label, waiting.get(periods.quarter_code(q.first_day), 0))
            for q in choices
        ],
        "late_units": late_units,
        "ended": quarter.end <= now,
    }
    return page(request, "workspace/county/proposals.html", context, status=200 if bound is None else 400)


@county_staff_only
@require_POST
def proposal_decision(request, code, pk):
    county = county_for(request.user, code)
    proposal = get_object_or_404(ExplanationProposal, pk=pk, unit__region=county)
    form = ProposalDecisionForm(request.POST, prefix=f"proposal-{proposal.pk}")
    back = f"{redirect('workspace:proposals', code=county.code).url}?period={proposal.period}"
    try:
        if not form.is_valid():
            raise ActionRefused("invalid", errors_text(form))
        data = form.cleaned_data
        if data["decision"] == "confirm":
            proposing.confirm(
                proposal=proposal, by=request.user, reason=data["reason"], backlog_deadline=form.backlog_deadline()
            )
            flash.success(request, _("已责成%(unit)s作出书面说明。") % {"unit": proposal.unit.name})
        else:
            proposing.decline(proposal=proposal, by=request.user, note=data["note"])
            flash.success(request, _("已决定不责成%(unit)s作出书面说明。") % {"unit": proposal.unit.name})
    except ActionRefused as e:
        # The page again, this card's form as typed; the reason at the top names the
        # unit (the page lists twenty), and by the field it concerns.
        flash.error(request, _("%(unit)s的建议没有处理：%(reason)s") % {"unit": proposal.unit.name, "reason": e.reason})
        if e.code == "already_decided":  # decided meanwhile (a second press): the page as it now is
            return redirect(back)
        if e.code == "bad_deadline":
            form.add_error("backlog_date", e.reason)
        elif e.code != "invalid":
            form.add_error(None, e.reason)
        return _proposals_page(request, county, periods.parse(proposal.period), timezone.now(), bound=form)
    return redirect(back)


@county_staff_only
def notices(request, code):
    """E-mail and SMS that failed after the last try (or whose sending was cut off)."""
    county = county_for(request.user, code)
    found = page_of(request, selectors.failed_deliveries(county), QUEUE_PAGE_SIZE)
    for d in found.object_list:
        d.to_whom = _to_whom(d)
        address = channels.get(d.channel).address(d.notice)
        d.address = recipients.masked(address) if address else ""
        d.channel_label = channels.get(d.channel).label
    return page(request, "workspace/county/notices.html", {"section": "notices", "county": county, "page": found})


def _to_whom(delivery) -> str:
    notice = delivery.notice
    if notice.to_citizen:
        return _("留言%(serial)s的网民") % {"serial": notice.message.serial}
    return str(notice.recipient)


@county_staff_only
@require_POST
def notice_retry(request, code, pk):
    county = county_for(request.user, code)
    delivery = get_object_or_404(selectors.failed_deliveries(county), pk=pk)
    if sending.retry(delivery):
        flash.success(request, _("已重新排队发送，后台任务程序将很快发送。"))
    return redirect("workspace:notices", code=county.code)
