"""Every document derived again by this version's code, a batch at a time in the
background worker, when the index was written by another (documents.DERIVATION).

An upgrade that masks more (a phone number in a form the masking let through) is
read from the texts at once on every page, but the search documents hold what the
old masking left: a public search by the number's digits found the message until an
operator ran `rebuild_search_index`, which the upgrade notes asked for in a table's
footnote (an operator's trial). The worker now does it unasked: each pass takes the
next BATCH messages, with them locked, and rewrites the documents that differ
(index.update); when it reaches the last message it records the version and renews
the public pages kept in the cache. Searches go on meanwhile, each message found by
its old documents or its new ones."""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from wenzheng.handling.models import Message
from wenzheng.lib import pagecache
from wenzheng.ops import batches, queue
from wenzheng.units.models import Region

from . import index
from .documents import DERIVATION
from .models import Derivation, SearchDocument

WORK = "search-derivation"  # search.work.DerivationWork's name


def _row(using="default") -> Derivation:
    row, _ = Derivation.objects.using(using).get_or_create(pk=1)
    return row


def pending() -> bool:
    """Whether the index holds documents derived by another version."""
    return _row().version != DERIVATION


def mark_current(using="default") -> None:
    """Every document is this version's (a rebuild wrote them all, or there are
    none): the public pages kept in the cache are made again."""
    Derivation.objects.using(using).update_or_create(
        pk=1,
        defaults={
            "version": DERIVATION,
            "target": DERIVATION,
            "after": 0,
            "derived_at": timezone.now(),
            "attempts": 0,
            "isolating_to": None,
            "heartbeat_at": None,
        },
    )
    pagecache.regions_changed(Region.objects.using(using).values_list("pk", flat=True))


def mark_current_if_empty(using="default") -> None:
    """After migrating: an index with no documents is this version's (a new
    deployment, a test database); one with documents keeps the version it has, for
    the worker to derive again."""
    if not SearchDocument.objects.using(using).exists():
        Derivation.objects.using(using).update_or_create(
            pk=1, defaults={"version": DERIVATION, "target": DERIVATION, "after": 0}
        )


def claim() -> bool:
    """Take the next batch, when there is one: the row's heartbeat set (a second
    worker waits, as it waited on the row's lock) and the run counted (ops.batches):
    a batch whose worker died is taken again after WORK_STALE_AFTER, not at once
    by the restarted worker ahead of every kind of work after this one."""
    if not pending():
        return False
    now = timezone.now()
    free = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - queue.stale_after())
    taken = Derivation.objects.filter(free, pk=1).exclude(version=DERIVATION)
    return taken.update(heartbeat_at=now, attempts=F("attempts") + 1) == 1


def _ids_after(after, n) -> list[int]:
    return list(Message.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:n])


def derive_batch() -> tuple[int, int] | None:
    """The next batch of messages' documents derived again and the differing ones
    written: (messages read, documents rewritten); None once every message is
    done (the version recorded). A batch that killed its worker MAX_ATTEMPTS times
    is taken a message at a time, and a message that does it alone is skipped
    (ops.batches), its public documents withdrawn until it is derived again."""
    with transaction.atomic():
        row = Derivation.objects.select_for_update().filter(pk=1).first() or _row()
        if row.version == DERIVATION:
            return None
        if row.target != DERIVATION:  # a pass by another version, left halfway
            row.target, row.after, row.isolating_to = DERIVATION, 0, None
            row.save(update_fields=["target", "after", "isolating_to"])
    # Committed before the batch: a skip survives the next message killing the worker.
    batches.begin(row, work=WORK, ids_after=_ids_after, batch=index.BATCH, skip=lambda pk: index.withdraw_public([pk]))
    with transaction.atomic():
        # Two workers take turns on the row's lock (the claim keeps the second away).
        row = Derivation.objects.select_for_update().get(pk=1)
        if row.version == DERIVATION:
            return None
        ids = _ids_after(row.after, batches.size(row, index.BATCH))
        if not ids:
            mark_current()
            return None
        locked = list(
            Message.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
        )
        written = index.update(locked)
        Derivation.objects.filter(pk=1).update(heartbeat_at=None, **batches.advanced(row, ids[-1], going_on=False))
        return len(ids), written
