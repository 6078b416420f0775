"""Search results as the pages show them: the title with its matches marked, and an
excerpt of the first text that holds a match (the message, a follow-up or a reply).

Marks are put on the text the reader is shown (the public version for the public,
the masked text for the city office), never on another version of it."""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from wenzheng.handling.models import Reply

from .models import Audience
from .text import Query, excerpt, fold, highlight


def _first_excerpt(texts, query: Query) -> str:
    texts = [t for t in texts if t]
    for text in texts:
        marked = excerpt(text, query)
        if "<mark>" in marked:
            return marked
    return excerpt(texts[0], query) if texts else ""


def prefetch_texts(messages) -> None:
    """The replies and follow-ups of a page of results, in two queries."""
    prefetch_related_objects(
        messages, Prefetch("replies", queryset=Reply.objects.select_related("unit")), "follow_ups", "reviews"
    )


def mark_public(messages, query: Query | None, publisher) -> None:
    """For the public board: `public_title`, and with a query `title_html`,
    `excerpt_html` and `serial_html` (a search by the serial number marks it), from
    each message's public version."""
    if query is not None:
        prefetch_texts(messages)
    for m in messages:
        m.public_title = publisher.title(m)
        if query is not None:
            thread = publisher.thread(m)
            m.title_html = mark_safe(highlight(thread.title, query))  # noqa: S308 (escaped by highlight)
            texts = [thread.body, *(f.text for f in thread.follow_ups), *(r.text for r in thread.replies)]
            m.excerpt_html = mark_safe(_first_excerpt(texts, query))  # noqa: S308 (escaped by excerpt)
            m.serial_html = mark_safe(highlight(m.serial, query))  # noqa: S308 (escaped by highlight)


# The citizen's contact fields a staff document holds beside the texts (documents.py),
# as a row names them when a term was found in one, for those who search them (the
# staff audience). The serial, also searched, is in every row: marked where it is.
CONTACT_FIELDS = (
    ("citizen_name", _("留言人姓名")),
    ("citizen_phone", _("联系电话")),
    ("citizen_id_number", _("身份证号")),
    ("citizen_email", _("电子邮箱")),
    ("citizen_address", _("联系地址")),
)


def _matched_fields(message, query: Query, texts) -> list[str]:
    """The names of the contact fields of `message` that hold the terms of `query`
    its texts (and serial) do not: a row found by a phone number or a name says
    where (the list never shows the value). Fewest fields first: the one that holds
    most of those terms, then the next for what is left."""
    folded = fold("\n".join(t for t in texts if t))
    left = [t for t in query.terms if t not in folded]
    values = [(str(name), fold(getattr(message, attr) or "")) for attr, name in CONTACT_FIELDS]
    named = []
    while left:
        name, value = max(values, key=lambda field: sum(t in field[1] for t in left))
        held = [t for t in left if t in value]
        if not held:
            break
        named.append(name)
        left = [t for t in left if t not in held]
    return named


def mark_as_read(messages, query: Query | None, *, audience: str = Audience.STAFF) -> None:
    """For staff pages, on the texts as the reader was given them (masked already for
    those who read them masked): `title_html`, `excerpt_html` and `serial_html`; and
    for the staff `audience`, `matched_fields`, the contact fields that hold a term."""
    if query is None:
        return
    for m in messages:
        m.serial_html = mark_safe(highlight(m.serial, query))  # noqa: S308 (escaped by highlight)
        m.title_html = mark_safe(highlight(m.title, query))  # noqa: S308 (escaped by highlight)
        # Every text the staff documents hold (the long-cycle explanation too), in the
        # order they read it.
        replies = (r.text for r in m.replies.all())
        texts = [m.body, *(f.text for f in m.follow_ups.all()), *replies, m.closure_explanation]
        m.excerpt_html = mark_safe(_first_excerpt(texts, query))  # noqa: S308 (escaped by excerpt)
        m.matched_fields = _matched_fields(m, query, [m.title, m.serial, *texts]) if audience == Audience.STAFF else []
