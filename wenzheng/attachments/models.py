"""Photos and documents attached to a message, a follow-up or a reply.

A citizen attaches up to nine photos to a message or a follow-up; a unit attaches
photos or PDF documents to a reply (or to a reply waiting for sign-off, whose files
go public with it). Only what wenzheng.attachments.files made of an upload is kept:
an image decoded and encoded again without its metadata (the EXIF location of a
phone photo gone), resized, with a thumbnail; a PDF checked to be one. The files
live in the storage named "attachments" (settings.STORAGES: a folder under
MEDIA_ROOT, or an S3-compatible store), never under a public URL: each is served by
a view that asks who may see it (wenzheng.attachments.access).
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q


def storage():
    """Where the files are: the storage named "attachments" (read at each use, so a
    test or a command may point it elsewhere)."""
    return storages["attachments"]


class Attachment(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "图片"
        PDF = "pdf", "PDF文件"

    class Source(models.TextChoices):
        CITIZEN = "citizen", "网民"
        UNIT = "unit", "办理单位"

    message = models.ForeignKey(
        "handling.Message", verbose_name="留言", on_delete=models.PROTECT, related_name="attachments"
    )
    follow_up = models.ForeignKey(
        "handling.FollowUp",
        verbose_name="追问",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    reply = models.ForeignKey(
        "handling.Reply",
        verbose_name="回复",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    draft = models.ForeignKey(
        "handling.ReplyDraft",
        verbose_name="待审核回复",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    source = models.CharField("上传方", max_length=10, choices=Source.choices)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    # Names in the storage (random, never shown): the files are served by a view.
    file = models.CharField("文件", max_length=200)
    thumbnail = models.CharField("缩略图", max_length=200, blank=True)
    content_type = models.CharField("内容类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽", null=True, blank=True)
    height = models.PositiveIntegerField("高", null=True, blank=True)
    name = models.CharField("文件名", max_length=100)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    uploaded_at = models.DateTimeField("上传时间")
    # The county office can keep one file from the public (a face, a licence plate)
    # while the text around it stays public.
    withheld_at = models.DateTimeField("不予公开时间", null=True, blank=True)
    withheld_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withheld_reason = models.CharField("不予公开理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                name="attachment_citizen_on_message_or_follow_up",
                condition=~Q(source="citizen") | Q(reply__isnull=True, draft__isnull=True),
                violation_error_message="网民的图片只能附在留言或追问上。",
            ),
            models.CheckConstraint(
                name="attachment_unit_on_reply",
                condition=~Q(source="unit") | Q(reply__isnull=False) | Q(draft__isnull=False),
                violation_error_message="办理单位的附件须附在回复上。",
            ),
            models.CheckConstraint(
                name="attachment_citizen_images_only",
                condition=~Q(source="citizen") | Q(kind="image"),
                violation_error_message="网民只能上传图片。",
            ),
        ]
        indexes = [
            # A message's page: its attachments, in order.
            models.Index(fields=["message", "uploaded_at"], name="attachment_message"),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE

    EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}

    @property
    def served_name(self) -> str:
        """The name a download is given. A photo's own file name is never sent,
        the citizen's or a unit's: a phone's or a chat app's often carries a name,
        a date or a place (张三家门口.jpg), and the photo may go public; it is
        named after its message and its own number instead (2026-000046-812.jpg).
        A unit's PDF document keeps its name (关于路灯维修的答复.pdf), chosen for
        the public."""
        if self.kind == self.Kind.PDF:
            return self.name
        extension = self.EXTENSIONS.get(self.content_type, "jpg")
        return f"{self.message.serial}-{self.pk}.{extension}"
