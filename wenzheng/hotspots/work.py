"""Hot issues (热点问题), recomputed by the background worker for each county every
HOTSPOT_EVERY_MINUTES (a county at a time: two workers share the counties)."""

from django.utils import timezone

from wenzheng.ops.worker import Work, register

from . import compute


@register
class HotspotWork(Work):
    name = "hotspots"

    def claim(self):
        return compute.claim(now=timezone.now())

    def run(self, refresh) -> str:
        now = timezone.now()
        found = compute.rebuild(refresh.region, now=now)
        refresh.refresh_from_db()
        return (
            f"hotspots: {refresh.region.code}: {found} hot issue(s) "
            f"from {refresh.considered} messages in {refresh.took_ms} ms"
        )
