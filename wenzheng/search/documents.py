"""What each audience may find a message by: its documents, built from the rows.

The public document is the message as the public page shows it (the one place that
decides that is wenzheng.privacy.public), so a search never finds a published
message by a word the public cannot read on it, nor finds an unpublished one at all.
"""

from dataclasses import dataclass

from wenzheng.handling.models import FollowUp, Message, Reply
from wenzheng.lib.prefetch import attach
from wenzheng.privacy.models import Review
from wenzheng.privacy.public import Publisher, citizen_names

from .models import Audience
from .text import fold

# The version of what a message's documents hold: raised with every change that
# makes a document derived now differ from one derived before it (the masking of
# personal data above all, the folding of texts). The background worker derives
# every document again when the index was written by another (search.derivation);
# test_derivation fails when the masking changes and this does not.
DERIVATION = 6


@dataclass(frozen=True)
class Document:
    message_id: int
    audience: str
    title: str
    body: str
    answers: str
    extra: str
    scope: str = ""

    def parts(self) -> tuple[str, str, str, str]:
        return (self.title, self.body, self.answers, self.extra)


def scope_of(message) -> str:
    """The message's county and unit as tokens (SearchDocument.scope): "~r12 ~u345",
    or the county alone while no unit has it. Not tokens of any text, which are
    letters and digits."""
    tokens = [f"~r{message.region_id}"]
    if message.unit_id is not None:
        tokens.append(f"~u{message.unit_id}")
    return " ".join(tokens)


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
        scope=scope_of(message),
    )


class _Remembering(Publisher):
    """Masks each text once: the masked document and the public one share most."""

    def __init__(self, maskers: dict):
        super().__init__()
        self._maskers = maskers  # each county's, read once for the whole batch
        self._masked = {}

    def mask(self, text, *, region_id, names=()):
        key = (text, region_id, tuple(names))
        if key not in self._masked:
            self._masked[key] = super().mask(text, region_id=region_id, names=names)
        return self._masked[key]


def _messages(ids) -> list:
    messages = list(Message.objects.filter(pk__in=ids).select_related("citizen"))
    attach(messages, "replies", Reply.objects.filter(message_id__in=ids).select_related("unit").order_by("at", "pk"))
    attach(messages, "follow_ups", FollowUp.objects.filter(message_id__in=ids).order_by("at", "pk"))
    attach(messages, "reviews", Review.objects.filter(message_id__in=ids).order_by("queued_at", "pk"))
    return messages


def documents(ids) -> list[Document]:
    """Every document of the messages `ids`, in a fixed number of queries."""
    ids = list(ids)
    published = set(Message.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    out, maskers = [], {}
    for message in _messages(ids):
        # Masked texts are remembered per message only: a rebuild's memory stays flat.
        out += for_message(message, publisher=_Remembering(maskers), published=message.pk in published)
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
