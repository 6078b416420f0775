"""Rebuilding what the scores read from the events alone, and naming every row that
differs (`manage.py verify_events --replay`).

The chain proves the events are as written; it says nothing of the rows the
evaluation reads (a stage's outcome, a message's closure, a roster), which anyone
who can write the database can change without touching an event. Replay reads the
events of each chain in order, rebuilds those rows from them, and compares: a stage
flipped from late to on time, a message closed by hand, a roster member added in
the database, a row with no event behind it, a row whose events say it exists but
which is gone. Each difference names the table, the row and the field.

How each kind of event is replayed is registered per kind (`@replays`): new kinds
register theirs, and a test fails while any kind has none. Events never need the
citizen's personal data for this: they carry row ids, times, states and codes.

Memory stays flat at a million messages: messages are replayed a batch of ids at a
time (their events read through the (message, seq) index), and the records of units
(rosters, written explanations, findings, exposures, bulletin rows) in one pass over
their few events.

What cannot be replayed is said, not guessed: events written before format 2 (before
this log carried row ids) are counted, and the rows they made are left out of the
comparison; the `chain_migrated` event records how far those rows go.
"""

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from . import hashing
from .models import ChainHead, Event

BATCH = 1000


def _instant(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Ev:
    """What a replayer reads of an event."""

    seq: int
    version: int
    at: dt.datetime
    kind: str
    message: int | None
    unit: int | None
    data: dict


@dataclass
class Difference:
    table: str
    row: object
    field: str | None  # None: the whole row (missing, or there with no event behind it)
    database: object = None
    events: object = None

    def __str__(self):
        where = f"{self.table} #{self.row}"
        if self.field is None:
            return f"{where}: {self.database}"
        return f"{where} {self.field}: the database has {_show(self.database)}, the events say {_show(self.events)}"


def _show(value) -> str:
    if isinstance(value, dt.datetime):
        return hashing.timestamp(value)
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(str(list(v)) if isinstance(v, tuple) else str(v) for v in sorted(value)) + "]"
    return repr(value)


@dataclass
class Rebuilt:
    """The rows rebuilt from one chain's events, by table and id."""

    region_id: int
    categories: dict  # code → id
    rows: dict = field(default_factory=lambda: defaultdict(dict))
    serials: dict = field(default_factory=dict)  # "2026-000046" → message id
    legacy_events: int = 0
    legacy_messages: set = field(default_factory=set)
    legacy_rows: dict = field(default_factory=dict)  # table → the last id written before format 2

    def row(self, table, pk) -> dict | None:
        return self.rows[table].get(pk)

    def put(self, table, pk, **values) -> dict:
        row = self.rows[table].setdefault(pk, {})
        row.update(values)
        return row


# --- the registry -------------------------------------------------------------------

Replayer = Callable[[Rebuilt, Ev], None]
MESSAGE_KINDS: dict[str, Replayer] = {}  # replayed in the message pass
RECORD_KINDS: dict[str, Replayer] = {}  # replayed in the pass over units' records
NOTHING_TO_REPLAY: set[str] = set()  # kinds that change no row the scores read


def replays(*kinds, records=False):
    """Register how events of `kinds` are replayed: on the rows of their message
    (the default), or on a unit's records (`records=True`)."""

    def register(fn):
        for kind in kinds:
            (RECORD_KINDS if records else MESSAGE_KINDS)[kind] = fn
        return fn

    return register


def nothing_to_replay(*kinds):
    NOTHING_TO_REPLAY.update(kinds)


def unregistered() -> list[str]:
    """Event kinds nobody said how to replay (a test keeps this empty)."""
    known = set(MESSAGE_KINDS) | set(RECORD_KINDS) | NOTHING_TO_REPLAY
    return [kind for kind in Event.Kind.values if kind not in known]


# --- messages, their stages and replies ---------------------------------------------

MESSAGE = "handling_message"
STAGE = "handling_stage"
REPLY = "handling_reply"
STAGE_FIELDS = {
    "kind": ("kind", str),
    "unit": ("unit_id", int),
    "started_at": ("started_at", _instant),
    "limit_days": ("limit_days", int),
    "due_at": ("due_at", _instant),
    "extension_days": ("extension_days", int),
    "held_days": ("held_days", int),
    "completed_at": ("completed_at", _instant),
    "outcome": ("outcome", str),
}


def apply_stage_changes(state: Rebuilt, ev: Ev) -> None:
    """What the event says it did to the message's stages (`data["stages"]`): each
    change names the stage and the fields it set; a change that names a kind opens it."""
    for change in ev.data.get("stages", ()):
        values = {}
        for key, value in change.items():
            if key in STAGE_FIELDS:
                column, read = STAGE_FIELDS[key]
                values[column] = read(value) if value is not None else None
        if "kind" in change:
            values = {
                "message_id": ev.message,
                "extension_days": 0,
                "held_days": 0,
                "completed_at": None,
                "outcome": "",
                **values,
            }
        state.put(STAGE, change["id"], **values)


def _open_stage_of(state, message_id, kind):
    return any(
        row["message_id"] == message_id and row["kind"] == kind and row["completed_at"] is None
        for row in state.rows[STAGE].values()
        if row.get("message_id") == message_id
    )


@replays(Event.Kind.SUBMITTED)
def _submitted(state, ev):
    year, number = (int(part) for part in ev.data["serial"].split("-"))
    state.serials[ev.data["serial"]] = ev.message
    state.put(
        MESSAGE,
        ev.message,
        region_id=state.region_id,
        year=year,
        number=number,
        category_id=state.categories.get(ev.data["category"], ev.data["category"]),
        unit_id=ev.unit,
        state="dispatched" if ev.unit else "pending_dispatch",
        submitted_at=ev.at,
        closed_at=None,
        closure_kind="",
        rating="",
        rated_at=None,
        supervised_at=None,
        merged_into_id=None,
        answered=False,
    )


def _message(rebuilt, ev, **values):
    if rebuilt.row(MESSAGE, ev.message) is not None:
        rebuilt.put(MESSAGE, ev.message, **values)


@replays(Event.Kind.DISPATCHED)
def _dispatched(state, ev):
    _message(state, ev, unit_id=ev.data["to_unit"], state="dispatched")


@replays(Event.Kind.TRANSFER_REQUESTED)
def _transfer_requested(state, ev):
    _message(state, ev, state="transfer_requested")


@replays(Event.Kind.TRANSFER_REJECTED)
def _transfer_rejected(state, ev):
    # Back to where it stood: acknowledged or not (handling.actions.reject_transfer).
    responded = not _open_stage_of(state, ev.message, "response")
    _message(state, ev, state="responded" if responded else "dispatched")


@replays(Event.Kind.RESPONDED)
def _responded(state, ev):
    # Acknowledged while its hand-back waits: still handed back (actions.respond).
    row = state.row(MESSAGE, ev.message)
    if row is None or row["state"] != "transfer_requested":
        _message(state, ev, state="responded")


@replays(Event.Kind.REPLIED)
def _replied(state, ev):
    row = state.row(MESSAGE, ev.message)
    if row is not None and row["state"] in ("dispatched", "responded"):
        row["state"] = "replied"
    if row is not None:
        row["answered"] = True  # public from now on (handling.models.PUBLISHED)
    state.put(REPLY, ev.data["reply"], message_id=ev.message, unit_id=ev.unit, at=ev.at)


@replays(Event.Kind.CLOSED)
def _closed(state, ev):
    _message(state, ev, state="closed", closed_at=ev.at, closure_kind=ev.data["closure_kind"])


@replays(Event.Kind.LONG_CYCLE_REQUESTED)
def _long_cycle_requested(state, ev):
    _message(state, ev, state="closure_pending")


@replays(Event.Kind.REOPENED)
def _reopened(state, ev):
    _message(state, ev, state="responded", closed_at=None, closure_kind="")


@replays(Event.Kind.RATED)
def _rated(state, ev):
    _message(state, ev, rating=ev.data["rating"], rated_at=ev.at)


@replays(Event.Kind.REASSIGNED)
def _reassigned(state, ev):
    # The first unit's open stages ended as "reassigned" (the event's stage changes).
    _message(state, ev, unit_id=ev.data["to_unit"], state="dispatched")


@replays(Event.Kind.SPAM_MARKED)
def _spam_marked(state, ev):
    # Its open stages stopped as "spam" (the event's stage changes): out of every count.
    _message(state, ev, state="spam")


@replays(Event.Kind.SPAM_UNMARKED)
def _spam_unmarked(state, ev):
    # Back where it stood; the clocks the mark stopped start again (its stage changes).
    _message(state, ev, state=ev.data["to_state"])


@replays(Event.Kind.MERGED)
def _merged(state, ev):
    # 并单: its open stages stopped as "merged" (the event's stage changes); a message
    # carried along with its main keeps its state and points at the new main.
    _message(state, ev, state="merged", merged_into_id=ev.data["into"])


@replays(Event.Kind.UNMERGED)
def _unmerged(state, ev):
    # Back where it stood; the clocks the merge stopped start again (its stage changes).
    # A rating of the main message's answer given while merged is withdrawn with it
    # (recorded since handling.actions._withdraw_merged_rating; before, it stayed).
    cleared = {"rating": "", "rated_at": None} if "withdrawn_rating" in ev.data else {}
    _message(state, ev, state=ev.data["to_state"], merged_into_id=None, **cleared)


@replays(Event.Kind.CATEGORY_SET)
def _category_set(state, ev):
    # A category decides the closure rule a message is judged by.
    _message(state, ev, category_id=state.categories.get(ev.data["category"], ev.data["category"]))


@replays(Event.Kind.FOLLOW_UP_ANSWERED)
def _follow_up_answered(state, ev):
    # A reply of its own, under the follow-up: it leaves the message's state alone.
    state.put(REPLY, ev.data["reply"], message_id=ev.message, unit_id=ev.unit, at=ev.at)


@replays(Event.Kind.SUPERVISION_FLAGGED)
def _flagged(state, ev):
    _message(state, ev, supervised_at=ev.at)


@replays(
    Event.Kind.EXTENSION_REQUESTED,
    Event.Kind.EXTENSION_APPROVED,
    Event.Kind.EXTENSION_REJECTED,
    Event.Kind.EXTENSION_LAPSED,
    Event.Kind.EXTENSION_RESTORED,  # the `stage_rejudged` event before it judged the reply late
    Event.Kind.LONG_CYCLE_APPROVED,  # the `closed` event that follows closes it
    Event.Kind.LONG_CYCLE_REJECTED,  # the `reopened` event that follows reopens it
    Event.Kind.FOLLOWED_UP,
    Event.Kind.DEADLINE_RECOMPUTED,
    Event.Kind.STAGE_REJUDGED,
    Event.Kind.REPLY_DRAFTED,  # a draft is no reply: nothing counts until it is approved
    Event.Kind.REPLY_APPROVED,  # the `replied` (or `follow_up_answered`) event that follows publishes it
    Event.Kind.REPLY_RETURNED,
    Event.Kind.REPLY_WITHDRAWN,
    Event.Kind.ANSWER_UPHELD,
    Event.Kind.TOPIC_SET,  # what a message is about scores nothing
    Event.Kind.DUPLICATE_DISMISSED,  # a flag found wrong changes nothing counted
)
def _stages_only(state, ev):
    """Nothing but their stage changes, applied to every event."""


# --- units' records ------------------------------------------------------------------

FILING = "units_rosterfiling"
ORDER = "supervision_writtenexplanationorder"
FINDING = "supervision_supervisionfinding"
EXPOSURE = "supervision_exposure"
BULLETIN_ROW = "evaluation_bulletinrow"


@replays(Event.Kind.ROSTER_FILED, records=True)
def _roster_filed(state, ev):
    members = {(h, "handler") for h in ev.data["handlers"]}
    if ev.data["leader"] is not None:
        members.add((ev.data["leader"], "leader"))
    state.put(
        FILING,
        ev.data["filing"],
        unit_id=ev.unit,
        year=ev.data["year"],
        version=ev.data["version"],
        filed_at=ev.at,
        members=frozenset(members),
    )


@replays(Event.Kind.EXPLANATION_ORDERED, records=True)
def _ordered(state, ev):
    state.put(
        ORDER,
        ev.data["order"],
        unit_id=ev.unit,
        ordered_at=ev.at,
        backlog_deadline=_instant(ev.data["backlog_deadline"]),
        explanation_received_at=None,
        messages=frozenset(state.serials.get(s, s) for s in ev.data["messages"]),
    )


@replays(Event.Kind.EXPLANATION_RECORDED, records=True)
def _explained(state, ev):
    if state.row(ORDER, ev.data["order"]) is not None:
        state.put(ORDER, ev.data["order"], explanation_received_at=ev.at)


@replays(Event.Kind.EXPLANATION_RETURNED, records=True)
def _explanation_returned(state, ev):
    if state.row(ORDER, ev.data["order"]) is not None:
        state.put(ORDER, ev.data["order"], explanation_received_at=None)


@replays(Event.Kind.FINDING_RECORDED, records=True)
def _finding(state, ev):
    state.put(
        FINDING,
        ev.data["finding"],
        unit_id=ev.unit,
        message_id=ev.message,
        source=ev.data["source"],
        adverse=ev.data["adverse"],
        written_criticism=ev.data["written_criticism"],
        found_on=dt.date.fromisoformat(ev.data["found_on"]),
    )


@replays(Event.Kind.EXPOSURE_PUBLISHED, records=True)
def _exposure(state, ev):
    state.put(
        EXPOSURE, ev.data["exposure"], unit_id=ev.unit, message_id=ev.message, published_at=ev.at, withdrawn_at=None
    )


@replays(Event.Kind.EXPOSURE_WITHDRAWN, records=True)
def _exposure_withdrawn(state, ev):
    if state.row(EXPOSURE, ev.data["exposure"]) is not None:
        state.put(EXPOSURE, ev.data["exposure"], withdrawn_at=ev.at)


@replays(Event.Kind.BULLETIN_IMPORTED, records=True)
def _bulletin_rows(state, ev):
    for pk, finding, points in ev.data["rows"]:
        state.put(BULLETIN_ROW, pk, finding_id=finding, points=Decimal(points))


@replays(Event.Kind.CHAIN_MIGRATED, records=True)
def _migrated(state, ev):
    state.legacy_rows = dict(ev.data.get("legacy_rows", {}))


nothing_to_replay(
    Event.Kind.ACCOUNTABILITY_REFERRED,
    Event.Kind.BULLETIN_PUBLISHED,
    Event.Kind.RESULTS_PUBLISHED,
    Event.Kind.PROPOSAL_DECLINED,  # a proposal declined orders nothing
    # Review before publishing decides what the public reads, and erasure removes
    # personal data: neither touches a row the scores read.
    Event.Kind.REVIEW_PASSED,
    Event.Kind.REVIEW_REDACTED,
    Event.Kind.REVIEW_WITHHELD,
    Event.Kind.ERASED,
    # Whether the public sees a photo changes no row the scores read.
    Event.Kind.ATTACHMENT_WITHHELD,
    Event.Kind.ATTACHMENT_RELEASED,
)


# --- reading the database -----------------------------------------------------------


def _db_messages(ids):
    from wenzheng.handling.models import Message, Reply, Stage

    fields = [
        "region_id", "year", "number", "category_id", "unit_id", "state", "submitted_at", "closed_at",
        "closure_kind", "rating", "rated_at", "supervised_at", "merged_into_id", "answered",
    ]  # fmt: skip
    messages = {row["id"]: row for row in Message.objects.filter(pk__in=ids).values("id", *fields)}
    stage_fields = ["message_id", *(column for column, _ in STAGE_FIELDS.values())]
    stages = {row["id"]: row for row in Stage.objects.filter(message_id__in=ids).values("id", *stage_fields)}
    replies = {
        row["id"]: row for row in Reply.objects.filter(message_id__in=ids).values("id", "message_id", "unit_id", "at")
    }
    return {MESSAGE: messages, STAGE: stages, REPLY: replies}


def _db_records(region_id):
    from wenzheng.evaluation.models import BulletinRow
    from wenzheng.supervision.models import Exposure, SupervisionFinding, WrittenExplanationOrder
    from wenzheng.units.models import RosterFiling, RosterMember

    in_region = Q(unit__region_id=region_id)
    filings = {
        row["id"]: {**row, "members": set()}
        for row in RosterFiling.objects.filter(in_region).values("id", "unit_id", "year", "version", "filed_at")
    }
    for filing, user, position in RosterMember.objects.filter(filing__in=list(filings)).values_list(
        "filing_id", "user_id", "position"
    ):
        filings[filing]["members"].add((user, position))
    for row in filings.values():
        row["members"] = frozenset(row["members"])
    orders = {
        row["id"]: {**row, "messages": set()}
        for row in WrittenExplanationOrder.objects.filter(in_region).values(
            "id", "unit_id", "ordered_at", "backlog_deadline", "explanation_received_at"
        )
    }
    through = WrittenExplanationOrder.messages.through
    for order, message in through.objects.filter(writtenexplanationorder_id__in=list(orders)).values_list(
        "writtenexplanationorder_id", "message_id"
    ):
        orders[order]["messages"].add(message)
    for row in orders.values():
        row["messages"] = frozenset(row["messages"])
    findings = {
        row["id"]: row
        for row in SupervisionFinding.objects.filter(in_region).values(
            "id", "unit_id", "message_id", "source", "adverse", "written_criticism", "found_on"
        )
    }
    exposures = {
        row["id"]: row
        for row in Exposure.objects.filter(in_region).values(
            "id", "unit_id", "message_id", "published_at", "withdrawn_at"
        )
    }
    rows = {row["id"]: row for row in BulletinRow.objects.filter(in_region).values("id", "finding_id", "points")}
    return {FILING: filings, ORDER: orders, FINDING: findings, EXPOSURE: exposures, BULLETIN_ROW: rows}


# --- comparing ----------------------------------------------------------------------


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return a == b


def _compare(table, database: dict, rebuilt: dict, *, skip=frozenset(), legacy_upto=0) -> list[Difference]:
    found = []
    for pk in sorted(set(database) | set(rebuilt), key=str):
        if pk in skip:
            continue
        db_row, ev_row = database.get(pk), rebuilt.get(pk)
        if ev_row is None:
            if isinstance(pk, int) and pk <= legacy_upto:
                continue  # written before the events carried row ids
            found.append(Difference(table, pk, None, "in the database, but no event made it"))
        elif db_row is None:
            found.append(Difference(table, pk, None, "missing from the database, though its events made it"))
        else:
            for column, value in ev_row.items():
                if column in db_row and not _same(db_row[column], value):
                    found.append(Difference(table, pk, column, db_row[column], value))
    return found


# --- the passes ---------------------------------------------------------------------

FIELDS = ("seq", "version", "at", "kind", "message_id", "unit_id", "data")


@dataclass
class Report:
    chains: int = 0
    events: int = 0
    messages: int = 0
    records: int = 0
    legacy_events: int = 0
    legacy_messages: int = 0  # messages with events written before format 2: not compared
    skipped: int = 0  # changed while the check ran
    differences: list[Difference] = field(default_factory=list)


def _ev(row) -> Ev:
    seq, version, at, kind, message, unit, data = row
    return Ev(seq, version, at, kind, message, unit, data or {})


def _apply(state: Rebuilt, ev: Ev, registry) -> None:
    if ev.version < hashing.VERSION:
        state.legacy_events += 1
        if ev.message is not None:
            state.legacy_messages.add(ev.message)
        return
    replayer = registry.get(ev.kind)
    if replayer is not None:
        replayer(state, ev)
    if registry is MESSAGE_KINDS:
        apply_stage_changes(state, ev)


def replay_chain(head: ChainHead, report: Report, *, batch: int = BATCH) -> None:
    """Rebuild one chain's rows up to its head as it stands now and compare them."""
    from wenzheng.handling.models import Category, Message

    categories = dict(Category.objects.values_list("code", "pk"))
    upto = head.last_seq  # the snapshot: events after it belong to changes made meanwhile
    events = Event.objects.filter(chain=head, seq__lte=upto)
    report.chains += 1
    report.events += upto

    # Units' records: their own, few events, in one pass. Orders name their
    # messages by serial: those serials are found in the messages' own submissions.
    records = Rebuilt(head.region_id, categories)
    record_events = [
        _ev(row) for row in events.filter(kind__in=list(RECORD_KINDS)).order_by("seq").values_list(*FIELDS)
    ]
    named = {serial for ev in record_events for serial in ev.data.get("messages", ())}
    submitted = events.filter(kind=Event.Kind.SUBMITTED, data__serial__in=sorted(named)) if named else events.none()
    for serial_data, message in submitted.values_list("data", "message_id"):
        records.serials[serial_data["serial"]] = message
    for ev in record_events:
        _apply(records, ev, RECORD_KINDS)
    database = _db_records(head.region_id)
    moving = _changed_meanwhile(head, upto, kinds=list(RECORD_KINDS))
    for table, rows in database.items():
        skip = moving.get(table, set())
        report.differences += _compare(
            table, rows, records.rows[table], skip=skip, legacy_upto=records.legacy_rows.get(table, 0)
        )
        report.records += len(rows)
        report.skipped += len(skip & set(rows))
    report.legacy_events += records.legacy_events

    # Messages, a batch of ids at a time: every id the events or the table know.
    ids = sorted(
        set(events.filter(kind=Event.Kind.SUBMITTED).values_list("message_id", flat=True))
        | set(Message.objects.filter(region_id=head.region_id).values_list("pk", flat=True))
    )
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        state = Rebuilt(head.region_id, categories)
        rows = events.filter(message_id__in=part).order_by("message_id", "seq").values_list(*FIELDS)
        for row in rows:
            ev = _ev(row)
            if ev.kind in MESSAGE_KINDS or "stages" in ev.data:
                _apply(state, ev, MESSAGE_KINDS)
            elif ev.version < hashing.VERSION and ev.message is not None:
                state.legacy_messages.add(ev.message)
                if ev.kind not in RECORD_KINDS:  # those the pass over records counted
                    state.legacy_events += 1
        database = _db_messages(part)
        # Rows read after the events: a message changed since the snapshot is left out.
        moved = set(
            Event.objects.filter(chain=head, seq__gt=upto, message_id__in=part).values_list("message_id", flat=True)
        )
        skip_messages = moved | state.legacy_messages
        report.skipped += len(moved)
        report.legacy_messages += len(state.legacy_messages - moved)
        report.legacy_events += state.legacy_events
        report.messages += len(set(part) - skip_messages)
        for table in (MESSAGE, STAGE, REPLY):
            left_out = {
                pk
                for pk, row in (database[table] | state.rows[table]).items()
                if (pk if table == MESSAGE else row["message_id"]) in skip_messages
            }
            report.differences += _compare(table, database[table], state.rows[table], skip=left_out)


def _changed_meanwhile(head, upto, *, kinds) -> dict[str, set]:
    """The record rows touched by events appended after the snapshot."""
    touched = defaultdict(set)
    keys = {"filing": FILING, "order": ORDER, "finding": FINDING, "exposure": EXPOSURE}
    for data in Event.objects.filter(chain=head, seq__gt=upto, kind__in=kinds).values_list("data", flat=True):
        for key, table in keys.items():
            if key in data:
                touched[table].add(data[key])
        for pk, *_ in data.get("rows", ()):
            touched[BULLETIN_ROW].add(pk)
    return touched


def replay(*, batch: int = BATCH) -> Report:
    """Every chain, rebuilt and compared."""
    report = Report()
    # Millions of small dicts that hold no reference cycles: the cyclic collector
    # would walk them again and again for nothing (reference counting frees them).
    enabled = gc.isenabled()
    gc.disable()
    try:
        for head in ChainHead.objects.select_related("region").order_by("pk"):
            replay_chain(head, report, batch=batch)
    finally:
        if enabled:
            gc.enable()
    return report
