"""API tokens: a person's key for the JSON API and for posting to Open311.

A token acts as its user, with the user's role and unit, so every read goes through
`visible_to` and every step through the actions' own checks. Only a SHA-256 of the
token is stored: the token is 32 random bytes, so a fast hash is enough (a slow one
protects guessable passwords, not random keys). The short prefix is stored in the
clear so the owner can tell their tokens apart and so a lookup needs no scan.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

PREFIX_LENGTH = 8
# Writing "last used" on every request would turn every read into a write; once a
# minute is precise enough to tell a live token from a forgotten one.
LAST_USED_PRECISION = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self, at=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now())


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=60, help_text="如“市12345平台对接”，便于日后辨认和吊销。")
    prefix = models.CharField("前缀", max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    # settings.API_TOKEN_DAYS after its creation.
    expires_at = models.DateTimeField("有效期至")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="api_token_prefix_length", condition=Q(prefix__regex=r"^[a-z0-9]{8}$"))
        ]

    def __str__(self):
        return f"{self.prefix}… {self.name}"

    @classmethod
    def issue(cls, *, user, name: str, at=None) -> tuple["ApiToken", str]:
        """A new token for `user`. The token itself is returned once and never stored."""
        while True:
            prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(PREFIX_LENGTH))
            if not cls.objects.filter(prefix=prefix).exists():
                break
        token = f"wz_{prefix}_{secrets.token_urlsafe(32)}"
        at = at or timezone.now()
        row = cls.objects.create(
            user=user, name=name.strip()[:60], prefix=prefix, digest=_digest(token), created_at=at,
            expires_at=at + dt.timedelta(days=settings.API_TOKEN_DAYS),
        )  # fmt: skip
        return row, token

    @classmethod
    def find(cls, token: str) -> "ApiToken | None":
        """The token row for a presented token, revoked or not (None if unknown)."""
        parts = (token or "").strip().split("_", 2)
        if len(parts) != 3 or parts[0] != "wz" or len(parts[1]) != PREFIX_LENGTH:
            return None
        row = cls.objects.select_related("user").filter(prefix=parts[1]).first()
        if row is None or not secrets.compare_digest(row.digest, _digest(token.strip())):
            return None
        return row

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def touch(self, at=None):
        """Record use, at most once a minute; a conditional update, so concurrent
        requests never race on the row."""
        at = at or timezone.now()
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=at - dt.timedelta(seconds=LAST_USED_PRECISION))
        ApiToken.objects.filter(stale, pk=self.pk).update(last_used_at=at)

    def revoke(self, at=None) -> bool:
        """Revoke; False if it was already revoked."""
        return bool(
            ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=at or timezone.now())
        )
