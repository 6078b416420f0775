"""PostgreSQL: a word index of its own for each of the newest bands of message ids
(wenzheng.search.engines.PostgresEngine.latest says why). Made here while the
documents are few; on a large table (a city's: each band's index reads the whole
table, 2.5 s at a million messages, and here writes would wait for it) the background
worker makes them concurrently, while the server serves (search.work.SearchBandsWork),
and searches are exact meanwhile, through the whole word index. SQLite: nothing (FTS5
reads its matches newest first)."""

from django.db import migrations

# Above this many documents the worker makes the band indexes, not the migration.
BUILT_HERE_UP_TO = 300_000


def make(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from wenzheng.search import engines

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'search_searchdocument'::regclass")
        (estimate,) = cursor.fetchone()
    if estimate <= BUILT_HERE_UP_TO:  # -1: never analyzed, a new table
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
