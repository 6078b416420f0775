"""TOTP (RFC 6238): the optional second factor of office and admin accounts, with
any authenticator app (a phone's clock and a shared secret; no network)."""

import base64
import time

import pyotp
import segno
from django.utils import timezone

from wenzheng.accounts.models import Role

from .models import SecondFactor

# Who may turn it on: the accounts that can see a county's personal data or change
# what every county shares.
ROLES = (Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)
ISSUER = "网络问政"


def offered_to(user) -> bool:
    return user.is_authenticated and (user.role in ROLES or user.is_superuser)


def active(user) -> SecondFactor | None:
    if not getattr(user, "pk", None):
        return None
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def start(user) -> SecondFactor:
    """A new secret waiting for its first code (any earlier unconfirmed one replaced)."""
    SecondFactor.objects.filter(user=user, confirmed_at__isnull=True).delete()
    return SecondFactor.objects.create(user=user, secret=pyotp.random_base32())


def uri(factor: SecondFactor) -> str:
    return pyotp.TOTP(factor.secret).provisioning_uri(name=factor.user.get_username(), issuer_name=ISSUER)


def qr_data_uri(factor: SecondFactor) -> str:
    """The secret as a QR code, an SVG in a data: URI (the pages' CSP allows data:
    images, and nothing is fetched from elsewhere)."""
    svg = segno.make(uri(factor), error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def verify(factor: SecondFactor, code: str, *, now=None) -> bool:
    """The code of this 30-second step or the one before or after (a phone's clock a
    little off), never one accepted before: the step used is kept."""
    code = "".join(ch for ch in (code or "") if ch.isdigit() and ch.isascii())
    if len(code) != 6:
        return False
    now = now or time.time()
    totp = pyotp.TOTP(factor.secret)
    for offset in (0, -1, 1):
        step = int(now // totp.interval) + offset
        if step > factor.last_step and totp.verify(code, for_time=step * totp.interval):
            # A conditional update: two requests with the same code, one succeeds.
            updated = SecondFactor.objects.filter(pk=factor.pk, last_step__lt=step).update(last_step=step)
            if updated:
                factor.last_step = step
                return True
    return False


def confirm(factor: SecondFactor) -> None:
    factor.confirmed_at = timezone.now()
    factor.save(update_fields=["confirmed_at"])
