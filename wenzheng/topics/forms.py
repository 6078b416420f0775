"""A topic picker for the post, dispatch and reply forms: the county's active 中类 and
小类, grouped under their 大类, read once per page (not once per row)."""

from django import forms
from django.utils.translation import gettext_lazy

from .models import Topic


def choosable(region) -> list[Topic]:
    return list(Topic.objects.choosable(region).filter(level__gt=Topic.Level.MAJOR))


def grouped(topics) -> list:
    groups: dict[str, list] = {}
    for topic in topics:
        major = topic.parent.parent if topic.level == Topic.Level.MINOR else topic.parent
        label = topic.name if topic.level == Topic.Level.MIDDLE else f"{topic.parent.name} · {topic.name}"
        groups.setdefault(major.name, []).append((str(topic.pk), label))
    return [("", gettext_lazy("（不选）")), *groups.items()]


class TopicField(forms.ChoiceField):
    """Optional; cleans to a Topic or None."""

    def __init__(self, *, topics=(), **kwargs):
        kwargs.setdefault("label", gettext_lazy("事项分类"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.set_topics(topics)

    def set_topics(self, topics):
        self.topics = {str(t.pk): t for t in topics}
        self.choices = grouped(self.topics.values())

    def clean(self, value):
        value = super().clean(value)
        return self.topics.get(value) if value else None


def filter_choices(region) -> list:
    """大类 and 中类 by code, for filtering a county's board, or a city's (codes are
    shared by counties that keep the default tree)."""
    from wenzheng.units.models import Region

    counties = region.children.all() if region.kind == Region.Kind.CITY else [region]
    seen: dict[str, str] = {}
    rows = Topic.objects.filter(region__in=counties, level__lt=Topic.Level.MINOR, active=True).order_by("code")
    for code, name, level in rows.values_list("code", "name", "level"):
        seen.setdefault(code, name if level == Topic.Level.MAJOR else f"　{name}")
    return [("", gettext_lazy("全部分类")), *seen.items()]


def major_choices(region) -> list[tuple[str, str]]:
    """The 大类 of `region` (a county's, or its counties' for a city) as (code, name),
    by code: what the statistics filter by, the same codes as the board's filter."""
    return [(code, name) for code, name in filter_choices(region)[1:] if code.endswith("0000")]


class BadTopic(ValueError):
    """A 大类 asked for that the region does not have; the message is Chinese."""


def major_of(region, code: str | None) -> tuple[str | None, str]:
    """(the 大类's two digits, its name) for a filter's `topic` code, (None, "") for
    none; BadTopic for a code that is no 大类 of `region`."""
    code = (code or "").strip()
    if not code:
        return None, ""
    name = dict(major_choices(region)).get(code)
    if name is None:
        raise BadTopic(f"“{code[:20]}”不是本地区事项分类的大类；统计数据按大类筛选，请从列表中选择。")
    return code[:2], name
