"""Appending to a region's chain, checking every chain, and checking printed anchors.

Each county has its own chain (and a city its own, for what the city itself does):
an event goes to the chain of the region of the message or unit it is about. An
anchor is a chain's head as it stood at a moment, printed outside the database (on
each published bulletin and each evaluation run): `luocheng:1234:9f2c…`. The tail of
a chain can be cut and its head row rewritten to match by anyone who can write the
database; an anchor printed before the cut still names an event that is no longer
there, which `manage.py verify_events --anchor` reports.
"""

import contextlib
import contextvars
import json
import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from wenzheng.lib import pagecache

from . import hashing
from .models import GENESIS_HASH, ChainHead, Event

ANCHOR = re.compile(r"^(?:(?P<chain>[-a-zA-Z0-9_]+):)?(?P<seq>\d+):(?P<hash>[0-9a-f]{64})$")


def region_of(*, region=None, message=None, unit=None) -> int:
    """The id of the region whose chain an event belongs to."""
    for owner in (region, message, unit):
        if owner is not None:
            return owner.pk if owner is region else owner.region_id
    raise ValueError("an event belongs to a county's (or a city's) chain: give its message, unit or region")


def locked_head(region_id: int) -> ChainHead:
    """The head of a region's chain, locked until the caller's transaction ends;
    created on the region's first event."""
    head = ChainHead.objects.select_for_update().filter(region_id=region_id).first()
    if head is None:
        try:
            with transaction.atomic():  # a savepoint: another writer may create it first
                ChainHead.objects.create(region_id=region_id, key_id=hashing.key_id(hashing.current_key()))
        except IntegrityError:
            pass
        head = ChainHead.objects.select_for_update().get(region_id=region_id)
    mine = hashing.key_id(hashing.current_key())
    if head.key_id != mine:
        # Appending under another key would write links that never verify again.
        raise ImproperlyConfigured(
            f"EVENT_CHAIN_KEY (key id {mine}) is not the key the event chain of region {region_id} "
            f"was written with (key id {head.key_id}); set EVENT_CHAIN_KEY_FILE to that key's file."
        )
    return head


def append(*, kind, at, actor, actor_role, message=None, unit=None, region=None, note="", data=None) -> Event:
    """Add one event at the end of its region's chain. Must run inside the caller's
    transaction, so the event and the change it records commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events are appended inside the transaction of the change they record")
    head = locked_head(region_of(region=region, message=message, unit=unit))
    holding = _holding.get()
    if holding is None:
        last_seq, last_hash = head.last_seq, head.last_hash
    else:
        holding.add(head.pk)
        last_seq, last_hash = _last_link(head)
    event = Event(
        chain=head,
        seq=last_seq + 1,
        at=at,
        kind=kind,
        actor=actor,
        actor_role=actor_role,
        message=message,
        unit=unit,
        note=note,
        # Round-trip through JSON so the hash covers exactly what the database stores.
        data=hashing.stored(data),
        prev_hash=last_hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    if holding is None:
        ChainHead.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)
    # Whatever the step changed, the region's public pages are made afresh after it.
    pagecache.regions_changed([head.region_id])
    return event


# The heads a long run of appends leaves unwritten until it ends (`held`): the ids of
# the head rows it appended to; None outside such a run.
_holding = contextvars.ContextVar("chain_holding", default=None)


@contextlib.contextmanager
def held():
    """A long run of appends in one transaction (the demo county's 3,200 events) that
    writes each chain's head row once, when it ends, instead of after every event.

    On PostgreSQL every UPDATE of a row leaves a version of it that nothing may prune
    before the transaction ends, and each next read of the row walks them all: written
    after every event, the one head row made 11 of the demo county's 67 s to build, a
    read 1.9 ms by its end. A step in production is a transaction of its own and never
    meets this; only long runs use `held`.

    Every append still takes the head FOR UPDATE (so concurrent writers wait as
    always); its last link is the run's last event beyond the head row, found by the
    (chain, seq) index, or the row itself. So a savepoint rolled back inside the run
    takes its events and nothing else with it, and a chain whose tail was cut before
    the run still shows the gap. The run is a savepoint of its own: if it fails, its
    events go and the heads are as they were. Anchors and checks read inside the run
    see the heads written first."""
    holding = set()
    with transaction.atomic():
        token = _holding.set(holding)
        try:
            yield
        finally:
            _holding.reset(token)
        _write_heads(holding)


def _last_link(head: ChainHead) -> tuple[int, str]:
    """The chain's last event, inside a `held` run: the newest beyond the head row."""
    beyond = Event.objects.filter(chain_id=head.pk, seq__gt=head.last_seq).order_by("-seq")
    return beyond.values_list("seq", "hash").first() or (head.last_seq, head.last_hash)


def _write_heads(holding) -> None:
    """Bring the head rows a `held` run appended to up to its last events."""
    for head in ChainHead.objects.filter(pk__in=holding).order_by("pk"):
        last = _last_link(head)
        if last != (head.last_seq, head.last_hash):
            ChainHead.objects.filter(pk=head.pk).update(last_seq=last[0], last_hash=last[1])


def _heads_written() -> None:
    """Before anything reads the head rows: those of a `held` run written as they stand."""
    holding = _holding.get()
    if holding:
        _write_heads(holding)


# --- anchors ------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    chain: str  # the region's code
    seq: int
    hash: str

    def __str__(self):
        return f"{self.chain}:{self.seq}:{self.hash}"

    def as_list(self) -> list:
        return [self.chain, self.seq, self.hash]

    @classmethod
    def from_list(cls, row) -> "Anchor":
        return cls(row[0], int(row[1]), row[2])


def anchors(region) -> list[Anchor]:
    """The heads of the chains a region's figures are read from, as they stand: a
    county's own; for a city, its own and each of its counties'. A chain with no
    event yet anchors at #0."""
    from wenzheng.units.models import Region

    _heads_written()
    regions = [region]
    if region.kind == Region.Kind.CITY:
        regions += list(Region.objects.filter(parent=region).order_by("code"))
    heads = {h.region_id: h for h in ChainHead.objects.filter(region__in=regions)}
    found = []
    for r in regions:
        head = heads.get(r.pk)
        found.append(Anchor(r.code, head.last_seq if head else 0, head.last_hash if head else GENESIS_HASH))
    return found


def check_anchor(text: str) -> str | None:
    """What is wrong with the chain at a printed anchor ("CHAIN:SEQ:HASH", or
    "SEQ:HASH"), or None when the anchored event is still there as it was."""
    m = ANCHOR.match((text or "").strip())
    if m is None:
        return f"{text!r} is not an anchor: write it as CHAIN:SEQ:HASH (e.g. luocheng:1234:9f2c…64 hex digits)"
    seq, digest = int(m["seq"]), m["hash"]
    _heads_written()
    if m["chain"]:
        head = ChainHead.objects.filter(region__code=m["chain"]).first()
        if head is None:
            return f"there is no event chain named {m['chain']!r}"
        if seq == 0:
            return None if digest == GENESIS_HASH else "an anchor at #0 must carry the genesis hash (64 zeros)"
        found = Event.objects.filter(chain=head, seq=seq).values_list("hash", flat=True).first()
        if found is None:
            return (
                f"{m['chain']} chain: event #{seq} is gone; the chain now ends at #{head.last_seq}: "
                f"events at or before the anchor were removed (the tail was cut)"
            )
        if found != digest:
            return f"{m['chain']} chain: event #{seq} no longer has the anchored hash: the chain was rewritten"
        return None
    found = Event.objects.filter(hash=digest).values_list("seq", flat=True).first()
    if found is None:
        return f"no event has the hash {digest[:12]}…: the chain that held #{seq} was cut or rewritten"
    if found != seq:
        return f"the anchored hash is now event #{found}, not #{seq}: the chain was renumbered"
    return None


# --- verification -------------------------------------------------------------------

FIELDS = (
    "seq", "version", "at", "kind", "actor", "actor_role", "message", "unit", "note", "data", "prev_hash", "hash",
)  # fmt: skip


@dataclass
class Break:
    chain: str
    seq: int | None
    reason: str
    wrong_key: bool = False  # not an alteration: this server has another key

    def __str__(self):
        where = f"event #{self.seq}" if self.seq is not None else "chain head"
        return f"{self.chain} chain, {where}: {self.reason}"


def verify_chain(head: ChainHead, *, key: bytes | None = None, batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walk one chain in order. Returns (events checked, the first broken link or None)."""
    key = key or hashing.current_key()
    name = head.region.code
    if head.key_id != hashing.key_id(key):
        return 0, Break(
            name,
            None,
            f"written with another key (key id {head.key_id}) than EVENT_CHAIN_KEY (key id {hashing.key_id(key)})",
            wrong_key=True,
        )
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for seq, version, at, kind, actor, role, message, unit, note, data, prev_hash, digest in _walk(head, batch_size):
        if seq != expected_seq:
            return checked, Break(name, expected_seq, f"missing; the next event found is #{seq}")
        if prev_hash != expected_prev:
            return checked, Break(name, seq, "prev_hash does not match the hash of the event before it")
        body = hashing.payload(
            version=version, chain=head.pk, seq=seq, at=hashing.stored_timestamp(at), kind=kind, actor=actor,
            actor_role=role, message=message, unit=unit, note=note,
            data=json.loads(data) if isinstance(data, str | bytes) else data, prev_hash=prev_hash,
        )  # fmt: skip
        if hashing.sign(key, body) != digest:
            return checked, Break(name, seq, "contents do not match its hash (edited after it was written)")
        expected_prev, expected_seq, checked = digest, expected_seq + 1, checked + 1
    if head.last_seq != checked or head.last_hash != expected_prev:
        return checked, Break(name, None, f"records {head.last_seq} events but the chain ends at #{checked}")
    beyond = Event.objects.filter(chain=head, seq__gt=head.last_seq).order_by("seq").values_list("seq", flat=True)
    now = ChainHead.objects.filter(pk=head.pk).values_list("last_seq", flat=True).first()
    stray = beyond.filter(seq__gt=now).first()
    if stray is not None:
        return checked, Break(name, stray, f"lies beyond the chain's head (#{now})")
    return checked, None


def _walk(head, batch_size):
    """The chain's events up to its head as read, in order, as the database stores
    them: a raw cursor, because building model values (datetimes, parsed JSON) for
    millions of events would cost more than checking them."""
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(Event._meta.get_field(f).column) for f in FIELDS)
    # Our own table and column names; every value is a parameter.
    sql = f"SELECT {columns} FROM {table} WHERE chain_id = %s AND seq > %s AND seq <= %s ORDER BY seq LIMIT %s"  # noqa: S608
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [head.pk, last, head.last_seq, batch_size])
            batch = cursor.fetchall()
            if not batch:
                return
            yield from batch
            last = batch[-1][0]


def verify(*, batch_size: int = 5000) -> tuple[int, Break | None]:
    """Every chain, one after the other. Returns (events checked, the first broken link
    or None)."""
    _heads_written()
    total = 0
    for head in ChainHead.objects.select_related("region").order_by("pk"):
        checked, broken = verify_chain(head, batch_size=batch_size)
        total += checked
        if broken is not None:
            return total, broken
    # Every event belongs to a chain (a foreign key), so none can hide outside one.
    return total, None
