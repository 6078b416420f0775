"""Writing notices and their deliveries, for one event or a whole sweep at once.

A notice is keyed by what it is about and who hears it; writing one that exists
already does nothing (INSERT … ON CONFLICT DO NOTHING), and so does its delivery,
keyed by the notice and the channel. So making the same notices twice (a second
worker, a window swept again) sends nothing twice.
"""

from dataclasses import dataclass

from django.utils import timezone

from . import channels, recipients
from .models import Delivery, Notice

BATCH = 2000


@dataclass
class Draft:
    """A notice about to be written, with the person it is for."""

    key: str
    kind: str
    region_id: int
    text: str
    link: str = ""
    message_id: int | None = None
    person: recipients.Person | None = None
    # For a citizen's notice: the message whose contact it goes to.
    citizen_of: object = None
    # Written as read: a digest, whose notices the bell showed one by one.
    read: bool = False

    @property
    def to_citizen(self) -> bool:
        return self.person is None


def for_people(people, *, key, **fields) -> list[Draft]:
    """One draft for each person, keyed `key:<their id>`."""
    return [Draft(key=f"{key}:{p.pk}", person=p, **fields) for p in people]


def for_citizen(message, *, key, **fields) -> Draft:
    return Draft(key=f"{key}:c", message_id=message.pk, citizen_of=message, **fields)


def write(drafts: list[Draft], *, at=None) -> int:
    """Write the notices and plan their outward deliveries; returns how many drafts
    were written (those already there are left as they are)."""
    at = at or timezone.now()
    if not drafts:
        return 0
    notices, deliveries = [], []
    for d in drafts:
        notices.append(
            Notice(
                key=d.key,
                kind=d.kind,
                recipient_id=d.person.pk if d.person else d.citizen_of.citizen_id,
                to_citizen=d.to_citizen,
                region_id=d.region_id,
                message_id=d.message_id,
                text=d.text,
                link=d.link,
                created_at=at,
                read_at=at if d.read else None,
            )
        )
        deliveries += _deliveries(d, at)
    for i in range(0, len(notices), BATCH):
        Notice.objects.bulk_create(notices[i : i + BATCH], ignore_conflicts=True)
    for i in range(0, len(deliveries), BATCH):
        Delivery.objects.bulk_create(deliveries[i : i + BATCH], ignore_conflicts=True)
    return len(notices)


def _deliveries(draft: Draft, at) -> list[Delivery]:
    out = []
    for channel in channels.outward():
        if draft.person is not None:
            if not draft.person.address(channel.name):
                continue
            # Someone who asked for one digest a day gets this in it (not digests themselves).
            held = draft.person.digest and draft.kind not in (Notice.Kind.DAILY_DIGEST, Notice.Kind.WEEKLY_DIGEST)
            state = Delivery.State.HELD if held else Delivery.State.QUEUED
        else:
            if not recipients.citizen_contact(draft.citizen_of, channel.name):
                continue
            state = Delivery.State.QUEUED
        out.append(Delivery(notice_id=draft.key, channel=channel.name, state=state, next_attempt_at=at))
    return out
