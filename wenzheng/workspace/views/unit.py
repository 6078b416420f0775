"""The unit's workspace: its inbox, its written-explanation orders, its roster."""

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import ActionRefused, may_see_contact
from wenzheng.lib.paging import page_of
from wenzheng.privacy.public import mask_for_reader
from wenzheng.search.highlights import mark_as_read, prefetch_texts
from wenzheng.units import services

from .. import selectors
from ..access import orders_visible_to, unit_staff_only
from ..forms import ExplanationForm, RosterForm, SearchForm
from .common import PAGE_SIZE, page, page_or_fragment


@unit_staff_only
def inbox(request):
    now = timezone.now()
    tab = selectors.inbox_tab(request.GET.get("tab"))
    search = SearchForm(request.GET)
    # Whether a query is searched as its words is decided on the whole inbox, which
    # the tabs' counts cover: every tab then counts and lists the same search.
    found, searched = selectors.matching(
        request.user,
        selectors.inbox(request.user, tab),
        search.query,
        order=search.ordering,
        among=selectors.inbox_whole(request.user),
    )
    found = page_of(request, found, PAGE_SIZE)
    counts = selectors.inbox_counts(request.user, searched)
    rows = selectors.attach_deadlines(found.object_list, at=now)
    if searched is not None:
        prefetch_texts(rows)
        mark_as_read(rows, searched)
    context = {
        "section": "inbox",
        "unit": request.user.unit,
        "tab": tab,
        "tabs": [(t, counts[t.slug]) for t in selectors.INBOX_TABS],
        "page": found,
        "rows": rows,
        # With where each stands: sent back to be written again, its backlog deadline
        # passed with messages unanswered (the banner said neither: a leader's trial).
        "orders": selectors.with_backlog_status(selectors.open_orders(request.user), at=now),
        "search": search,
        "searched": searched,
        "query": urlencode({"tab": tab.slug, **search.link_params()}),
        "search_params": urlencode(search.link_params()),
    }
    return page_or_fragment(request, "workspace/inbox.html", "workspace/_inbox.html", context)


@unit_staff_only
def orders(request):
    """The written explanations the county ordered from this unit."""
    found = selectors.with_backlog_status(orders_visible_to(request.user), at=timezone.now())
    # An order names the messages it was about as they were then; one merged or moved
    # away since is no longer the unit's, and its title is read masked (privacy.public).
    named = [m for order in found for m in order.messages.all()]
    for m in named:
        m.theirs = may_see_contact(request.user, m)  # linked only if the unit may still open it
    mask_for_reader(request.user, [m for m in named if not m.theirs])
    if request.user.role == Role.LEADER:
        for order in found:
            if order.explanation_received_at is None:
                order.form = ExplanationForm.for_order(order)
    return page(
        request, "workspace/unit_orders.html", {"section": "orders", "unit": request.user.unit, "orders": found}
    )


@unit_staff_only
def roster(request):
    """The unit's roster (名单上报): this year's, which the leader files or corrects,
    and next year's, which may be filed ahead. Each filing is a version of its own,
    with its event; the history below shows every one."""
    user, unit, now = request.user, request.user.unit, timezone.now()
    years = services.roster_years(now)
    if request.method == "POST" and user.role != Role.LEADER:
        raise PermissionDenied(_("名单由本单位分管领导上报。"))
    posted, posted_year = None, None
    if request.method == "POST":
        posted_year = _posted_year(request.POST.get("year"), years)
        if posted_year is None:
            flash.error(request, _("只能上报本年度或下一年度的名单。"))
            posted = RosterForm(unit=unit)  # nothing was filed: the page says why, with a 400
        else:
            posted = RosterForm(request.POST, unit=unit, prefix=f"y{posted_year}")
        if posted_year is not None and posted.is_valid():
            year = posted_year
            try:
                filing = services.roster_file(
                    unit=unit,
                    year=year,
                    leader=posted.cleaned_data["leader"],
                    handlers=posted.cleaned_data["handlers"],
                    by=user,
                )
            except ActionRefused as e:
                posted.add_error(None, e.reason)
            else:
                said = _("%(unit)s%(year)s年度名单已上报。") % {"unit": unit.name, "year": year}
                if filing.version > 1:
                    said = _("%(unit)s%(year)s年度名单已更正（第%(v)s版）。") % {
                        "unit": unit.name,
                        "year": year,
                        "v": filing.version,
                    }
                flash.success(request, said)
                return redirect("workspace:roster")
    history = selectors.roster_history(unit)
    sections = []
    for year in years:
        current = next((f for f in history if f.year == year and f.in_force), None)
        form = None
        if user.role == Role.LEADER:
            if year == posted_year:
                form = posted
            else:
                form = RosterForm(unit=unit, prefix=f"y{year}", initial=_roster_initial(current))
        sections.append({"year": year, "current": current, "form": form, "next": year != years[0]})
    context = {
        "section": "roster",
        "unit": unit,
        "year": years[0],
        "sections": sections,
        "history": history,
        "staff": unit.staff.filter(is_active=True).order_by("role", "display_name", "username"),
    }
    return page(request, "workspace/roster.html", context, status=400 if posted is not None else 200)


def _posted_year(text, years) -> int | None:
    try:
        year = int(text)
    except (TypeError, ValueError):
        return None
    return year if year in years else None


def _roster_initial(current) -> dict:
    """A correction starts from the roster in force."""
    initial = {}
    if current is not None:
        members = list(current.members.all())
        initial["leader"] = next((m.user_id for m in members if m.position == "leader"), None)
        initial["handlers"] = [m.user_id for m in members if m.position == "handler"]
    return initial
