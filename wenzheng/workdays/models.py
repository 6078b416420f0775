"""The official working-day calendar, kept in the database so the county office can
enter next year's schedule when the State Council publishes it (November–December)."""

from django.core.exceptions import ValidationError
from django.db import models


class CalendarYear(models.Model):
    """A year whose official schedule has been entered in full.

    Deadlines that reach into a year not listed here fall back to weekdays only and
    carry a visible warning until the year is entered.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "已录入节假日安排的年份"
        verbose_name_plural = "已录入节假日安排的年份"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年"

    def clean(self):
        # Marking a year entered clears the weekdays-only warning of every deadline in
        # it; with no holiday entered that would silently pass a guess off as official.
        if self.year and not CalendarDay.objects.filter(date__year=self.year, kind=CalendarDay.Kind.HOLIDAY).exists():
            raise ValidationError(
                {
                    "year": f"{self.year}年还没有录入任何法定节假日。请先在“节假日与调休”中录入该年全部的放假和"
                    "调休上班日期，再标记该年已录入。"
                }
            )


class CalendarDay(models.Model):
    """A date that departs from the Monday-to-Friday rule."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        MAKEUP_WORKDAY = "workday", "调休上班日"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=30, blank=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self):
        if self.kind == self.Kind.MAKEUP_WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": "调休上班日应是周六或周日；周一至周五本来就是工作日。"})


class CalendarStamp(models.Model):
    """One row whose version goes up with every change to the calendar, so that each
    process (every web worker, the background worker) knows when the calendar it
    keeps in memory is out of date (see clock.calendar)."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "工作日历版本"
        verbose_name_plural = "工作日历版本"

    def __str__(self):
        return f"v{self.version}"

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0
