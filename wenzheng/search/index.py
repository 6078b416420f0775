"""Keeping the index in step with the messages, inside the writer's transaction.

Every step on a message (wenzheng.handling.actions, wenzheng.privacy.actions) ends by
writing its event; `handling.actions._event` then calls `update` for the message
when the step may have changed what its documents hold (a text, the state, the
consent or a review), so the index changes in the same transaction as the text, the
state or the review it follows: a step that fails leaves both as they were, and a
search never sees a message as it was before a committed step. The bulk writer
calls `update` for each batch it writes. `rebuild` (manage.py rebuild_search_index)
derives every document again, a committed batch at a time.

A document is rewritten only when what it holds changed (its texts, or the county
and unit of its message, SearchDocument.scope): a response or a rating touches none
of it and costs one read.
"""

import multiprocessing
import time
from collections import deque
from itertools import islice

from django.db import connection, transaction

from wenzheng.handling.models import Message

from . import workers as workers_
from .documents import documents
from .engines import DOCUMENT_COLUMNS, OVERFLOW_SET, engine, token_set
from .models import Audience, PendingUpgrade, SearchDocument

BATCH = 500

# Steps that change neither a text the documents hold, nor whether or what the
# public may read (consent, an answer, spam, a review): after them the documents
# are as they were, so the step skips reading and masking the message again. Any
# other kind, and any kind added later, re-derives them.
UNCHANGING = frozenset(
    {
        "responded",
        "transfer_requested",
        "transfer_rejected",
        "extension_requested",
        "extension_approved",
        "extension_rejected",
        "extension_lapsed",
        "extension_restored",
        "rated",
        "supervision_flagged",
        "explanation_ordered",
        "explanation_recorded",
        "finding_recorded",
        "exposure_published",
        "accountability_referred",
        "roster_filed",
        "deadline_recomputed",
        "stage_rejudged",
        "proposal_declined",
        "topic_set",
        "attachment_withheld",
        "attachment_released",
    }
)


def follows(kind: str) -> bool:
    """Whether a step of this kind may change what its message's documents hold."""
    return kind not in UNCHANGING


# The columns `_insert` writes, in its order.
_COLUMNS = (*DOCUMENT_COLUMNS, "grams", "overflow")


def _row(doc) -> tuple:
    grams = token_set(doc.parts(), doc.scope) if connection.vendor == "postgresql" else None
    overflow = grams == OVERFLOW_SET
    return (doc.message_id, doc.audience, doc.title, doc.body, doc.answers, doc.extra, doc.scope, grams, overflow)


def _insert(docs) -> None:
    """Write these documents, one plain statement run for each by the driver:
    bulk_create made a model instance of each and compiled SQL for each field of each
    (three documents a message; a sixth of an import's time at 100,000 rows)."""
    if not docs:
        return
    ops, grams = connection.ops, SearchDocument._meta.get_field("grams")
    marks = ", ".join(grams.get_placeholder(None, None, connection) if c == "grams" else "%s" for c in _COLUMNS)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {ops.quote_name(SearchDocument._meta.db_table)} "  # noqa: S608 (our names)
            f"({', '.join(ops.quote_name(c) for c in _COLUMNS)}) VALUES ({marks})",
            [_row(d) for d in docs],
        )


def _held(doc) -> tuple:
    """What a document holds (a stored one or one derived again): a change in any
    of it rewrites the document."""
    return (*doc.parts(), doc.scope)


def update(message_ids, *, force=False) -> int:
    """Bring the documents of these messages up to date; returns how many were
    rewritten. Call inside the transaction that changed them. `force` rewrites every
    one, changed or not (a rebuild: how the word index is written may have changed)."""
    ids = sorted(set(message_ids))
    if not ids:
        return 0
    fresh = {(d.message_id, d.audience): d for d in documents(ids)}
    stored = {(d.message_id, d.audience): d for d in SearchDocument.objects.filter(message_id__in=ids)}
    gone = [d for key, d in stored.items() if force or key not in fresh or _held(d) != _held(fresh[key])]
    new = [d for key, d in fresh.items() if force or key not in stored or _held(stored[key]) != _held(d)]
    engine().write(gone, new)
    if gone:
        SearchDocument.objects.filter(pk__in=[d.pk for d in gone]).delete()
    _insert(new)
    return len(new)


def withdraw_public(message_ids) -> int:
    """The public and masked documents of these messages deleted, the staff's left:
    for a message the worker could not derive again (ops.batches skipped it), whose
    documents may hold what its page no longer shows to the public. A search of the
    public does not find it until it is derived again (index.update writes them)."""
    gone = list(SearchDocument.objects.filter(message_id__in=message_ids).exclude(audience=Audience.STAFF))
    engine().write(gone, [])
    SearchDocument.objects.filter(pk__in=[d.pk for d in gone]).delete()
    return len(gone)


# --- rebuilding -----------------------------------------------------------------------


def _batches(ids):
    return [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]


def _in_batches(ids_after):
    """The message ids, BATCH at a time, in order, read as the walk goes (messages
    submitted meanwhile are indexed by their own steps, or reached at the end)."""
    after = 0
    while ids := ids_after(after):
        yield ids
        after = ids[-1]


def _message_ids_after(after):
    return list(Message.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH])


def refresh(ids) -> int:
    """Every document of the messages `ids` derived again and written, in one
    transaction with the messages locked: a step on one of them finishes first or
    waits, so what is written is what the committed texts make."""
    with transaction.atomic():
        locked = list(
            Message.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
        )
        return update(locked, force=True)


def rebuild(*, progress=None, workers: int = 1, from_scratch: bool = False) -> int:
    """Every document of every message, derived again; returns how many were written.

    By default a committed batch (BATCH messages, locked) at a time: searches go on
    meanwhile and find each message by its old documents or its new ones, and a step
    waits at most for one batch. The word index is maintained row by row, so at a
    city's scale this takes longer than building it anew (BENCHMARKS.md). `workers`
    > 1 runs whole batches in that many processes (PostgreSQL; on SQLite, whose
    writers take turns from the start of their transaction, it gains nothing).

    `from_scratch` empties the documents and the word index and refills them in bulk
    in one transaction that searches and steps wait for: for a first build at a
    maintenance window, or after an upgrade that changes how texts are cut (the
    batches read each old document to take it out of SQLite's word index, which
    needs it as it was written)."""
    if from_scratch:
        written = _rebuild_from_scratch(progress=progress, workers=workers)
    else:
        written = _rebuild_in_batches(progress=progress, workers=workers)
    # Every document is now written the way this version writes them, and derived
    # by this version's masking: the pages kept in the cache are made again.
    PendingUpgrade.objects.all().delete()
    from .derivation import mark_current

    mark_current()
    return written


def _rebuild_in_batches(*, progress, workers) -> int:
    started = time.monotonic()
    total = Message.objects.count()  # for the progress line only
    batches = _in_batches(_message_ids_after)
    if workers <= 1:
        results = ((batch, refresh(batch)) for batch in batches)
        return _progressing(results, total, started, progress)
    # spawn, not fork: a forked child would share this process's open connection.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=workers_.start) as pool:
        batches = list(batches)
        return _progressing(zip(batches, pool.imap(workers_.refresh, batches), strict=True), total, started, progress)


def _progressing(results, total, started, progress) -> int:
    done, read = 0, 0
    for batch, written in results:
        done, read = done + written, read + len(batch)
        if progress is not None:
            progress(read, max(total, read), time.monotonic() - started)
    return done


def _documents_in_turn(ids, workers):
    """Each batch's documents, in order: built here, or by `workers` processes while
    this one writes (building them, masking and folding, is most of a rebuild's work)."""
    if workers <= 1:
        for batch in _batches(ids):
            yield batch, documents(batch)
        return
    # spawn, not fork: a forked child would share this process's open connection.
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=workers_.start) as pool:
        # At most two batches a worker ahead of the writer. Pool.imap would hand out
        # every batch at once, and when the workers outrun the writer (SQLite's FTS5)
        # their documents pile up here: a city's million-message rebuild slowed as it
        # went, the garbage collector walking gigabytes of waiting documents while the
        # writer waited for the interpreter.
        yield from in_order(
            lambda batch: pool.apply_async(workers_.documents_of, (batch,)), _batches(ids), ahead=2 * workers
        )


def in_order(submit, items, *, ahead: int):
    """Each of `items` with its result (`submit(item).get()`), in order, with at most
    `ahead` items submitted before their turn."""
    items = iter(items)
    pending = deque((item, submit(item)) for item in islice(items, ahead))
    while pending:
        item, result = pending.popleft()
        following = next(items, None)
        if following is not None:
            pending.append((following, submit(following)))
        yield item, result.get()


def _rebuild_from_scratch(*, progress=None, workers: int = 1) -> int:
    """Every document of every message, from scratch, in one transaction: searches
    and writers wait for it (the word index is dropped, refilled in bulk and
    rebuilt at the end, which is linear in the number of messages; maintaining it
    row by row grew faster than that). `workers` > 1 builds the documents in that
    many processes (they read the database through settings.DATABASES, so not in
    tests, whose database is another)."""
    started, done, read = time.monotonic(), 0, 0
    words = engine()
    words.bulk_prepare()
    with transaction.atomic():
        words.bulk_start()
        ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
        for batch, new in _documents_in_turn(ids, workers):
            words.bulk_write(new)
            done, read = done + len(new), read + len(batch)
            if progress is not None:
                progress(read, len(ids), time.monotonic() - started)
        words.bulk_finish()
    return done
