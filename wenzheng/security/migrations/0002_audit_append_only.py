from django.db import migrations

from wenzheng.eventlog import triggers


def install(apps, schema_editor):
    triggers.run(schema_editor.connection, install=True, tables=[triggers.AUDIT_TABLE])


def remove(apps, schema_editor):
    triggers.run(schema_editor.connection, install=False, tables=[triggers.AUDIT_TABLE])


class Migration(migrations.Migration):
    dependencies = [("security", "0001_audit_limits_second_factor")]
    operations = [migrations.RunPython(install, remove)]
