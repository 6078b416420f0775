"""Reads about regions that pages share: whose county a request concerns, and how
its office is named there."""

from .models import ANY_OFFICE, Region


def counties_of(user) -> list[Region] | None:
    """The counties a signed-in staff member belongs to: a unit's county, a county
    office's own, a city office's every county; None for anyone else (a citizen, the
    administrator, someone not signed in)."""
    if user is None or not user.is_authenticated:
        return None
    if user.unit_id is not None:
        return [user.unit.region]
    if user.region_id is not None:
        region = user.region
        return [region] if region.kind == Region.Kind.COUNTY else list(region.children.all())
    return None


def counties_for(request) -> list[Region]:
    """The reader's county (a unit's, an office's), else the county of the page, else
    the one this deployment serves; a city's counties when it serves several or the
    reader is the city's."""
    counties = counties_of(getattr(request, "user", None))
    if counties is not None:
        return counties
    # A page of one county's (?county=luocheng, /work/county/luocheng/…).
    match = getattr(request, "resolver_match", None)
    code = request.GET.get("county") if request is not None else None
    code = code or (match.kwargs.get("code") if match is not None else None)
    if code:
        county = Region.objects.filter(code=code, kind=Region.Kind.COUNTY).first()
        if county is not None:
            return [county]
    default = Region.objects.default()
    if default is None:
        return []
    return [default] if default.kind == Region.Kind.COUNTY else list(default.children.all())


def office_of(counties) -> str:
    """The office to name to a reader of these counties: the one county's by its level
    (县网络问政办, 区网络问政办); of several, which may be of every level, by none."""
    return counties[0].office_by_level if counties and len(counties) == 1 else ANY_OFFICE


def office_for(request) -> str:
    """The office a page names when it concerns no one message or region (sign-in,
    403, the rate limit's refusal): the reader's, the page's, or the deployment's
    county's (counties_for)."""
    return office_of(counties_for(request))


def offices_of(counties) -> str:
    """The offices of these counties and their city, to a reader of a page open to
    both (绩效考评, 管理后台, 动态口令): the one county's and its city's
    (Region.offices_with_city: 区、市网络问政办); of several, by no level."""
    return counties[0].offices_with_city if counties and len(counties) == 1 else ANY_OFFICE


def offices_for(request) -> str:
    """The county's and the city's offices a page open to both names to someone it
    turns away, or to those who read of who may change it: of the reader's, the
    page's, or the deployment's county (counties_for)."""
    return offices_of(counties_for(request))
