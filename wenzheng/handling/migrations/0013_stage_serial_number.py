"""Each stage carries its message's serial as one number (year × 1,000,000 + number),
so that the reminder pass reads the open stages alone (issue 11)."""

from django.db import migrations, models

BACKFILL = """
UPDATE handling_stage SET serial_number = (
    SELECT m.year * 1000000 + m.number FROM handling_message m WHERE m.id = handling_stage.message_id
)
"""


class Migration(migrations.Migration):
    dependencies = [("handling", "0012_merged_state")]

    operations = [
        migrations.AddField(
            model_name="stage",
            name="serial_number",
            field=models.BigIntegerField(default=0, editable=False, verbose_name="留言编号（数值）"),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
    ]
