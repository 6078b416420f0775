"""Appending to the hash chain, and checking it."""

import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .models import GENESIS_HASH, ChainHead, Event


def append(*, kind, at, actor, actor_role, message=None, unit=None, note="", data=None) -> Event:
    """Add one event at the end of the chain. Must run inside the caller's transaction,
    so the event and the change it records commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events are appended inside the transaction of the change they record")
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    # Round-trip through JSON so the hash covers exactly what the database stores.
    data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    event = Event(
        seq=head.last_seq + 1,
        at=at,
        kind=kind,
        actor=actor,
        actor_role=actor_role,
        message=message,
        unit=unit,
        note=note,
        data=data,
        prev_hash=head.last_hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


@dataclass
class Break:
    seq: int | None
    reason: str

    def __str__(self):
        where = f"event #{self.seq}" if self.seq is not None else "chain head"
        return f"{where}: {self.reason}"


def verify(*, batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walk the chain in order. Returns (events checked, the first broken link or None)."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_id = 0
    while True:
        batch = list(Event.objects.filter(seq__gt=last_id).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                return checked, Break(expected_seq, f"missing; the next event found is #{event.seq}")
            if event.prev_hash != expected_prev:
                return checked, Break(event.seq, "prev_hash does not match the hash of the event before it")
            if event.compute_hash() != event.hash:
                return checked, Break(event.seq, "contents do not match its hash (edited after it was written)")
            expected_prev = event.hash
            expected_seq += 1
            checked += 1
        last_id = batch[-1].seq
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != expected_prev:
        return checked, Break(None, f"records {head_seq} events but the table ends at #{checked}")
    return checked, None
