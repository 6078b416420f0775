from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the system on a server: the background worker, backups, request ids,
    the health check."""

    name = "wenzheng.ops"
    verbose_name = "运行维护"

    def ready(self):
        from django.db.models.signals import post_migrate

        from wenzheng.lib import formids

        from .planner import after_migrate

        formids.install()
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="wenzheng.ops.planner")
