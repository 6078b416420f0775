"""Database triggers that make the event table (and the security audit log,
wenzheng.security) append-only.

They live in the database, not in Python, so nothing that reaches the table (the ORM,
a raw cursor, the sqlite3 shell, psql) can update or delete a row. Only DDL (which
needs the schema owner) can remove them: `suspended()` does so for test teardown only.
"""

from contextlib import contextmanager

TABLE = "eventlog_event"
AUDIT_TABLE = "security_auditrecord"
# Every append-only table, in the order their migrations create them.
TABLES = (TABLE, AUDIT_TABLE)
MESSAGE = "the event log is append-only: events cannot be updated or deleted"


def _message(table):
    return MESSAGE if table == TABLE else f"{table} is append-only: its rows cannot be updated or deleted"


def _sqlite(table, install):
    if not install:
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END""",
    ]


def _postgres(table, install):
    if not install:
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_refuse()",
        ]
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{_message(table)}' USING ERRCODE = 'integrity_constraint_violation'; END $$""",
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_refuse()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()""",
    ]


def statements(vendor: str, *, install: bool, table: str = TABLE) -> list[str]:
    if vendor == "sqlite":
        return _sqlite(table, install)
    if vendor == "postgresql":
        return _postgres(table, install)
    raise NotImplementedError(f"no append-only triggers written for {vendor}")


def run(connection, *, install: bool, tables=(TABLE,)) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            for sql in statements(connection.vendor, install=install, table=table):
                cursor.execute(sql)


@contextmanager
def suspended(connection, tables=TABLES):
    """Drop the triggers for the duration (test teardown that must empty the tables)."""
    run(connection, install=False, tables=tables)
    try:
        yield
    finally:
        run(connection, install=True, tables=tables)
