"""Resetting a forgotten password with a code sent by SMS or e-mail.

For citizens and staff alike: the person names their account (user name, mobile or
e-mail) and a channel; when the account exists and has that address, a six-digit code
goes out at once through the same gateways as the notices (the SMS backend,
Django's mail). The answer is the same whether or not anything was sent, so the form
cannot be used to find out who has an account.

Rate limits (the rows themselves are the counters, so they hold across processes):
one code per account per RESEND_SECONDS and DAILY_PER_ACCOUNT a day; HOURLY_PER_ADDRESS
requests an hour from one IP address. A code lasts LIFETIME, allows MAX_TRIES wrong
guesses, and works once; a new code replaces the older ones.
"""

import datetime as dt
import hmac
import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wenzheng.lib import phones
from wenzheng.notifications import sms

from . import staff
from .models import PasswordResetCode, User

log = logging.getLogger(__name__)

LIFETIME = dt.timedelta(minutes=15)
MAX_TRIES = 5
RESEND_SECONDS = 60
DAILY_PER_ACCOUNT = 5
HOURLY_PER_ADDRESS = 10


class TooMany(Exception):
    """Too many requests from one address; str() says when to try again."""


def _hash(code: str) -> str:
    return salted_hmac("wenzheng.accounts.resets", code).hexdigest()


def find_account(text: str) -> User | None:
    """The active account a person names by user name, mobile or e-mail."""
    text = text.strip()
    if not text:
        return None
    accounts = User.objects.filter(is_active=True)
    found = accounts.filter(username=text).first()
    if found is None and "@" in text:
        found = accounts.filter(email__iexact=text).order_by("pk").first()
    if found is None and (mobile := phones.mobile(text)):
        found = accounts.filter(phone=mobile).order_by("pk").first()
    return found


def address_of(user: User, channel: str) -> str:
    if channel == PasswordResetCode.Channel.SMS:
        return phones.mobile(user.phone)
    return user.email.strip()


def request_code(*, text: str, channel: str, ip: str | None, now=None) -> PasswordResetCode | None:
    """Send a code to the account named by `text`, if there is one with an address on
    `channel` and its own limits allow; returns the code's row (None when nothing was
    sent). Raises TooMany when the address has asked too often."""
    now = now or timezone.now()
    if (
        ip
        and PasswordResetCode.objects.filter(requested_from=ip, requested_at__gte=now - dt.timedelta(hours=1)).count()
        >= HOURLY_PER_ADDRESS
    ):
        raise TooMany("请求过于频繁，请一小时后再试。")
    user = find_account(text)
    address = address_of(user, channel) if user else ""
    if not address:
        # Not the text itself: it may be someone's phone number or e-mail.
        log.info("password reset: no %s address for the account asked for", channel)
        _count(channel=channel, ip=ip, now=now)
        return None
    recent = PasswordResetCode.objects.filter(user=user, requested_at__gte=now - dt.timedelta(days=1))
    if (
        recent.count() >= DAILY_PER_ACCOUNT
        or recent.filter(requested_at__gte=now - dt.timedelta(seconds=RESEND_SECONDS)).exists()
    ):
        log.info("password reset: limit reached for user %s", user.pk)
        _count(channel=channel, ip=ip, now=now)
        return None
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        # A new code replaces the ones sent before.
        PasswordResetCode.objects.filter(user=user, used_at__isnull=True).update(tries=MAX_TRIES)
        row = PasswordResetCode.objects.create(
            user=user, channel=channel, code_hash=_hash(code), requested_at=now, requested_from=ip
        )
    _send(user, channel, address, code)
    return row


def _count(*, channel, ip, now) -> None:
    """A request that sent nothing still counts against its address (a row with no
    user and no code, used at once, so it can never reset anything)."""
    if ip:
        PasswordResetCode.objects.create(channel=channel, requested_at=now, requested_from=ip, used_at=now)


def _send(user, channel, address, code) -> None:
    minutes = int(LIFETIME.total_seconds() // 60)
    text = f"您正在重置网络问政账号（{user.username}）的密码，验证码{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
    try:
        if channel == PasswordResetCode.Channel.SMS:
            sms.backend().send(address, text)
        else:
            send_mail("网络问政：重置密码验证码", text, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # the gateway's failure is logged; the person may ask again
        log.exception("password reset: sending the %s code for user %s failed", channel, user.pk)


def reset(*, row_id: int | None, code: str, password: str, now=None) -> User | None:
    """Set the new password if `code` is the live code of request `row_id`; returns
    the account, or None (a wrong, used, expired or exhausted code: one answer)."""
    now = now or timezone.now()
    live = PasswordResetCode.objects.filter(
        pk=row_id, used_at__isnull=True, tries__lt=MAX_TRIES, requested_at__gt=now - LIFETIME
    )
    with transaction.atomic():
        # Only the code's row is locked (the user is joined to read, not to lock).
        row = live.filter(user__isnull=False).select_for_update(of=("self",)).select_related("user").first()
        if row is None:
            return None
        if not hmac.compare_digest(row.code_hash, _hash(code.strip())):
            PasswordResetCode.objects.filter(pk=row.pk).update(tries=F("tries") + 1)
            return None
        PasswordResetCode.objects.filter(Q(pk=row.pk) | Q(user=row.user, used_at__isnull=True)).update(used_at=now)
        row.user.set_password(password)
        row.user.password_temporary = False  # chosen by its owner
        row.user.save(update_fields=["password", "password_temporary"])
        staff.revoke_tokens(row.user, at=now)  # the account may have been lost
    return row.user
