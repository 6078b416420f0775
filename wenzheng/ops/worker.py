"""The background worker (`manage.py work`): one loop over every kind of due work.

Each app says what background work it has in its `work.py`, with a `Work` subclass
registered here (import jobs, deadline recounts after a calendar change, and later
reminders and notifications). A pass asks every kind for its next due item until none
has any. Items are claimed with a conditional update (`ops.queue.claim`), so two
workers never run the same item; a running item keeps a heartbeat, so an item whose
worker was killed is claimed again once the heartbeat is older than WORK_STALE_AFTER.
"""

import logging
import os
import socket

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)


class Work:
    """One kind of background work, with its queue in the database."""

    #: A short English name for logs and `manage.py work --only`.
    name = ""

    def claim(self):
        """Take the next due item (None when nothing is due). Must be a conditional
        update that only one worker can win."""
        raise NotImplementedError

    def run(self, item) -> str:
        """Do the item to the end and record its outcome; returns a line for the log.
        An exception is logged by the worker, which goes on with the next item."""
        raise NotImplementedError

    def retry_row(self, row_id) -> None:
        """Work that walks rows in batches (ops.batches): do the part of a row it
        skipped again (`manage.py retry_skipped`)."""
        raise NotImplementedError


_registry: dict[str, Work] = {}


def register(cls: type[Work]) -> type[Work]:
    """Class decorator: `@register class ImportWork(Work): ...`."""
    _registry[cls.name] = cls()
    return cls


def kinds() -> list[Work]:
    autodiscover_modules("work")
    return list(_registry.values())


def run_pass(*, only=(), stopping=lambda: False) -> int:
    """Run due items of every kind (or of the kinds named in `only`) until none is
    due, or until `stopping()` says to stop; returns how many items were run."""
    done = 0
    chosen = [w for w in kinds() if not only or w.name in only]
    while not stopping():
        ran = 0
        for work in list(chosen):
            if stopping():
                break
            item = work.claim()
            if item is None:
                continue
            ran += 1
            try:
                log.info("%s: %s", work.name, work.run(item))
            except Exception:
                log.exception("%s: item %s failed", work.name, getattr(item, "pk", item))
                # A kind whose item failed may offer the same item again at once (its
                # claim is not consumed by a failure): it waits for the next pass.
                chosen.remove(work)
        done += ran
        if not ran:
            break
    return done


def beat() -> None:
    """Record that a worker is alive, for the pages that wait on it."""
    from .models import WorkerBeat

    WorkerBeat.objects.update_or_create(
        pk=1, defaults={"seen_at": timezone.now(), "host": socket.gethostname()[:100], "pid": os.getpid()}
    )
