"""Security: the audit log of security events, the counters of the rate limits, and
the second factor (TOTP) of office and admin accounts.

The audit log has the event log's guarantees (wenzheng.eventlog): append-only in the
database itself (triggers refuse UPDATE, DELETE and TRUNCATE on SQLite and
PostgreSQL), and chained, each record an HMAC with the event log's key of itself and
the record before, so that whoever can write the database but lacks the key cannot
remove or rewrite a record unseen (`manage.py verify_events` checks it too). It is a
chain of its own, apart from the messages' events: a failed login is not a step in
any message's life, and the county office must not read one county's logins in
another's chain. Records are never deleted, so they are kept well past the 181 days
等保 2.0 asks for.
"""

import contextlib

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from wenzheng.eventlog.hashing import GENESIS_HASH


class AuditRecord(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED_OUT = "locked_out", "账号锁定"
        LOGOUT = "logout", "退出登录"
        SESSION_EXPIRED = "session_expired", "长时间未操作，自动退出"
        PASSWORD_CHANGED = "password_changed", "修改密码"
        TOTP_ENABLED = "totp_enabled", "启用动态口令"
        TOTP_DISABLED = "totp_disabled", "停用动态口令"
        TOTP_FAILED = "totp_failed", "动态口令错误"
        RATE_LIMITED = "rate_limited", "操作过于频繁，被限制"
        STAFF_ADDED = "staff_added", "新增工作人员账号"
        STAFF_CHANGED = "staff_changed", "调整工作人员账号"
        PASSWORD_RESET = "password_reset", "重置工作人员密码"
        ADMIN_ADDED = "admin_added", "后台新增"
        ADMIN_CHANGED = "admin_changed", "后台修改"
        ADMIN_DELETED = "admin_deleted", "后台删除"
        TOKEN_ISSUED = "token_issued", "创建接口令牌"
        TOKEN_REVOKED = "token_revoked", "吊销接口令牌"
        SPAM_MARKED = "spam_marked", "标记垃圾留言"
        SPAM_UNMARKED = "spam_unmarked", "撤销垃圾留言标记"
        PASSCODE_REISSUED = "passcode_reissued", "重发留言查询密码"

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # As typed at the login form (an unknown name too), cut to the column's length.
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    # Whose office reads it: the county (or city) of the account or of the message.
    region = models.ForeignKey(
        "units.Region", verbose_name="区域", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.JSONField("详情", default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"
        ordering = ["-seq"]
        indexes = [
            # The county office's page: its region's records, newest first.
            models.Index(fields=["region", "-seq"], name="audit_region_seq"),
            # One account's history (the admin's search, the lockout alert).
            models.Index(fields=["user", "-seq"], name="audit_user_seq"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.get_kind_display()} {self.username}"

    # What each key of `detail` is called on the office's page (the chain keeps the
    # keys as written).
    DETAIL_LABELS = {
        "account": "账号",
        "unit": "单位",
        "role": "角色",
        "active": "状态",
        "password": "密码",
        "token": "令牌",
        "limit": "限制",
        "idle_seconds": "闲置",
        "model": "对象",
        "object": "编号",
        "name": "名称",
        "change": "变更",
        "message": "留言",
        "reason": "理由",
    }

    def detail_lines(self) -> list[tuple[str, str]]:
        """`detail` as the office reads it: each key and value in Chinese."""
        from django.apps import apps

        from wenzheng.accounts.models import Role

        from .limits import LABELS as LIMITS

        lines = []
        for key, value in (self.detail or {}).items():
            if key == "role" and value in Role.values:
                value = Role(value).label
            elif key == "active" and isinstance(value, bool):
                value = "在岗" if value else "停用"
            elif key == "password" and value == "reset":  # records before PASSWORD_RESET
                value = "已重置"
            elif key == "limit":
                value = LIMITS.get(value, value)
            elif key == "idle_seconds" and isinstance(value, int):
                value = f"{value // 60}分钟"
            elif key == "model" and value:
                with contextlib.suppress(LookupError, ValueError):  # a model since removed
                    value = str(apps.get_model(value)._meta.verbose_name)
            lines.append((self.DETAIL_LABELS.get(key, key), "—" if value in ("", None) else str(value)))
        return lines


class AuditHead(models.Model):
    """The last link of the audit chain: one row, locked by every append."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    key_id = models.CharField("密钥标识", max_length=16)

    class Meta:
        verbose_name = "安全审计链"
        verbose_name_plural = "安全审计链"

    def __str__(self):
        return f"#{self.last_seq}"


class RateCounter(models.Model):
    """How many times one key (a limit and a client: "post:203.0.113.9") acted in one
    fixed window. Incremented with a conditional UPDATE (count = count + 1), so the
    gunicorn workers and servers sharing the database count together and exactly;
    the worker removes windows past."""

    key = models.CharField(max_length=120)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "频率限制计数"
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="rate_counter_once")]
        indexes = [
            # Pruning the windows past.
            models.Index(fields=["window"], name="rate_counter_window"),
        ]

    def __str__(self):
        return f"{self.key}@{self.window:%H:%M}: {self.count}"


class SecondFactor(models.Model):
    """An account's TOTP secret (RFC 6238, any authenticator app), optional for the
    offices and the administrator. `last_step` is the last time step accepted: a code
    seen once is never accepted again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor", verbose_name="账号"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "动态口令"
        verbose_name_plural = "动态口令"

    def __str__(self):
        return f"{self.user} ({'已启用' if self.confirmed_at else '待确认'})"
