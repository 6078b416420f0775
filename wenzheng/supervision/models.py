"""The county's supervision records: written-explanation orders with their backlog
deadlines, supervision findings (督查), exposures (曝光) and accountability referrals.

Written by wenzheng.handling.actions only, each with its event.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q


class WrittenExplanationOrderQuerySet(models.QuerySet):
    def with_backlog_open(self):
        """Annotate `backlog_open`: some message concerned stood unanswered by the unit
        at the backlog deadline: a reply stage of the unit's still open then (a message
        reopened after an earlier reply is answered again, not by the earlier reply),
        or nothing from the unit before it (a reply, or a reply stage ended: a message
        handed on is the unit's no more). Like every deadline here, the deadline is an
        instant to come strictly before (24:00 is met at 23:59:59). An answer to a
        follow-up (追问) is no reply: after a merge undone (并单), the unit may answer
        its citizen's follow-up before it replies to the message."""
        from wenzheng.handling.models import Message, Reply, Stage

        deadline, unit = OuterRef(OuterRef("backlog_deadline")), OuterRef(OuterRef("unit"))
        stages = Stage.objects.filter(message=OuterRef("pk"), unit=unit, kind=Stage.Kind.REPLY)
        open_then = stages.filter(started_at__lt=deadline).filter(
            Q(completed_at__isnull=True) | Q(completed_at__gte=deadline)
        )
        replied = Reply.objects.filter(message=OuterRef("pk"), unit=unit, at__lt=deadline, follow_up__isnull=True)
        ended = stages.filter(completed_at__lt=deadline)
        # Not counted_once: a message merged after the deadline was unanswered at it
        # (its stage, open then, says so); merged before, its stage ended then.
        unanswered = (
            Message.objects.counted()
            .filter(explanation_orders=OuterRef("pk"))
            .filter(Q(Exists(open_then)) | (~Q(Exists(replied)) & ~Q(Exists(ended))))
        )
        return self.annotate(backlog_open=Exists(unanswered))


class WrittenExplanationOrder(models.Model):
    """责成书面说明: the unit explains in writing and clears its backlog by a deadline."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="explanation_orders"
    )
    reason = models.TextField("事由")
    messages = models.ManyToManyField("handling.Message", verbose_name="涉及留言", related_name="explanation_orders")
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField("责成时间")
    backlog_deadline = models.DateTimeField("限期梳理回复截止")
    explanation = models.TextField("书面说明", blank=True)
    explanation_received_at = models.DateTimeField("收到说明时间", null=True, blank=True)
    # The office's reason when it last sent the explanation back to be written again.
    returned_note = models.TextField("退回意见", blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)

    objects = WrittenExplanationOrderQuerySet.as_manager()

    class Meta:
        verbose_name = "书面说明"
        verbose_name_plural = "书面说明"
        ordering = ["-ordered_at"]
        constraints = [
            models.CheckConstraint(
                name="order_deadline_after_order",
                condition=Q(backlog_deadline__gt=models.F("ordered_at")),
                violation_error_message="限期梳理回复的截止时间必须晚于责成时间。",
            ),
        ]

    def __str__(self):
        return f"{self.unit} 书面说明（{self.ordered_at:%Y-%m-%d}）"

    def backlog_cleared_in_time(self, *, at) -> bool | None:
        """True if every message concerned was replied by the deadline; False once the
        deadline has passed with one still unanswered; None while it is still open."""
        backlog_open = getattr(self, "backlog_open", None)
        if backlog_open is None:
            backlog_open = (
                type(self).objects.filter(pk=self.pk).with_backlog_open().values_list("backlog_open", flat=True).get()
            )
        if not backlog_open:
            return True
        return None if at < self.backlog_deadline else False


class SupervisionFinding(models.Model):
    """A result of a supervision check (督查), the county's or a bulletin's."""

    class Source(models.TextChoices):
        COUNTY_CHECK = "county_check", "县领导小组、网管部门督查"
        CITY_BULLETIN = "city_bulletin", "市季度通报"

    unit = models.ForeignKey("units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="findings")
    message = models.ForeignKey(
        "handling.Message", verbose_name="涉及留言", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    adverse = models.BooleanField("问题（扣分）", default=True)
    written_criticism = models.BooleanField("书面通报批评", default=False)
    summary = models.TextField("督查结果")
    found_on = models.DateField("督查日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = "督查结果"
        verbose_name_plural = "督查结果"
        ordering = ["-found_on"]

    def __str__(self):
        return f"{self.unit} {self.found_on}"


class ExposureQuerySet(models.QuerySet):
    def standing(self):
        """Those not withdrawn: what the public reads and the evaluation counts."""
        return self.filter(withdrawn_at__isnull=True)


class Exposure(models.Model):
    """曝光: a public report of a unit's failings, in county and city media."""

    unit = models.ForeignKey("units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="exposures")
    message = models.ForeignKey(
        "handling.Message", verbose_name="涉及留言", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    outlet = models.CharField("发布媒体", max_length=100)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("曝光时间")
    # 撤销: recorded by mistake (twice, the wrong unit): off the public page and out
    # of the evaluation, kept with the reason.
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField("撤销理由", blank=True)

    objects = ExposureQuerySet.as_manager()

    class Meta:
        verbose_name = "曝光"
        verbose_name_plural = "曝光"
        ordering = ["-published_at"]

    def __str__(self):
        return self.title


class AccountabilityReferral(models.Model):
    """追究责任: facts misreported or mishandled with serious consequences."""

    unit = models.ForeignKey("units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="referrals")
    message = models.ForeignKey(
        "handling.Message", verbose_name="涉及留言", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.CharField("责任人", max_length=50)
    reason = models.TextField("事由")
    referred_to = models.CharField("移送机关", max_length=100)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField("移送时间")

    class Meta:
        verbose_name = "追究责任"
        verbose_name_plural = "追究责任"
        ordering = ["-referred_at"]

    def __str__(self):
        return f"{self.unit} {self.person}"


class ExplanationProposal(models.Model):
    """A proposed written-explanation order for a unit late to respond or reply in a
    quarter (the seed's rule), made at the quarter's end or on demand. The county
    office confirms it (the order is then made) or declines it: nothing is ordered
    automatically (DOMAIN.md, "Reminders and notifications")."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "待确认"
        CONFIRMED = "confirmed", "已责成"
        DECLINED = "declined", "不予责成"

    unit = models.ForeignKey("units.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="proposals")
    period = models.CharField("季度", max_length=6, help_text="如 2026Q1")
    proposed_at = models.DateTimeField("提出时间")
    late_responses = models.PositiveIntegerField("回应超时（条）", default=0)
    late_replies = models.PositiveIntegerField("回复超时（条）", default=0)
    messages = models.ManyToManyField("handling.Message", verbose_name="超时留言", related_name="+")
    reason = models.TextField("建议事由")
    backlog_deadline = models.DateTimeField("建议限期梳理回复截止")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decision_note = models.TextField("说明", blank=True)
    order = models.OneToOneField(
        WrittenExplanationOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal"
    )

    class Meta:
        verbose_name = "书面说明建议"
        verbose_name_plural = "书面说明建议"
        ordering = ["period", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="proposal_once_per_unit_quarter"),
            models.CheckConstraint(
                name="proposal_order_iff_confirmed",
                condition=Q(state="confirmed", order__isnull=False) | (~Q(state="confirmed") & Q(order__isnull=True)),
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.period}（{self.get_state_display()}）"
