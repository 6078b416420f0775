"""The kept figures (wenzheng.reports.tally): received, replied and closed messages per
county, category and month, and per unit and month, kept current by the actions in
their own transaction, so the pages that show figures on every request read a few
hundred rows instead of counting a million messages.

A row holds what changed in one month (`at_month`) for the messages received in
another (`month`): a message received in January and first replied to in February
adds `received` to (January, January) and `replied` to (January, February); a closure
adds 1 to `closed` in its month and a reopening of a closed message takes 1 away in
its own. So the figures of any whole-month period as they stood at its end are the
sums over the rows whose `at_month` falls in or before its last month, and as they
stand now the sums over all of them: the same figures that wenzheng.reports.figures
counts from the messages, replies and events (a test holds the two together).
"""

from django.db import models


class MessageTally(models.Model):
    """What one message adds to the kept figures, as last counted: `tally.sync_many`
    compares it with what the message adds now and applies the difference."""

    message = models.OneToOneField("handling.Message", primary_key=True, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("units.Region", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("handling.Category", on_delete=models.CASCADE, related_name="+")
    # The 大类 of its topic: the first two digits of the code ("" without a topic).
    major = models.CharField(max_length=2, blank=True, default="")
    month = models.DateField()
    replied_month = models.DateField(null=True, blank=True)
    # The months it became closed (+1) and was reopened (-1), in order: [["2026-01-01", 1], ...].
    closings = models.JSONField(default=list)

    class Meta:
        verbose_name = "留言统计计数"
        verbose_name_plural = "留言统计计数"

    def __str__(self):
        return f"{self.message_id}: {self.month:%Y-%m}"


class RegionTally(models.Model):
    """The county's figures by category, topic (大类) and month of receipt: the summary
    sentence, the category mix, the topic table and the monthly trend."""

    region = models.ForeignKey("units.Region", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("handling.Category", on_delete=models.CASCADE, related_name="+")
    # The first two digits of the topic's code, "" for messages without a topic: a
    # city adds its counties' 大类 up by code, as wenzheng.topics.figures does.
    major = models.CharField(max_length=2, blank=True, default="")
    month = models.DateField()
    at_month = models.DateField()
    received = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "县（区）统计汇总"
        constraints = [
            # The upsert's conflict target (tally._apply).
            models.UniqueConstraint(
                fields=["region", "category", "major", "month", "at_month"], name="region_tally_key"
            ),
        ]

    def __str__(self):
        return f"{self.region_id}/{self.category_id} {self.month:%Y-%m}@{self.at_month:%Y-%m}"


class UnitTally(models.Model):
    """Each unit's figures by topic (大类) and month of receipt: the unit tables of the
    home page, the statistics page and the dashboards. A message waiting for dispatch has no unit
    and is counted in RegionTally only, as figures.per_unit leaves it out."""

    region = models.ForeignKey("units.Region", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    # The 大类 as in RegionTally: the statistics page filtered by topic lists units too.
    major = models.CharField(max_length=2, blank=True, default="")
    month = models.DateField()
    at_month = models.DateField()
    received = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "单位统计汇总"
        constraints = [
            # The upsert's conflict target (tally._apply); it also serves the county's
            # per-unit sums over a period (region, then the months).
            models.UniqueConstraint(fields=["region", "unit", "major", "month", "at_month"], name="unit_tally_key"),
        ]
        indexes = [
            # A county's units over a period: per_unit reads the rows of its months.
            models.Index(fields=["region", "month"], name="unit_tally_region_month"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.month:%Y-%m}@{self.at_month:%Y-%m}"
