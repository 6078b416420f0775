"""PostgreSQL: a word index of its own for each of the newest bands of message ids
(wenzheng.search.engines.PostgresEngine.latest says why). Made here for the messages
there are; the background worker keeps them in step as messages come
(search.work.SearchBandsWork). SQLite: nothing (FTS5 reads its matches newest first)."""

from django.db import migrations


def make(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from wenzheng.search import engines

    engines.maintain_bands(concurrently=False)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from wenzheng.search import engines

    with schema_editor.connection.cursor() as cursor:
        for name in engines.band_indexes():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_index_overflowing_documents"),
    ]

    operations = [migrations.RunPython(make, drop)]
