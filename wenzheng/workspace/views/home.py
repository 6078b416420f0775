from django.shortcuts import redirect

from wenzheng.accounts.models import Role
from wenzheng.units.models import Region

from ..access import UNIT_ROLES, staff_only


@staff_only
def home(request):
    """Each role's own start page."""
    user = request.user
    if user.role in UNIT_ROLES:
        return redirect("workspace:inbox")
    if user.role == Role.CITY_OFFICE:
        return redirect("workspace:city", code=user.region.code)
    if user.role == Role.COUNTY_OFFICE:
        return redirect("workspace:county", code=user.region.code)
    # The administrator oversees every county: start at the first.
    county = Region.objects.filter(kind=Region.Kind.COUNTY).order_by("name").first()
    if county is None:
        return redirect("admin:index")
    return redirect("workspace:county", code=county.code)
