"""The county office keeps its units' staff accounts (工作人员账号): opens them with a
temporary password, moves them between units, changes their role, stops and restarts
them, resets a forgotten password. Each change is kept (accounts.staff), as rosters
are counted by the accounts as they were."""

from django.contrib import messages as flash
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenzheng.accounts import staff as staff_accounts
from wenzheng.accounts.models import User
from wenzheng.accounts.policy import ActionRefused
from wenzheng.lib import text
from wenzheng.lib.http import row_id
from wenzheng.units.models import Unit

from ..access import county_for, county_staff_only
from ..forms import StaffChangeForm, StaffCreateForm
from .common import errors_text, page


def _accounts(county, unit_id=None, who=""):
    found = User.objects.filter(unit__region=county, role__in=staff_accounts.UNIT_ROLES).select_related("unit")
    if unit_id is not None:
        found = found.filter(unit_id=unit_id)
    if who:
        found = found.filter(Q(display_name__icontains=who) | Q(username__icontains=who))
    return found.order_by("unit__kind", "unit__name", "-role", "display_name", "username")


def _units(county) -> list:
    return list(Unit.objects.filter(region=county).order_by("kind", "name"))


def _shown(request) -> tuple[int | None, str]:
    """The list's filters, from the address: a unit, and a name or username typed."""
    unit_id = row_id(request.GET.get("unit"))
    who = text.visible(request.GET.get("q") or "").strip()[:50]
    return unit_id, who


def _query(request) -> str:
    """The list's filters as an address's query ("" for none)."""
    unit_id, who = _shown(request)
    return urlencode({k: v for k, v in (("unit", unit_id or ""), ("q", who)) if v})


def _back(request, county):
    """The list as it was filtered when a change was sent from it."""
    query = _query(request)
    return redirect(reverse("workspace:staff", args=[county.code]) + (f"?{query}" if query else ""))


# The temporary password just set, kept in the (server-side) session for the one page
# that shows it after the redirect: a reload of the page that set it reset it again.
ISSUED = "staff_issued"


def _issue(request, county, account, password):
    request.session[ISSUED] = {"account": account.pk, "password": password}
    return _back(request, county)


def _issued(request, county):
    """The account and temporary password set by the step before, once."""
    kept = request.session.pop(ISSUED, None)
    if not kept:
        return None
    account = _accounts(county).filter(pk=kept["account"]).first()
    return (account, kept["password"]) if account else None


def _page(request, county, *, create=None, status=200):
    issued = _issued(request, county) if request.method == "GET" else None
    unit_id, who = _shown(request)
    # The list alone: each account is changed on its own page (staff_change). With a
    # form of every unit in every row, a county of 347 accounts and 108 units was a
    # 2.1 MB page of 50,000 elements, 10 s to open in a browser (a newcomer's trial).
    accounts = list(_accounts(county, unit_id, who))
    units = _units(county)
    context = {
        "section": "staff",
        "county": county,
        "accounts": accounts,
        "create": create or StaffCreateForm(units=units, prefix="new"),
        "issued": issued,  # (account, temporary password): shown once, on this page only
        "unit_id": unit_id,
        "who": who,
        "units": units,
        # Sent with each change, so that the list comes back as filtered.
        "query": _query(request),
    }
    return page(request, "workspace/county/staff.html", context, status=status)


@county_staff_only
def staff(request, code):
    county = county_for(request.user, code)
    if request.method != "POST":
        return _page(request, county)
    form = StaffCreateForm(request.POST, units=_units(county), prefix="new")
    if not form.is_valid():
        return _page(request, county, create=form, status=400)
    data = form.cleaned_data
    try:
        account, password = staff_accounts.create_staff(county=county, by=request.user, **data)
    except ActionRefused as e:
        form.add_error(None, e.reason)
        return _page(request, county, create=form, status=400)
    # Not through a flash message: those may travel in a cookie.
    return _issue(request, county, account, password)


@county_staff_only
def staff_change(request, code, pk):
    """One account's page: its unit, role and whether it may sign in, changed; its
    password reset. Back to the list as it was filtered."""
    county = county_for(request.user, code)
    account = get_object_or_404(_accounts(county), pk=pk)
    units = _units(county)
    initial = {"unit": str(account.unit_id), "role": account.role, "active": account.is_active}
    form = StaffChangeForm(request.POST or None, units=units, prefix=f"a{account.pk}", initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                staff_accounts.change_staff(account=account, county=county, by=request.user, **form.cleaned_data)
            except ActionRefused as e:
                form.add_error(None, e.reason)
            else:
                flash.success(request, _("已调整%(who)s的账号。") % {"who": account})
                return _back(request, county)
        flash.error(request, errors_text(form))
    context = {"section": "staff", "county": county, "account": account, "form": form, "query": _query(request)}
    return page(request, "workspace/county/staff_account.html", context, status=400 if form.errors else 200)


@county_staff_only
@require_POST
def staff_password(request, code, pk):
    county = county_for(request.user, code)
    account = get_object_or_404(_accounts(county), pk=pk)
    try:
        password = staff_accounts.reset_staff_password(account=account, county=county, by=request.user)
    except ActionRefused as e:
        flash.error(request, e.reason)
        return _back(request, county)
    return _issue(request, county, account, password)
