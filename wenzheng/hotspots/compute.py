"""Computing a county's hot issues from its messages (run by the worker, and by
`manage.py hotspots --rebuild`).

Which messages count: those every figure counts (`Message.objects.counted()`: not
spam) minus those the county office withheld from publication (不予公开, a review
decision: the office judged the text unfit to show, so it does not make a problem
"hot" either). Messages waiting for review, unanswered or not yet dispatched do
count: the office sees them all, and a problem is hottest before anyone answered it.

Windows end now and are counted in local days: "近7天" is today and the six days
before it, against the seven days before those; "近30天" likewise. Messages are
grouped once over the longest span (the month and the month before it), so a group's
count in the current window and in the previous one are of the same group; a group is
a hot issue of a window when at least HOTSPOT_MIN_MESSAGES of its messages fall in it.
"""

import datetime as dt
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from wenzheng.handling.models import Message
from wenzheng.privacy.models import Review
from wenzheng.privacy.public import Publisher, names_given
from wenzheng.units.models import Region, Unit
from wenzheng.workdays import clock

from . import grouping
from .models import Hotspot, Refresh, Window


def window_start(window: Window, now: dt.datetime) -> dt.datetime:
    """Local midnight of the window's first day (today is its last)."""
    return clock.local_midnight(clock.local_date(now) - dt.timedelta(days=window.days - 1))


def eligible(messages):
    """Of `messages`, those that may make a hot issue (and be listed in one)."""
    withheld = Review.objects.filter(message=OuterRef("pk"), follow_up__isnull=True, state=Review.State.WITHHELD)
    return messages.counted().exclude(Exists(withheld))


COLUMNS = (
    "pk", "title", "body", "submitted_at", "unit_id", "unit__kind", "topic_id", "topic__parent_id",
    "topic__parent__parent_id", "citizen_name", "citizen__username", "citizen__display_name",
)  # fmt: skip


def items_of(county: Region, *, since: dt.datetime, until: dt.datetime) -> list[grouping.Item]:
    """The county's messages as grouping reads them, their texts masked as the city
    office reads them (privacy.public: the citizen's names, phones, ID numbers,
    addresses): what describes a group (its common words, its place) is shown to
    the city office, which never reads a citizen's name or contacts, and a name or a
    number one citizen wrote three times does not make a problem hot."""
    rows = (
        eligible(Message.objects.filter(region=county))
        .filter(submitted_at__gte=since, submitted_at__lte=until)
        .order_by("submitted_at", "pk")
        .values_list(*COLUMNS)
    )
    masker = Publisher().masker(county.pk)
    items = []
    for pk, title, body, at, unit_id, kind, topic, parent, grandparent, *names in rows.iterator(chunk_size=2000):
        names = names_given(*names)
        items.append(
            grouping.Item(
                pk=pk,
                title=masker.mask(title, names=names),
                body=masker.mask(body, names=names),
                at=at,
                unit_id=unit_id,
                township_id=unit_id if kind == Unit.Kind.TOWNSHIP else None,
                topic_root_id=grandparent or parent or topic,
            )
        )
    return items


def hotspots_of(county, items, groups, *, now) -> list[tuple[Hotspot, list[int], set[int]]]:
    """The groups as unsaved hot issues of each window, with their members' pks and
    units."""
    out = []
    for window in Window:
        start = window_start(window, now)
        before = start - dt.timedelta(days=window.days)
        first_day = clock.local_date(start)
        for g in groups:
            current = [items[i] for i in g.members if items[i].at >= start]
            if len(current) < settings.HOTSPOT_MIN_MESSAGES:
                continue
            previous = sum(1 for i in g.members if before <= items[i].at < start)
            daily = [0] * window.days
            for item in current:
                daily[min((clock.local_date(item.at) - first_day).days, window.days - 1)] += 1
            central = items[g.central] if items[g.central].at >= start else current[-1]
            hotspot = Hotspot(
                region=county,
                window=window,
                computed_at=now,
                starts_at=start,
                central_id=central.pk,
                place=g.place[:40],
                township_id=g.township_id,
                terms=" ".join(g.terms)[:60],
                count=len(current),
                previous_count=previous,
                daily=daily,
            )
            out.append((hotspot, [m.pk for m in current], {m.unit_id for m in current if m.unit_id}))
    return out


def rebuild(county: Region, *, now: dt.datetime) -> int:
    """Compute the county's hot issues as of `now` and put them in place of the last
    ones, in one transaction (a page never shows half a computation). Returns how
    many hot issues there are now, both windows together."""
    started = time.perf_counter()
    longest = max(Window, key=lambda w: w.days)
    since = window_start(longest, now) - dt.timedelta(days=longest.days)
    items = items_of(county, since=since, until=now)
    groups = grouping.group(items, threshold=settings.HOTSPOT_SIMILARITY, min_size=settings.HOTSPOT_MIN_MESSAGES)
    found = hotspots_of(county, items, groups, now=now)
    with transaction.atomic():
        Hotspot.objects.filter(region=county).delete()
        saved = Hotspot.objects.bulk_create([h for h, _, _ in found])
        Hotspot.messages.through.objects.bulk_create(
            [
                Hotspot.messages.through(hotspot_id=h.pk, message_id=pk)
                for h, (_, pks, _) in zip(saved, found, strict=True)
                for pk in pks
            ],
            batch_size=2000,
        )
        Hotspot.units.through.objects.bulk_create(
            [
                Hotspot.units.through(hotspot_id=h.pk, unit_id=unit)
                for h, (_, _, units) in zip(saved, found, strict=True)
                for unit in units
            ],
            batch_size=2000,
        )
        took = round((time.perf_counter() - started) * 1000)
        Refresh.objects.update_or_create(
            region=county,
            defaults={"computed_at": now, "considered": len(items), "took_ms": took},
            create_defaults={
                "computed_at": now,
                "considered": len(items),
                "took_ms": took,
                "next_run_at": now + every(),
            },
        )
    return len(saved)


def every() -> dt.timedelta:
    return dt.timedelta(minutes=settings.HOTSPOT_EVERY_MINUTES)


def claim(*, now: dt.datetime) -> Refresh | None:
    """The county whose hot issues are due, its next run moved on by a conditional
    update only one worker can win; None when none is due. A county without a row
    yet (new, or never computed) gets one due now; one with nothing to group is
    marked computed on the way and not offered as work."""
    known = Refresh.objects.values_list("region_id", flat=True)
    new = Region.objects.filter(kind=Region.Kind.COUNTY).exclude(pk__in=known)
    Refresh.objects.bulk_create([Refresh(region=c, next_run_at=now) for c in new], ignore_conflicts=True)
    for refresh in Refresh.objects.filter(next_run_at__lte=now).select_related("region").order_by("next_run_at", "pk"):
        if Refresh.objects.filter(pk=refresh.pk, next_run_at__lte=now).update(next_run_at=now + every()) != 1:
            continue  # another worker took it
        if _nothing_to_group(refresh.region, now=now):
            # Recorded as computed (the page says when), but no item of work to speak of.
            Refresh.objects.filter(pk=refresh.pk).update(computed_at=now, considered=0, took_ms=0)
            continue
        return refresh
    return None


def _nothing_to_group(county, *, now) -> bool:
    """A county with no message in the span read and no hot issue stored (a new
    county, or a test's): nothing to compute and nothing to clear."""
    longest = max(Window, key=lambda w: w.days)
    since = window_start(longest, now) - dt.timedelta(days=longest.days)
    messages = eligible(Message.objects.filter(region=county, submitted_at__gte=since, submitted_at__lte=now))
    return not messages.exists() and not Hotspot.objects.filter(region=county).exists()
