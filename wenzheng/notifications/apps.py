from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "wenzheng.notifications"
    verbose_name = "通知与提醒"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)
