"""Reads from a PostgreSQL streaming replica, where one is configured
(DATABASE_REPLICA_URL), and everything else from the primary.

What goes to the replica: the reads of a request for a public page, the public API
and Open311, the statistics, the evaluation's pages and the exports (READ_PATHS), by
GET, from someone who has not written anything in the last REPLICA_PIN_SECONDS (a
cookie set by their last POST: a citizen who just posted reads their message from
the primary); and the reads of code that asks for it (`reads_from_replica()`, e.g.
an export command). What stays on the primary: every write, every read inside a
transaction (an action's reads under its row locks), the sessions, the cache (whose
change tokens must be current) and the login throttle.

While the replica does not answer, reads go to the primary: it is checked at most
every CHECK_SECONDS, and a failed check keeps it out for as long.
"""

import contextlib
import contextvars
import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)

REPLICA = "replica"
CHECK_SECONDS = 5
PIN_COOKIE = "wz_primary"
READ_PATHS = (
    "/messages/",
    "/exposures/",
    "/statistics/",
    "/evaluation/",
    "/api/v1/messages",
    "/api/v1/statistics",
    "/api/v1/units",
    "/api/v1/regions",
    "/api/v1/categories",
    "/open311/v2/",
    "/bulk/export/",
    "/units/search/",
)
# Apps whose rows are read back at once by the one who wrote them.
PRIMARY_APPS = {"sessions", "django_cache", "axes"}

_reading = contextvars.ContextVar("reads_from_replica", default=False)
_health = {"until": 0.0, "up": False}


def configured() -> bool:
    return REPLICA in settings.DATABASES


def available() -> bool:
    """Whether the replica answers (looked at most every CHECK_SECONDS)."""
    now = time.monotonic()
    if now < _health["until"]:
        return _health["up"]
    connection = connections[REPLICA]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        up = True
    except Exception as e:  # any failure: the primary serves instead
        if _health["up"] or not _health["until"]:
            log.warning("replica unavailable, reading from the primary: %s", e)
        with contextlib.suppress(Exception):
            connection.close()
        up = False
    _health.update(until=now + CHECK_SECONDS, up=up)
    return up


@contextlib.contextmanager
def reads_from_replica():
    token = _reading.set(configured())
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _reading.get() or model._meta.app_label in PRIMARY_APPS:
            return None
        if connections["default"].in_atomic_block:
            return None  # inside a step's transaction: read what it wrote
        return REPLICA if available() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


class ReplicaMiddleware:
    """Reads of a replica-worthy GET from the replica; a visitor's write pins their
    next REPLICA_PIN_SECONDS of reads to the primary. A request whose replica read
    fails (the replica stopped since it was last checked) is served again from the
    primary, and the replica is left out until the next check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and PIN_COOKIE not in request.COOKIES
            and (request.path == "/" or request.path.startswith(READ_PATHS))
        ):
            with reads_from_replica():
                return self.get_response(request)
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True, samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response

    def process_view(self, request, view, args, kwargs):
        request.replica_view = (view, args, kwargs)

    def process_exception(self, request, exception):
        if not (_reading.get() and isinstance(exception, (OperationalError, InterfaceError))):
            return None
        if getattr(request, "replica_view", None) is None:
            return None
        log.warning("replica read failed, serving from the primary: %s", exception)
        _health.update(until=time.monotonic() + CHECK_SECONDS, up=False)
        with contextlib.suppress(Exception):
            connections[REPLICA].close()
        view, args, kwargs = request.replica_view
        token = _reading.set(False)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading.reset(token)
