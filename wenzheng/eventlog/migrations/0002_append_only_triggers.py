from django.db import migrations

from wenzheng.eventlog import triggers


def install(apps, schema_editor):
    triggers.run(schema_editor.connection, install=True)


def remove(apps, schema_editor):
    triggers.run(schema_editor.connection, install=False)


class Migration(migrations.Migration):
    dependencies = [("eventlog", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
