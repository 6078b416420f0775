"""Hot issues (热点问题): groups of messages about the same problem in the same place,
computed by the background worker for each county (`compute.rebuild`) and kept here
until the next computation replaces them. Nothing here is a message's state: a group
is a figure, recomputed from the messages, never edited."""

from django.db import models
from django.db.models import Q


class Window(models.TextChoices):
    WEEK = "week", "近7天"
    MONTH = "month", "近30天"

    @property
    def days(self) -> int:
        return {"week": 7, "month": 30}[self.value]

    @property
    def previous_label(self) -> str:
        return {"week": "前7天", "month": "前30天"}[self.value]


class Refresh(models.Model):
    """When a county's hot issues were last computed and are next due: one row per
    county, claimed by the worker with a conditional update of `next_run_at`."""

    region = models.OneToOneField(
        "units.Region", verbose_name="县（区）", on_delete=models.CASCADE, related_name="hotspot_refresh"
    )
    next_run_at = models.DateTimeField("下次计算")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    considered = models.PositiveIntegerField("参与计算的留言数", default=0)
    took_ms = models.PositiveIntegerField("用时（毫秒）", default=0)

    class Meta:
        verbose_name = "热点计算"
        verbose_name_plural = "热点计算"
        indexes = [
            # The worker's claim: the county due first.
            models.Index(fields=["next_run_at"], name="hotspot_refresh_due"),
        ]

    def __str__(self):
        return f"{self.region} 热点计算"


class Hotspot(models.Model):
    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.CASCADE, related_name="+")
    window = models.CharField("时间范围", max_length=5, choices=Window.choices)
    computed_at = models.DateTimeField("计算时间")
    starts_at = models.DateTimeField("起")
    # The member nearest the group's centre: its title names the group (masked for
    # readers kept from citizens' details, as any title is).
    central = models.ForeignKey("handling.Message", verbose_name="代表留言", on_delete=models.CASCADE, related_name="+")
    place = models.CharField("地点", max_length=40, blank=True)
    township = models.ForeignKey(
        "units.Unit", verbose_name="乡镇", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    terms = models.CharField("共同字词", max_length=60, blank=True)
    count = models.PositiveIntegerField("留言数")
    previous_count = models.PositiveIntegerField("上一周期留言数")
    daily = models.JSONField("每日留言数", default=list)
    units = models.ManyToManyField("units.Unit", verbose_name="涉及单位", blank=True, related_name="+")
    messages = models.ManyToManyField("handling.Message", verbose_name="留言", related_name="hotspots")

    class Meta:
        verbose_name = "热点问题"
        verbose_name_plural = "热点问题"
        ordering = ["-count", "-previous_count", "pk"]
        constraints = [
            models.CheckConstraint(name="hotspot_has_messages", condition=Q(count__gt=0)),
        ]
        indexes = [
            # A county's (or a city's counties') list for one window, largest first.
            models.Index(fields=["region", "window", "-count"], name="hotspot_region_window"),
        ]

    def __str__(self):
        return f"{self.place or '未写明地点'} {self.count}条"

    @property
    def change(self) -> int:
        return self.count - self.previous_count

    @property
    def bars(self) -> list[tuple[int, int]]:
        """Each day's count and its bar height in tenths of the busiest day (0–10)."""
        top = max(self.daily or [0]) or 1
        return [(n, round(10 * n / top)) for n in self.daily]
