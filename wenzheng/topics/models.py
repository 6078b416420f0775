"""Topics (事项分类): what a message is about, from a tree each county keeps.

The tree is shaped like GB/T 39666-2020 《政府热线服务分类与代码》: 大类 → 中类 → 小类
with six-digit codes (AA0000, AABB00, AABBCC). The default tree (default_tree.csv) is
our own wording, not the standard's text. A topic may name the units that usually
handle it: those drive the routing suggestions and the statistics by subject.
"""

from django.db import models
from django.db.models import Q


class TopicQuerySet(models.QuerySet):
    def of_region(self, region):
        return self.filter(region=region)

    def active(self):
        return self.filter(active=True)

    def choosable(self, region):
        """What a citizen, the office or a unit may pick for a message of `region`."""
        return self.of_region(region).active().select_related("parent__parent").order_by("code")


class Topic(models.Model):
    class Level(models.IntegerChoices):
        MAJOR = 1, "大类"
        MIDDLE = 2, "中类"
        MINOR = 3, "小类"

    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="topics")
    code = models.CharField("代码", max_length=6, help_text="六位数字：大类AA0000，中类AABB00，小类AABBCC")
    name = models.CharField("名称", max_length=40)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    units = models.ManyToManyField("units.Unit", verbose_name="通常承办单位", blank=True, related_name="topics")
    active = models.BooleanField("启用", default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = "事项分类"
        verbose_name_plural = "事项分类"
        ordering = ["region", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"],
                name="topic_code_once_per_region",
                violation_error_message="该县（区）已有此代码。",
            ),
            models.CheckConstraint(
                name="topic_major_has_no_parent",
                condition=Q(level=1, parent__isnull=True) | (Q(level__gt=1) & Q(parent__isnull=False)),
                violation_error_message="大类没有上级分类，中类和小类必须有。",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.path}"

    @property
    def path(self) -> str:
        """城乡建设 → 市政设施 → 路灯"""
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " → ".join(reversed(names))

    def major(self) -> "Topic":
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    def clean(self):
        from django.core.exceptions import ValidationError

        from .catalogue import code_problem

        problem = code_problem(self.code, self.level, self.parent.code if self.parent_id else None)
        if problem:
            raise ValidationError({"code": problem})
        if self.parent_id and self.parent.region_id != self.region_id:
            raise ValidationError({"parent": "上级分类须属于同一县（区）。"})


class Decision(models.TextChoices):
    """What the county office did with one part of a suggestion."""

    NONE = "", "未建议"
    ACCEPTED = "accepted", "采纳"
    OVERRIDDEN = "overridden", "改选"


class RoutingSuggestion(models.Model):
    """智能分拨: what the routing model suggested for a message waiting in the dispatch
    queue. What the county office did with it is in its decisions (RoutingDecision):
    those, and the unit that finally answered, are what the next training learns."""

    message = models.OneToOneField(
        "handling.Message", verbose_name="留言", on_delete=models.CASCADE, related_name="routing"
    )
    model_version = models.CharField("模型版本", max_length=40)
    computed_at = models.DateTimeField("计算时间")
    topic = models.ForeignKey(
        Topic, verbose_name="建议事项分类", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic_confidence = models.FloatField("事项分类置信度", null=True, blank=True)
    unit = models.ForeignKey(
        "units.Unit", verbose_name="建议单位", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_confidence = models.FloatField("单位置信度", null=True, blank=True)
    # The runners-up, [[unit id, confidence], ...]: offered when the first is the unit
    # that handed the message back, or no longer takes messages.
    other_units = models.JSONField("其他可能的单位", default=list, blank=True)
    category = models.ForeignKey(
        "handling.Category", verbose_name="建议类别", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category_confidence = models.FloatField("类别置信度", null=True, blank=True)

    class Meta:
        verbose_name = "分拨建议"
        verbose_name_plural = "分拨建议"
        indexes = [
            # Acceptance per model version (`manage.py train_router` reports it).
            models.Index(fields=["model_version"], name="routing_version"),
        ]

    def __str__(self):
        return f"{self.message_id}: {self.unit_id} ({self.unit_confidence})"

    def ranked_units(self) -> list[tuple[int, float]]:
        """(unit id, confidence) of every unit suggested, likeliest first."""
        pairs = [(self.unit_id, self.unit_confidence)] + [tuple(p) for p in self.other_units]
        return [(u, c) for u, c in pairs if u is not None]


class RoutingDecision(models.Model):
    """What the county office did with a suggestion when it dispatched the message:
    at the first dispatch, and again at each re-dispatch after a unit handed it back
    (the suggestion then offers its next unit). Each part (unit, topic, category) is
    accepted when the office chose what the queue offered, overridden when it chose
    otherwise, and left blank when nothing was offered for it."""

    class Occasion(models.TextChoices):
        DISPATCH = "dispatch", "交办"
        REDISPATCH = "redispatch", "退单后重新交办"

    suggestion = models.ForeignKey(
        RoutingSuggestion, verbose_name="分拨建议", on_delete=models.CASCADE, related_name="decisions"
    )
    occasion = models.CharField("时机", max_length=12, choices=Occasion.choices)
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name="处理人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间")
    offered_unit = models.ForeignKey(
        "units.Unit", verbose_name="建议单位", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_unit = models.ForeignKey(
        "units.Unit", verbose_name="实际交办单位", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_decision = models.CharField("单位", max_length=12, choices=Decision.choices, blank=True)
    # Whence the offered unit: the model, or the topic tree's usual units when the
    # model had none (no model yet, or none of its units could take the message).
    unit_source = models.CharField(
        "建议依据", max_length=12, blank=True, choices=[("model", "模型"), ("catalogue", "事项分类的通常承办单位")]
    )
    offered_topic = models.ForeignKey(
        Topic, verbose_name="建议事项分类", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_topic = models.ForeignKey(
        Topic, verbose_name="实际事项分类", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic_decision = models.CharField("事项分类", max_length=12, choices=Decision.choices, blank=True)
    offered_category = models.ForeignKey(
        "handling.Category", verbose_name="建议类别", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_category = models.ForeignKey(
        "handling.Category", verbose_name="实际类别", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category_decision = models.CharField("类别", max_length=12, choices=Decision.choices, blank=True)

    class Meta:
        verbose_name = "分拨建议处理记录"
        verbose_name_plural = "分拨建议处理记录"
        ordering = ["decided_at", "pk"]

    def __str__(self):
        return f"{self.suggestion_id} {self.occasion}: {self.unit_decision or '-'}"

    @staticmethod
    def judge(offered, chosen) -> str:
        if offered is None:
            return Decision.NONE
        return Decision.ACCEPTED if chosen == offered else Decision.OVERRIDDEN
