"""Who may open the evaluation's pages: the county office, the city office and the
administrator, each for the regions they oversee.

Not signed in → the login page; signed in in another role → 403; a run or region
outside one's own → 404, so a stranger cannot learn that it exists.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from wenzheng.accounts.models import Role
from wenzheng.units.models import Region

from .models import Run, Scheme

OFFICE_ROLES = (Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)


def office_only(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.role not in OFFICE_ROLES and not request.user.is_superuser:
            raise PermissionDenied(_("绩效考评页面仅供县、市网络问政办使用。"))
        return view(request, *args, **kwargs)

    return wrapped


def regions_for(user):
    """The regions a user may evaluate: their county; a city and its counties; all."""
    if user.role == Role.ADMIN or user.is_superuser:
        return Region.objects.all()
    if user.role == Role.COUNTY_OFFICE:
        return Region.objects.filter(pk=user.region_id)
    if user.role == Role.CITY_OFFICE:
        return Region.objects.filter(Q(pk=user.region_id) | Q(parent_id=user.region_id))
    return Region.objects.none()


def region_for(user, code) -> Region:
    return get_object_or_404(regions_for(user), code=code)


def default_region(user):
    """The region a page starts on: the user's own, or the deployment's default."""
    mine = regions_for(user)
    if user.region_id and mine.filter(pk=user.region_id).exists():
        return mine.get(pk=user.region_id)
    default = Region.objects.default()
    if default is not None and mine.filter(pk=default.pk).exists():
        return default
    first = mine.order_by("kind", "name").first()
    if first is None:
        raise Http404(_("没有可考评的行政区域"))
    return first


def run_for(user, pk) -> Run:
    return get_object_or_404(
        Run.objects.select_related("region", "scheme", "created_by").filter(region__in=regions_for(user)), pk=pk
    )


def schemes_for(user):
    """The scoring schemes a user may read and use: those every county shares, those
    of the regions they evaluate, and their city's (which its counties may use)."""
    if user.role == Role.ADMIN or user.is_superuser:
        return Scheme.objects.all()
    owners = Q(region__in=regions_for(user))
    if user.region_id is not None and user.region.parent_id is not None:
        owners |= Q(region_id=user.region.parent_id)
    return Scheme.objects.filter(Q(region__isnull=True) | owners)


def scheme_owner(user, scheme=None):
    """Whose a scheme an office saves is. A change keeps the owner of the scheme it
    changes when that owner is a region the user evaluates: a county's own, and the
    city office's change to one of its counties' (it was saved as the city's, used by
    the city's other counties and outranked in that county by its own). Otherwise
    (the shared scheme, the city's scheme changed by a county, a file imported) it
    is the user's own region's. The administrator keeps every owner and imports
    shared schemes."""
    if user.role == Role.ADMIN or user.is_superuser:
        return scheme.region if scheme is not None else None
    if scheme is not None and scheme.region_id is not None and regions_for(user).filter(pk=scheme.region_id).exists():
        return scheme.region
    return user.region
