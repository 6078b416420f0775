"""What the public may read of a message: the one place that decides it for every
public surface (the pages, the API, Open311, the bulletins).

A message is public once `Message.objects.published()` says so (consented,
answered, and passed by the county office where it reviews first). What is shown of
it is then its public version (the office's redacted text, where it redacted one)
with personal data masked (`masking`), the citizen's own name and account names
included; follow-ups the office has not passed are left out.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from wenzheng.accounts.policy import may_see_contact

from .masking import Masker


@dataclass(frozen=True)
class PublicReply:
    """A reply as the public reads it; named as the row's fields are, so that
    handling.thread.conversation orders either."""

    pk: int
    unit: str
    text: str
    at: object
    follow_up_id: int | None = None  # the follow-up it answers; None for a reply to the message


@dataclass(frozen=True)
class PublicFollowUp:
    pk: int
    text: str
    at: object


@dataclass(frozen=True)
class PublicThread:
    title: str
    body: str
    replies: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    redacted: bool = False


def citizen_names(message) -> list[str]:
    """The names a citizen goes by on this message: the name given, and the
    account's username and display name (echoed in replies: "网友UU0012345您好")."""
    if message.citizen_id is None:
        return names_given(message.citizen_name)
    return names_given(message.citizen_name, message.citizen.username, message.citizen.display_name)


def names_given(*names) -> list[str]:
    """`citizen_names` from the values read (a name left empty is none)."""
    return [n for n in names if n]


class Publisher:
    """Masks for the public, with each county's published contacts (its allow-list)
    read once however many messages are shown."""

    def __init__(self):
        self._maskers: dict[int, Masker] = {}

    def masker(self, region_id) -> Masker:
        if region_id not in self._maskers:
            from .models import PublicContact

            self._maskers[region_id] = Masker(
                PublicContact.objects.filter(region_id=region_id).values_list("normalised", flat=True)
            )
        return self._maskers[region_id]

    def mask(self, text, *, region_id, names=()) -> str:
        return self.masker(region_id).mask(text, names=names)

    def _message_review(self, message):
        return next((r for r in message.reviews.all() if r.follow_up_id is None), None)

    def title(self, message) -> str:
        review = self._message_review(message)
        title = review.public_title if review is not None and review.state == review.State.REDACTED else message.title
        return self.mask(title or message.title, region_id=message.region_id, names=citizen_names(message))

    def body(self, message) -> str:
        review = self._message_review(message)
        body = review.public_text if review is not None and review.state == review.State.REDACTED else message.body
        return self.mask(body, region_id=message.region_id, names=citizen_names(message))

    def thread(self, message) -> PublicThread:
        """The message as the public reads it (call only for a published message)."""
        reviews = list(message.reviews.all())
        own = next((r for r in reviews if r.follow_up_id is None), None)
        by_follow_up = {r.follow_up_id: r for r in reviews if r.follow_up_id is not None}
        redacted = own is not None and own.state == own.State.REDACTED
        names = citizen_names(message)

        def mask(text):
            return self.mask(text, region_id=message.region_id, names=names)

        follow_ups = []
        for f in message.follow_ups.all():
            review = by_follow_up.get(f.pk)
            if review is not None and not review.is_public:
                continue
            text = review.public_text if review is not None and review.state == review.State.REDACTED else f.text
            follow_ups.append(PublicFollowUp(pk=f.pk, text=mask(text), at=f.at))
        shown = {f.pk for f in follow_ups}
        return PublicThread(
            title=self.title(message),
            body=self.body(message),
            # An answer to a follow-up the public may not read is left out with it.
            replies=[
                PublicReply(pk=r.pk, unit=r.unit.name, text=mask(r.text), at=r.at, follow_up_id=r.follow_up_id)
                for r in message.replies.all()
                if r.follow_up_id is None or r.follow_up_id in shown
            ],
            follow_ups=follow_ups,
            redacted=redacted or any(r.state == r.State.REDACTED for r in by_follow_up.values()),
        )


def merged_answer(message, publisher: Publisher | None = None) -> tuple:
    """For a message merged into another (并单): the main message, and its answers as
    the merged citizen reads them (masked like a public page: the main message is
    someone else's), not its answers to its own citizen's follow-ups. The merged
    citizen is answered by these, not by a reply of their own: their page and the
    API's message detail show them. (None, []) for any other message."""
    from wenzheng.handling.models import Message, Reply

    if message.state != Message.State.MERGED:
        return None, []
    main = (
        Message.objects.filter(pk=message.merged_into_id)
        .select_related("region", "citizen", "unit")
        .prefetch_related(Prefetch("replies", queryset=Reply.objects.select_related("unit")), "follow_ups", "reviews")
        .get()
    )
    replies = [r for r in (publisher or Publisher()).thread(main).replies if r.follow_up_id is None]
    return main, replies


# The free texts shown beside a message on a staff surface, by what holds them: each
# may hold the citizen's words or echo their details (a handler's reason for an
# extension quoting the phone number they could not reach, a follow-up a 回访 is
# about, the office's reason for withholding a photo).
BESIDE = {
    "drafts": ("text", "note"),  # replies awaiting or returned from the leader's sign-off
    "revisits": ("reason", "decision_note"),
    "follow_ups": ("text",),  # a 回访's own follow-up, read with it
    "extensions": ("reason", "decision_note"),
    "orders": ("reason",),  # written explanation orders
    "reviews": ("reason",),
    "attachments": ("withheld_reason",),
}


def mask_for_reader(user, messages, publisher: Publisher | None = None, events=(), **beside) -> None:
    """Staff who may not see a citizen's contact details (the city office) read the
    free text of the message masked as well, since a phone number typed into it is
    contact details too. Changes the objects in memory, for display only (their
    prefetched replies and follow-ups included, the notes of `events`, which in a log
    older than this rule may hold a follow-up's words, and the rows given by kind in
    `beside`, whose texts BESIDE names): never to be saved. `events` and `beside` are
    of the one message given with them."""
    unknown = set(beside) - set(BESIDE)
    if unknown:
        raise TypeError(f"mask_for_reader() does not know what to mask in {sorted(unknown)}")
    publisher = publisher or Publisher()
    for message in messages:
        if may_see_contact(user, message):
            continue
        names = citizen_names(message)

        def mask(text, region_id=message.region_id, names=names):
            return publisher.mask(text, region_id=region_id, names=names) if text else text

        message.title, message.body = mask(message.title), mask(message.body)
        message.closure_explanation = mask(message.closure_explanation)
        for row in (*message.replies.all(), *message.follow_ups.all()):
            row.text = mask(row.text)
        for event in events:
            event.note = mask(event.note)
        for kind, rows in beside.items():
            for row in rows:
                for name in BESIDE[kind]:
                    setattr(row, name, mask(getattr(row, name)))


def mask_titles_for_reader(user, messages, publisher: Publisher | None = None) -> None:
    """`mask_for_reader` for a list that shows titles only (no queries per message)."""
    publisher = publisher or Publisher()
    for message in messages:
        if not may_see_contact(user, message):
            message.title = publisher.title(message)
