"""The duplicate index in the database: writing a message's keys, finding the open
messages a message seems to repeat, and flagging it on arrival.

Only open messages (those a duplicate may be merged into: `State.may_take_merged`)
have keys: a closed, spam or merged message can never be a candidate, so its keys
would only make every search read more. `sync` keeps this true in the transaction of
every step that opens or ends a message (handling.actions._event, OPENING_KINDS), so
the search reads the key index alone, never the messages table, and its cost follows
the open backlog, not the history (bench/duplicates.py).

Written in the transaction that submits the message (handling.actions.submit), not
by the worker: the keys are a dozen-odd inserts and the search a few milliseconds
(bench/duplicates.py), and a county's submissions already queue one behind another
on its serial counter's row lock, so each new message sees every one committed
before it, and two copies sent a second apart still find each other. The flag is
there the moment the county office opens its queue.
"""

from django.db import connection

from wenzheng.handling.models import Message

from . import signatures
from .models import Flag, Key

CANDIDATE_LIMIT = 50  # messages sharing the most keys, measured exactly


def keys_of(message) -> list[int]:
    return signatures.keys(message.title, message.body, citizen_id=message.citizen_id, phone=message.citizen_phone)


# The steps after which a message may have become open or stopped being so.
OPENING_KINDS = frozenset(
    {"closed", "reopened", "spam_marked", "spam_unmarked", "merged", "unmerged", "long_cycle_approved"}
)


def is_open(message) -> bool:
    return message.state in Message.State.may_take_merged()


def index(messages) -> int:
    """Write (or write again) the keys of these messages, the open ones only; returns
    how many rows."""
    messages = list(messages)
    if not messages:
        return 0
    Key.objects.filter(message__in=[m.pk for m in messages]).delete()
    rows = key_rows(messages)
    write(rows)
    return len(rows)


def key_rows(messages) -> list[tuple[int, int, int]]:
    """The keys of the open ones of `messages`, as rows to write (`write`)."""
    return [(m.pk, m.region_id, k) for m in messages if is_open(m) for k in keys_of(m)]


def write(rows: list[tuple[int, int, int]]) -> None:
    """Insert (message id, region id, key) rows. One plain statement run for each row
    by the driver: bulk_create made a model instance of each and compiled SQL for each
    field of each (a message has some 35 keys; a third of an import's time)."""
    if not rows:
        return
    ops = connection.ops
    columns = ", ".join(ops.quote_name(Key._meta.get_field(name).column) for name in ("message", "region", "key"))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {ops.quote_name(Key._meta.db_table)} ({columns}) VALUES (%s, %s, %s)",  # noqa: S608 (our names)
            rows,
        )


def sync(message) -> None:
    """Give an open message its keys, and take them from one no longer open (in the
    step's transaction, after it changed the state)."""
    has = Key.objects.filter(message_id=message.pk).exists()
    if is_open(message) and not has:
        index([message])
    elif not is_open(message) and has:
        Key.objects.filter(message_id=message.pk).delete()


def sharing_sql(message, keys) -> tuple[str, list]:
    """The candidate search: the (open) messages of the county sharing most keys with
    `message` (but itself), read from the duplicate_key_lookup index alone."""
    table = Key._meta.db_table
    marks = ", ".join(["%s"] * len(keys))
    sql = (
        f"SELECT message_id FROM {table} WHERE region_id = %s AND key IN ({marks}) "  # noqa: S608 (our own name)
        f"AND message_id <> %s GROUP BY message_id ORDER BY COUNT(*) DESC, message_id DESC LIMIT {CANDIDATE_LIMIT}"
    )
    return sql, [message.region_id, *keys, message.pk]


def _sharing(message, keys) -> list[int]:
    if not keys:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*sharing_sql(message, keys))
        return [row[0] for row in cursor.fetchall()]


def candidates(message, *, keys=None) -> list[dict]:
    """The open messages `message` seems to repeat, most similar first, each as
    {"id", "similarity", "same_citizen"}: found through the index, then measured."""
    keys = keys if keys is not None else keys_of(message)
    ids = _sharing(message, keys)
    if not ids:
        return []
    new = signatures.Text.of(message.title, message.body)
    found = []
    candidates = Message.objects.filter(pk__in=ids, state__in=Message.State.may_take_merged())
    for other in candidates.only("title", "body", "citizen_id", "citizen_phone"):
        same_citizen = (message.citizen_id is not None and other.citizen_id == message.citizen_id) or (
            bool(message.citizen_phone) and other.citizen_phone == message.citizen_phone
        )
        verdict = signatures.compare(new, signatures.Text.of(other.title, other.body), same_citizen=same_citizen)
        if verdict.duplicate:
            found.append({"id": other.pk, "similarity": verdict.similarity, "same_citizen": same_citizen})
    found.sort(key=lambda c: (-c["similarity"], -c["id"]))
    return found[: signatures.MAX_CANDIDATES]


def on_arrival(message, *, at) -> Flag | None:
    """Index a message just submitted and flag it if it repeats an open one; in the
    submitting transaction."""
    keys = keys_of(message)
    found = candidates(message, keys=keys)
    write([(message.pk, message.region_id, k) for k in keys])
    if not found:
        return None
    return Flag.objects.create(
        message=message, region_id=message.region_id, found_at=at, candidates=found, similarity=found[0]["similarity"]
    )


def rebuild(*, batch: int = 5000, out=None) -> int:
    """Every open message's keys afresh (after changing signatures' parameters, a restore,
    or messages loaded behind the actions' back); flags are left as they are. Returns
    how many messages were indexed."""
    from django.db import transaction

    last, total = 0, 0
    while True:
        rows = list(
            Message.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("region_id", "title", "body", "citizen_id", "citizen_phone", "state")[:batch]
        )
        if not rows:
            break
        with transaction.atomic():
            # Batch by batch, so the index stays whole for every other message meanwhile.
            Key.objects.filter(message_id__gt=last, message_id__lte=rows[-1].pk).delete()
            write(key_rows(rows))
        last, total = rows[-1].pk, total + len(rows)
        if out:
            out(f"{total:,} messages indexed")
    return total
