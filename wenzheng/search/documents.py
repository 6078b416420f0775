"""What each audience may find a message by: its documents, built from the rows.

The public document is the message as the public page shows it (the one place that
decides that is wenzheng.privacy.public), so a search never finds a published
message by a word the public cannot read on it, nor finds an unpublished one at all.
"""

from dataclasses import dataclass

from django.db.models import Prefetch

from wenzheng.handling.models import Message, Reply
from wenzheng.privacy.public import Publisher, citizen_names

from .models import Audience
from .text import fold


@dataclass(frozen=True)
class Document:
    message_id: int
    audience: str
    title: str
    body: str
    answers: str
    extra: str

    def parts(self) -> tuple[str, str, str, str]:
        return (self.title, self.body, self.answers, self.extra)


def _join(texts) -> str:
    # Lines keep the parts' runs apart, so no match spans two of them.
    return "\n".join(t for t in texts if t)


def _document(message, audience, *, title, body, answers, extra) -> Document:
    return Document(
        message_id=message.pk,
        audience=audience,
        title=fold(title),
        body=fold(_join(body)),
        answers=fold(_join(answers)),
        extra=fold(_join(extra)),
    )


def _messages(ids):
    return (
        Message.objects.filter(pk__in=ids)
        .select_related("citizen")
        .prefetch_related(Prefetch("replies", queryset=Reply.objects.select_related("unit")), "follow_ups", "reviews")
    )


def documents(ids, publisher: Publisher | None = None) -> list[Document]:
    """Every document of the messages `ids`, in a fixed number of queries."""
    ids = list(ids)
    publisher = publisher or Publisher()
    published = set(Message.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    out = []
    for message in _messages(ids):
        out += for_message(message, publisher=publisher, published=message.pk in published)
    return out


def for_message(message, *, publisher: Publisher, published: bool) -> list[Document]:
    """The documents of one message whose replies, follow-ups, reviews and citizen
    are loaded."""
    names = citizen_names(message)

    def mask(text):
        return publisher.mask(text, region_id=message.region_id, names=names)

    replies, follow_ups = list(message.replies.all()), list(message.follow_ups.all())
    serial = [message.serial]
    docs = [
        _document(
            message,
            Audience.STAFF,
            title=message.title,
            body=[message.body, *(f.text for f in follow_ups)],
            answers=[*(r.text for r in replies), message.closure_explanation],
            extra=[
                *serial,
                message.citizen_name,
                message.citizen_phone,
                message.citizen_id_number,
                message.citizen_email,
                message.citizen_address,
                *(names[1:]),
            ],
        ),
        _document(
            message,
            Audience.MASKED,
            title=mask(message.title),
            body=[mask(message.body), *(mask(f.text) for f in follow_ups)],
            answers=[*(mask(r.text) for r in replies), mask(message.closure_explanation)],
            extra=serial,
        ),
    ]
    if published:
        thread = publisher.thread(message)
        docs.append(
            _document(
                message,
                Audience.PUBLIC,
                title=thread.title,
                body=[thread.body, *(f.text for f in thread.follow_ups)],
                answers=[r.text for r in thread.replies],
                extra=serial,
            )
        )
    return docs
