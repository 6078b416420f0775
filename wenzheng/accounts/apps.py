from django.apps import AppConfig, apps

# django-axes (login throttling) ships no Chinese: its admin section, models and columns
# are named here, so that the admin is Chinese throughout.
AXES_NAMES = {
    "AccessAttempt": ("登录尝试", {
        "user_agent": "浏览器", "ip_address": "IP地址", "username": "用户名", "http_accept": "HTTP Accept",
        "path_info": "路径", "attempt_time": "尝试时间", "get_data": "GET数据", "post_data": "POST数据",
        "failures_since_start": "失败次数",
    }),
    "AccessFailureLog": ("登录失败记录", {
        "user_agent": "浏览器", "ip_address": "IP地址", "username": "用户名", "http_accept": "HTTP Accept",
        "path_info": "路径", "attempt_time": "尝试时间", "locked_out": "已锁定",
    }),
    "AccessLog": ("登录记录", {
        "user_agent": "浏览器", "ip_address": "IP地址", "username": "用户名", "http_accept": "HTTP Accept",
        "path_info": "路径", "attempt_time": "登录时间", "logout_time": "退出时间", "session_hash": "会话摘要",
    }),
    "AccessAttemptExpiration": ("登录尝试有效期", {"access_attempt": "登录尝试", "expires_at": "到期时间"}),
}  # fmt: skip


class AccountsConfig(AppConfig):
    name = "wenzheng.accounts"
    verbose_name = "账号"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .groups import refresh_office_group

        post_migrate.connect(refresh_office_group, sender=self)
        if not apps.is_installed("axes"):
            return
        from axes import admin as axes_admin

        axes_admin.IsLockedOutFilter.title = "锁定状态"
        axes_admin.AccessAttemptAdmin.status = _attempt_status
        axes_admin.AccessAttemptAdmin.expiration = _attempt_expiration
        config = apps.get_app_config("axes")
        config.verbose_name = "登录限制"
        for model in config.get_models():
            name, fields = AXES_NAMES.get(model.__name__, (None, {}))
            if name:
                model._meta.verbose_name = model._meta.verbose_name_plural = name
            for field in model._meta.get_fields():
                if field.name in fields:
                    field.verbose_name = fields[field.name]


def _attempt_status(admin, attempt):
    """django-axes's column, said in Chinese ("3 Attempt Remaining", "Locked Out")."""
    from axes import admin as axes_admin

    left = axes_admin.settings.AXES_FAILURE_LIMIT - attempt.failures_since_start
    return f"还可尝试{left}次" if left > 0 else "已锁定"


_attempt_status.short_description = "状态"


def _attempt_expiration(admin, attempt):
    return attempt.expiration.expires_at if hasattr(attempt, "expiration") else "未设定"


_attempt_expiration.short_description = "到期时间"
