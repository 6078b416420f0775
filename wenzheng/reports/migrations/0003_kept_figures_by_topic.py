"""The kept figures by topic (大类) too, so the statistics page's topic table reads
them instead of counting a quarter's messages (5–6 s for a city at 1,000,000).

Rows kept so far have no topic (""); where messages already carry topics they are
counted again with the live `tally.rebuild`, as 0002 did.
"""

from django.db import migrations, models


def count_again(apps, schema_editor):
    from wenzheng.handling.models import Message
    from wenzheng.reports import tally

    if Message.objects.using(schema_editor.connection.alias).filter(topic__isnull=False).exists():
        tally.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0010_chinese_field_names"),
        ("topics", "0003_routing_suggestions"),
        ("reports", "0002_count_existing_messages"),
        ("units", "0003_roster_versions"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="regiontally",
            name="region_tally_key",
        ),
        migrations.AddField(
            model_name="messagetally",
            name="major",
            field=models.CharField(blank=True, default="", max_length=2),
        ),
        migrations.AddField(
            model_name="regiontally",
            name="major",
            field=models.CharField(blank=True, default="", max_length=2),
        ),
        migrations.AddConstraint(
            model_name="regiontally",
            constraint=models.UniqueConstraint(
                fields=("region", "category", "major", "month", "at_month"), name="region_tally_key"
            ),
        ),
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
