"""Keeping the public and masked documents in step with a county's published contacts.

Public texts are masked with the list of contacts the county publishes on purpose
(privacy.models.PublicContact: a unit's hotline stays readable). A document holds
its texts as masked when it was written, so when the list changes, the documents
that hold the number are out of date: after a removal the public could still find
a message by a number it can no longer read on it; after an addition it could not
find one by a number it can. The staff documents hold the texts as written and
never change with the list.

1. The step that changes the list (privacy.actions) calls `queue`, in its own
   transaction: one row (a ContactRefresh), nothing read or rewritten there however
   many messages the county holds.
2. The worker (search.work) walks the county's messages by id, BATCH at a time, each
   batch one transaction that it commits before the next: it locks the batch's
   messages (a step on one of them finishes first, or waits), picks those whose
   staff document (every text as written) or office redaction holds the number in
   any way the masker would read it (`_holding`: the digits with a separator or two
   between them, or in Chinese numerals; an e-mail address as it is), derives their
   documents again with the list as it is now (index.update, which leaves a document
   that did not change alone) and moves the refresh's `after` past the batch.
3. Until the worker has passed a message, a public or masked search leaves it out
   for queries that could match a removed contact (`withheld`: a term sharing a
   digit or a letter with it; queries of Chinese words alone are untouched): for
   the minutes the worker takes such a query may miss a message, but it never finds
   one by a number the public may no longer read. An addition withholds nothing
   (the documents hold the number masked: a search misses it until refreshed).

Nothing here rebuilds a county's index at once or truncates it; rebuild_search_index
does the same for every message, also in committed batches (search.index.rebuild).
"""

import re
import string

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from wenzheng.handling.models import Message
from wenzheng.ops import batches
from wenzheng.ops import queue as work_queue
from wenzheng.privacy.masking import contact_core, digit_forms

from . import index
from .models import Audience, ContactRefresh, SearchDocument

BATCH = 2000
WORK = "search-contacts"  # search.work.ContactRefreshWork's name
PENDING = (ContactRefresh.State.QUEUED, ContactRefresh.State.RUNNING)


def queue(*, region, value: str, change: str, at=None) -> ContactRefresh:
    """Ask the worker to refresh the documents of `region`'s messages that hold the
    list entry `value` (normalised, privacy.masking.normalise_contact). Call inside
    the transaction that changes the list."""
    return ContactRefresh.objects.create(region=region, value=value, change=change, requested_at=at or timezone.now())


# --- what the searches leave out meanwhile ------------------------------------------


# Every character a contact the masker reads can show in a folded text: an e-mail
# address is ASCII (privacy.masking._EMAIL; its dots maybe 。), a phone number's
# digits in any form the masker reads (privacy.masking.digit_forms: other scripts',
# circled, Chinese numerals; full-width ones fold to ASCII).
CONTACT_CHARACTERS = frozenset(string.ascii_lowercase + "".join(map(digit_forms, string.digits)))


def _characters(value: str) -> set[str]:
    """The letters and digits a text shows where it holds the contact (of
    CONTACT_CHARACTERS): its own, and for a phone number every form of its digits."""
    chars = {ch for ch in value if ch in CONTACT_CHARACTERS}
    if "@" not in value:
        chars |= {n for d in value for n in digit_forms(d)}
    return chars


def withheld(query) -> Q | None:
    """The messages a public or masked search for `query` must leave out while a
    removal is being applied: those of the county not yet passed by the worker,
    when a term of the query shares a character with the removed contact. None when
    nothing is withheld (the usual case: for a query with a letter, a digit or a
    Chinese numeral, one indexed read of a table of a few rows; for words alone,
    none)."""
    if not any(CONTACT_CHARACTERS.intersection(term) for term in query.terms):
        # Words alone (路灯): no removal can withhold anything, and the read is
        # spared (0.6 ms of a 15 ms search at a million messages on PostgreSQL).
        return None
    # Written out: every public search asks, and the ORM took longer to build the
    # query than the database to answer it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT region_id, value, after FROM {ContactRefresh._meta.db_table} "  # noqa: S608 (our names)
            "WHERE change = %s AND state IN (%s, %s)",
            [ContactRefresh.Change.REMOVED, *PENDING],
        )
        removals = cursor.fetchall()
    hidden = Q()
    for region_id, value, after in removals:
        chars = _characters(value)
        if any(chars & set(term) for term in query.terms):
            hidden |= Q(region_id=region_id, pk__gt=after)
    return hidden or None


# --- the worker's side ----------------------------------------------------------------


def claim() -> ContactRefresh | None:
    now = timezone.now()
    waiting = work_queue.waiting(ContactRefresh, now=now)
    pk = work_queue.claim(
        ContactRefresh,
        waiting,
        order_by=("requested_at", "pk"),
        state=ContactRefresh.State.RUNNING,
        heartbeat_at=now,
        attempts=F("attempts") + 1,  # ops.batches: a run begun at the batch after `after`
    )
    return ContactRefresh.objects.get(pk=pk) if pk else None


def pattern(value: str) -> str:
    """A regular expression (the same in PostgreSQL and Python) for every way a text
    may hold the phone number `value` that the masker reads as that number: its
    digits in every form the masker reads (digit_forms) with at most seven other
    characters between each two (a separator the masker takes: up to three spaces
    either side of a dash, a dot, a bracket). It finds more than the masker would
    let through (a text is then derived again for nothing), never less."""
    digits = contact_core(value)
    classes = ["[" + digit_forms(d) + "]" for d in digits]
    return "[^0-9]{0,7}".join(classes)


def email_pattern(value: str) -> str:
    """The e-mail address `value` as a regular expression, its dots typed as 。 too."""
    return re.escape(value).replace(r"\.", "[.。]")


def _holding(refresh: ContactRefresh, first: int, last: int) -> list[int]:
    """Of the county's messages with ids in [first, last], those whose texts may hold
    the contact: in their staff document (folded: full-width to plain, lower case), or
    in a text the county office redacted for the public."""
    from wenzheng.privacy.models import Review

    value = refresh.value
    if "@" in value:
        regex = email_pattern(value)
        doc = Q(title__iregex=regex) | Q(body__iregex=regex) | Q(answers__iregex=regex)
        redaction = Q(public_title__iregex=regex) | Q(public_text__iregex=regex)
    else:
        regex = pattern(value)
        doc = Q(title__regex=regex) | Q(body__regex=regex) | Q(answers__regex=regex)
        redaction = Q(public_title__regex=regex) | Q(public_text__regex=regex)
    span = {"message__region_id": refresh.region_id, "message_id__gte": first, "message_id__lte": last}
    docs = SearchDocument.objects.filter(doc, audience=Audience.STAFF, **span).values_list("message_id", flat=True)
    redacted = Review.objects.filter(redaction, **span).values_list("message_id", flat=True)
    return sorted({*docs, *redacted})


def refresh_batch(refresh: ContactRefresh) -> int | None:
    """The next batch of the county's messages, in one transaction: returns how many
    documents were rewritten, or None when none are left."""
    with transaction.atomic():
        # The batch's messages locked, in id order as everywhere: a step on one of them
        # that read the list before it changed has committed, and one that starts now
        # waits, then reads the list as it is.
        ids = _ids_after(refresh, refresh.after, batches.size(refresh, BATCH), lock=True)
        if not ids:
            return None
        rewritten = index.update(_holding(refresh, ids[0], ids[-1]))
        ContactRefresh.objects.filter(pk=refresh.pk).update(
            **batches.advanced(refresh, ids[-1]), heartbeat_at=timezone.now(), refreshed=F("refreshed") + rewritten
        )
    return rewritten


def _ids_after(refresh, after, n, *, lock=False) -> list[int]:
    messages = Message.objects.select_for_update() if lock else Message.objects
    return list(
        messages.filter(region_id=refresh.region_id, pk__gt=after).order_by("pk").values_list("pk", flat=True)[:n]
    )


def run(refresh: ContactRefresh) -> int:
    """Every batch, then the refresh done (searches withhold nothing more for it);
    returns how many documents were rewritten. A batch that fails leaves the refresh
    queued where it was, still withholding, to be taken again; a batch that kills
    its worker is narrowed down to its row, which is skipped (ops.batches) with its
    public documents withdrawn."""
    rewritten = 0
    try:
        batches.begin(
            refresh,
            work=WORK,
            ids_after=lambda after, n: _ids_after(refresh, after, n),
            batch=BATCH,
            skip=lambda row: index.withdraw_public([row]),
        )
        while (done := refresh_batch(refresh)) is not None:
            rewritten += done
    except Exception:
        ContactRefresh.objects.filter(pk=refresh.pk).update(state=ContactRefresh.State.QUEUED)
        raise
    ContactRefresh.objects.filter(pk=refresh.pk).update(state=ContactRefresh.State.DONE, finished_at=timezone.now())
    return rewritten
