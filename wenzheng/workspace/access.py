"""Who may open the workspace's pages.

Three answers, in this order: not signed in → the login page; signed in with a role
the page is not for (a citizen, a handler on a county page) → 403; staff asking for
something outside their unit or county → 404, so a stranger cannot even learn that
it exists. The actions check role and unit again before they change anything.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from wenzheng.accounts.models import Role
from wenzheng.handling.models import Message
from wenzheng.supervision.models import WrittenExplanationOrder
from wenzheng.units.models import Region

UNIT_ROLES = (Role.HANDLER, Role.LEADER)
COUNTY_ROLES = (Role.COUNTY_OFFICE, Role.ADMIN)
CITY_ROLES = (Role.CITY_OFFICE, Role.ADMIN)
STAFF_ROLES = (Role.HANDLER, Role.LEADER, Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)


def roles_only(*roles):
    """The view is for signed-in people acting in one of `roles`."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied(_("此页面仅供工作人员使用。"))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


unit_staff_only = roles_only(*UNIT_ROLES)
county_staff_only = roles_only(*COUNTY_ROLES)
city_staff_only = roles_only(*CITY_ROLES)
staff_only = roles_only(*STAFF_ROLES)


def county_for(user, code) -> Region:
    """The county a county page is about, if the user oversees it."""
    county = get_object_or_404(Region, code=code, kind=Region.Kind.COUNTY)
    if not user.oversees(county):
        raise Http404(_("不是您管辖的县（区）"))
    return county


def city_for(user, code) -> Region:
    city = get_object_or_404(Region, code=code, kind=Region.Kind.CITY)
    if not (user.role == Role.ADMIN or (user.role == Role.CITY_OFFICE and user.region_id == city.pk)):
        raise Http404(_("不是您所在的市"))
    return city


def visible_message(user, pk) -> Message:
    messages = Message.objects.visible_to(user).select_related("category", "unit", "region", "citizen")
    return get_object_or_404(messages, pk=pk)


def orders_visible_to(user):
    """Written-explanation orders: a unit's own, or those of the counties overseen."""
    orders = WrittenExplanationOrder.objects.all()
    if user.role == Role.ADMIN:
        return orders
    if user.role in UNIT_ROLES:
        return orders.filter(unit_id=user.unit_id)
    if user.role == Role.COUNTY_OFFICE:
        return orders.filter(unit__region_id=user.region_id)
    if user.role == Role.CITY_OFFICE:
        return orders.filter(unit__region__parent_id=user.region_id)
    return orders.none()
