"""On PostgreSQL each document's grams hold every character of its texts beside the
bigrams (engines.token_set), so that a single character typed beside a word ("学校 栏")
is asked of the word index instead of checked on the texts of the word's matches.
Documents written before hold only the last character of each run: where there are
any, a PendingUpgrade says so, and searches check single characters on the texts
until `manage.py rebuild_search_index` has written every document again. SQLite's
index is not changed (it checks single characters on the texts)."""

from django.db import migrations


def mark_pending(apps, schema_editor):
    db = schema_editor.connection.alias
    SearchDocument = apps.get_model("search", "SearchDocument")
    PendingUpgrade = apps.get_model("search", "PendingUpgrade")
    if schema_editor.connection.vendor == "postgresql" and SearchDocument.objects.using(db).exists():
        PendingUpgrade.objects.using(db).get_or_create(name="characters")
        # What the operator must do next, said where they look.
        print(
            "\n  search: the documents written before this version lack their single characters: run "
            "`manage.py rebuild_search_index` (a search of a word and a single character is slower until then)."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0009_scope_tokens"),
    ]

    operations = [
        migrations.RunPython(mark_pending, migrations.RunPython.noop),
    ]
