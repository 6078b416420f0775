"""The duplicate index (并单) and the flags it raises.

Every message has its keys here (signatures.keys: its text's MinHash bands and its
citizen's account and phone), written in the transaction that submits or imports it;
the flag says which open messages a new one seems to repeat, until the county office
merges it (handling.actions.merge_duplicate) or finds it no duplicate
(handling.actions.dismiss_duplicate).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Key(models.Model):
    """One index key of one message. A message's candidates are the open messages of
    its county that share a key with it."""

    pk = models.CompositePrimaryKey("message_id", "key")
    message = models.ForeignKey("handling.Message", on_delete=models.PROTECT, related_name="+", db_index=False)
    region = models.ForeignKey("units.Region", on_delete=models.PROTECT, related_name="+", db_index=False)
    key = models.BigIntegerField()

    class Meta:
        verbose_name = "重复留言索引"
        verbose_name_plural = "重复留言索引"
        indexes = [
            # The candidate search: a county's messages holding one of a new message's
            # keys (the message id in the index, so the lookup reads no table row).
            models.Index(fields=["region", "key", "message"], name="duplicate_key_lookup"),
        ]

    def __str__(self):
        return f"{self.message_id}: {self.key}"


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=Flag.State.OPEN)

    def in_county(self, county):
        return self.filter(region=county)


class Flag(models.Model):
    """疑似重复: a new message that seems to repeat open ones, with its candidates
    (most similar first), until the county office decides."""

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        MERGED = "merged", "已并单"
        DISMISSED = "dismissed", "不是重复留言"

    message = models.OneToOneField(
        "handling.Message", verbose_name="留言", on_delete=models.PROTECT, related_name="duplicate_flag"
    )
    region = models.ForeignKey("units.Region", verbose_name="县（区）", on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField("发现时间")
    # [{"id": message id, "similarity": 0.0–1.0, "same_citizen": bool}, ...]
    candidates = models.JSONField("疑似重复的留言", default=list)
    similarity = models.FloatField("最高相似度")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.TextField("处理说明", blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = "疑似重复留言"
        verbose_name_plural = "疑似重复留言"
        ordering = ["-found_at"]
        constraints = [
            models.CheckConstraint(
                name="duplicate_flag_similarity_0_1",
                condition=Q(similarity__gte=0, similarity__lte=1),
            ),
            models.CheckConstraint(
                name="duplicate_flag_decided_iff_closed",
                condition=Q(state="open", decided_at__isnull=True) | (~Q(state="open") & Q(decided_at__isnull=False)),
            ),
        ]
        indexes = [
            # The dispatch queue's list of a county's open flags.
            models.Index(fields=["region", "found_at"], condition=Q(state="open"), name="duplicate_flag_open"),
        ]

    def __str__(self):
        return f"{self.message_id} {self.get_state_display()}"
