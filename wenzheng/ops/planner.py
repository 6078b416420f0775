"""SQLite's query planner statistics (sqlite_stat1), kept current.

SQLite chooses between indexes by what ANALYZE last measured. Without it (a database
nobody ever analyzed, or a table a migration remade, which drops its statistics) it
guesses that every index narrows to a few rows, and at a city's scale the guesses are
wrong where it matters: the newest published messages of a city are read through the
category or state index and sorted (3–4 s for 20 rows at 1,000,000 messages) instead
of in the order of message_published_recent (a few ms). Sampled statistics
(`PRAGMA analysis_limit`) are no better: they say a category holds 1,000 messages
where it holds 330,000. So this module runs a full ANALYZE (4.6 s on the
3.3 GB bench city; readers go on meanwhile under WAL) after a migration and whenever
the messages table has grown or shrunk by a quarter since it was last measured; the
background worker asks (`PlannerStatisticsWork`, wenzheng/ops/work.py).

PostgreSQL keeps its own statistics (autovacuum's ANALYZE): nothing to do there.
"""

from django.db import DEFAULT_DB_ALIAS, connections

# Below this many messages every plan is fast enough: no ANALYZE is worth its time.
MINIMUM_ROWS = 10_000
# Measured again once the table differs from its statistics by this fraction.
DRIFT = 0.25
TABLE = "handling_message"


def _sqlite(using):
    connection = connections[using]
    return connection if connection.vendor == "sqlite" else None


def measured_rows(using=DEFAULT_DB_ALIAS) -> int | None:
    """The messages table's row count as ANALYZE last measured it (None: never): the
    largest of its indexes' counts, a partial index (message_published_*) counting
    only its own rows."""
    connection = _sqlite(using)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
        counts = [int(stat.split()[0]) for (stat,) in cursor.fetchall()]
    return max(counts) if counts else None


def size(using=DEFAULT_DB_ALIAS) -> int:
    """MAX(id), the messages table's size as `stale` reads it (0 when empty)."""
    with connections[using].cursor() as cursor:
        cursor.execute('SELECT MAX("id") FROM "handling_message"')
        return cursor.fetchone()[0] or 0


def stale(using=DEFAULT_DB_ALIAS) -> bool:
    """Whether the statistics are missing or a quarter off, on a table big enough to
    matter. Cheap: MAX(id) stands for the row count (messages are not deleted)."""
    connection = _sqlite(using)
    if connection is None or TABLE not in connection.introspection.table_names():
        return False
    rows = size(using)
    if rows < MINIMUM_ROWS:
        return False
    measured = measured_rows(using)
    return measured is None or abs(rows - measured) > DRIFT * measured


def analyze(using=DEFAULT_DB_ALIAS) -> bool:
    """Measure every table and index again (SQLite only); whether it ran."""
    connection = _sqlite(using)
    if connection is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        forget_word_index_statistics(cursor)
    return True


def forget_word_index_statistics(cursor) -> None:
    """Drop what ANALYZE measured of the search index's FTS5 tables (their shadow
    tables, `search_fts_*`). FTS5 reads them through its own statements, planned by
    these statistics; measured while they were small (a new county's first ANALYZE,
    after migrate, measures them empty), they made each insert into a growing index
    read its tables through instead of by key: rebuilding 100,000 messages took 103 s
    instead of 34 s, and a million never finished. Without statistics SQLite plans
    those statements by their keys, as FTS5 means them."""
    cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl GLOB 'search_fts_*'")
    # Statements planned from now on read the statistics again; a connection's
    # already prepared ones may not (a rebuild starts on a new connection for that).
    cursor.execute("ANALYZE sqlite_schema")


def after_migrate(sender, *, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """post_migrate: a migration that remade a table dropped its statistics."""
    if plan and stale(using):
        analyze(using)
