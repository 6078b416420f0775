from django.utils.translation import gettext as _

from wenzheng.units.models import Region


def site(request):
    """The zone's name in every page's header: the county's, or the city's."""
    region = Region.objects.default()
    return {"site_name": _("%(region)s网络问政") % {"region": region.name} if region else _("网络问政")}
