"""The county office's numbers, where a page tells people to call it."""

from django import template

from wenzheng.units.models import Region

from ..masking import normalise_contact
from ..models import PublicContact

register = template.Library()


def _counties_for(request) -> list[Region]:
    """The reader's county (a unit's, an office's), else the county of the page, else
    the one this deployment serves; a city's counties when it serves several or the
    reader is the city's."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.unit_id is not None:
            return [user.unit.region]
        if user.region_id is not None:
            region = user.region
            return [region] if region.kind == Region.Kind.COUNTY else list(region.children.all())
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


@register.inclusion_tag("privacy/_help_phones.html", takes_context=True)
def help_phones(context):
    """The numbers each county marked as its office's (PublicContact.for_help), each
    a link that dials it (or writes to it) on a phone."""
    counties = _counties_for(context.get("request"))
    contacts = PublicContact.objects.filter(region__in=counties, for_help=True).select_related("region")
    several = len({c.region_id for c in contacts}) > 1
    return {
        "contacts": [
            {
                "label": f"{c.region.name}：{c.label}" if several else c.label,
                "value": c.value,
                "href": f"mailto:{c.normalised}" if "@" in c.normalised else f"tel:{normalise_contact(c.value)}",
            }
            for c in contacts.order_by("region__name", "label", "pk")
        ]
    }
