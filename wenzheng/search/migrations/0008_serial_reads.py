"""PostgreSQL: search_in_order(), a function that does nothing but is declared
PARALLEL UNSAFE. A statement that calls it is never run in parallel (PostgreSQL
15 manual, 15.4, "Parallel Safety"): the latest matches are read through a UNION ALL of
ranges of message ids, newest first, under a LIMIT (wenzheng.search.engines
.DocumentsFirst), which holds the newest documents only if the ranges are read one
after another, in the order written, as a plan without parallel workers reads them.
PL/pgSQL, so that the planner cannot inline it away. SQLite: nothing."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION search_in_order() RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL UNSAFE AS $$ BEGIN RETURN true; END $$
"""


def make(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS search_in_order()")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_band_word_indexes"),
    ]

    operations = [migrations.RunPython(make, drop)]
