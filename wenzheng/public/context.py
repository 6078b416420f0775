from functools import partial

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from wenzheng.units.models import Region
from wenzheng.units.selectors import office_for, offices_for


def site(request):
    """The zone's name in every page's header: the county's, or the city's; and whose
    page it is, for the text kept in the tab (site.js keeps a form's text for the one
    who typed it: not for the next person signing in at the same computer); and the
    office a page names when it concerns no one message or region (`site_office`,
    read only by the pages that name it: a template calls it), and the county's and
    the city's offices where a page is open to both (`site_offices`: 区、市网络问政办)."""
    region = Region.objects.default()
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "site_name": _("%(region)s网络问政") % {"region": region.name} if region else _("网络问政"),
        "site_office": partial(office_for, request),
        "site_offices": partial(offices_for, request),
        "draft_owner": salted_hmac("wenzheng.drafts", str(user.pk)).hexdigest()[:16] if signed_in else "",
    }
