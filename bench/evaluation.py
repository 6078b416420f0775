"""Benchmark: one year's evaluation of a synthetic city, next to the floor.

    .venv/bin/python bench/evaluation.py                       # SQLite, 10,000 units, 1,000,000 messages
    scripts/with-postgres .venv/bin/python bench/evaluation.py # the same on a throwaway PostgreSQL
    .venv/bin/python bench/evaluation.py --messages 10000000   # ten times the messages

Builds a city of 20 counties and 10,000 units with a year (2026) of messages, their
response and reply stages, replies and events (submitted, responded, replied,
closed, reopened, long-cycle approval, rated, transfers), plus rosters, written
explanations, findings, exposures and imported bulletin rows, each record with its
event. The rows are written straight into the tables (executemany on SQLite, COPY on
PostgreSQL): this is test data, not product code, so it does not go through the
action functions; but the events carry what the actions' events carry (the stages
each opened or closed, the records' ids) and are hashed into one keyed chain per
county as the product hashes them, so `verify_events --replay` runs on it as on a
real county's log. The event log's append-only triggers stay on: they refuse updates
and deletes, and the load only inserts.

Then it times, in the same process and on the same data:
- the floor: one bare SQL statement counting the same facts per unit (hand-written,
  each closure condition evaluated once per stage, no fingerprints);
- facts: wenzheng.evaluation.facts.collect, the ORM aggregate queries the run uses;
- run: wenzheng.evaluation.runs.run_evaluation, the whole evaluation: facts,
  scoring, ranking, the digest and storing the run with its 10,000 unit results;
- verify: every county's chain (keyed hashes, links, heads), once; and
  `manage.py verify_events --replay`, the chains again and the replay of every
  message, stage, reply, roster and supervision record from the events, once.

Each is run once to warm the cache, then --repeat times; the median is reported.
The SQLite file is kept under /tmp and reused with --reuse (building is slow).
"""

import argparse
import io
import json
import math
import os
import random
import statistics
import sys
import time
from bisect import bisect_right
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2026
TZ = 8 * 3600  # Asia/Shanghai, no daylight saving
START = 1767196800  # 2026-01-01 00:00 +08:00, as a UTC epoch
END = START + 365 * 86400
NOW = END + 19 * 86400  # counted on 20 January 2027: every stage of 2026 has settled
COUNTIES = 20
CHUNK = 50_000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--units", type=int, default=10_000)
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--reuse", action="store_true", help="SQLite: reuse the file built by an earlier run")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--no-verify", action="store_true", help="time the evaluation only, not verify_events")
    return p.parse_args()


def configure(args):
    if not os.environ.get("DATABASE_URL"):
        path = Path(f"/tmp/wenzheng-bench-{args.units}u-{args.messages}m.sqlite3")  # noqa: S108 (a throwaway file)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- loading ------------------------------------------------------------------------


class Loader:
    """Inserts rows fast: executemany in one transaction on SQLite, COPY on PostgreSQL."""

    BIG_TABLES = ("handling_message", "handling_stage", "handling_reply", "eventlog_event")

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw = connection.connection
        if self.vendor == "sqlite":
            # Loading only: the rows are consistent by construction, nothing to fsync.
            self.raw.execute("PRAGMA foreign_keys=OFF")
            self.raw.execute("PRAGMA synchronous=OFF")
            self.raw.execute("PRAGMA cache_size=-400000")
        else:
            # Loading only, as SQLite's foreign_keys=OFF: the rows are consistent by
            # construction, so no row-by-row foreign-key trigger (this also leaves the
            # event log's append-only triggers off while loading; the load only inserts).
            # The big tables' secondary indexes are dropped and built again at the end,
            # one sort each instead of 10,000,000 random insertions (at 10 M messages
            # they no longer fit in memory). Constraints and their indexes stay.
            with self.raw.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s)"
                    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexname::regclass)",
                    [list(self.BIG_TABLES)],
                )
                self.dropped = cursor.fetchall()
                for name, _ in self.dropped:
                    cursor.execute(f'DROP INDEX "{name}"')

    def ts(self, epoch):
        """An instant as the backend stores it (Django keeps UTC text on SQLite)."""
        if epoch is None:
            return None
        if self.vendor == "sqlite":
            return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))
        return _aware(epoch)

    def day(self, value):
        return value.isoformat() if self.vendor == "sqlite" else value

    def insert(self, table, columns, rows):
        if self.vendor == "sqlite":
            # Django runs sqlite3 in autocommit: one explicit transaction per batch.
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (our own names)
            self.raw.execute("BEGIN")
            try:
                self.raw.executemany(sql, rows)
            except BaseException:
                self.raw.execute("ROLLBACK")  # the batch, not a transaction left open for the next
                raise
            self.raw.execute("COMMIT")
        else:
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def restore(self):
        """The database as the product keeps it: the dropped indexes built again, the
        triggers and foreign-key checks on. Done by finish, and after a failed load."""
        if self.vendor == "sqlite":
            self.raw.execute("PRAGMA foreign_keys=ON")
            return
        with self.connection.cursor() as cursor:
            t = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _, definition in self.dropped:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("SET session_replication_role = DEFAULT")
            print(f"  {len(self.dropped)} indexes built in {time.perf_counter() - t:.0f}s", flush=True)
        self.dropped = []

    def finish(self, models):
        from django.core.management.color import no_style

        if self.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
        self.restore()
        # Fresh statistics, as a database that has lived with its data would have.
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE" if self.vendor == "sqlite" else "VACUUM ANALYZE")


def _aware(epoch):
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def weekday_deadlines():
    """For each local day of 2026 (and a margin): the instant N working days after it
    ends, counting weekdays only (the bench has no holiday calendar)."""
    out = {}
    for d in range(-3, 400):
        for n in (1, 5):
            day, left = d, n
            while left:
                day += 1
                if (day + 3) % 7 < 5:  # 2026-01-01 is a Thursday: day 0 → weekday 3
                    left -= 1
            out[(d, n)] = START + (day + 1) * 86400
    return out


def build(args, loader):
    from wenzheng.accounts.models import User
    from wenzheng.evaluation.models import BulletinImport, BulletinRow
    from wenzheng.eventlog.models import ChainHead, Event
    from wenzheng.handling.models import Category, Message, Reply, Stage
    from wenzheng.supervision.models import Exposure, SupervisionFinding, WrittenExplanationOrder
    from wenzheng.units.models import Region, RosterFiling, RosterMember, Unit

    rng = random.Random(args.seed)
    ts, day = loader.ts, loader.day
    t0 = time.perf_counter()
    import datetime as dt

    regions = [(1, "河池市（基准）", "bench-city", "city", None, False)]
    regions += [(2 + i, f"第{i + 1}县", f"bench-county-{i + 1}", "county", 1, False) for i in range(COUNTIES)]
    loader.insert("units_region", ["id", "name", "code", "kind", "parent_id", "reply_signoff"], regions)
    n_units = args.units
    unit_region = [2 + (u % COUNTIES) for u in range(n_units)]
    unit_kind = ["township" if u % 10 == 0 else "department" for u in range(n_units)]
    loader.insert(
        "units_unit",
        ["id", "region_id", "name", "kind", "registered_on", "deactivated_on"],
        (
            (u + 1, unit_region[u], f"单位{u + 1:05d}", unit_kind[u], day(dt.date(2020, 1, 1)), None)
            for u in range(n_units)
        ),
    )
    # Staff: a leader and two handlers per unit, and one county office account.
    joined = ts(START - 86400 * 400)
    office = 3 * n_units + 1
    users = []
    for u in range(n_units):
        for k, role in enumerate(("leader", "handler", "handler")):
            users.append((3 * u + k + 1, "!", f"b{u}_{k}", False, True, joined, role, u + 1, None))
    users.append((office, "!", "bench-office", False, True, joined, "county_office", None, 2))
    loader.insert(
        "accounts_user",
        [
            *("id", "password", "username", "is_superuser", "is_active", "date_joined", "role", "unit_id"),
            *("region_id", "first_name", "last_name", "email", "is_staff", "display_name", "phone"),
        ],
        ((*row, "", "", "", False, "", "") for row in users),
    )
    print(f"  regions, units, users: {time.perf_counter() - t0:.1f}s", flush=True)

    categories = {c.code: (c.pk, c.closure_rule) for c in Category.objects.all()}
    cat_codes = ["consultation"] * 50 + ["suggestion"] * 11 + ["appeal"] * 39
    # Busy and quiet units: lognormal weights, a few units with thousands of messages.
    weights = [rng.lognormvariate(0, 1.2) for _ in range(n_units)]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    due = weekday_deadlines()
    numbers = dict.fromkeys(range(2, 2 + COUNTIES), 0)
    last_message = {}  # unit → some of its message ids, for supervision records
    serial_of = {}  # their serials, which the written-explanation events name
    ids = {"stage": 0, "reply": 0}
    chains = Chains(ts)
    loader.insert(ChainHead._meta.db_table, ["id", "region_id", "last_seq", "last_hash", "key_id"], chains.heads_rows())
    message_cols = [
        "id", "region_id", "year", "number", "category_id", "unit_id", "title", "body", "consent_to_publish",
        "citizen_id", "citizen_name", "citizen_phone", "citizen_id_number", "citizen_email", "citizen_address",
        "tracking_code", "passcode_hash", "state", "submitted_at", "closed_at", "closure_kind",
        "closure_explanation", "rating", "rated_at", "supervised_at", "untimed", "answered",
    ]  # fmt: skip
    stage_cols = ["id", "message_id", "unit_id", "kind", "started_at", "limit_days", "due_at", "due_warning"]
    stage_cols += ["extension_days", "completed_at", "outcome", "serial_number"]
    reply_cols = ["id", "message_id", "unit_id", "author_id", "text", "at"]

    def stage(stages, mid, unit, kind, started, limit, due_at, completed, outcome, serial_number):
        """A stage row; returns (its id, the event change that opens it, the one that
        completes it or None), as the actions record them."""
        ids["stage"] += 1
        pk = ids["stage"]
        done = completed is not None and completed < NOW
        stages.append(
            (pk, mid, unit, kind, ts(started), limit, ts(due_at), "", 0)
            + ((ts(completed), outcome) if done else (None, ""))
            + (serial_number,)
        )
        opened = {"id": pk, "kind": kind, "unit": unit, "started_at": iso(started), "limit_days": limit,
                  "due_at": iso(due_at)}  # fmt: skip
        return pk, opened, ({"id": pk, "completed_at": iso(completed), "outcome": outcome} if done else None)

    mid = 0
    for chunk_start in range(0, args.messages, CHUNK):
        messages, stages, replies, events = [], [], [], []
        for _ in range(min(CHUNK, args.messages - chunk_start)):
            mid += 1
            unit = bisect_right(cum, rng.random() * total) + 1
            unit = min(unit, n_units)
            region = unit_region[unit - 1]
            numbers[region] += 1
            serial = f"{YEAR}-{numbers[region]:06d}"
            serial_number = YEAR * 1_000_000 + numbers[region]
            code = cat_codes[rng.randrange(100)]
            cat, rule = categories[code]
            submitted = START + rng.randrange(365 * 86400)
            handler = 3 * (unit - 1) + 2
            leader = 3 * (unit - 1) + 1

            def event(at, kind, unit_id, actor=None, role="system", _to=(events, region, mid), **data):
                # The message's own list, region and id, bound now (this runs once per message).
                out, chain_region, message = _to
                chains.add(
                    out,
                    chain_region,
                    at=at,
                    kind=kind,
                    message=message,
                    unit=unit_id,
                    actor=actor,
                    role=role,
                    data=data,
                )

            start = submitted
            if rng.random() < 0.02:  # handed back in time by another unit, then dispatched here
                other = (unit % n_units) + 1
                d0 = (submitted + TZ - START) // 86400
                back = submitted + 3600
                start = back + 3600  # the dispatch ends the other unit's stages ("transferred")
                _, o1, c1 = stage(
                    stages, mid, other, "response", submitted, 1, due[(d0, 1)], start, "transferred", serial_number
                )
                _, o2, c2 = stage(
                    stages, mid, other, "reply", submitted, 5, due[(d0, 5)], start, "transferred", serial_number
                )
                event(submitted, "submitted", other, None, "citizen", serial=serial, category=code, stages=[o1, o2])
                event(back, "transfer_requested", other, 3 * (other - 1) + 2, "handler")
                opening = [c1, c2]
            else:
                opening = None
            d = (start + TZ - START) // 86400
            resp_due, reply_due = due[(d, 1)], due[(d, 5)]
            r = rng.random()
            if r < 0.90:
                responded = start + rng.randrange(60, max(61, resp_due - start - 60))
            elif r < 0.97:
                responded = resp_due + rng.randrange(3600, 3 * 86400)
            else:
                responded = None
            replied = None
            if responded is not None:
                r = rng.random()
                if r < 0.85:
                    replied = max(responded, start + rng.randrange(600, max(601, reply_due - start - 60)))
                elif r < 0.95:
                    replied = max(responded, reply_due + rng.randrange(3600, 10 * 86400))
            _, o_resp, c_resp = stage(stages, mid, unit, "response", start, 1, resp_due, responded,
                                      "on_time" if responded and responded < resp_due else "late",
                                      serial_number)  # fmt: skip
            _, o_reply, c_reply = stage(stages, mid, unit, "reply", start, 5, reply_due, replied,
                                        "on_time" if replied and replied < reply_due else "late",
                                        serial_number)  # fmt: skip
            if opening is None:
                event(
                    submitted,
                    "submitted",
                    unit,
                    None,
                    "citizen",
                    serial=serial,
                    category=code,
                    stages=[o_resp, o_reply],
                )
            else:
                event(start, "dispatched", unit, office, "county_office", to_unit=unit, from_unit=other,
                      stages=[*opening, o_resp, o_reply])  # fmt: skip
            state, closed_at, kind, rating, rated_at = "dispatched", None, "", "", None
            if responded is not None and responded < NOW:
                state = "responded"
                event(responded, "responded", unit, handler, "handler", stages=[c_resp])
            if replied is not None and replied < NOW:
                state = "replied"
                ids["reply"] += 1
                replies.append((ids["reply"], mid, unit, handler, "已答复。", ts(replied)))
                event(replied, "replied", unit, handler, "handler", reply=ids["reply"], outcome=c_reply["outcome"],
                      stages=[c_reply])  # fmt: skip
                if rng.random() < 0.9:
                    closing = replied + rng.randrange(3600, 5 * 86400)
                    if rule == "reply":
                        kind = "answered"
                    else:
                        kind = rng.choices(["solved", "explained", "long_cycle"], [80, 15, 5])[0]
                    if closing < NOW:
                        if kind == "long_cycle":
                            event(closing - 600, "long_cycle_requested", unit, leader, "leader")
                            event(closing, "long_cycle_approved", unit, office, "county_office", level="county_office")
                            event(closing, "closed", unit, office, "county_office", closure_kind=kind)
                        else:
                            event(closing, "closed", unit, leader, "leader", closure_kind=kind)
                        state, closed_at = "closed", closing
                        if rng.random() < 0.005:  # reopened and not yet replied again
                            again = closing + 86400
                            dd = (again + TZ - START) // 86400
                            _, o_again, _ = stage(
                                stages, mid, unit, "reply", again, 5, due[(dd, 5)], None, "", serial_number
                            )
                            event(again, "reopened", unit, office, "county_office", due_at=iso(due[(dd, 5)]),
                                  stages=[o_again])  # fmt: skip
                            state, closed_at = "responded", None
                    if state != "closed":
                        kind = ""
                if rng.random() < 0.4 and replied + 86400 < NOW:
                    rated_at = replied + 86400
                    rating = rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [65, 20, 15])[0]
                    event(rated_at, "rated", unit, None, "citizen", rating=rating)
            kept = last_message.setdefault(unit, [])
            if len(kept) < 3:
                kept.append(mid)
                serial_of[mid] = serial
            messages.append(
                (mid, region, YEAR, numbers[region], cat, unit, f"留言{mid}", "内容", consents(mid), None, "网民",
                 "13800000000", "", "", "", f"T{mid:011d}", "!", state, ts(submitted), ts(closed_at), kind, "",
                 rating, ts(rated_at), None, False, replied is not None and replied < NOW)
            )  # fmt: skip
        loader.insert("handling_message", message_cols, messages)
        loader.insert("handling_stage", stage_cols, stages)
        loader.insert("handling_reply", reply_cols, replies)
        loader.insert("eventlog_event", EVENT_COLS, events)
        if (chunk_start // CHUNK) % 20 == 19 or chunk_start + CHUNK >= args.messages:
            print(f"  messages: {mid:,} ({time.perf_counter() - t0:.0f}s)", flush=True)
    loader.insert(
        "handling_serialcounter",
        ["region_id", "year", "last_number"],
        [(region, YEAR, n) for region, n in numbers.items()],
    )

    # Rosters: 95% of units filed, a fifth of those with one handler only; each filing
    # with its event, as roster_file writes it.
    filings, members, events = [], [], []
    for u in range(n_units):
        if rng.random() < 0.95:
            filed_at = START + 10 * 86400
            filings.append((u + 1, u + 1, YEAR, 1, ts(filed_at), office))
            members.append((len(members) + 1, u + 1, 3 * u + 1, "leader"))
            handlers = [3 * u + 1 + k for k in ((1, 2) if rng.random() < 0.8 else (1,))]
            members += [(len(members) + 1 + i, u + 1, h, "handler") for i, h in enumerate(handlers)]
            chains.add(events, unit_region[u], at=filed_at, kind="roster_filed", unit=u + 1, actor=office,
                       role="county_office", data={"year": YEAR, "version": 1, "filing": u + 1, "leader": 3 * u + 1,
                                                   "handlers": handlers})  # fmt: skip
    loader.insert("units_rosterfiling", ["id", "unit_id", "year", "version", "filed_at", "filed_by_id"], filings)
    loader.insert("units_rostermember", ["id", "filing_id", "user_id", "position"], members)

    # Supervision: written explanations (with backlog deadlines), findings, exposures,
    # each with its event.
    busy = [u for u in last_message if last_message[u]]
    orders, links, findings, exposures, rows = [], [], [], [], []
    for i in range(3000):
        unit = rng.choice(busy)
        at = START + rng.randrange(350 * 86400)
        orders.append((i + 1, unit, "回应迟延。", office, ts(at), ts(at + 5 * 86400), "", None, ""))
        named = last_message[unit][:2]
        for m in named:
            links.append((len(links) + 1, i + 1, m))
        chains.add(events, unit_region[unit - 1], at=at, kind="explanation_ordered", unit=unit, actor=office,
                   role="county_office", data={"order": i + 1, "messages": [serial_of[m] for m in named],
                                               "backlog_deadline": iso(at + 5 * 86400)})  # fmt: skip

    def finding_event(fid, unit, source, adverse, criticism, found, at):
        chains.add(events, unit_region[unit - 1], at=at, kind="finding_recorded", unit=unit, actor=office,
                   role="county_office", data={"finding": fid, "adverse": adverse, "written_criticism": criticism,
                                               "source": source, "found_on": found.isoformat()})  # fmt: skip

    for i in range(3000):
        unit = rng.randrange(n_units) + 1
        criticism = rng.random() < 0.1
        source = "city_bulletin" if criticism else "county_check"
        found = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(360))
        adverse = rng.random() < 0.8
        findings.append((i + 1, unit, None, source, adverse, criticism, "督查发现问题。", day(found),
                         office, ts(START + 360 * 86400)))  # fmt: skip
        finding_event(i + 1, unit, source, adverse, criticism, found, START + 360 * 86400)
    by_county = {}
    for i in range(800):  # imported bulletin rows, each with its finding
        fid = 3001 + i
        unit = rng.randrange(n_units) + 1
        quarter = 1 + i % 4
        found = dt.date(YEAR, 3 * quarter, 28)
        findings.append((fid, unit, None, "city_bulletin", True, False, f"通报第{i}条", day(found), office,
                         ts(START + 362 * 86400)))  # fmt: skip
        finding_event(fid, unit, "city_bulletin", True, False, found, START + 362 * 86400)
        points = f"{rng.choice([0.5, 1, 1.5, 2])}"
        rows.append((i + 1, 1, i + 2, fid, unit, f"{YEAR}Q{quarter}", f"通报第{i}条", points))
        by_county.setdefault(unit_region[unit - 1], []).append([i + 1, fid, points])
    for county, county_rows in sorted(by_county.items()):
        chains.add(events, county, at=START + 362 * 86400, kind="bulletin_imported", actor=office,
                   role="county_office", data={"import": 1, "rows": county_rows})  # fmt: skip
    for i in range(500):
        unit = rng.randrange(n_units) + 1
        at = START + rng.randrange(360 * 86400)
        exposures.append((i + 1, unit, None, "曝光", "……", "县融媒体中心", office, ts(at), ""))
        chains.add(events, unit_region[unit - 1], at=at, kind="exposure_published", unit=unit, actor=office,
                   role="county_office", data={"exposure": i + 1})  # fmt: skip
    loader.insert(
        "supervision_writtenexplanationorder",
        [
            *("id", "unit_id", "reason", "ordered_by_id", "ordered_at", "backlog_deadline", "explanation"),
            *("explanation_received_at", "returned_note"),
        ],
        orders,
    )
    loader.insert(
        "supervision_writtenexplanationorder_messages", ["id", "writtenexplanationorder_id", "message_id"], links
    )
    loader.insert(
        "supervision_supervisionfinding",
        [
            *("id", "unit_id", "message_id", "source", "adverse", "written_criticism", "summary", "found_on"),
            *("recorded_by_id", "recorded_at"),
        ],
        findings,
    )
    loader.insert(
        "evaluation_bulletinimport",
        ["id", "region_id", "file_name", "sha256", "rows", "imported_by_id", "imported_at"],
        [(1, 1, "通报.xlsx", "0" * 64, len(rows), office, ts(START + 362 * 86400))],
    )
    loader.insert(
        "evaluation_bulletinrow",
        ["id", "source_id", "row_number", "finding_id", "unit_id", "period_code", "text", "points"],
        rows,
    )
    loader.insert(
        "supervision_exposure",
        [
            *("id", "unit_id", "message_id", "title", "body", "outlet", "published_by_id", "published_at"),
            "withdrawn_reason",
        ],
        exposures,
    )
    loader.insert("eventlog_event", EVENT_COLS, events)
    chains.save_heads(loader)
    loader.finish(
        [Region, Unit, User, Message, Stage, Reply, Event, ChainHead, RosterFiling, RosterMember,
         WrittenExplanationOrder, SupervisionFinding, Exposure, BulletinImport, BulletinRow]
    )  # fmt: skip
    print(f"  built in {time.perf_counter() - t0:.0f}s: {mid:,} messages, {ids['stage']:,} stages, "
          f"{ids['reply']:,} replies, {chains.count:,} events in {len(chains.heads)} chains", flush=True)  # fmt: skip


EVENT_COLS = [
    "id", "chain_id", "seq", "version", "at", "kind", "actor_id", "actor_role", "message_id", "unit_id", "note",
    "data", "prev_hash", "hash",
]  # fmt: skip


def consents(mid) -> bool:
    """Seven citizens in ten agree to publish (so about 64% of the messages are on the
    public board once answered); from the id, not the generator, so the rest of the
    data is what it was before the pages benchmark needed public messages."""
    return (mid * 2654435761) % 100 < 70


def iso(epoch) -> str:
    """An instant as the events carry it (eventlog.hashing.timestamp)."""
    from wenzheng.eventlog import hashing

    return hashing.timestamp(_aware(epoch))


class Chains:
    """Each county's event chain, hashed with the key and the canonical bytes the
    product uses (wenzheng.eventlog.hashing), so verify_events and its replay run on
    this database as on a real one. A chain's head row has the id of its county."""

    def __init__(self, ts):
        from wenzheng.eventlog import hashing

        self.hashing, self.ts = hashing, ts
        self.key = hashing.current_key()
        self.heads = {region: [0, hashing.GENESIS_HASH] for region in range(2, 2 + COUNTIES)}
        self.count = 0

    def heads_rows(self):
        kid = self.hashing.key_id(self.key)
        return [(region, region, 0, self.hashing.GENESIS_HASH, kid) for region in self.heads]

    def add(self, events, region, *, at, kind, message=None, unit=None, actor=None, role="system", data=None):
        head = self.heads[region]
        head[0] += 1
        self.count += 1
        data = data or {}
        body = self.hashing.payload(
            version=self.hashing.VERSION, chain=region, seq=head[0], at=_aware(at), kind=kind, actor=actor,
            actor_role=role, message=message, unit=unit, note="", data=data, prev_hash=head[1],
        )  # fmt: skip
        digest = self.hashing.sign(self.key, body)
        events.append((self.count, region, head[0], self.hashing.VERSION, self.ts(at), kind, actor, role, message,
                       unit, "", json.dumps(data, ensure_ascii=False), head[1], digest))  # fmt: skip
        head[1] = digest

    def save_heads(self, loader):
        with loader.connection.cursor() as cursor:
            for region, (seq, digest) in self.heads.items():
                cursor.execute(
                    "UPDATE eventlog_chainhead SET last_seq = %s, last_hash = %s WHERE id = %s", [seq, digest, region]
                )


# --- the floor ----------------------------------------------------------------------

SETTLED = "CASE WHEN s.completed_at IS NOT NULL AND s.completed_at < s.due_at THEN s.completed_at ELSE s.due_at END"
IN_REGION = "IN (SELECT id FROM units_unit WHERE region_id IN (SELECT id FROM units_region WHERE parent_id = %(city)s))"
# A message closed at the cut-off by this unit: its own closure, or (reopened since) a
# closing event of this unit before the cut-off that no reopening before it undid.
CLOSED_THEN = """(EXISTS (SELECT 1 FROM eventlog_event r WHERE r.message_id = s.message_id
                                AND r.kind = 'reopened' AND r.at >= %(cutoff)s)
          AND EXISTS (SELECT 1 FROM eventlog_event e WHERE e.message_id = s.message_id AND e.unit_id = s.unit_id
                      AND e.kind = 'closed' AND e.at < %(cutoff)s {long_cycle}
                      AND NOT EXISTS (SELECT 1 FROM eventlog_event x WHERE x.message_id = e.message_id
                                      AND x.kind = 'reopened' AND x.seq > e.seq AND x.at < %(cutoff)s)))"""
CLOSURE_KIND = {"sqlite": "json_extract(e.data, '$.closure_kind')", "postgresql": "e.data->>'closure_kind'"}
# Only our own fragments are formatted in; every value is a parameter.
FLOOR = """
WITH counted AS (
  SELECT s.unit_id, s.kind, m.category_id, s.message_id,
         CASE WHEN s.outcome = 'on_time' THEN 0 ELSE 1 END AS late,
         CASE WHEN s.kind = 'reply' AND ((m.closed_at < %(cutoff)s AND m.unit_id = s.unit_id) OR {closed_then})
              THEN 1 ELSE 0 END AS closed,
         CASE WHEN s.kind = 'reply'
                   AND ((m.closed_at < %(cutoff)s AND m.unit_id = s.unit_id AND m.closure_kind = 'long_cycle')
                        OR {closed_then_long_cycle})
              THEN 1 ELSE 0 END AS long_cycle
    FROM handling_stage s
    JOIN handling_message m ON m.id = s.message_id
   WHERE s.unit_id {in_region}
     AND s.outcome <> 'transferred'
     AND {settled} >= %(start)s AND {settled} < %(cutoff)s
), per_message AS (
  SELECT unit_id, kind, category_id, message_id,
         MAX(late) AS late, MAX(closed) AS closed, MAX(long_cycle) AS long_cycle
    FROM counted
   GROUP BY unit_id, kind, category_id, message_id
)
SELECT unit_id, kind, category_id, COUNT(*), COUNT(*) - SUM(late),
       SUM(CASE WHEN closed = 1 AND (long_cycle = 1 OR late = 0) THEN 1 ELSE 0 END)
  FROM per_message
 GROUP BY unit_id, kind, category_id
UNION ALL
SELECT unit_id, 'rating', NULL, COUNT(*),
       SUM(CASE WHEN rating = 'satisfied' THEN 1 ELSE 0 END),
       SUM(CASE WHEN rating = 'basically_satisfied' THEN 1 ELSE 0 END)
  FROM handling_message
 WHERE rated_at >= %(start)s AND rated_at < %(cutoff)s AND unit_id {in_region}
 GROUP BY unit_id
UNION ALL
SELECT unit_id, 'ordered', NULL, COUNT(*), 0, 0 FROM supervision_writtenexplanationorder
 WHERE ordered_at >= %(start)s AND ordered_at < %(cutoff)s AND unit_id {in_region} GROUP BY unit_id
UNION ALL
SELECT o.unit_id, 'backlog', NULL, COUNT(*), 0, 0 FROM supervision_writtenexplanationorder o
 WHERE o.backlog_deadline >= %(start)s AND o.backlog_deadline < %(cutoff)s AND o.unit_id {in_region}
   AND EXISTS (SELECT 1 FROM supervision_writtenexplanationorder_messages om
                WHERE om.writtenexplanationorder_id = o.id
                  AND NOT EXISTS (SELECT 1 FROM handling_reply r WHERE r.message_id = om.message_id
                                  AND r.unit_id = o.unit_id AND r.at < o.backlog_deadline))
 GROUP BY o.unit_id
UNION ALL
SELECT unit_id, 'exposure', NULL, COUNT(*), 0, 0 FROM supervision_exposure
 WHERE published_at >= %(start)s AND published_at < %(cutoff)s AND unit_id {in_region} GROUP BY unit_id
UNION ALL
SELECT f.unit_id, 'finding', NULL,
       SUM(CASE WHEN f.written_criticism THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT f.written_criticism AND f.adverse AND b.id IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT f.written_criticism AND b.id IS NOT NULL THEN b.points ELSE 0 END)
  FROM supervision_supervisionfinding f LEFT JOIN evaluation_bulletinrow b ON b.finding_id = f.id
 WHERE f.found_on >= %(first)s AND f.found_on <= %(last)s AND f.unit_id {in_region}
 GROUP BY f.unit_id
UNION ALL
SELECT rf.unit_id, 'roster', NULL, COUNT(DISTINCT rf.id),
       SUM(CASE WHEN rm.position = 'leader' THEN 1 ELSE 0 END),
       SUM(CASE WHEN rm.position = 'handler' THEN 1 ELSE 0 END)
  FROM units_rosterfiling rf LEFT JOIN units_rostermember rm ON rm.filing_id = rf.id
 WHERE rf.year = %(year)s AND rf.filed_at < %(cutoff)s AND rf.unit_id {in_region}
   AND NOT EXISTS (SELECT 1 FROM units_rosterfiling n WHERE n.unit_id = rf.unit_id AND n.year = rf.year
                   AND n.version > rf.version AND n.filed_at < %(cutoff)s)
 GROUP BY rf.unit_id
"""


def floor_sql(vendor) -> str:
    kind = CLOSURE_KIND[vendor]
    return FLOOR.format(
        closed_then=CLOSED_THEN.format(long_cycle=""),
        closed_then_long_cycle=CLOSED_THEN.format(long_cycle=f"AND {kind} = 'long_cycle'"),
        in_region=IN_REGION,
        settled=SETTLED,
    )


def floor(connection, city, window):
    params = {
        "city": city.pk,
        "start": window.start,
        "cutoff": window.cutoff,
        "first": window.first_day,
        "last": window.last_counted_day,
        "year": window.last_day.year,
    }
    adapted = {
        k: connection.ops.adapt_datetimefield_value(v)
        if hasattr(v, "tzinfo")
        else (connection.ops.adapt_datefield_value(v) if hasattr(v, "isoformat") else v)
        for k, v in params.items()
    }
    with connection.cursor() as cursor:
        cursor.execute(floor_sql(connection.vendor), adapted)
        return cursor.fetchall()


# --- timing -------------------------------------------------------------------------


def timed(fn, repeat):
    fn()  # warm the cache
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), result


def check_floor_agrees(floor_rows, found):
    """The floor and the evaluation must count the same facts."""
    totals = {"due": 0, "on_time": 0, "met": 0, "rated": 0, "satisfied": 0}
    for _unit, kind, _cat, *values in floor_rows:
        a, b, c = (int(v or 0) for v in values)  # PostgreSQL sums to numeric
        if kind in ("response", "reply"):
            totals["due"] += a
            totals["on_time"] += b
            totals["met"] += c
        elif kind == "rating":
            totals["rated"] += a
            totals["satisfied"] += b
    mine = {"due": 0, "on_time": 0, "met": 0, "rated": 0, "satisfied": 0}
    for f in found.by_unit.values():
        mine["due"] += f.get("response.due", 0) + f.get("reply.due", 0)
        mine["on_time"] += f.get("response.on_time", 0) + f.get("reply.on_time", 0)
        mine["met"] += sum(v for k, v in f.items() if k.startswith("closure.") and k.endswith(".met"))
        mine["rated"] += f.get("rating.rated", 0)
        mine["satisfied"] += f.get("rating.satisfied", 0)
    assert totals == mine, (totals, mine)
    return totals


def main():
    args = parse_args()
    configure(args)
    from django.core.management import call_command
    from django.db import connection

    from wenzheng.evaluation import facts, runs
    from wenzheng.evaluation.models import Run, Scheme
    from wenzheng.eventlog import chain
    from wenzheng.handling.models import Message
    from wenzheng.reports import periods
    from wenzheng.units.models import Region

    print(f"database: {connection.vendor}, {args.units:,} units, {args.messages:,} messages", flush=True)
    call_command("migrate", verbosity=0)
    if not Message.objects.exists():
        build(args, Loader(connection))
    city = Region.objects.get(code="bench-city")
    period = periods.parse(str(YEAR))
    now = _aware(NOW)
    window = facts.Window.of(period, now)
    scheme = Scheme.objects.latest_version("default")

    f_median, f_min, rows = timed(lambda: floor(connection, city, window), args.repeat)
    c_median, c_min, found = timed(lambda: facts.collect(city, window), args.repeat)
    totals = check_floor_agrees(rows, found)
    r_median, r_min, run = timed(
        lambda: runs.run_evaluation(scheme=scheme, region=city, period=period, now=now), args.repeat
    )
    digests = set(Run.objects.filter(region=city).values_list("digest", flat=True))
    print(
        f"| {connection.vendor} | {args.units:,} | {args.messages:,} | {f_median:.2f} s | {c_median:.2f} s "
        f"| {r_median:.2f} s | {r_median / f_median:.2f}× | counted {totals} |",
        flush=True,
    )
    if args.no_verify:
        return 0 if math.isfinite(r_median) else 1
    # The tamper check on the same data: every county's chain, then the replay of
    # everything the scores read, as `manage.py verify_events --replay` runs them.
    t = time.perf_counter()
    checked, broken = chain.verify()
    verify_s = time.perf_counter() - t
    assert broken is None, str(broken)
    out = io.StringIO()
    t = time.perf_counter()
    call_command("verify_events", replay=True, stdout=out)
    verify_replay_s = time.perf_counter() - t
    replayed = next(
        line for line in out.getvalue().splitlines() if line.startswith("Replay: ") and "checked against" in line
    )
    result = {
        "database": connection.vendor,
        "units": args.units,
        "messages": args.messages,
        "floor_s": round(f_median, 3),
        "facts_s": round(c_median, 3),
        "run_s": round(r_median, 3),
        "facts_over_floor": round(c_median / f_median, 2),
        "run_over_floor": round(r_median / f_median, 2),
        "min_s": {"floor": round(f_min, 3), "facts": round(c_min, 3), "run": round(r_min, 3)},
        "counted": totals,
        "units_scored": run.units_count,
        "identical_digests": len(digests) == 1,
        "events": checked,
        "verify_s": round(verify_s, 1),
        "verify_replay_s": round(verify_replay_s, 1),
        "replay": replayed,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(
        f"| {connection.vendor} | {args.units:,} | {args.messages:,} | {f_median:.2f} s | {c_median:.2f} s "
        f"| {r_median:.2f} s | {r_median / f_median:.2f}× |"
    )
    print(
        f"| {connection.vendor} | {checked:,} events | verify {verify_s:.1f} s "
        f"| verify --replay {verify_replay_s:.1f} s |"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if math.isfinite(r_median) else 1


if __name__ == "__main__":
    sys.exit(main())
