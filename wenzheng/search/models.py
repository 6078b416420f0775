"""The search index: for each message, what each kind of reader may find it by.

A message has up to three documents, one per audience, because what may be searched
is what may be read (DOMAIN.md, personal data):
- public: the public version of a published message (the office's redacted text
  where it redacted one, follow-ups it passed, the replies shown), masked as every
  public surface masks it; none for a message the public cannot open;
- masked: every text of the message, masked: for staff the access policy keeps
  from the citizen's details (the city office), who read the texts masked;
- staff: every text as written, with the citizen's name and contact: for the unit
  handling the message and the county office over it.

Each document keeps its texts folded (wenzheng.search.text.fold) in four parts,
weighted apart in ranking: the title, the citizen's words (the message and its
follow-ups), the unit's answers (replies, and for staff the long-cycle
explanation), and the rest (the serial, and for staff the contact fields).

The word index itself lives beside these rows, in the database's own full-text
machinery (wenzheng.search.engines): an FTS5 table per audience on SQLite, a GIN
index over `grams` on PostgreSQL. Both are written in the same transaction as the
step that changed the message (wenzheng.search.index).
"""

from django.db import models
from django.db.models import Q

from wenzheng.handling.models import Message
from wenzheng.ops.models import BatchWalk


class Audience(models.TextChoices):
    PUBLIC = "public", "公众"
    MASKED = "masked", "工作人员（遮盖个人信息）"
    STAFF = "staff", "办理单位和县级网络问政办"


class TokenSetField(models.TextField):
    """The document's distinct tokens as a PostgreSQL tsvector (no positions: the
    phrase is checked on the folded text), for its GIN index; unused on SQLite,
    where FTS5 keeps the tokens, and left empty there."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection):
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class SearchDocument(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="search_documents")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    answers = models.TextField(blank=True)
    extra = models.TextField(blank=True)
    grams = TokenSetField(blank=True, null=True, editable=False)
    # PostgreSQL: more distinct tokens than a tsvector holds, so `grams` is the one
    # token engines.OVERFLOW and every term is checked on the texts. A column of its
    # own so that the check reads no tsvector (engines.PostgresEngine.search).
    overflow = models.BooleanField(default=False, db_default=False, editable=False)
    # The message's county and unit as tokens ("~r12 ~u345", documents.scope_of),
    # also in `grams` on PostgreSQL: a search of one county's board or one unit's
    # inbox asks the word index for them beside the query's (engines.scope_tokens).
    # Kept here so that a step that moves the message (dispatch, 改派) rewrites its
    # documents although no text changed (index.update).
    scope = models.CharField(max_length=60, blank=True, default="", db_default="", editable=False)

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        constraints = [
            models.UniqueConstraint(fields=["message", "audience"], name="search_document_once_per_audience"),
        ]
        indexes = [
            # Every PostgreSQL search takes the overflowing documents as candidates
            # (engines.holding_sql): this index holds those alone.
            models.Index(fields=["audience"], condition=Q(overflow=True), name="search_document_overflowing"),
        ]

    def __str__(self):
        return f"{self.message_id} {self.audience}"

    def parts(self) -> tuple[str, str, str, str]:
        return (self.title, self.body, self.answers, self.extra)


class ContactRefresh(BatchWalk):
    """A county's published contacts changed (privacy.actions.add_public_contact,
    remove_public_contact): the public and masked documents of its messages that
    hold the number are derived again by the background worker (wenzheng.search
    .contacts), a committed batch of message ids at a time.

    `after` is how far the worker has come. Until it passes a message, the public and
    masked searches leave that message out for queries that may match a removed
    number (search.contacts.withheld), so nothing is found by a number the public can
    no longer read."""

    class Change(models.TextChoices):
        ADDED = "added", "加入名单"
        REMOVED = "removed", "移出名单"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    region = models.ForeignKey("units.Region", on_delete=models.CASCADE, related_name="+")
    value = models.CharField("号码或邮箱（比对形式）", max_length=100)
    change = models.CharField("变化", max_length=10, choices=Change.choices)
    requested_at = models.DateTimeField("提出时间")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    after = models.BigIntegerField("已处理到的留言", default=0)
    refreshed = models.PositiveIntegerField("重建的检索文档", default=0)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "公开联系方式变更后的检索更新"
        verbose_name_plural = "公开联系方式变更后的检索更新"
        indexes = [
            # The worker's claim, and every public search's look for unfinished removals.
            models.Index(fields=["state", "requested_at"], name="search_contact_refresh_queue"),
        ]

    def __str__(self):
        return f"{self.region_id} {self.get_change_display()} {self.get_state_display()}"


class PendingUpgrade(models.Model):
    """A change to how documents are indexed that the documents written before it
    do not have yet: searches go without it until `rebuild_search_index` has
    written every document again (and deletes the row). Made by the migration that
    brings the change, only where there were documents already."""

    SCOPE = "scope"  # the scope tokens (SearchDocument.scope) in every document's grams
    CHARACTERS = "characters"  # every character of the texts in every document's grams

    name = models.CharField(max_length=40, unique=True)

    class Meta:
        verbose_name = "待完成的检索索引升级"
        verbose_name_plural = "待完成的检索索引升级"

    def __str__(self):
        return self.name


class Derivation(BatchWalk):
    """Which version of the derivation (documents.DERIVATION: how a message's texts
    become its documents, the masking of personal data above all) wrote the index,
    and how far the background worker has come deriving it again (search.derivation).
    One row. An upgrade that masks more leaves documents written by the masking
    before it: a public search found a message by the digits of a phone number its
    page shows masked, until someone thought of running rebuild_search_index."""

    version = models.PositiveIntegerField("检索文档的生成版本", default=0)
    # The pass under way: the version it derives by, and the last message id it has
    # derived (a version newer still, deployed halfway, starts again from the first).
    target = models.PositiveIntegerField("正在重新生成的版本", default=0)
    after = models.BigIntegerField("已重新生成到的留言", default=0)
    derived_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Set by the worker that claims the next batch, cleared when it commits: a worker
    # that died in it holds it WORK_STALE_AFTER (search.derivation.claim).
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)

    class Meta:
        verbose_name = "检索文档生成版本"
        verbose_name_plural = "检索文档生成版本"

    def __str__(self):
        return f"v{self.version} (after {self.after})"
