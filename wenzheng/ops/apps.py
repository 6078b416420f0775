from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the system on a server: the background worker, backups, request ids,
    the health check."""

    name = "wenzheng.ops"
    verbose_name = "运行维护"
