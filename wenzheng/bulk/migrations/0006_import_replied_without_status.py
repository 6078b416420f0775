from django.db import migrations, models

CHOICES = [("closed", "视为已办结（按答复时间办结）"), ("open", "记为已回复，待单位办结")]


class Migration(migrations.Migration):
    dependencies = [
        ("bulk", "0005_import_job_claims"),
    ]

    operations = [
        # The jobs run before the choice existed left such rows open: they say so.
        migrations.AddField(
            model_name="importjob",
            name="replied",
            field=models.CharField(
                choices=CHOICES, default="open", max_length=10, verbose_name="已答复但无办理状态的留言"
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="replied",
            field=models.CharField(
                choices=CHOICES, default="closed", max_length=10, verbose_name="已答复但无办理状态的留言"
            ),
        ),
        migrations.AddField(
            model_name="importjob",
            name="unstated_count",
            field=models.PositiveIntegerField(default=0, verbose_name="已答复、无办理状态的行"),
        ),
    ]
