"""What an event's hash covers, and the key it is made with.

An event's hash is an HMAC-SHA256 over its canonical bytes, keyed with
settings.EVENT_CHAIN_KEY, a secret kept outside the database (a file under
/etc/wenzheng, like SECRET_KEY). Whoever can write the database but does not hold
the key cannot write a hash that verifies: editing an event and recomputing the
hashes after it is no longer enough to hide the edit.

Pure functions over plain values, so the chain (chain.py), the verifier, the bulk
writer and the migration that re-keyed the first chains all hash the same bytes.
"""

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64
# The format of events written now: version 2 carries the ids of the rows each event
# changed (stages, filings), which replay needs; version 1 events were written before.
VERSION = 2
_KEY_ID_LABEL = b"wenzheng event chain key id"


def current_key() -> bytes:
    return settings.EVENT_CHAIN_KEY.encode()


def key_id(key: bytes) -> str:
    """A fingerprint of the key (not the key): stored with each chain's head so that a
    server started with another key says so instead of writing links that break."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def stored_timestamp(value) -> str:
    """`timestamp` of an instant as a raw cursor returns it: an aware datetime
    (PostgreSQL), a naive one in UTC (SQLite, whose column Django declares as a
    timestamp), or SQLite's UTC text "2026-03-02 01:00:00[.123456]"."""
    if isinstance(value, dt.datetime):
        return timestamp(value if value.tzinfo else value.replace(tzinfo=dt.UTC))
    day, _, time = value.partition(" ")
    if "." not in time:
        time += ".000000"
    else:
        time = time.ljust(15, "0")
    return f"{day}T{time}+00:00"


def payload(*, version, chain, seq, at, kind, actor, actor_role, message, unit, note, data, prev_hash) -> bytes:
    """The canonical bytes the hash covers: every field of the event but its hash.
    `chain` is the id of the chain's head row, so an event cannot be moved into
    another county's chain. `at` is an aware datetime, or its `timestamp` text."""
    body = {
        "v": version,
        "chain": chain,
        "seq": seq,
        "at": at if isinstance(at, str) else timestamp(at),
        "kind": kind,
        "actor": actor,
        "actor_role": actor_role,
        "message": message,
        "unit": unit,
        "note": note,
        "data": data,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()


def sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def stored(data) -> dict:
    """`data` as the database gives it back (a JSON round trip), so the hash made
    when writing is the hash found when reading."""
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def legacy_hash(*, seq, at, kind, actor, actor_role, message, unit, note, data, prev_hash) -> str:
    """The hash of the single, keyless chain events had before (plain SHA-256), read
    once by the migration that re-keyed them."""
    body = {
        "seq": seq,
        "at": timestamp(at),
        "kind": kind,
        "actor": actor,
        "actor_role": actor_role,
        "message": message,
        "unit": unit,
        "note": note,
        "data": data,
        "prev_hash": prev_hash,
    }
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
    return hashlib.sha256(raw).hexdigest()
