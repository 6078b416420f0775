"""The event log: every step of every message and every supervision record.

Append-only twice over. The database itself refuses UPDATE and DELETE on the table
(triggers created in migration 0002, on SQLite and PostgreSQL alike), and each event
carries the keyed hash of the one before (hashing.py), so an edit made behind the
triggers' back (by dropping them, or with a copy of the file) shows up in
`manage.py verify_events`, and cannot be covered up without the key.

There is one chain per county (and one per city, for what the city itself does), so
that the counties of a city never wait on one another to append.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from . import hashing
from .hashing import GENESIS_HASH


class Event(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "网民留言"
        DISPATCHED = "dispatched", "交办"
        TRANSFER_REQUESTED = "transfer_requested", "申请退单"
        TRANSFER_REJECTED = "transfer_rejected", "退单不予同意"
        RESPONDED = "responded", "签收回应"
        REPLIED = "replied", "回复"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        EXTENSION_APPROVED = "extension_approved", "同意延期"
        EXTENSION_REJECTED = "extension_rejected", "不同意延期"
        EXTENSION_LAPSED = "extension_lapsed", "延期申请失效"
        # A request that lapsed because the reply was in time, waiting for the office
        # again: a recount found the reply late (handling.deadlines).
        EXTENSION_RESTORED = "extension_restored", "延期申请恢复待审批"
        CLOSED = "closed", "办结"
        LONG_CYCLE_REQUESTED = "long_cycle_requested", "申请长周期办结"
        LONG_CYCLE_APPROVED = "long_cycle_approved", "同意长周期办结"
        LONG_CYCLE_REJECTED = "long_cycle_rejected", "不同意长周期办结"
        REOPENED = "reopened", "重办"
        FOLLOWED_UP = "followed_up", "网民追问"
        RATED = "rated", "网民评价"
        SUPERVISION_FLAGGED = "supervision_flagged", "督办"
        EXPLANATION_ORDERED = "explanation_ordered", "责成书面说明"
        EXPLANATION_RECORDED = "explanation_recorded", "收到书面说明"
        # The office sends a written explanation back to be written again.
        EXPLANATION_RETURNED = "explanation_returned", "书面说明退回重写"
        FINDING_RECORDED = "finding_recorded", "督查结果"
        EXPOSURE_PUBLISHED = "exposure_published", "曝光"
        EXPOSURE_WITHDRAWN = "exposure_withdrawn", "撤销曝光"
        ACCOUNTABILITY_REFERRED = "accountability_referred", "追究责任"
        ROSTER_FILED = "roster_filed", "名单上报"
        DEADLINE_RECOMPUTED = "deadline_recomputed", "期限重新核定"
        # Review before publishing (先审后发) and erasure: they refer to the review or
        # erasure row, never copying what the citizen wrote.
        REVIEW_PASSED = "review_passed", "审核通过公开"
        REVIEW_REDACTED = "review_redacted", "删节后公开"
        REVIEW_WITHHELD = "review_withheld", "不予公开"
        ERASED = "erased", "删除个人信息"
        REASSIGNED = "reassigned", "改派"
        REPLY_DRAFTED = "reply_drafted", "回复提交审核"
        REPLY_APPROVED = "reply_approved", "回复审核通过"
        REPLY_RETURNED = "reply_returned", "回复退回修改"
        # The handler takes back a reply still waiting for sign-off, to correct it.
        REPLY_WITHDRAWN = "reply_withdrawn", "撤回待审核的回复"
        FOLLOW_UP_ANSWERED = "follow_up_answered", "答复追问"
        ANSWER_UPHELD = "answer_upheld", "回访：答复成立"
        PROPOSAL_DECLINED = "proposal_declined", "不予责成书面说明"
        STAGE_REJUDGED = "stage_rejudged", "按新录入的节假日重新判定"
        BULLETIN_IMPORTED = "bulletin_imported", "导入市通报"
        BULLETIN_PUBLISHED = "bulletin_published", "发布通报"
        RESULTS_PUBLISHED = "results_published", "公布考评结果"
        CHAIN_MIGRATED = "chain_migrated", "办理记录链升级"
        # The county office keeps one photo or file from the public, or shows it again.
        ATTACHMENT_WITHHELD = "attachment_withheld", "附件不予公开"
        ATTACHMENT_RELEASED = "attachment_released", "附件恢复公开"
        SPAM_MARKED = "spam_marked", "标记为垃圾留言"
        SPAM_UNMARKED = "spam_unmarked", "撤销垃圾留言标记"
        TOPIC_SET = "topic_set", "设定事项分类"
        # 并单: a duplicate merged into the message it repeats (or taken back), or a
        # duplicate flag the county office found wrong.
        MERGED = "merged", "并单"
        UNMERGED = "unmerged", "撤销并单"
        DUPLICATE_DISMISSED = "duplicate_dismissed", "不是重复留言"
        # The county office corrects a message's category (咨询/建议/诉求) before it is
        # answered, at dispatch or on its own.
        CATEGORY_SET = "category_set", "更改留言类别"

    chain = models.ForeignKey(
        "eventlog.ChainHead", verbose_name="记录链", on_delete=models.PROTECT, related_name="events"
    )
    seq = models.PositiveBigIntegerField("序号")
    version = models.PositiveSmallIntegerField("格式", default=hashing.VERSION)
    at = models.DateTimeField("时间")
    kind = models.CharField("事项", max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField("身份", max_length=20)
    message = models.ForeignKey(
        "handling.Message",
        verbose_name="留言",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name="单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="event_seq_once_per_chain")]
        indexes = [
            # A message's history page and the evaluation's per-kind aggregates.
            models.Index(fields=["message", "seq"], name="event_message_seq"),
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.get_kind_display()}"

    def payload(self) -> bytes:
        """The canonical bytes that the hash covers: every field but the hash."""
        return hashing.payload(
            version=self.version,
            chain=self.chain_id,
            seq=self.seq,
            at=self.at,
            kind=self.kind,
            actor=self.actor_id,
            actor_role=self.actor_role,
            message=self.message_id,
            unit=self.unit_id,
            note=self.note,
            data=self.data,
            prev_hash=self.prev_hash,
        )

    def compute_hash(self, key: bytes | None = None) -> str:
        return hashing.sign(key or hashing.current_key(), self.payload())


class ChainHead(models.Model):
    """The last link of one region's chain (a county's, or a city's own): one row per
    chain, locked by every append to that chain.

    Appending takes this row FOR UPDATE, so two concurrent appends to one county can
    never both read the same "last event" and fork its chain, while appends in two
    counties lock two rows and do not wait for each other.
    """

    region = models.OneToOneField(
        "units.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="event_chain"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    key_id = models.CharField("密钥标识", max_length=16)

    class Meta:
        verbose_name = "办理记录链"
        verbose_name_plural = "办理记录链"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.region}#{self.last_seq}"
