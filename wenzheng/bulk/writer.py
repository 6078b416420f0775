"""Writing imported messages in their historical states, a batch at a time.

What this writes is what `actions.submit`, `respond`, `reply` and `close` write for
the same steps taken at the same times (test_writer.py checks them side by side):
the message with its public serial, its response and reply stages with deadlines
counted on the official calendar and outcomes frozen when the steps were taken, the
reply in the unit's name, and the events, appended to the hash chain. It does not call those actions one row
at a time because 100,000 rows must import in a minute, and one `submit` alone
spends ~10 ms stretching a passcode (PBKDF2) for a citizen who will never receive it.
So, per batch: one lock on the chain head, one on each serial counter, bulk inserts.

Where the county reviews before publishing (先审后发), what the citizen agreed to publish
waits in the office's review queue, as a message submitted here does.

Differences from the actions, all because the steps happened on another platform:
the events' actor is the office user who imported them, the reply's author too (the
reply is still the unit's: `Reply.unit`); an imported message has no passcode (an
unusable hash: nobody was ever told one); the event of its submission records where
it came from, and the office's choices that shaped it; and a reply whose 签收 the old
platform did not record opens no response stage (see `_stages`), where `reply`
would acknowledge the message at the reply's time.

A message never answered on the old platform does not get a clock running from its
own time (it would be overdue the day after the import). As the office chose for the
import: its stages start at the import, as for a fresh dispatch ("clock"), or none is
opened and it is marked untimed ("history": kept and answerable, never overdue).
"""

import json
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from wenzheng.duplicates import index as duplicate_index
from wenzheng.eventlog import chain as event_chain
from wenzheng.eventlog import hashing
from wenzheng.eventlog.models import ChainHead, Event
from wenzheng.handling import passcodes
from wenzheng.handling.models import Message, Reply, SerialCounter, Stage
from wenzheng.lib import pagecache
from wenzheng.privacy.models import CountyPrivacy, Review
from wenzheng.reports import tally
from wenzheng.search import index as search_index
from wenzheng.workdays import clock

from .models import ImportedMessage, ImportJob

State = Message.State
Unanswered = ImportJob.Unanswered
NO_PASSCODE = "!imported"  # never matches: passcodes.matches wants its own algorithm prefix


class Deadlines:
    """Deadlines for arrivals, as `clock.deadline_after` counts them, without its
    warning in the log for each of thousands of rows (the stage carries it)."""

    def due(self, arrived, days):
        due, result = clock.deadline_after(arrived, days, warn=False)
        return due, result.warning()


def _outcome(at, due):
    return Stage.Outcome.ON_TIME if at < due else Stage.Outcome.LATE


def _tracking_codes(n: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        fresh = {passcodes.random_code(10) for _ in range(n - len(codes))}
        taken = set(Message.objects.filter(tracking_code__in=fresh).values_list("tracking_code", flat=True))
        codes |= fresh - taken
    return list(codes)


def _serials(region, rows) -> list[tuple[int, int]]:
    """(year, number) for each row, from the locked counters: in row order, no gaps."""
    by_year = defaultdict(list)
    for index, row in enumerate(rows):
        by_year[clock.local_date(row.submitted_at).year].append(index)
    serials = [None] * len(rows)
    for year, indexes in sorted(by_year.items()):
        counter, _ = SerialCounter.objects.select_for_update().get_or_create(region=region, year=year)
        for offset, index in enumerate(indexes, start=1):
            serials[index] = (year, counter.last_number + offset)
        counter.last_number += len(indexes)
        counter.save(update_fields=["last_number"])
    return serials


class _Inserts:
    """Plain multi-row INSERTs: the ORM's bulk_create spends most of an import's time
    compiling SQL for each field of each row. Values are prepared by the fields
    themselves (`get_db_prep_save`), so what is stored is what the ORM would store."""

    def __init__(self):
        self.connection = connections[DEFAULT_DB_ALIAS]

    def __call__(self, model, rows: list[dict]):
        if not rows:
            return
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        prepare = [self._preparer(f) for f in fields]
        # Identifiers come from the model, quoted; every value is a parameter.
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            self.connection.ops.quote_name(model._meta.db_table),
            ", ".join(self.connection.ops.quote_name(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        params = [
            [
                p(row[f.attname]) if f.attname in row else p(f.get_default())
                for f, p in zip(fields, prepare, strict=True)
            ]
            for row in rows
        ]
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, params)

    def _preparer(self, field):
        if isinstance(field, models.DateTimeField):
            adapt = self.connection.ops.adapt_datetimefield_value
            return lambda v: adapt(v) if v is not None else None
        if isinstance(field, models.JSONField):
            return lambda v: field.get_db_prep_save(v, self.connection)
        return lambda v: v


def _event_row(event: Event) -> dict:
    return {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields if not f.primary_key}


class _Chain:
    """Events for one batch, appended to the county's chain under one lock of its head."""

    def __init__(self, by, region):
        self.head = event_chain.locked_head(region.pk)
        self.key = hashing.current_key()
        self.by = by
        self.events: list[Event] = []

    def add(self, kind, *, at, message_id, unit_id, note="", **data):
        data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))  # as chain.append stores it
        self.events.append(
            Event(
                chain=self.head,
                kind=kind,
                at=at,
                actor_id=self.by.pk,
                actor_role=self.by.role,
                message_id=message_id,
                unit_id=unit_id,
                note=note,
                data=data,
            )
        )

    def save(self, insert):
        seq, prev = self.head.last_seq, self.head.last_hash
        for event in self.events:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.hash = prev = event.compute_hash(self.key)
        insert(Event, [_event_row(e) for e in self.events])
        ChainHead.objects.filter(pk=self.head.pk).update(last_seq=seq, last_hash=prev)
        pagecache.regions_changed([self.head.region_id])


def _unanswered_at_unit(row) -> bool:
    return row.unit is not None and not row.reply


def _stages(row, *, untimed, now):
    """(kind, started, limit, completed or None) of each stage the row's unit held.

    Replied: judged against the clock of the message's own time, each stage ending
    when the old platform says its step was taken. A reply ends the reply stage at
    its time; the response stage only where the platform recorded 签收 (its time is
    then judged, as `actions.respond` judges it). Where it recorded none, no response
    stage is opened: its time is unknown, and one ended at the reply's time (as
    `actions.reply` ends it when it acknowledges too) would judge a made-up moment
    against the 1-working-day limit, so history replied in 3 days read "late to
    respond" in the evaluation and the quarter's written-explanation proposals. A
    message without a response stage is counted in no response figure, as one
    reassigned (改派) is not.

    Unanswered: no stage for history (untimed); on the clock, they start at the
    import, as for a fresh dispatch, the response stage only if not acknowledged yet.
    """
    if row.unit is None or (untimed and _unanswered_at_unit(row)):
        return []
    category = row.category
    if row.reply:
        started = row.submitted_at
        stages = [(Stage.Kind.RESPONSE, started, category.response_days, row.responded_at)]
        stages = stages if row.responded_at else []
        return [*stages, (Stage.Kind.REPLY, started, category.reply_days, row.replied_at)]
    stages = [] if row.responded_at else [(Stage.Kind.RESPONSE, now, category.response_days, None)]
    return [*stages, (Stage.Kind.REPLY, now, category.reply_days, None)]


@transaction.atomic
def write(
    *,
    rows,
    region,
    by,
    source: str,
    deadlines: Deadlines,
    job=None,
    unanswered=Unanswered.HISTORY,
    replied=ImportJob.Replied.CLOSED,
    now=None,
) -> int:
    """Import `rows` (already checked, none imported before) as one transaction;
    returns how many messages were created. `now` is the moment of the import, when
    the clock of an unanswered message starts if `unanswered` is "clock". `replied`
    is the office's choice for rows replied without a 办理状态, recorded with them (the
    rows carry what it made of them)."""
    if not rows:
        return 0
    untimed = unanswered == Unanswered.HISTORY
    now = now or timezone.now()
    insert = _Inserts()
    serials = _serials(region, rows)
    codes = _tracking_codes(len(rows))
    messages = []
    for row, (year, number), code in zip(rows, serials, codes, strict=True):
        state = State.PENDING_DISPATCH if row.unit is None else State.DISPATCHED
        if row.responded_at:
            state = State.RESPONDED
        if row.reply:
            state = State.CLOSED if row.closure_kind else State.REPLIED
        messages.append(
            {
                "region_id": region.pk,
                "year": year,
                "number": number,
                "category_id": row.category.pk,
                "unit_id": row.unit.pk if row.unit else None,
                "topic_id": row.topic.pk if row.topic else None,
                "title": row.title,
                "body": row.body,
                "consent_to_publish": row.consent,
                "answered": bool(row.reply),
                "citizen_id": None,
                "citizen_name": row.name,
                "citizen_phone": row.phone,
                "tracking_code": code,
                "passcode_hash": NO_PASSCODE,
                "state": state,
                "submitted_at": row.submitted_at,
                "closed_at": row.closed_at if row.closure_kind else None,
                "closure_kind": row.closure_kind,
                "untimed": untimed and _unanswered_at_unit(row),
            }
        )
    insert(Message, messages)
    ids = dict(Message.objects.filter(tracking_code__in=codes).values_list("tracking_code", "pk"))
    message_ids = [ids[code] for code in codes]
    if CountyPrivacy.reviews(region):
        # 先审后发: what the citizen agreed to publish waits for the county office,
        # as a message submitted here does (privacy.reviews.queue_for_review): public
        # on another platform is not passed here.
        insert(
            Review,
            [
                {"message_id": message_id, "follow_up_id": None, "state": Review.State.PENDING, "queued_at": now}
                for row, message_id in zip(rows, message_ids, strict=True)
                if row.consent
            ],
        )

    stages, replies = [], []
    outcomes = {}
    for row, message_id, (year, number) in zip(rows, message_ids, serials, strict=True):
        for kind, started, days, completed in _stages(row, untimed=untimed, now=now):
            due, warning = deadlines.due(started, days)
            stage = {
                "message_id": message_id,
                "unit_id": row.unit.pk,
                "kind": kind,
                "started_at": started,
                "limit_days": days,
                "due_at": due,
                "due_warning": warning,
                "extension_days": 0,
                "completed_at": None,
                "outcome": "",
                "serial_number": year * 1_000_000 + number,
            }
            if completed is not None:
                stage["completed_at"], stage["outcome"] = completed, _outcome(completed, due)
            stages.append(stage)
        if row.reply:
            replies.append(
                {
                    "message_id": message_id,
                    "unit_id": row.unit.pk,
                    "author_id": by.pk,
                    "text": row.reply,
                    "at": row.replied_at,
                }
            )
            outcomes[message_id] = stages[-1]["outcome"]
    insert(Stage, stages)
    insert(Reply, replies)
    reply_ids = dict(Reply.objects.filter(message_id__in=list(outcomes)).values_list("message_id", "pk"))
    # What each event did to the stages (as actions' events carry it), for replay.
    stage_ids = {
        (message_id, kind): pk
        for message_id, kind, pk in Stage.objects.filter(message_id__in=message_ids).values_list(
            "message_id", "kind", "pk"
        )
    }
    opened, completed = defaultdict(list), {}
    for stage in stages:
        pk = stage_ids[stage["message_id"], stage["kind"]]
        opened[stage["message_id"]].append(
            {
                "id": pk,
                "kind": stage["kind"],
                "unit": stage["unit_id"],
                "started_at": hashing.timestamp(stage["started_at"]),
                "limit_days": stage["limit_days"],
                "due_at": hashing.timestamp(stage["due_at"]),
            }
        )
        if stage["completed_at"] is not None:
            completed[pk] = {
                "id": pk,
                "completed_at": hashing.timestamp(stage["completed_at"]),
                "outcome": stage["outcome"],
            }

    chain = _Chain(by, region)
    for row, message_id, (year, number) in zip(rows, message_ids, serials, strict=True):
        unit_id = row.unit.pk if row.unit else None
        imported = {"source": source, "number": row.source_number}
        if row.registration_waived:
            imported["registration_waived"] = True  # the unit was registered here later
        if _unanswered_at_unit(row):
            imported["unanswered"] = unanswered  # history (untimed), or a clock from the import
        if row.response_unrecorded:
            imported["response"] = "unrecorded"  # no 签收 time: no response stage, judged for nobody
        if row.status_unstated:
            imported["replied"] = replied  # no 办理状态: closed at the reply, or left open
        chain.add(
            Event.Kind.SUBMITTED,
            at=row.submitted_at,
            message_id=message_id,
            unit_id=unit_id,
            serial=f"{year}-{number:06d}",
            category=row.category.code,
            topic=row.topic.code if row.topic else None,
            imported=imported,
            **({"stages": opened[message_id]} if message_id in opened else {}),
        )
        if row.responded_at:
            response = stage_ids.get((message_id, Stage.Kind.RESPONSE))
            chain.add(
                Event.Kind.RESPONDED,
                at=row.responded_at,
                message_id=message_id,
                unit_id=unit_id,
                **({"stages": [completed[response]]} if response in completed else {}),
            )
        if message_id in outcomes:
            chain.add(
                Event.Kind.REPLIED,
                at=row.replied_at,
                message_id=message_id,
                unit_id=unit_id,
                reply=reply_ids[message_id],
                outcome=outcomes[message_id],
                stages=[completed[stage_ids[message_id, Stage.Kind.REPLY]]],
            )
        if row.closure_kind:
            chain.add(
                Event.Kind.CLOSED,
                at=row.closed_at,
                message_id=message_id,
                unit_id=unit_id,
                closure_kind=row.closure_kind,
            )
    chain.save(insert)
    tally.sync_many(message_ids)

    insert(
        ImportedMessage,
        [
            {
                "message_id": message_id,
                "region_id": region.pk,
                "source": source,
                "number": row.source_number,
                "job_id": job.pk if job else None,
            }
            for row, message_id in zip(rows, message_ids, strict=True)
        ],
    )
    # Searchable as soon as the batch commits, as a message submitted by hand is.
    search_index.update(message_ids)
    # In the duplicate index too (并单), so new messages are matched against history;
    # history itself is not flagged: the office sorts it by hand, not as arrivals.
    duplicate_index.index(
        Message.objects.filter(pk__in=message_ids).only(
            "region_id", "title", "body", "citizen_id", "citizen_phone", "state"
        )
    )
    return len(rows)
