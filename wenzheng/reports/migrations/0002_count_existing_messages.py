"""Count the messages a database already holds into the kept figures, once.

It calls the live `tally.rebuild` rather than a copy of it: the kept figures must
come out as the code that reads them counts them. On a new database there is
nothing to count.
"""

from django.db import migrations


def count(apps, schema_editor):
    from wenzheng.handling.models import Message
    from wenzheng.reports import tally

    if Message.objects.using(schema_editor.connection.alias).exists():
        tally.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_kept_figures"),
        ("eventlog", "0006_all_kinds_after_merging_issues_9_10_11"),
    ]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
