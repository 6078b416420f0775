"""Keeping the index in step with the messages, inside the writer's transaction.

Every step on a message (wenzheng.handling.actions, wenzheng.privacy.actions) ends by
writing its event; `handling.actions._event` then calls `update` for the message,
so the index changes in the same transaction as the text, the state or the review
it follows: a step that fails leaves both as they were, and a search never sees a
message as it was before a committed step. The bulk writer calls `update` for each
batch it writes. `rebuild` (manage.py rebuild_search_index) starts over.

A document is rewritten only when what it holds changed: a response or a rating
touches no text and costs one read.
"""

import time

from django.db import connection, transaction

from wenzheng.handling.models import Message

from .documents import documents
from .engines import engine, token_set
from .models import SearchDocument

BATCH = 500


def _row(doc) -> SearchDocument:
    grams = token_set(doc.parts()) if connection.vendor == "postgresql" else None
    return SearchDocument(
        message_id=doc.message_id,
        audience=doc.audience,
        title=doc.title,
        body=doc.body,
        answers=doc.answers,
        extra=doc.extra,
        grams=grams,
    )


def update(message_ids) -> int:
    """Bring the documents of these messages up to date; returns how many were
    rewritten. Call inside the transaction that changed them."""
    ids = sorted(set(message_ids))
    if not ids:
        return 0
    fresh = {(d.message_id, d.audience): d for d in documents(ids)}
    stored = {(d.message_id, d.audience): d for d in SearchDocument.objects.filter(message_id__in=ids)}
    gone = [d for key, d in stored.items() if key not in fresh or d.parts() != fresh[key].parts()]
    new = [d for key, d in fresh.items() if key not in stored or stored[key].parts() != d.parts()]
    engine().write(gone, new)
    if gone:
        SearchDocument.objects.filter(pk__in=[d.pk for d in gone]).delete()
    SearchDocument.objects.bulk_create([_row(d) for d in new])
    return len(new)


def rebuild(*, progress=None) -> int:
    """Every document of every message, from scratch, in one transaction: searches
    meanwhile read the index as it was (on SQLite, writers wait for it)."""
    started, done = time.monotonic(), 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Room for the index's pages while a whole database is written (200 MB).
            cursor.execute("PRAGMA cache_size = -200000")
    with transaction.atomic():
        engine().clear()
        SearchDocument.objects.all().delete()
        ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(ids), BATCH):
            batch = ids[i : i + BATCH]
            new = documents(batch)
            engine().write([], new)
            SearchDocument.objects.bulk_create([_row(d) for d in new])
            done += len(new)
            if progress is not None:
                progress(i + len(batch), len(ids), time.monotonic() - started)
    return done
