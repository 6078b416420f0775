"""Whether the database keeps what it acknowledged: checked when the server starts
and before it serves, because a post acknowledged to a citizen with a serial number
and then lost (and its number issued again) cannot be made good afterwards.

- SQLite: `synchronous` must be FULL (or EXTRA). In WAL mode NORMAL does not sync the
  log at each commit: a power cut loses the last commits. settings.SQLITE_SYNCHRONOUS
  sets it (FULL by default).
- PostgreSQL: `fsync` and `full_page_writes` on, `synchronous_commit` not off. With
  the settings of a throwaway test cluster (all three off), kill -9 of PostgreSQL
  lost 6 acknowledged posts and re-issued their serial numbers.

DURABILITY_CHECK says what to do about a database that does not keep its commits:
"refuse" (the default) answers every request with a 503 page that says why, and the
worker will not start; "warn" serves, and logs an ERROR at start and every hour. The
test suite's throwaway PostgreSQL cluster runs without durability on purpose, and
says so (scripts/with-postgres sets DURABILITY_CHECK=warn).
"""

import logging
import time

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

SQLITE_LEVELS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
POSTGRES_DURABLE = {
    "fsync": {"on"},
    "full_page_writes": {"on"},
    "synchronous_commit": {"on", "local", "remote_write", "remote_apply"},
}


def problems(conn=None) -> list[str]:
    """What makes this database lose acknowledged commits, in English for the log
    (empty when it keeps them)."""
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            level = cursor.fetchone()[0]
            if level < 2:
                return [
                    f"SQLite synchronous={SQLITE_LEVELS.get(level, level)}: the last commits are lost on a power cut "
                    "(set SQLITE_SYNCHRONOUS=FULL)"
                ]
            return []
        if conn.vendor == "postgresql":
            found = []
            for name, good in POSTGRES_DURABLE.items():
                cursor.execute(f"SHOW {name}")  # our own names, no input
                value = cursor.fetchone()[0]
                if value not in good:
                    found.append(f"PostgreSQL {name}={value}")
            if found:
                return [", ".join(found) + ": commits acknowledged to users can be lost when the server stops"]
            return []
    return []


class State:
    """The check's result in this process, made once (the database's settings need
    a restart to change) and logged again at most once an hour under "warn"."""

    checked: list[str] | None = None
    logged_at: float | None = None  # time.monotonic(), which counts from the machine's boot


def check(*, force=False) -> list[str]:
    if State.checked is None or force:
        State.checked = problems()
        State.logged_at = None
    # Never logged yet, or an hour ago. (Not "since 0.0": a server started within an
    # hour of the machine's boot, as systemd starts it, would never have said it.)
    if State.checked and (State.logged_at is None or time.monotonic() - State.logged_at > 3600):
        State.logged_at = time.monotonic()
        action = "REFUSING TO SERVE" if refusing() else "serving anyway (DURABILITY_CHECK=warn)"
        log.error("DATABASE DURABILITY IS OFF: %s; %s", "; ".join(State.checked), action)
    return State.checked


def refusing() -> bool:
    return settings.DURABILITY_CHECK == "refuse"


def check_at_start() -> None:
    """From wsgi.py, as gunicorn loads the app: say it in the log at once. A database
    that cannot be reached yet is checked at the first request instead."""
    try:
        check()
    except Exception as e:
        log.warning("could not check the database's durability at start (%s); checking at the first request", e)
        State.checked = None
    finally:
        # gunicorn forks its workers after this: none may inherit the connection.
        connection.close()


def guard(get_response):
    """Middleware: under "refuse", a 503 page (and /health/ answers 503) while the
    database does not keep its commits."""
    from django.shortcuts import render

    def middleware(request):
        try:
            problems_found = check()
        except Exception as e:
            log.warning("could not check the database's durability (%s)", e)
            State.checked = None
            return get_response(request)
        if problems_found and refusing():
            problem = (
                "服务器的数据库未开启可靠写入（断电或故障时会丢失已受理的留言），"
                "为保护网民的留言，暂停服务。请系统管理员检查数据库设置。"
            )
            return render(request, "503.html", {"problem": problem}, status=503)
        return get_response(request)

    return middleware
