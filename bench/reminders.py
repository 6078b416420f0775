"""Benchmark: one reminder pass of the worker over 100,000 open stages, next to a
bare count of those stages.

    .venv/bin/python bench/reminders.py                       # SQLite
    scripts/with-postgres .venv/bin/python bench/reminders.py # the same on a throwaway PostgreSQL

A synthetic city: 20 counties of 100 units each (a leader and two handlers per unit,
every one with a mobile number, and one county office account per county), and
open messages whose 100,000 open stages (response and reply) have deadlines on the
working days of the 120 days around the moment of the pass, plus 100,000 closed messages whose
200,000 completed stages the pass must not read. The rows are written straight into
the tables (executemany on SQLite, COPY on PostgreSQL), as bench/evaluation.py does.

It runs as a server does, with DEBUG off. The pass is the one at 09:00 on Wednesday
18 November 2026 (no holiday near): the
units hear of the stages due tomorrow and of those overdue since yesterday, the
county offices of those overdue by three working days. In the same process and on
the same data it times, each median of --repeat after a warm-up:
- count: `Stage.objects.filter(completed_at__isnull=True).count()`, the bare count;
- find: what a pass reads to find the due reminders (timers.due_soon, overdue,
  office_overdue: one indexed range query each, grouped per unit or county, and a
  reminder with its text for each);
- addressed: the same, then the people of those units and county offices and a
  notice draft for each (timers.Addressing), none written;
- pass: the whole sweep of the window (timers.sweep: finding, then writing the
  notices and their SMS deliveries), rolled back after each run so every run does
  the same work;
- idle: a pass at 10:00 two seconds after the last (the worker looks every two
  seconds, and all but a few passes a day have no reminder moment in them).
"""

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluation import Loader  # noqa: E402 (the bench's own loader, after the path is set)

COUNTIES, UNITS_PER_COUNTY = 20, 100
TZ = dt.timezone(dt.timedelta(hours=8))
PASS_AT = dt.datetime(2026, 11, 18, 9, 0, 30, tzinfo=TZ)
SPREAD_DAYS = 120


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--open-stages", type=int, default=100_000)
    p.add_argument("--closed-messages", type=int, default=100_000)
    p.add_argument(
        "--spread-days", type=int, default=SPREAD_DAYS, help="days the open deadlines spread over (around the pass)"
    )
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--reuse", action="store_true", help="SQLite: reuse the file built by an earlier run")
    return p.parse_args()


def configure(args):
    if not os.environ.get("DATABASE_URL"):
        name = f"wenzheng-bench-reminders-{args.open_stages}-{args.spread_days}d.sqlite3"
        path = Path("/tmp") / name  # noqa: S108 (a throwaway file)
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # As on a county's server: with DEBUG on, Django keeps every query's text with its
    # parameters, which costs more than the INSERTs of a sweep themselves.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("EVENT_CHAIN_KEY", "bench-only-not-a-secret")  # required with DEBUG off
    import django

    django.setup()


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=TZ)


def build(args, loader):
    from wenzheng.handling.models import Category

    rng = random.Random(args.seed)
    ts = loader.ts
    t0 = time.perf_counter()
    regions = [(1, "河池市（基准）", "bench-city", "city", None, False)]
    regions += [(2 + i, f"第{i + 1}县", f"bench-county-{i + 1}", "county", 1, False) for i in range(COUNTIES)]
    loader.insert("units_region", ["id", "name", "code", "kind", "parent_id", "reply_signoff"], regions)
    n_units = COUNTIES * UNITS_PER_COUNTY
    unit_region = [2 + u // UNITS_PER_COUNTY for u in range(n_units)]
    loader.insert(
        "units_unit",
        ["id", "region_id", "name", "kind", "registered_on", "deactivated_on", "reply_signoff"],
        (
            (
                u + 1,
                unit_region[u],
                f"单位{u + 1:05d}",
                "township" if u % 10 == 0 else "department",
                loader.day(dt.date(2020, 1, 1)),
                None,
                None,
            )
            for u in range(n_units)
        ),
    )
    joined = ts(PASS_AT.timestamp() - 400 * 86400)
    users = []
    for u in range(n_units):
        for k, role in enumerate(("leader", "handler", "handler")):
            users.append((3 * u + k + 1, f"b{u}_{k}", role, u + 1, None, f"139{3 * u + k + 1:08d}"))
    users += [(3 * n_units + 1 + i, f"office{i}", "county_office", None, 2 + i, f"138{i:08d}") for i in range(COUNTIES)]
    loader.insert(
        "accounts_user",
        [
            *("id", "password", "username", "is_superuser", "is_active", "date_joined", "role", "unit_id"),
            *("region_id", "first_name", "last_name", "email", "is_staff", "display_name", "phone"),
        ],
        (
            (pk, "!", name, False, True, joined, role, unit, region, "", "", "", False, "", phone)
            for pk, name, role, unit, region, phone in users
        ),
    )
    category = Category.objects.get(code="consultation").pk
    message_cols = [
        "id", "region_id", "year", "number", "category_id", "unit_id", "title", "body", "consent_to_publish",
        "citizen_id", "citizen_name", "citizen_phone", "citizen_id_number", "citizen_email", "citizen_address",
        "tracking_code", "passcode_hash", "state", "submitted_at", "closed_at", "closure_kind",
        "closure_explanation", "rating", "rated_at", "supervised_at", "untimed", "answered",
    ]  # fmt: skip
    stage_cols = ["id", "message_id", "unit_id", "kind", "started_at", "limit_days", "due_at", "due_warning"]
    stage_cols += ["extension_days", "completed_at", "outcome", "serial_number"]
    messages, stages = [], []
    mid = sid = 0
    first_day = PASS_AT.date() - dt.timedelta(days=args.spread_days // 2)

    def message(unit, state, submitted, closed=None):
        nonlocal mid
        mid += 1
        messages.append(
            (mid, unit_region[unit - 1], 2026, mid, category, unit, f"留言{mid}", "内容", False, None, "网民",
             "13800000000", "", "", "", f"R{mid:011d}", "!", state, ts(submitted), ts(closed),
             "answered" if closed else "", "", "", None, None, False, state in ("replied", "closed"))
        )  # fmt: skip
        return mid

    def stage(m, unit, kind, started, due, completed=None):
        nonlocal sid
        sid += 1
        outcome = ("on_time" if completed < due else "late") if completed else ""
        stages.append((sid, m, unit, kind, ts(started), 1 if kind == "response" else 5, ts(due), "", 0,
                       ts(completed), outcome, 2026 * 1_000_000 + m))  # fmt: skip

    # A deadline's last day is always a working day (November 2026 has no holiday).
    last_days = [first_day + dt.timedelta(days=n) for n in range(args.spread_days)]
    last_days = [day for day in last_days if day.weekday() < 5]

    def weekdays_before(day, n):
        while n:
            day -= dt.timedelta(days=1)
            n -= day.weekday() < 5
        return day

    open_left = args.open_stages
    while open_left > 0:
        unit = rng.randrange(n_units) + 1
        last = rng.choice(last_days)
        due = midnight(last + dt.timedelta(days=1)).timestamp()
        respond_by = midnight(weekdays_before(last, 4) + dt.timedelta(days=1)).timestamp()
        started = due - 7 * 86400
        if open_left >= 2 and rng.random() < 0.5:  # not yet acknowledged: both stages open
            m = message(unit, "dispatched", started)
            stage(m, unit, "response", started, respond_by)
            stage(m, unit, "reply", started, due)
            open_left -= 2
        else:  # acknowledged, the reply still owed
            m = message(unit, "responded", started)
            stage(m, unit, "response", started, respond_by, started + 3600)
            stage(m, unit, "reply", started, due)
            open_left -= 1
    for _ in range(args.closed_messages):
        unit = rng.randrange(n_units) + 1
        started = PASS_AT.timestamp() - rng.randrange(30, 300) * 86400
        m = message(unit, "closed", started, started + 2 * 86400)
        stage(m, unit, "response", started, started + 86400 * 2, started + 3600)
        stage(m, unit, "reply", started, started + 86400 * 7, started + 86400)
    loader.insert("handling_message", message_cols, messages)
    loader.insert("handling_stage", stage_cols, stages)
    print(f"  built {mid:,} messages, {sid:,} stages in {time.perf_counter() - t0:.1f}s", flush=True)


def timed(fn, repeat):
    fn()  # warm the cache
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), result


class Rollback(Exception):
    def __init__(self, made):
        self.made = made


def main():
    args = parse_args()
    configure(args)
    from django.core.management import call_command
    from django.db import connection, transaction

    from wenzheng.handling.models import Message, Stage
    from wenzheng.notifications import timers
    from wenzheng.notifications.models import Delivery, Notice, Sweep

    print(f"database: {connection.vendor}", flush=True)
    call_command("migrate", verbosity=0)
    if not Message.objects.filter(tracking_code__startswith="R").exists():
        build(args, Loader(connection))
        loader = Loader(connection)
        loader.finish([Message, Stage])
    window = timers.Window(PASS_AT - dt.timedelta(minutes=5), PASS_AT)

    def count():
        return Stage.objects.filter(completed_at__isnull=True).count()

    def find():
        ctx = timers.Pass(window, PASS_AT)
        return [r for timer in (timers.due_soon, timers.overdue, timers.office_overdue) for r in timer(window, ctx)]

    def addressed():
        reminders = find()
        return timers.Addressing(reminders).drafts(reminders)

    def whole_pass():
        try:
            with transaction.atomic():
                Sweep.objects.update_or_create(pk=1, defaults={"swept_until": window.start})
                made = timers.sweep(window)
                raise Rollback((made, Notice.objects.count(), Delivery.objects.count()))
        except Rollback as done:
            return done.made

    later = PASS_AT + dt.timedelta(hours=1)

    def idle():
        return timers.claim(later)

    c_median, c_min, open_count = timed(count, args.repeat)
    Sweep.objects.update_or_create(pk=1, defaults={"swept_until": later - dt.timedelta(seconds=2)})
    i_median, _i_min, nothing = timed(idle, args.repeat)
    assert nothing is None
    f_median, f_min, reminders = timed(find, args.repeat)
    a_median, a_min, drafts = timed(addressed, args.repeat)
    p_median, p_min, (made, notices, deliveries) = timed(whole_pass, args.repeat)
    assert len(drafts) == notices, (len(drafts), notices)
    result = {
        "database": connection.vendor,
        "open_stages": open_count,
        "all_stages": Stage.objects.count(),
        "median_s": {
            "count": round(c_median, 4),
            "find": round(f_median, 4),
            "addressed": round(a_median, 4),
            "pass": round(p_median, 4),
            "idle_pass": round(i_median, 5),
        },
        "min_s": {
            "count": round(c_min, 4),
            "find": round(f_min, 4),
            "addressed": round(a_min, 4),
            "pass": round(p_min, 4),
        },
        "find_over_count": {"median": round(f_median / c_median, 2), "min": round(f_min / c_min, 2)},
        "addressed_over_count": {"median": round(a_median / c_median, 2), "min": round(a_min / c_min, 2)},
        "pass_over_count": {"median": round(p_median / c_median, 2), "min": round(p_min / c_min, 2)},
        "reminders_found": len(reminders),
        "notices_addressed": len(drafts),
        "made": made,
        "notices_written": notices,
        "deliveries_written": deliveries,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))

    def cell(median, least, per=None):
        ms = f"{median * 1000:.1f} ms ({least * 1000:.1f})"
        return ms if per is None else f"{ms} | {median / c_median:.1f}× ({least / c_min:.1f}×)"

    print(
        f"| {connection.vendor} | {open_count:,} | {cell(c_median, c_min)} | {cell(f_median, f_min, 1)} "
        f"| {cell(a_median, a_min, 1)} | {cell(p_median, p_min, 1)} | {len(reminders):,} → {notices:,} notices, "
        f"{deliveries:,} SMS | {i_median * 1000:.2f} ms |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
