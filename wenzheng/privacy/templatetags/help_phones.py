"""The county office's numbers, where a page tells people to call it."""

from django import template

from wenzheng.units.selectors import counties_for

from ..masking import normalise_contact
from ..models import PublicContact

register = template.Library()


@register.inclusion_tag("privacy/_help_phones.html", takes_context=True)
def help_phones(context):
    """The numbers each county marked as its office's (PublicContact.for_help), each
    a link that dials it (or writes to it) on a phone."""
    counties = counties_for(context.get("request"))
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
