"""The background worker's search work: the documents of a county's messages
refreshed after its published contacts changed (wenzheng.search.contacts), every
document derived again after an upgrade that derives them otherwise (wenzheng.search
.derivation), and on PostgreSQL the word indexes of the newest bands of messages
(engines.maintain_bands)."""

import time

from django.db import connection

from wenzheng.ops.worker import Work, register

from . import contacts, derivation, engines, index
from .documents import DERIVATION


@register
class ContactRefreshWork(Work):
    name = contacts.WORK

    def claim(self):
        return contacts.claim()

    def run(self, refresh) -> str:
        rewritten = contacts.run(refresh)
        return (
            f"search: region {refresh.region_id}'s documents after a published contact was "
            f"{refresh.change}: {rewritten} rewritten"
        )

    def retry_row(self, row_id) -> None:
        # The message's documents derived with the county's list as it is now.
        index.update([row_id])


@register
class DerivationWork(Work):
    """A batch of messages' documents derived again by this version, while the index
    holds documents another version derived (one item a batch: a pass goes on until
    every message is done)."""

    name = derivation.WORK

    def claim(self):
        return True if derivation.claim() else None

    def run(self, item) -> str:
        done = derivation.derive_batch()
        if done is None:
            return f"search: every document derived by version {DERIVATION}"
        read, written = done
        return f"search: {read} messages' documents derived again by version {DERIVATION}, {written} rewritten"

    def retry_row(self, row_id) -> None:
        index.update([row_id])


# How often each worker process looks whether the band indexes need a change (a new
# band begins every engines.BAND messages: weeks apart in a city).
BANDS_CHECK_SECONDS = 60
_bands_checked = {"at": None}


@register
class SearchBandsWork(Work):
    """PostgreSQL: the word indexes of the newest bands of message ids made ahead of
    their first message, and those of older bands dropped (engines.maintain_bands)."""

    name = "search-bands"

    def claim(self):
        if connection.vendor != "postgresql":
            return None
        now = time.monotonic()
        if _bands_checked["at"] is not None and now - _bands_checked["at"] < BANDS_CHECK_SECONDS:
            return None
        _bands_checked["at"] = now
        make, drop = engines.band_changes()
        # Two workers may both see the change: IF (NOT) EXISTS makes the second harmless.
        return (make, drop) if make or drop else None

    def run(self, item) -> str:
        started = time.monotonic()
        made, dropped = engines.maintain_bands(concurrently=True)
        return f"search: band indexes, {made} made and {dropped} dropped in {time.monotonic() - started:.1f} s"
