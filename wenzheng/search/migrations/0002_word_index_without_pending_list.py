from django.db import migrations

AUDIENCES = ("public", "masked", "staff")


def fastupdate_off(apps, schema_editor):
    """PostgreSQL: the GIN word indexes without a pending list (wenzheng.search.engines
    .gin_create_sql): a search reads the index alone, not also an unsorted list of the
    latest writes. SQLite's FTS5 tables are unchanged."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for audience in AUDIENCES:
            cursor.execute(f"ALTER INDEX IF EXISTS search_grams_{audience} SET (fastupdate = off)")


def fastupdate_on(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for audience in AUDIENCES:
            cursor.execute(f"ALTER INDEX IF EXISTS search_grams_{audience} SET (fastupdate = on)")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_documents")]

    operations = [migrations.RunPython(fastupdate_off, fastupdate_on)]
