"""The event log: every step of every message and every supervision record.

Append-only twice over. The database itself refuses UPDATE and DELETE on the table
(triggers created in migration 0002, on SQLite and PostgreSQL alike), and each event
carries the hash of the one before, so an edit made behind the triggers' back (by
dropping them, or with a copy of the file) shows up in `manage.py verify_events`.
"""

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

GENESIS_HASH = "0" * 64


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
        FINDING_RECORDED = "finding_recorded", "督查结果"
        EXPOSURE_PUBLISHED = "exposure_published", "曝光"
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
        FOLLOW_UP_ANSWERED = "follow_up_answered", "答复追问"
        ANSWER_UPHELD = "answer_upheld", "回访：答复成立"
        PROPOSAL_DECLINED = "proposal_declined", "不予责成书面说明"

    seq = models.PositiveBigIntegerField("序号", unique=True)
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
        ordering = ["seq"]
        indexes = [
            # A message's history page and the evaluation's per-kind aggregates.
            models.Index(fields=["message", "seq"], name="event_message_seq"),
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.get_kind_display()}"

    def payload(self) -> bytes:
        """The canonical bytes that the hash covers: every field but the hash."""
        body = {
            "seq": self.seq,
            "at": self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "kind": self.kind,
            "actor": self.actor_id,
            "actor_role": self.actor_role,
            "message": self.message_id,
            "unit": self.unit_id,
            "note": self.note,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload()).hexdigest()


class ChainHead(models.Model):
    """The last link of the chain: one row, locked by every append.

    Appending takes this row FOR UPDATE, so two concurrent appends can never both
    read the same "last event" and fork the chain.
    """

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(name="chainhead_singleton", condition=models.Q(pk=1))]

    def __str__(self):
        return f"#{self.last_seq} {self.last_hash[:12]}"
