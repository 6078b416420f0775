"""The city office: its counties side by side, and the approvals that need the city."""

from django.utils import timezone

from wenzheng.hotspots import selectors as hotspot_selectors
from wenzheng.privacy.public import mask_for_reader
from wenzheng.reports import tally
from wenzheng.units.models import Region

from .. import selectors
from ..access import city_for, city_staff_only
from ..steps import STEPS
from .common import page, this_quarter


@city_staff_only
def overview(request, code):
    city, now = city_for(request.user, code), timezone.now()
    quarter = this_quarter(now)
    rows = selectors.counties_side_by_side(city, quarter, at=now)
    context = {
        "section": "city",
        "city": city,
        "quarter": quarter,
        "rows": rows,
        "total": tally.figures(city, quarter, now=now),
        "total_overdue": sum(r.overdue for r in rows),
        "hotspots": hotspot_selectors.top(request.user, Region.objects.filter(parent=city, kind=Region.Kind.COUNTY)),
    }
    return page(request, "workspace/city/overview.html", context)


@city_staff_only
def approvals(request, code):
    """Long-cycle closures in all the city's counties: the city may approve them too."""
    city = city_for(request.user, code)
    closures = list(selectors.closure_requests(request.user, region=city))
    mask_for_reader(request.user, closures)  # the city never sees a citizen's details
    for m in closures:
        m.form = STEPS["long-cycle-decision"].make_form(message=m)
    context = {
        "section": "city-approvals",
        "city": city,
        "closures": closures,
        "decision_step": STEPS["long-cycle-decision"],
    }
    return page(request, "workspace/city/approvals.html", context)
