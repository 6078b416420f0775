"""What the public reads: published bulletins and evaluation results, each with the
heads of the event chains printed beside it, and the quarter's red and black list.

Publishing is a step on the record: an event in the region's chain (its own, a
county's or a city's), appended before the anchors are read, so the printed anchor
covers the publication itself. From then on `manage.py verify_events --anchor`
shows whether anything before it was cut or rewritten.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from wenzheng.accounts.policy import ActionRefused
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.reports import periods
from wenzheng.reports.periods import Period

from . import bulletin, bulletin_pages, documents, kinds, schemes
from . import facts as facts_module
from .models import PublishedBulletin, Run, Scheme

RED_BLACK_SIZE = 5  # 榆林's monthly list names the top 5 and the bottom 5


def _require_office_of(by, region):
    from .access import regions_for

    if by is None or not regions_for(by).filter(pk=region.pk).exists():
        # By their full names: the office refused may be another county's, a 县网络问政办 too.
        offices = [region.office_name] + ([region.parent.office_name] if region.parent_id else [])
        raise ActionRefused("forbidden", f"只有{'或'.join(offices)}可以发布。")


def _anchored(region) -> list:
    return [a.as_list() for a in chain.anchors(region)]


# --- the red and black list ---------------------------------------------------------


def red_black(region, period: Period, *, scheme: Scheme, now: dt.datetime, size: int = RED_BLACK_SIZE) -> dict:
    """The quarter's best and worst units by the scheme's rate items (the points they
    give: on-time responses and replies, closure, satisfaction), townships among
    townships and departments among departments, as the ranking is. A unit whose
    sample is too small (fewer due messages than the scheme's threshold) is named
    apart, never on either list: one late answer out of two is luck, not conduct.
    Each list takes at most `size` units and at most half of those ranked, so no unit
    is on both."""
    window = facts_module.Window.of(period, now)
    found = facts_module.collect(region, window)
    snap = schemes.snapshot(scheme)
    items = [i for i in snap["items"] if i["kind"] == "rate"]
    ctx = kinds.Context(categories=found.categories)
    by_kind, apart = {"township": [], "department": []}, defaultdict(list)
    # A city's units named with their county (Region.names_unit).
    counties = dict(facts_module.evaluated_units(region, window).values_list("pk", "region__name"))
    for unit_id, name, kind in found.units:
        unit_facts = found.of(unit_id)
        entry = {
            "unit": region.names_unit(name, counties[unit_id]),
            "due": unit_facts.get("reply.due", 0),
            "points": kinds.show(
                sum(
                    kinds.get("rate").score(i["params"], kinds.quantize(i["max_points"]), unit_facts, ctx).points
                    for i in items
                )
            ),
            "rates": [_rate_text(i, unit_facts, ctx) for i in items],
        }
        if entry["due"] < snap["min_due"]:
            apart[kind].append(entry["unit"])
        else:
            by_kind.setdefault(kind, []).append(entry)
    lists, unlisted = {}, {}
    for kind, entries in by_kind.items():
        n = min(size, len(entries) // 2)
        red = _head(sorted(entries, key=lambda e: (-Decimal(e["points"]), e["unit"])), n)
        black = _head(sorted(entries, key=lambda e: (Decimal(e["points"]), e["unit"])), n)
        lists[kind] = {"red": red, "black": black}
        named = {e["unit"] for e in red + black}
        unlisted[kind] = sorted(e["unit"] for e in entries if e["unit"] not in named)
    return {
        "scheme": f"{snap['name']}（第{snap['version']}版）",
        "items": [f"{i['label']}（{kinds.show(kinds.quantize(i['max_points']))}分）" for i in items],
        "min_due": snap["min_due"],
        "size": size,
        "cutoff": periods.moment(window.cutoff),
        "kinds": lists,
        # By kind, each named under its kind's heading (a journalist's trial found a
        # township's name under 部门, and the townships of too small a sample sorted
        # among the departments). Bulletins published before keep "unlisted" and
        # "apart" as one list each (the template reads both).
        # Compared, on neither list: between them, tied at a list's edge, or too few to list.
        "unlisted_by_kind": {kind: names for kind, names in unlisted.items() if names},
        "apart_by_kind": {kind: sorted(names) for kind, names in apart.items()},
    }


def _head(entries, n) -> list:
    """The first `n` of `entries` (in order of points), less the units tied with the
    first one left out: a tie at a list's edge is not split by the units' names
    (DOMAIN.md: not ranked on luck), so the list is shorter instead."""
    head = entries[:n]
    if head and n < len(entries) and Decimal(entries[n]["points"]) == Decimal(head[-1]["points"]):
        head = [e for e in head if Decimal(e["points"]) != Decimal(entries[n]["points"])]
    return head


def _rate_text(item, unit_facts, ctx) -> str:
    measure = kinds.MEASURES[item["params"]["measure"]]
    parts = measure.parts(unit_facts, item["params"], ctx)
    num, den = sum(p.num for p in parts), sum(p.den for p in parts)
    return kinds.pct(Fraction(num, den)) if den else "—"


# --- publishing ---------------------------------------------------------------------


@transaction.atomic
def publish_bulletin(*, region, code: str, by, at=None) -> PublishedBulletin:
    """发布: release a quarter's (or any ended period's) bulletin to the public, with
    its red and black list as counted at the period's end, and the chains' anchors."""
    at = at or timezone.now()
    _require_office_of(by, region)
    period = periods.parse(code)
    code = periods.code_of(period)  # the quarter's code, however it was typed
    if period.end > at:
        raise ActionRefused("period_not_over", f"{period.label}尚未结束，结束后才能发布通报。")
    found = PublishedBulletin.objects.filter(region=region, period_code=code).first()
    if found is not None:
        raise ActionRefused("already_published", f"{period.label}的通报已于{found.published_at:%Y-%m-%d}发布。")
    scheme = Scheme.objects.default_for(region) or Scheme.objects.usable_in(region).order_by("-created_at").first()
    listed = red_black(region, period, scheme=scheme, now=at) if scheme else {}
    found = bulletin.assemble(region, period, now=at)
    published = PublishedBulletin.objects.create(
        region=region,
        period_code=code,
        published_at=at,
        published_by=by,
        red_black=listed,
        scheme=scheme,
        title=found.title,
        span=documents.span(found),
        body=bulletin_pages.public_body(found),
    )
    chain.append(
        kind=Event.Kind.BULLETIN_PUBLISHED,
        at=at,
        actor=by,
        actor_role=by.role,
        region=region,
        note=f"{period.label}通报",
        data={"bulletin": published.pk, "period": code, "digest": published.content_digest()},
    )
    published.anchors = _anchored(region)
    published.save(update_fields=["anchors"])
    return published


def altered_bulletins() -> tuple[int, list[str]]:
    """Published bulletins checked against their publication's event: how many
    were checked, and one line for each that no longer reads as published (its
    digest), whose printed anchors are not its chains' (forged, or not naming its
    publication), that has no publication event, or whose row is gone while its
    publication event remains (deleted: the page is a 404). Those published before
    the event carried a digest are checked for the rest."""
    events = {}
    for event in Event.objects.filter(kind=Event.Kind.BULLETIN_PUBLISHED).select_related("chain__region"):
        events[event.data.get("bulletin")] = event
    checked, problems = 0, []
    rows = PublishedBulletin.objects.select_related("region").order_by("pk")
    for published in rows:
        name = f"{published.region.code} {published.period_code} (#{published.pk})"
        event = events.pop(published.pk, None)
        if event is None:
            problems.append(f"Published bulletin {name} has no publication event.")
            continue
        checked += 1
        recorded = event.data.get("digest")
        if recorded is not None and recorded != published.content_digest():
            problems.append(
                f"Published bulletin {name} no longer reads as published: its text, red and black list, "
                "scheme or publication time was changed in the database after publication."
            )
        if published.anchors and [event.chain.region.code, event.seq, event.hash] not in published.anchors:
            problems.append(f"Published bulletin {name}: its printed anchors do not name its publication event.")
        for code, seq, digest in published.anchors:
            problem = chain.check_anchor(f"{code}:{seq}:{digest}")
            if problem:
                problems.append(f"Published bulletin {name}: its printed anchor {code}:{seq}: {problem}.")
    for pk, event in events.items():
        problems.append(
            f"Published bulletin #{pk} ({event.data.get('period')}) is gone, its publication event "
            f"(#{event.seq} of {event.chain.region.code}) still there: deleted in the database."
        )
    return checked, problems


@transaction.atomic
def publish_results(*, run: Run, by, at=None) -> Run:
    """公布: release an evaluation's results (the year-end ones above all) to the
    public. Only a run counted at its period's end, one per region and period."""
    at = at or timezone.now()
    run = Run.objects.select_for_update().select_related("region").get(pk=run.pk)
    _require_office_of(by, run.region)
    period = Period(run.first_day, run.last_day, run.period_label)
    if run.cutoff < period.end:
        raise ActionRefused(
            "period_not_over",
            f"第{run.pk}次考评统计截止于{periods.moment(run.cutoff)}，{run.period_label}尚未结束时的结果不能公布；"
            "期间结束后重新考评，再公布那一次的结果。",
        )
    if run.published_at is not None:
        raise ActionRefused("already_published", f"第{run.pk}次考评的结果已于{run.published_at:%Y-%m-%d}公布。")
    other = Run.objects.filter(
        region=run.region, first_day=run.first_day, last_day=run.last_day, published_at__isnull=False
    ).first()
    if other is not None:
        raise ActionRefused("already_published", f"{run.period_label}已公布第{other.pk}次考评的结果。")
    Run.objects.filter(pk=run.pk).update(published_at=at, published_by=by)
    chain.append(
        kind=Event.Kind.RESULTS_PUBLISHED,
        at=at,
        actor=by,
        actor_role=by.role,
        region=run.region,
        note=f"{run.period_label}考评结果",
        data={"run": run.pk, "period": run.period_code, "digest": run.digest},
    )
    run.refresh_from_db()
    return run
