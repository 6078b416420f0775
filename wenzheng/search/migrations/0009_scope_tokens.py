"""Each document carries its message's county and unit as tokens (SearchDocument
.scope, and in `grams` on PostgreSQL), so that a search of one county's board or one
unit's inbox asks the word index for them (engines.scope_tokens). Documents written
before have none: where there are any, a PendingUpgrade says so, and searches go
without the scope tokens until `manage.py rebuild_search_index` has written every
document again. Adding the column rewrites no row (a constant default)."""

from django.db import migrations, models


def mark_pending(apps, schema_editor):
    SearchDocument = apps.get_model("search", "SearchDocument")
    PendingUpgrade = apps.get_model("search", "PendingUpgrade")
    if SearchDocument.objects.using(schema_editor.connection.alias).exists():
        PendingUpgrade.objects.using(schema_editor.connection.alias).get_or_create(name="scope")
        # What the operator must do next, said where they look.
        print(
            "\n  search: the documents written before this version lack their county and unit: run "
            "`manage.py rebuild_search_index` (on PostgreSQL a search of one county or unit is slower until then)."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_serial_reads"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingUpgrade",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, unique=True)),
            ],
            options={
                "verbose_name": "待完成的检索索引升级",
                "verbose_name_plural": "待完成的检索索引升级",
            },
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="scope",
            field=models.CharField(blank=True, db_default="", default="", editable=False, max_length=60),
        ),
        migrations.RunPython(mark_pending, migrations.RunPython.noop),
    ]
