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

from wenzheng.handling.models import Message


class Audience(models.TextChoices):
    PUBLIC = "public", "公众"
    MASKED = "masked", "工作人员（遮盖个人信息）"
    STAFF = "staff", "办理单位和县网络问政办"


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

    class Meta:
        verbose_name = "检索文档"
        verbose_name_plural = "检索文档"
        constraints = [
            models.UniqueConstraint(fields=["message", "audience"], name="search_document_once_per_audience"),
        ]

    def __str__(self):
        return f"{self.message_id} {self.audience}"

    def parts(self) -> tuple[str, str, str, str]:
        return (self.title, self.body, self.answers, self.extra)
