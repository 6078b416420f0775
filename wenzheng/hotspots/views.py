"""热点问题: the county office's and the city office's hot issues, and one group's
messages."""

from django.shortcuts import render
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.lib.paging import page_of
from wenzheng.privacy.public import Publisher, mask_titles_for_reader
from wenzheng.units.models import Region
from wenzheng.workspace.access import city_for, city_staff_only, county_for, county_staff_only, roles_only

from . import selectors
from .models import Window

PAGE_SIZE = 30
MEMBERS_PAGE_SIZE = 50


def _page(request, template, context):
    return render(request, template, {"nav": "work", "windows": list(Window), **context})


def _rows(request, hotspots):
    found = page_of(request, hotspots, PAGE_SIZE)
    rows = list(found.object_list)
    # The city office reads titles masked, as everywhere (privacy.public).
    mask_titles_for_reader(request.user, [h.central for h in rows], Publisher())
    return found, rows


@county_staff_only
def county(request, code):
    county = county_for(request.user, code)
    regions = Region.objects.filter(pk=county.pk)
    window = selectors.window_of(request)
    found, rows = _rows(request, selectors.listed(regions, window))
    context = {
        "section": "hotspots",
        "county": county,
        "window": window,
        "page": found,
        "rows": rows,
        "query": f"window={window.value}",
        **selectors.staleness(regions, now=timezone.now()),
    }
    return _page(request, "hotspots/list.html", context)


@city_staff_only
def city(request, code):
    city = city_for(request.user, code)
    regions = Region.objects.filter(parent=city, kind=Region.Kind.COUNTY)
    window = selectors.window_of(request)
    found, rows = _rows(request, selectors.listed(regions, window))
    context = {
        "section": "city-hotspots",
        "city": city,
        "window": window,
        "page": found,
        "rows": rows,
        "query": f"window={window.value}",
        "show_county": True,
        **selectors.staleness(regions, now=timezone.now()),
    }
    return _page(request, "hotspots/list.html", context)


@roles_only(Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)
def group(request, pk):
    hotspot = selectors.for_viewer(request.user, pk)
    publisher = Publisher()
    mask_titles_for_reader(request.user, [hotspot.central], publisher)
    found = page_of(request, selectors.members(request.user, hotspot), MEMBERS_PAGE_SIZE)
    rows = list(found.object_list)
    mask_titles_for_reader(request.user, rows, publisher)
    city = hotspot.region.parent if request.user.role == Role.CITY_OFFICE else None
    context = {
        "section": "city-hotspots" if city else "hotspots",
        "county": None if city else hotspot.region,
        "city": city,
        "h": hotspot,
        "window": Window(hotspot.window),
        "page": found,
        "rows": rows,
        **selectors.staleness(Region.objects.filter(pk=hotspot.region_id), now=timezone.now()),
    }
    return _page(request, "hotspots/group.html", context)
