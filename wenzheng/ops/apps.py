from django.apps import AppConfig
from django.core import checks


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
        checks.register(skipped_rows, checks.Tags.database, deploy=True)
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="wenzheng.ops.planner")


def skipped_rows(app_configs, databases=None, **kwargs):
    """Rows the worker skipped (ops.batches) and nobody has done again: a stage whose
    deadline was not counted again, a message a search may not find."""
    from django.db import DatabaseError

    from .batches import waiting

    try:
        rows = list(waiting().values_list("pk", "work", "row_id")[:20])
    except DatabaseError:  # not migrated yet
        return []
    if not rows:
        return []
    listed = ", ".join(f"{pk} ({work} row {row})" for pk, work, row in rows)
    return [
        checks.Warning(
            f"The background worker skipped rows that killed it: {listed}.",
            hint="Find the cause in the worker's log (`journalctl -u wenzheng-worker`, 'skipped'), mend it, then "
            "`manage.py retry_skipped --all`; the admin lists them (后台任务跳过的记录).",
            id="ops.W001",
        )
    ]
