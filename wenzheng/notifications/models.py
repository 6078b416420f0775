"""Notices (通知) and their deliveries, per person and per channel.

A notice is one thing one person should hear (a new message, a deadline near, a
reply for the citizen), with a unique key that says what it is about, so that two
workers, or two passes of one, never make it twice. The in-app bell shows it at once;
e-mail and SMS are deliveries sent by the background worker, each claimed with a
conditional update, retried with backoff, and shown to the county office as failed
after the last try (wenzheng.notifications.sending).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Notice(models.Model):
    class Kind(models.TextChoices):
        ARRIVED = "arrived", "新留言"
        DUE_SOON = "due_soon", "即将到期"
        OVERDUE = "overdue", "已超期"
        OFFICE_OVERDUE = "office_overdue", "超期未办"
        BACKLOG_PASSED = "backlog_passed", "限期梳理回复到期"
        DISSATISFIED = "dissatisfied", "网民不满意"
        FOLLOWED_UP = "followed_up", "网民追问"
        SIGNOFF = "signoff", "回复待审核"
        RETURNED = "returned", "回复退回修改"
        REOPENED = "reopened", "重办"
        ORDERED = "ordered", "责成书面说明"
        PROPOSALS = "proposals", "书面说明建议"
        ANSWERED = "answered", "留言已答复"
        CLOSED = "closed", "留言已办结"
        REVIEWED = "reviewed", "公开审核结果"
        MERGED = "merged", "留言已并单"
        DAILY_DIGEST = "daily_digest", "每日汇总"
        WEEKLY_DIGEST = "weekly_digest", "单位周报"
        LOCKED_OUT = "locked_out", "账号被锁定"
        DECIDED = "decided", "申请处理结果"
        MOVED = "moved", "留言已转出"
        REVISITED = "revisited", "回访结果"
        EXPLAINED = "explained", "收到书面说明"
        EXPLANATION_RETURNED = "explanation_returned", "书面说明退回重写"
        SUPERVISED = "supervised", "督办"

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    # A staff member, or the citizen's account; a citizen without one is reached at
    # the contact given with the message (`to_citizen`).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    to_citizen = models.BooleanField("发给留言网民", default=False)
    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(
        "handling.Message", verbose_name="留言", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.CharField("内容", max_length=200)
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="notice_has_someone",
                condition=Q(recipient__isnull=False) | Q(to_citizen=True, message__isnull=False),
            ),
        ]
        indexes = [
            # The bell on every staff page: a person's unread notices.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"),
            # The notices page: a person's notices, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_time"),
        ]

    def __str__(self):
        return self.text

    def digested_notices(self):
        """For a daily digest: the notices it gathers, oldest first."""
        return Notice.objects.filter(deliveries__digest=self).distinct().order_by("created_at", "pk")


class Delivery(models.Model):
    """One notice on one outward channel (e-mail, SMS)."""

    class State(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        HELD = "held", "待并入每日汇总"
        DIGESTED = "digested", "已并入每日汇总"
        SKIPPED = "skipped", "未发送"

    # By key, not pk: a sweep writes thousands of notices with one INSERT that may
    # skip those already there, and learns no primary keys from it.
    notice = models.ForeignKey(
        Notice, to_field="key", on_delete=models.CASCADE, related_name="deliveries", verbose_name="通知"
    )
    channel = models.CharField("渠道", max_length=20)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    error = models.TextField("失败原因", blank=True)
    reference = models.CharField("网关回执", max_length=100, blank=True)
    digest = models.ForeignKey(
        Notice, verbose_name="并入的汇总", on_delete=models.SET_NULL, null=True, blank=True, related_name="digested"
    )

    class Meta:
        verbose_name = "通知发送"
        verbose_name_plural = "通知发送"
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            # The worker's claim: queued deliveries whose time has come, oldest first.
            models.Index(fields=["next_attempt_at"], condition=Q(state="queued"), name="delivery_due"),
            # The daily digest: what waits for it.
            models.Index(fields=["channel"], condition=Q(state="held"), name="delivery_held"),
            # The office's list of failed sends.
            models.Index(fields=["state", "next_attempt_at"], name="delivery_state"),
        ]

    def __str__(self):
        return f"{self.notice_id} {self.channel} {self.get_state_display()}"


class Preference(models.Model):
    """How a person wants to hear: which outward channels, and whether once a day in a
    digest instead of notice by notice. The bell always shows every notice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notice_preference",
        verbose_name="账号",
    )
    email = models.BooleanField("电子邮件", default=True)
    sms = models.BooleanField("短信", default=True)
    daily_digest = models.BooleanField("每日汇总一次（代替逐条发送）", default=False)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"

    def __str__(self):
        return str(self.user)

    def wants(self, channel: str) -> bool:
        return bool(getattr(self, channel, False))


class CitizenOptOut(models.Model):
    """A citizen asked to hear nothing more about a message (退订), from the link in
    an SMS or e-mail or from the tracking page. No contact detail is copied here."""

    message = models.OneToOneField("handling.Message", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("退订时间")

    class Meta:
        verbose_name = "网民退订"
        verbose_name_plural = "网民退订"

    def __str__(self):
        return f"{self.message_id} {self.at:%Y-%m-%d}"


class Sweep(models.Model):
    """How far the timed notices (reminders, digests, quarter-end proposals) have been
    made: one row. A worker takes the window from here to now with a conditional
    update, so two workers never sweep the same moments."""

    swept_until = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "定时通知进度"
        constraints = [models.CheckConstraint(name="sweep_singleton", condition=Q(pk=1))]

    def __str__(self):
        return f"{self.swept_until:%Y-%m-%d %H:%M:%S}"
