"""What the county keeps to protect personal data: its review setting (先审后发),
sensitive words and published contacts, each review of what a citizen wrote, the
record of every opening of a citizen's contact details, and each erasure."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .masking import normalise_contact


class CountyPrivacy(models.Model):
    """A county's setting for review before publishing (先审后发)."""

    region = models.OneToOneField(
        "units.Region",
        verbose_name="县（区）",
        on_delete=models.PROTECT,
        related_name="privacy",
        limit_choices_to={"kind": "county"},
    )
    review_before_publishing = models.BooleanField(
        "先审后发",
        default=False,
        help_text="开启后，网民的留言和追问经网络问政办审核通过后才公开；办理时限仍从留言时起算。",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField("修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "先审后发设置"
        verbose_name_plural = "先审后发设置"

    def __str__(self):
        return f"{self.region}：{'先审后发' if self.review_before_publishing else '直接公开'}"

    @classmethod
    def reviews(cls, region) -> bool:
        """Whether the county reviews what citizens write before it is public."""
        return cls.objects.filter(region=region, review_before_publishing=True).exists()


class SensitiveWord(models.Model):
    """A word the county office wants to look at before a text goes public."""

    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="+")
    word = models.CharField("敏感词", max_length=50)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="添加人", on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField("添加时间")

    class Meta:
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词"
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "word"], name="sensitive_word_once", violation_error_message="该敏感词已在词表中。"
            )
        ]

    def __str__(self):
        return self.word


class PublicContact(models.Model):
    """A phone number or e-mail address the county publishes on purpose (a unit's
    hotline): masking leaves it alone."""

    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="+")
    value = models.CharField("号码或邮箱", max_length=100)
    normalised = models.CharField("比对形式", max_length=100, editable=False)
    label = models.CharField("说明", max_length=100, help_text="如：县政务服务中心咨询电话")
    # The pages that tell people to call the county office (too many tries, a page
    # the account may not open, a forgotten password) give the numbers marked so.
    for_help = models.BooleanField(
        "网络问政办求助电话",
        default=False,
        help_text="在“操作过于频繁”“无权访问”“找回密码”等页面请网民或工作人员联系网络问政办时给出。",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="添加人", on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField("添加时间")

    class Meta:
        verbose_name = "公开联系方式"
        verbose_name_plural = "公开联系方式（不遮盖）"
        ordering = ["label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "normalised"],
                name="public_contact_once",
                violation_error_message="该号码已在名单中。",
            ),
            models.CheckConstraint(name="public_contact_not_blank", condition=~Q(normalised="")),
        ]

    def __str__(self):
        return f"{self.label} {self.value}"

    def save(self, *args, **kwargs):
        self.normalised = normalise_contact(self.value)
        super().save(*args, **kwargs)


class ReviewQuerySet(models.QuerySet):
    def queue(self, region):
        """What waits for the county office, oldest first."""
        return self.filter(message__region=region, state=Review.State.PENDING).order_by("queued_at", "pk")


class Review(models.Model):
    """The county office's review of what a citizen wrote: the message, or one of
    its follow-ups. The original text stays on the message (or follow-up), for
    staff; the public sees the redacted version, or nothing while it waits or is
    withheld."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        PASSED = "passed", "审核通过"
        REDACTED = "redacted", "删节后公开"
        WITHHELD = "withheld", "不予公开"

        @classmethod
        def hidden(cls):
            return [cls.PENDING, cls.WITHHELD]

    message = models.ForeignKey(
        "handling.Message", verbose_name="留言", on_delete=models.PROTECT, related_name="reviews"
    )
    # A review is of its text: should a follow-up ever be deleted, its review goes too.
    follow_up = models.OneToOneField(
        "handling.FollowUp", verbose_name="追问", on_delete=models.CASCADE, null=True, blank=True, related_name="review"
    )
    state = models.CharField("审核状态", max_length=10, choices=State.choices, default=State.PENDING)
    queued_at = models.DateTimeField("提交审核时间")
    public_title = models.CharField("公开标题", max_length=100, blank=True)
    public_text = models.TextField("公开内容", blank=True)
    reason = models.TextField("理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "公开审核"
        verbose_name_plural = "公开审核"
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message"], condition=Q(follow_up__isnull=True), name="review_one_per_message"
            ),
            models.CheckConstraint(
                name="review_redacted_has_text_and_reason",
                condition=~Q(state="redacted") | (~Q(public_text="") & ~Q(reason="")),
                violation_error_message="删节后公开须有公开内容和理由。",
            ),
            models.CheckConstraint(
                name="review_withheld_has_reason",
                condition=~Q(state="withheld") | ~Q(reason=""),
                violation_error_message="不予公开须说明理由。",
            ),
        ]
        indexes = [
            # The county office's queue: pending reviews, oldest first.
            models.Index(fields=["state", "queued_at"], name="review_queue"),
        ]

    def __str__(self):
        what = "追问" if self.follow_up_id else "留言"
        return f"{what}审核（{self.get_state_display()}）"

    @property
    def is_public(self) -> bool:
        return self.state in (self.State.PASSED, self.State.REDACTED)


class AccessRecord(models.Model):
    """Someone saw or took a citizen's contact details: which message or account,
    who, when and through what (个人信息保护法 art. 51; kept at least 181 days)."""

    class Surface(models.TextChoices):
        PAGE = "page", "留言办理页面"
        API = "api", "开放接口"
        EXPORT = "export", "导出文件"
        ADMIN = "admin", "后台管理"
        COMMAND = "command", "服务器命令"

    at = models.DateTimeField("时间")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="查看人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField("身份", max_length=20)
    region = models.ForeignKey(
        "units.Region", verbose_name="县（区）", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = models.ForeignKey(
        "handling.Message", verbose_name="留言", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="网民账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    surface = models.CharField("途径", max_length=10, choices=Surface.choices)
    rows = models.PositiveIntegerField("涉及条数", default=1)
    detail = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-at", "-pk"]
        indexes = [
            # The county office's page: its region's records, newest first.
            models.Index(fields=["region", "at"], name="access_region_at"),
            # Pruning what is older than the retention period.
            models.Index(fields=["at"], name="access_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_surface_display()}"


class Erasure(models.Model):
    """One citizen's personal data removed on request (个人信息保护法 art. 47): an
    account, or messages left with a tracking code. The event log refers to this row
    and copies none of what was removed."""

    at = models.DateTimeField("时间")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="网民账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    messages = models.ManyToManyField("handling.Message", verbose_name="涉及留言", related_name="+", blank=True)
    reason = models.CharField("依据", max_length=200, help_text="如：网民来电申请，申请编号……")

    class Meta:
        verbose_name = "个人信息删除"
        verbose_name_plural = "个人信息删除"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d} 删除个人信息 #{self.pk}"


class Housekeeping(models.Model):
    """When the background worker next prunes access records older than the
    retention period: one row, claimed with a conditional update."""

    next_prune_at = models.DateTimeField("下次清理")
    last_pruned = models.PositiveIntegerField("上次清理条数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "访问记录清理"
        constraints = [models.CheckConstraint(name="housekeeping_singleton", condition=Q(pk=1))]

    def __str__(self):
        return f"下次清理 {self.next_prune_at:%Y-%m-%d %H:%M}"
