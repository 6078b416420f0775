"""SQLite: the FTS5 word index without its one-character prefix index, refilled from
the stored documents (wenzheng.search.engines.fts_create_sql says why). PostgreSQL's
GIN indexes are unchanged."""

from django.db import migrations

AUDIENCES = ("public", "masked", "staff")
BATCH = 2000


def create(audience, prefix):
    return (
        f"CREATE VIRTUAL TABLE search_fts_{audience} USING fts5("
        f"title, body, answers, extra, content=''{prefix}, tokenize='unicode61 remove_diacritics 0')"
    )


def recreate(prefix):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        from wenzheng.search.text import token_text

        SearchDocument = apps.get_model("search", "SearchDocument")
        with schema_editor.connection.cursor() as cursor:
            for audience in AUDIENCES:
                table = f"search_fts_{audience}"
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(create(audience, prefix))
                docs = SearchDocument.objects.filter(audience=audience).order_by("pk")
                last = 0
                while True:
                    rows = list(
                        docs.filter(pk__gt=last).values_list("pk", "message_id", "title", "body", "answers", "extra")[
                            :BATCH
                        ]
                    )
                    if not rows:
                        break
                    cursor.executemany(
                        f"INSERT INTO {table} (rowid, title, body, answers, extra) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                        [[message, *(token_text(part) for part in parts)] for _, message, *parts in rows],
                    )
                    last = rows[-1][0]
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608 (our names)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_word_index_without_pending_list")]

    operations = [migrations.RunPython(recreate(""), recreate(", prefix='1'"))]
