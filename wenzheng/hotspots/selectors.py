"""Reads of hot issues, for the pages: which groups an office may see, and the
computation's staleness."""

import datetime as dt

from django.conf import settings
from django.db.models import Min, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from wenzheng.handling.models import Message
from wenzheng.units.models import Unit

from .compute import eligible
from .models import Hotspot, Refresh, Window


def window_of(request) -> Window:
    """The window asked for (?window=month), the week when none or a wrong one."""
    asked = request.GET.get("window", "")
    return Window(asked) if asked in Window.values else Window.WEEK


def listed(regions, window: Window):
    """Hot issues of `regions` (a county's, or a city's counties'), largest first, with
    what each row shows read in a fixed number of queries."""
    centrals = Message.objects.select_related("citizen").prefetch_related("reviews")
    return (
        Hotspot.objects.filter(region__in=regions, window=window)
        .select_related("region", "township")
        .prefetch_related(Prefetch("central", queryset=centrals), Prefetch("units", Unit.objects.order_by("name")))
        .order_by("-count", "-previous_count", "pk")
    )


def for_viewer(user, pk) -> Hotspot:
    """A hot issue of a county the office oversees; 404 for any other."""
    hotspot = get_object_or_404(Hotspot.objects.select_related("region", "township", "central"), pk=pk)
    if not user.oversees(hotspot.region):
        raise Http404(_("不是您管辖的县（区）"))
    return hotspot


def members(user, hotspot):
    """The group's messages that `user` may open, newest first."""
    return (
        eligible(Message.objects.visible_to(user))  # marked as spam or withheld since: no longer counted
        .filter(hotspots=hotspot)
        .select_related("unit", "category", "region", "citizen")
        .prefetch_related("reviews")
        .order_by("-submitted_at", "-pk")
    )


def staleness(regions, *, now) -> dict:
    """When the hot issues of `regions` were computed (the oldest, for a city), and
    whether that is later than the schedule allows (the worker may be down)."""
    computed = Refresh.objects.filter(region__in=regions).aggregate(oldest=Min("computed_at"))["oldest"]
    every = dt.timedelta(minutes=settings.HOTSPOT_EVERY_MINUTES)
    return {
        "computed_at": computed,
        # A county not computed yet (new since the worker's last pass) is left out.
        "waiting": regions.exclude(hotspot_refresh__computed_at__isnull=False).count() if computed else 0,
        "every_minutes": settings.HOTSPOT_EVERY_MINUTES,
        "late": computed is not None and now - computed > 2 * every + dt.timedelta(minutes=5),
        "never": computed is None,
        "min_messages": settings.HOTSPOT_MIN_MESSAGES,
    }


def top(user, regions, *, n: int = 5) -> list[Hotspot]:
    """The week's largest hot issues, for a dashboard (titles masked for the city)."""
    from wenzheng.privacy.public import mask_titles_for_reader

    rows = list(listed(regions, Window.WEEK)[:n])
    mask_titles_for_reader(user, [h.central for h in rows])
    return rows
