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
from wenzheng.units.selectors import offices_for

from .models import Run, Scheme, owner_name

OFFICE_ROLES = (Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)


def office_only(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.role not in OFFICE_ROLES and not request.user.is_superuser:
            raise PermissionDenied(_("绩效考评页面仅供%(offices)s使用。") % {"offices": offices_for(request)})
        return view(request, *args, **kwargs)

    return wrapped


def _is_admin(user) -> bool:
    return user.role == Role.ADMIN or user.is_superuser


def regions_for(user):
    """The regions a user may evaluate: their county; a city and its counties; all."""
    if _is_admin(user):
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
    if _is_admin(user):
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
    if _is_admin(user):
        return scheme.region if scheme is not None else None
    if scheme is not None and scheme.region_id is not None and regions_for(user).filter(pk=scheme.region_id).exists():
        return scheme.region
    return user.region


def in_use(user, codes) -> dict[int, list[str]]:
    """Which versions of `codes` are used unless told otherwise (现用) in what `user`
    evaluates: {scheme id: region names}; for the administrator, who keeps them, 各县共用
    first for the newest shared one (every county's without a version of its own)."""
    found: dict[int, list[str]] = {}
    regions = list(regions_for(user).order_by("kind", "name"))
    for code in sorted(set(codes)):
        shared = Scheme.objects.latest_version(code) if _is_admin(user) else None
        if shared is not None:
            found.setdefault(shared.pk, []).append(owner_name(None))
        for region in regions:
            used = Scheme.objects.default_for(region, code)
            if used is not None:
                found.setdefault(used.pk, []).append(region.name)
    return found


def adoption_targets(user, scheme) -> dict[str, Region | None]:
    """Where `user` may make this version the one in use (改用此版本), by a key for a
    form: each region they evaluate that it may score and that uses another version
    now; for the administrator also every county's shared default ("")."""
    targets = {
        str(r.pk): r
        for r in regions_for(user).order_by("kind", "name")
        if scheme.may_score(r) and Scheme.objects.default_for(r, scheme.code) != scheme
    }
    if _is_admin(user) and Scheme.objects.latest_version(scheme.code) != scheme:
        targets = {"": None, **targets}
    return targets
