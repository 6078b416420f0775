"""manage.py hotspots: show when each county's hot issues (热点问题) were computed, or
compute them now.

    manage.py hotspots                    # each county: computed at, messages read, groups
    manage.py hotspots --rebuild          # compute every county now (the worker does it hourly)
    manage.py hotspots --rebuild --county luocheng
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wenzheng.hotspots import compute
from wenzheng.hotspots.models import Hotspot, Refresh
from wenzheng.units.models import Region


class Command(BaseCommand):
    help = "Show or recompute the hot issues (热点问题) of each county."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="compute now, in place of the last computation")
        parser.add_argument("--county", help="only this county (its code)")

    def handle(self, *args, rebuild=False, county=None, **options):
        counties = Region.objects.filter(kind=Region.Kind.COUNTY).order_by("code")
        if county:
            counties = counties.filter(code=county)
            if not counties.exists():
                raise CommandError(f"No county with the code {county!r}")
        for region in counties:
            if rebuild:
                found = compute.rebuild(region, now=timezone.now())
                refresh = Refresh.objects.get(region=region)
                self.stdout.write(
                    f"{region.code}: {found} hot issue(s) from {refresh.considered} messages in {refresh.took_ms} ms"
                )
                continue
            refresh = Refresh.objects.filter(region=region).first()
            if refresh is None or refresh.computed_at is None:
                self.stdout.write(f"{region.code}: never computed")
                continue
            week = Hotspot.objects.filter(region=region, window="week").count()
            month = Hotspot.objects.filter(region=region, window="month").count()
            self.stdout.write(
                f"{region.code}: computed {timezone.localtime(refresh.computed_at):%Y-%m-%d %H:%M} from "
                f"{refresh.considered} messages in {refresh.took_ms} ms: {week} this week, {month} this month; "
                f"next at {timezone.localtime(refresh.next_run_at):%H:%M}"
            )
