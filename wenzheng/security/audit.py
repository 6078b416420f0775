"""Writing the security audit log and checking its chain (see models.py).

`record()` may be called inside the transaction of the change it records (a spam
mark, a token issued: both commit or neither) or on its own (a failed login, which
changes nothing else), when it opens its own.
"""

import ipaddress
import json
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from wenzheng.eventlog import hashing

from .models import GENESIS_HASH, AuditHead, AuditRecord

Kind = AuditRecord.Kind
# What a record's hash covers is told apart from an event's: the same key signs both.
LOG = "security"


def client_ip(request) -> str | None:
    """The client's address as the app sees it: REMOTE_ADDR, which
    wenzheng.ops.middleware.real_client_ip has set from the proxy's header when
    REAL_IP_HEADER says so. django-axes asks here too (AXES_CLIENT_IP_CALLABLE)."""
    if request is None:
        return None
    return _address(request.META.get("REMOTE_ADDR"))


def _address(value) -> str | None:
    """An address in one canonical spelling (PostgreSQL's inet gives back its own)."""
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def region_of(user):
    """The region whose office reads this account's records: a unit's county, an
    office's own region; none for citizens and the administrator."""
    if user is None or not getattr(user, "pk", None):
        return None
    if user.unit_id:
        return user.unit.region
    return user.region if user.region_id else None


def record(kind, *, user=None, username="", request=None, region=None, at=None, detail=None) -> AuditRecord:
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return record(kind, user=user, username=username, request=request, region=region, at=at, detail=detail)
    at = at or timezone.now()
    if region is None:
        region = region_of(user)
    head = _locked_head()
    item = AuditRecord(
        seq=head.last_seq + 1,
        at=at,
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None and user.pk else ""))[:150],
        ip=client_ip(request),
        region=region,
        detail=hashing.stored(detail),
        prev_hash=head.last_hash,
    )
    item.hash = hashing.sign(hashing.current_key(), payload(item))
    item.save(force_insert=True)
    AuditHead.objects.filter(pk=head.pk).update(last_seq=item.seq, last_hash=item.hash)
    return item


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().order_by("pk").first()
    if head is None:
        try:
            with transaction.atomic():
                AuditHead.objects.create(pk=1, key_id=hashing.key_id(hashing.current_key()))
        except IntegrityError:
            pass  # another writer made it first
        head = AuditHead.objects.select_for_update().get(pk=1)
    if head.key_id != hashing.key_id(hashing.current_key()):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "EVENT_CHAIN_KEY is not the key the security audit log was written with; "
            "set EVENT_CHAIN_KEY_FILE to that key's file."
        )
    return head


def payload(item, *, at_text=None, detail=None) -> bytes:
    body = {
        "log": LOG,
        "seq": item.seq,
        "at": at_text or hashing.timestamp(item.at),
        "kind": item.kind,
        "user": item.user_id,
        "username": item.username,
        "ip": item.ip,
        "region": item.region_id,
        "detail": item.detail if detail is None else detail,
        "prev_hash": item.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False).encode()


@dataclass
class Result:
    checked: int
    problem: str | None = None


COLUMNS = ("seq", "at", "kind", "user_id", "username", "ip", "region_id", "detail", "prev_hash", "hash")


def verify(*, batch_size: int = 5000) -> Result:
    """Walk the chain in order, as the database stores it. Returns how many records
    verified and the first problem found, if any."""
    head = AuditHead.objects.order_by("pk").first()
    if head is None:
        stray = AuditRecord.objects.exists()
        return Result(0, "records exist but the chain has no head" if stray else None)
    key = hashing.current_key()
    if head.key_id != hashing.key_id(key):
        return Result(0, f"written with another key (key id {head.key_id}) than EVENT_CHAIN_KEY")
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    # Our own table and column names; every value is a parameter.
    sql = f"SELECT {columns} FROM {table} WHERE seq > %s ORDER BY seq LIMIT %s"  # noqa: S608
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [last, batch_size])
            rows = cursor.fetchall()
            if not rows:
                break
            for seq, at, kind, user, username, ip, region, detail, prev_hash, digest in rows:
                if seq != expected_seq:
                    return Result(checked, f"record #{expected_seq} is missing; the next found is #{seq}")
                if prev_hash != expected_prev:
                    return Result(checked, f"record #{seq}: prev_hash does not match the record before it")
                item = AuditRecord(
                    seq=seq, kind=kind, user_id=user, username=username, ip=_address(ip) if ip else None,
                    region_id=region, prev_hash=prev_hash,
                )  # fmt: skip
                data = json.loads(detail) if isinstance(detail, str | bytes) else detail
                body = payload(item, at_text=hashing.stored_timestamp(at), detail=data)
                if hashing.sign(key, body) != digest:
                    return Result(
                        checked, f"record #{seq}: contents do not match its hash (edited after it was written)"
                    )
                expected_prev, expected_seq, checked = digest, seq + 1, checked + 1
            last = rows[-1][0]
    if head.last_seq != checked or head.last_hash != expected_prev:
        return Result(checked, f"the head records {head.last_seq} records but the chain ends at #{checked}")
    return Result(checked)
