"""The unit's workspace: its inbox, its written-explanation orders, its roster."""

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import ActionRefused
from wenzheng.units import services
from wenzheng.workdays import clock

from .. import selectors
from ..access import orders_visible_to, unit_staff_only
from ..forms import ExplanationForm, RosterForm
from .common import PAGE_SIZE, page, page_or_fragment


@unit_staff_only
def inbox(request):
    now = timezone.now()
    tab = selectors.inbox_tab(request.GET.get("tab"))
    found = Paginator(selectors.inbox(request.user, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.inbox_counts(request.user)
    context = {
        "section": "inbox",
        "unit": request.user.unit,
        "tab": tab,
        "tabs": [(t, counts[t.slug]) for t in selectors.INBOX_TABS],
        "page": found,
        "rows": selectors.attach_deadlines(found.object_list, at=now),
        "orders": list(selectors.open_orders(request.user)),
    }
    return page_or_fragment(request, "workspace/inbox.html", "workspace/_inbox.html", context)


@unit_staff_only
def orders(request):
    """The written explanations the county ordered from this unit."""
    found = selectors.with_backlog_status(orders_visible_to(request.user), at=timezone.now())
    if request.user.role == Role.LEADER:
        for order in found:
            if order.explanation_received_at is None:
                order.form = ExplanationForm(prefix=f"order-{order.pk}")
    return page(
        request, "workspace/unit_orders.html", {"section": "orders", "unit": request.user.unit, "orders": found}
    )


@unit_staff_only
def roster(request):
    """This year's roster filing; the leader files it (名单上报)."""
    user, unit, now = request.user, request.user.unit, timezone.now()
    year = clock.local_date(now).year
    if request.method == "POST" and user.role != Role.LEADER:
        raise PermissionDenied(_("名单由本单位分管领导上报。"))
    filings = selectors.roster_filings(unit)
    current = next((f for f in filings if f.year == year), None)
    form = None
    if user.role == Role.LEADER and (current is None or request.method == "POST"):
        form = RosterForm(request.POST or None, unit=unit)
        if request.method == "POST" and form.is_valid():
            try:
                services.roster_file(
                    unit=unit,
                    year=year,
                    leader=form.cleaned_data["leader"],
                    handlers=form.cleaned_data["handlers"],
                    by=user,
                )
            except ActionRefused as e:
                flash.error(request, e.reason)
            else:
                flash.success(request, _("%(unit)s%(year)s年度名单已上报。") % {"unit": unit.name, "year": year})
                return redirect("workspace:roster")
    context = {
        "section": "roster",
        "unit": unit,
        "year": year,
        "current": current,
        "earlier": [f for f in filings if f.year != year],
        "staff": unit.staff.filter(is_active=True).order_by("role", "display_name", "username"),
        "form": form,
    }
    return page(request, "workspace/roster.html", context, status=400 if form is not None and form.is_bound else 200)
