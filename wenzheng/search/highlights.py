"""Search results as the pages show them: the title with its matches marked, and an
excerpt of the first text that holds a match (the message, a follow-up or a reply).

Marks are put on the text the reader is shown (the public version for the public,
the masked text for the city office), never on another version of it."""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.safestring import mark_safe

from wenzheng.handling.models import Reply

from .text import Query, excerpt, highlight


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
    """For the public board: `public_title`, and with a query `title_html` and
    `excerpt_html`, from each message's public version."""
    if query is not None:
        prefetch_texts(messages)
    for m in messages:
        m.public_title = publisher.title(m)
        if query is not None:
            thread = publisher.thread(m)
            m.title_html = mark_safe(highlight(thread.title, query))  # noqa: S308 (escaped by highlight)
            texts = [thread.body, *(f.text for f in thread.follow_ups), *(r.text for r in thread.replies)]
            m.excerpt_html = mark_safe(_first_excerpt(texts, query))  # noqa: S308 (escaped by excerpt)


def mark_as_read(messages, query: Query | None) -> None:
    """For staff pages, on the texts as the reader was given them (masked already for
    those who read them masked): `title_html` and `excerpt_html`."""
    if query is None:
        return
    for m in messages:
        m.title_html = mark_safe(highlight(m.title, query))  # noqa: S308 (escaped by highlight)
        # Every text the staff documents hold (the long-cycle explanation too), in the
        # order they read it.
        replies = (r.text for r in m.replies.all())
        texts = [m.body, *(f.text for f in m.follow_ups.all()), *replies, m.closure_explanation]
        m.excerpt_html = mark_safe(_first_excerpt(texts, query))  # noqa: S308 (escaped by excerpt)
