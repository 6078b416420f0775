"""Writing notices and their deliveries, for one event or a whole sweep at once.

A notice is keyed by what it is about and who hears it; writing one that exists
already does nothing (INSERT … ON CONFLICT DO NOTHING), and so does its delivery,
keyed by the notice and the channel. So making the same notices twice (a second
worker, a window swept again) sends nothing twice.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from . import channels, recipients
from .models import Delivery, Notice


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


NOTICE_COLUMNS = ["key", "kind", "recipient_id", "to_citizen", "region_id", "message_id", "text", "link"]
NOTICE_COLUMNS += ["created_at", "read_at"]
DELIVERY_COLUMNS = ["notice_id", "channel", "state", "attempts", "next_attempt_at", "heartbeat_at", "sent_at"]
DELIVERY_COLUMNS += ["error", "reference", "digest_id"]


def write(drafts: list[Draft], *, at=None) -> int:
    """Write the notices and plan their outward deliveries; returns how many drafts
    were written (those already there are left as they are).

    Plain INSERT … ON CONFLICT DO NOTHING with executemany, not bulk_create: a sweep
    may write thousands, and building a model instance for each row cost four times
    the INSERTs themselves (bench/reminders.py)."""
    at = at or timezone.now()
    if not drafts:
        return 0
    stamp = connection.ops.adapt_datetimefield_value(at)
    notices, deliveries = [], []
    for d in drafts:
        recipient = d.person.pk if d.person else d.citizen_of.citizen_id
        notices.append(
            (d.key, str(d.kind), recipient, d.to_citizen, d.region_id, d.message_id, d.text, d.link, stamp,
             stamp if d.read else None)
        )  # fmt: skip
        deliveries += [(d.key, channel, str(state), 0, stamp, None, None, "", "", None) for channel, state in _plan(d)]
    _insert(Notice, NOTICE_COLUMNS, notices)
    _insert(Delivery, DELIVERY_COLUMNS, deliveries)
    return len(notices)


BATCH = 2000


def _insert(model, columns, rows):
    quote = connection.ops.quote_name
    names, marks = ", ".join(map(quote, columns)), ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[i : i + BATCH])


def _plan(draft: Draft) -> list[tuple[str, str]]:
    """(channel, state) of each outward delivery the notice gets."""
    out = []
    for channel in channels.outward():
        if draft.person is not None:
            if not draft.person.address(channel.name):
                continue
            # Someone who asked for one digest a day gets this in it (not digests themselves).
            held = draft.person.digest and draft.kind not in (Notice.Kind.DAILY_DIGEST, Notice.Kind.WEEKLY_DIGEST)
            out.append((channel.name, Delivery.State.HELD if held else Delivery.State.QUEUED))
        elif recipients.citizen_contact(draft.citizen_of, channel.name):
            out.append((channel.name, Delivery.State.QUEUED))
    return out
