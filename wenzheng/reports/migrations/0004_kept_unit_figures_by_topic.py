"""The units' kept figures by topic (大类) too, so the statistics page filtered by a
大类 lists each unit's messages of that topic from the kept rows.

Rows kept so far count every topic under ""; where messages already carry topics
they are counted again with the live `tally.rebuild`, as 0003 did (what a message
added is read back by its topic, so the rows must be keyed by it).
"""

from django.db import migrations, models


def count_again(apps, schema_editor):
    from wenzheng.handling.models import Message
    from wenzheng.reports import tally

    if Message.objects.using(schema_editor.connection.alias).filter(topic__isnull=False).exists():
        tally.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        # The live rebuild reads the tables as the code now has them.
        ("eventlog", "0009_kind_for_category_change"),
        ("handling", "0013_stage_serial_number"),
        ("reports", "0003_kept_figures_by_topic"),
        ("topics", "0004_routing_decisions"),
        ("units", "0003_roster_versions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="unittally",
            name="unit_tally_key",
        ),
        migrations.AddField(
            model_name="unittally",
            name="major",
            field=models.CharField(blank=True, default="", max_length=2),
        ),
        migrations.AddConstraint(
            model_name="unittally",
            constraint=models.UniqueConstraint(
                fields=("region", "unit", "major", "month", "at_month"), name="unit_tally_key"
            ),
        ),
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
