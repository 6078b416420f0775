"""Counts by topic (按事项分类统计): messages received in a period, and how many of them
were replied and closed by the cut-off, per 大类, with the same definitions as the
quarterly figures (wenzheng.reports.figures.status_counts). A message counts under the
大类 its topic belongs to; one without a topic is 未分类. A city adds up its counties
by code, so that counties sharing the default tree add up 大类 by 大类."""

import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import Substr

from wenzheng.reports.figures import messages_received, percent, status_counts
from wenzheng.reports.periods import Period
from wenzheng.units.models import Region

from .models import Topic

UNSORTED = "未分类"


@dataclass(frozen=True)
class TopicFigures:
    code: str  # the 大类's code, "" for messages without a topic
    name: str
    received: int
    replied: int
    closed: int

    @property
    def reply_rate(self) -> str:
        return percent(self.replied, self.received)

    @property
    def closure_rate(self) -> str:
        return percent(self.closed, self.received)


def by_major(region, period: Period, *, now: dt.datetime) -> list[TopicFigures]:
    """The 大类 with messages, most first (ties by code), 未分类 last; empty when no
    message of the period has a topic. Counted from the messages, replies and events
    (the bulletin's source); pages read `kept_by_major`."""
    cutoff = period.cutoff(now)
    rows = (
        messages_received(region, period)
        .annotate(major=Substr("topic__code", 1, 2))
        .values("major")
        .annotate(**status_counts(cutoff))
        .order_by()
    )
    return _table(region, rows)


def kept_by_major(region, period: Period, *, now: dt.datetime) -> list[TopicFigures]:
    """The same table from the kept figures (wenzheng.reports.tally), for the pages
    that show it on every request: a city's quarter counted from its messages took
    5–6 s at 1,000,000 messages. A period of odd days is counted as by_major does."""
    from wenzheng.reports import tally

    if not tally.whole_months(period):
        return by_major(region, period, now=now)
    return _table(region, [row for row in tally.topic_sums(region, period, now=now) if row["received"]])


def _table(region, rows) -> list[TopicFigures]:
    counties = region.children.all() if region.kind == Region.Kind.CITY else [region]
    names = {}
    for code, name in Topic.objects.filter(region__in=counties, level=Topic.Level.MAJOR).values_list("code", "name"):
        names.setdefault(code[:2], name)
    found, unsorted = [], None
    for row in rows:
        counts = (row["received"], row["replied"] or 0, row["closed"] or 0)
        if not row["major"]:
            unsorted = TopicFigures("", UNSORTED, *counts)
        else:
            name = names.get(row["major"], row["major"] + "0000")
            found.append(TopicFigures(row["major"] + "0000", name, *counts))
    if not found:
        # No message of the period has a topic (a county that does not sort by topic
        # yet): there is no mix to print, only "all unsorted".
        return []
    found.sort(key=lambda t: (-t.received, t.code))
    return found + ([unsorted] if unsorted else [])


def sentence(rows: list[TopicFigures]) -> str:
    """按事项分类：城乡建设12条、交通运输8条、未分类3条。"""
    if not rows:
        return ""
    return "按事项分类：" + "、".join(f"{t.name}{t.received}条" for t in rows) + "。"
