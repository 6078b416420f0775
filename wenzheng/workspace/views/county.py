"""The county office: dispatch, approvals, supervision, units and rosters."""

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenzheng.accounts.policy import ActionRefused
from wenzheng.duplicates import selectors as duplicate_selectors
from wenzheng.handling import actions, deadlines
from wenzheng.handling.models import Message, Stage
from wenzheng.hotspots import selectors as hotspot_selectors
from wenzheng.lib.paging import page_of
from wenzheng.reports import tally
from wenzheng.reports.figures import outside_units
from wenzheng.search.highlights import mark_as_read, prefetch_texts
from wenzheng.supervision.models import AccountabilityReferral, Exposure, SupervisionFinding
from wenzheng.topics import routing
from wenzheng.topics.forms import choosable as topic_choices
from wenzheng.units.models import Region, Unit
from wenzheng.workdays import clock

from .. import selectors
from ..access import county_for, county_staff_only, orders_visible_to
from ..forms import (
    BulkDispatchForm,
    DecisionForm,
    ExplanationForm,
    ExposureForm,
    FindingForm,
    FindMessageForm,
    OrderExplanationForm,
    ReferralForm,
    ReturnExplanationForm,
    SearchForm,
    category_choices,
)
from ..steps import STEPS, dispatchable_units
from .common import page, this_quarter

QUEUE_PAGE_SIZE = 30


def _counties(user):
    """The counties an administrator can switch between (county staff have one)."""
    if user.role != "admin":
        return []
    return list(Region.objects.filter(kind=Region.Kind.COUNTY).order_by("name"))


@county_staff_only
def dashboard(request, code):
    county, now = county_for(request.user, code), timezone.now()
    quarter = this_quarter(now)
    context = {
        "section": "dashboard",
        "county": county,
        "counties": _counties(request.user),
        "counts": selectors.county_counts(request.user, county, at=now),
        "figures": tally.figures(county, quarter, now=now),
        # The county's figures that no unit's row holds: the table's foot adds them in.
        "outside": outside_units(county, quarter, now=now),
        "hotspots": hotspot_selectors.top(request.user, Region.objects.filter(pk=county.pk)),
    }
    context["units_page"], context["units"] = tally.unit_page(county, quarter, now=now, number=request.GET.get("units"))
    return page(request, "workspace/county/dashboard.html", context)


@county_staff_only
def dispatch(request, code):
    """Messages with no unit yet, and messages a unit handed back: oldest first."""
    county, now = county_for(request.user, code), timezone.now()
    search = SearchForm(request.GET)
    queue = selectors.dispatch_queue(request.user, county)
    queue, searched = selectors.matching(request.user, queue, search.query, order=search.ordering)
    found = page_of(request, queue, QUEUE_PAGE_SIZE)
    rows = selectors.attach_deadlines(found.object_list, at=now)
    if searched is not None:
        prefetch_texts(rows)
        mark_as_read(rows, searched)
    units, topics, categories = dispatchable_units(county), topic_choices(county), category_choices()
    for m in rows:
        m.handback = m.handbacks[0] if m.handbacks else None
        m.dispatch_form = STEPS["dispatch"].make_form(message=m, units=units, topics=topics, categories=categories)
        if m.state == Message.State.TRANSFER_REQUESTED:
            m.reject_form = STEPS["reject-transfer"].make_form(message=m)
    routing.attach(rows, units=units)
    duplicate_selectors.attach(rows)
    for m in rows:
        if m.duplicate is not None:
            m.merge_form = STEPS["merge"].make_form(message=m)
            m.dismiss_form = STEPS["dismiss-duplicate"].make_form(message=m)
    # Flagged messages out of the queue (sent straight to a unit, or dispatched with the
    # flag left open) still wait for the office's decision until replied: listed above it.
    elsewhere = list(duplicate_selectors.open_in(county).exclude(message__state__in=QUEUE_STATES)[:FLAGS_SHOWN])
    context = {
        "section": "dispatch",
        "flags_elsewhere": elsewhere,
        "merge_step": STEPS["merge"],
        "dismiss_step": STEPS["dismiss-duplicate"],
        "county": county,
        "page": found,
        "rows": rows,
        # The button that accepts the suggestions only where one may be accepted (an
        # unsure one is chosen in its form).
        "suggested": any(m.suggestion is not None and not m.suggestion.unsure for m in rows),
        "bulk_form": BulkDispatchForm(prefix="bulk", messages=Message.objects.none(), units=units),
        "dispatch_step": STEPS["dispatch"],
        "reject_step": STEPS["reject-transfer"],
        "search": search,
        "searched": searched,
        "query": urlencode(search.link_params()),
    }
    return page(request, "workspace/county/dispatch.html", context)


FLAGS_SHOWN = 50  # the newest open flags outside the queue (the rest wait their turn)
QUEUE_STATES = (Message.State.PENDING_DISPATCH, Message.State.TRANSFER_REQUESTED)


@county_staff_only
def approvals(request, code):
    """Extension requests and long-cycle closures waiting for the county."""
    county, now = county_for(request.user, code), timezone.now()
    extensions = list(selectors.pending_extensions(request.user, county))
    countdown = selectors.Countdown([e.stage.due_at for e in extensions], at=now)
    for e in extensions:
        e.deadline = countdown.deadline(e.stage) if e.stage.completed_at is None else None
        # What approving makes of it, counted by what approve_extension counts it with
        # (the days of a refused hand-back among them): the approver worked it out by
        # hand. Replied late while the request waited, the reply is judged again by
        # the moved deadline. Into a year whose calendar is not entered yet, the day
        # is counted by weekdays only, and the page says so beside it.
        extended, _held, counted = deadlines.approved_deadline(e.stage, e)
        e.replied_late = e.stage.outcome == Stage.Outcome.LATE
        e.last_day = clock.deadline_day(e.stage.due_at)
        e.extended_to = clock.deadline_day(extended) if e.deadline or e.replied_late else None
        e.extended_warning = counted.warning() if e.extended_to else ""
        e.reply_then_on_time = e.replied_late and e.stage.completed_at < extended
        e.form = DecisionForm(prefix=f"extension-{e.pk}")
    closures = list(selectors.closure_requests(request.user, region=county))
    for m in closures:
        m.form = STEPS["long-cycle-decision"].make_form(message=m)
    context = {
        "section": "approvals",
        "county": county,
        "extensions": extensions,
        "closures": closures,
        "decision_step": STEPS["long-cycle-decision"],
    }
    return page(request, "workspace/county/approvals.html", context)


@county_staff_only
def supervision(request, code):
    """Overdue messages unit by unit, with what the office can do about them."""
    county, now = county_for(request.user, code), timezone.now()
    rows = selectors.attach_deadlines(selectors.overdue(request.user, county, at=now), at=now)
    for m in rows:
        if m.supervised_at is None:
            m.flag_form = STEPS["supervise"].make_form(message=m)
    context = {
        "section": "supervision",
        "county": county,
        "rows": rows,
        "supervised": selectors.supervised(request.user, county),
        "supervise_step": STEPS["supervise"],
        "find_form": FindMessageForm(),
    }
    return page(request, "workspace/county/supervision.html", context)


@county_staff_only
def find(request, code):
    """Open a message of the county by its serial number."""
    county = county_for(request.user, code)
    form = FindMessageForm(request.GET)
    if form.is_valid():
        year, number = (int(p) for p in form.cleaned_data["serial"].split("-"))
        found = Message.objects.visible_to(request.user).filter(region=county, year=year, number=number).first()
        if found is not None:
            return redirect("workspace:message", pk=found.pk)
        flash.error(
            request,
            _("本%(level)s没有编号为%(serial)s的留言。")
            % {"level": county.level, "serial": form.cleaned_data["serial"]},
        )
    else:
        flash.error(request, _("留言编号的格式如 2026-000046。"))
    return redirect("workspace:supervision", code=county.code)


@county_staff_only
def order_new(request, code, unit):
    """责成书面说明: a unit explains in writing and clears its backlog by a date."""
    county, now = county_for(request.user, code), timezone.now()
    unit = get_object_or_404(Unit, pk=unit, region=county)
    # The backlog: the unit's messages still owing a response or a reply.
    backlog = (
        Message.objects.visible_to(request.user)
        .filter(unit=unit, stages__completed_at__isnull=True)
        .distinct()
        .order_by("year", "number")
    )
    late = set(backlog.overdue(at=now).values_list("pk", flat=True))
    form = OrderExplanationForm(request.POST or None, messages=backlog, initial={"messages": sorted(late)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.order_written_explanation(
                unit=unit,
                by=request.user,
                reason=form.cleaned_data["reason"],
                messages=form.cleaned_data["messages"],
                backlog_deadline=form.backlog_deadline(),
                chosen=True,
            )
        except ActionRefused as e:
            flash.error(request, e.reason)
        else:
            flash.success(request, _("已责成%(unit)s作出书面说明。") % {"unit": unit.name})
            return redirect("workspace:county-orders", code=county.code)
    context = {"section": "supervision", "county": county, "unit": unit, "form": form, "late": late}
    return page(request, "workspace/county/order_new.html", context, status=400 if form.is_bound else 200)


@county_staff_only
def orders(request, code):
    county, now = county_for(request.user, code), timezone.now()
    found = selectors.with_backlog_status(orders_visible_to(request.user).filter(unit__region=county), at=now)
    for order in found:
        if order.explanation_received_at is None:
            order.form = ExplanationForm.for_order(order)
        else:
            order.return_form = ReturnExplanationForm(prefix=f"return-{order.pk}")
    return page(request, "workspace/county/orders.html", {"section": "orders", "county": county, "orders": found})


def _finding(*, by, data):
    actions.record_finding(
        unit=data["unit"],
        by=by,
        message=data["serial"],
        summary=data["summary"],
        found_on=data["found_on"],
        source=data["source"],
        adverse=data["adverse"],
        written_criticism=data["written_criticism"],
    )
    return _("督查结果已录入。")


def _exposure(*, by, data):
    actions.publish_exposure(
        unit=data["unit"], by=by, message=data["serial"], title=data["title"], body=data["body"], outlet=data["outlet"]
    )
    return _("曝光已发布，将在曝光台公开。")


def _referral(*, by, data):
    actions.refer_for_accountability(
        unit=data["unit"],
        by=by,
        message=data["serial"],
        person=data["person"],
        reason=data["reason"],
        referred_to=data["referred_to"],
    )
    return _("追究责任的移送已记录。")


# Each kind of record: its form, and the action that writes it (returning the note).
RECORDS = {
    "finding": (FindingForm, _finding),
    "exposure": (ExposureForm, _exposure),
    "referral": (ReferralForm, _referral),
}


@county_staff_only
def records(request, code, kind=None):
    """Supervision findings (督查), exposures (曝光) and accountability referrals."""
    county, now = county_for(request.user, code), timezone.now()
    if kind is not None and kind not in RECORDS:
        raise Http404(_("没有这类记录"))
    if kind is not None and request.method != "POST":
        return redirect("workspace:records", code=county.code)
    visible = Message.objects.visible_to(request.user)
    forms = {}
    for name, (form_class, _write) in RECORDS.items():
        data = request.POST if name == kind else None
        initial = {"found_on": clock.local_date(now)} if name == "finding" else None
        forms[name] = form_class(data, county=county, visible_messages=visible, prefix=name, initial=initial)
    if kind is not None:
        form = forms[kind]
        if form.is_valid():
            try:
                note = RECORDS[kind][1](by=request.user, data=form.cleaned_data)
            except ActionRefused as e:
                flash.error(request, e.reason)
            else:
                flash.success(request, note)
                return redirect("workspace:records", code=county.code)
    context = {
        "section": "records",
        "county": county,
        "forms": forms,
        "kind": kind,
        "findings": SupervisionFinding.objects.filter(unit__region=county).select_related("unit", "message")[:10],
        "exposures": Exposure.objects.filter(unit__region=county).select_related("unit", "message")[:10],
        "referrals": AccountabilityReferral.objects.filter(unit__region=county).select_related("unit", "message")[:10],
    }
    return page(request, "workspace/county/records.html", context, status=400 if kind else 200)


@county_staff_only
@require_POST
def exposure_withdraw(request, pk):
    """撤销曝光, with the reason, from the records page."""
    exposure = get_object_or_404(Exposure.objects.select_related("unit__region"), pk=pk)
    county_for(request.user, exposure.unit.region.code)  # 404 to an office that does not oversee it
    try:
        actions.withdraw_exposure(exposure=exposure, by=request.user, reason=request.POST.get("reason", ""))
    except ActionRefused as e:
        flash.error(request, e.reason)
    else:
        flash.success(request, _("已撤销曝光“%(title)s”，曝光台不再显示，考评不再扣分。") % {"title": exposure.title})
    return redirect("workspace:records", code=exposure.unit.region.code)


@county_staff_only
def units(request, code):
    county, now = county_for(request.user, code), timezone.now()
    context = {
        "section": "units",
        "county": county,
        "year": clock.local_date(now).year,
        "units": selectors.county_units(county, at=now),
    }
    return page(request, "workspace/county/units.html", context)


@county_staff_only
def unit_roster(request, code, unit):
    """One unit's roster filings, every version, as the unit filed and corrected them."""
    county = county_for(request.user, code)
    unit = get_object_or_404(Unit, pk=unit, region=county)
    context = {"section": "units", "county": county, "unit": unit, "history": selectors.roster_history(unit)}
    return page(request, "workspace/county/unit_roster.html", context)
