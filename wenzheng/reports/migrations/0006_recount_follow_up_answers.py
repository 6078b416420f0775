"""Count again the messages whose kept figures took an answer to a follow-up (追问)
for the message's first reply: until now `tally._answers` read every reply. Only
those messages can differ, so only they are counted again, with the live
`tally.sync_many` (the kept figures must come out as the code that reads them
counts them)."""

from django.db import migrations, transaction


def recount(apps, schema_editor):
    from wenzheng.handling.models import Reply
    from wenzheng.reports import tally

    alias = schema_editor.connection.alias
    ids = sorted(set(Reply.objects.using(alias).filter(follow_up__isnull=False).values_list("message_id", flat=True)))
    for start in range(0, len(ids), 1000):
        with transaction.atomic(using=alias):
            tally.sync_many(ids[start : start + 1000])  # what is merged into them comes along


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_alter_regiontally_options_alter_unittally_options"),
        ("handling", "0020_extension_one_pending_per_stage"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
