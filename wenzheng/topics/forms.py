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
