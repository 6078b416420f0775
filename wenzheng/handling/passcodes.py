"""Passcodes for citizens without an account: issued once at submission, with the
message's tracking code, and stored only hashed.

Eight characters from a 32-letter alphabet (40 bits) under PBKDF2 with fewer rounds
than account passwords: a passcode is random, not chosen by a person, so it needs no
heavy stretching, and a message is submitted far more often than a password is set.
"""

import datetime as dt
import hmac
import logging
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.utils import timezone

from wenzheng.lib import phones
from wenzheng.security import audit as security_audit

log = logging.getLogger(__name__)

# Unambiguous letters and digits, for codes read over the phone.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class PasscodeHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_sha256_passcode"
    iterations = 20_000


_hasher = PasscodeHasher()


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_passcode() -> str:
    return random_code(8)


def encode(passcode: str) -> str:
    return _hasher.encode(passcode, _hasher.salt())


def matches(passcode: str, encoded: str) -> bool:
    if not passcode or not encoded.startswith(PasscodeHasher.algorithm + "$"):
        return False
    return _hasher.verify(passcode.strip().upper(), encoded)


# The hash a passcode is checked against when the tracking code matches no message.
_DECOY = encode(new_passcode())


def matches_in_constant_time(passcode: str, encoded: str | None) -> bool:
    """`matches`, taking as long when there is no message (`encoded` None): the hash
    is computed either way, so timing does not tell a real tracking code from a fake."""
    real = bool(encoded) and encoded.startswith(PasscodeHasher.algorithm + "$")
    found = _hasher.verify((passcode or "-").strip().upper(), encoded if real else _DECOY)
    return real and bool(passcode) and found


# 找回查询密码: a new passcode at most this often for a message, and this many a day.
PASSCODE_RESEND = dt.timedelta(minutes=10)
PASSCODES_A_DAY = 3


@transaction.atomic
def reissue(*, code: str, phone: str, request=None, at=None) -> bool:
    """找回查询密码: a citizen who left a message without an account and lost its
    passcode (the page after posting shows it once) gets a new one by SMS, to the
    mobile the message was left with; the old one stops working. Whether anything
    was sent is not said to the asker (the caller answers alike either way), so
    codes and numbers cannot be probed; sent at most once in PASSCODE_RESEND and
    PASSCODES_A_DAY times a day for a message, each in the security audit."""
    from .models import Message

    at = at or timezone.now()
    message = Message.objects.select_for_update().select_related("region").filter(tracking_code=code).first()
    mobile = phones.mobile(phone or "") or ""
    kept = phones.mobile(message.citizen_phone) if message is not None and message.citizen_phone else ""
    if not (mobile and kept and hmac.compare_digest(kept, mobile)):
        return False
    sent = security_audit.AuditRecord.objects.filter(
        kind=security_audit.Kind.PASSCODE_REISSUED, region=message.region, detail__message=message.serial,
        at__gte=at - dt.timedelta(days=1),
    )  # fmt: skip
    if sent.filter(at__gte=at - PASSCODE_RESEND).exists() or sent.count() >= PASSCODES_A_DAY:
        return False
    passcode = new_passcode()
    message.passcode_hash = encode(passcode)
    message.save(update_fields=["passcode_hash"])
    security_audit.record(
        security_audit.Kind.PASSCODE_REISSUED, request=request, region=message.region, at=at,
        detail={"message": message.serial},
    )  # fmt: skip
    text = passcode_reset_text(message.region, serial=message.serial, passcode=passcode)
    transaction.on_commit(lambda: _send_passcode(mobile, text, message.pk))
    return True


def passcode_reset_text(region, *, serial: str, passcode: str) -> str:
    """The SMS of a new passcode: the office by its level, since the county's full name
    opens the text already (and 区网络问政办 is as long as 县网络问政办: one SMS)."""
    return (
        f"{region.name}网络问政：您的留言{serial}的查询密码已重置为{passcode}，原密码已失效。"
        f"如非本人操作，请联系{region.office_by_level}。"
    )


def _send_passcode(mobile, text, message_id) -> None:
    from wenzheng.notifications import sms

    try:
        sms.backend().send(mobile, text)
    except Exception:  # the gateway's failure is logged; the citizen may ask again later
        log.exception("passcode reissue: sending the SMS for message %s failed", message_id)
