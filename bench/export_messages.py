"""Benchmark: export 1,000,000 messages and 1,000,000 events to .csv and .xlsx.

    .venv/bin/python bench/export_messages.py [--rows 1000000] [--only csv]

Seeds a throwaway SQLite database with SQL (a recursive CTE: a million messages in
seconds; the events are not a valid hash chain, which an export does not check),
then runs `manage.py export_messages` in a child process per file and reads the
child's own peak RSS. Target: at most 300 MB, whatever the row count.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEED = """
import datetime as dt
from django.db import connection
from wenzheng.accounts.models import Role, User
from wenzheng.handling.models import Category
from wenzheng.units.models import Region, Unit
city = Region.objects.create(name="河池市", code="hechi", kind="city")
county = Region.objects.create(name="罗城仫佬族自治县", code="luocheng", kind="county", parent=city)
unit = Unit.objects.create(region=county, name="东门镇", kind="township", registered_on=dt.date(2020, 1, 1))
office = User.objects.create_user("office", password="x", role=Role.COUNTY_OFFICE, region=county)
category = Category.objects.get(code="appeal")
# The county's event chain (placeholder hashes: the export reads events, nothing here verifies them).
from wenzheng.eventlog import hashing
from wenzheng.eventlog.models import ChainHead
head = ChainHead.objects.create(region=county, key_id=hashing.key_id(hashing.current_key()))
n = {rows}
with connection.cursor() as c:
    c.execute(f'''
        WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {{n}})
        INSERT INTO handling_message (region_id, year, number, category_id, unit_id, title, body,
            consent_to_publish, citizen_name, citizen_phone, citizen_id_number, citizen_email, citizen_address,
            tracking_code, passcode_hash, state, submitted_at, closure_kind, closure_explanation, rating)
        SELECT {{county.pk}}, 2025, i, {{category.pk}}, {{unit.pk}}, '=关于第' || i || '号路段路灯不亮的问题',
            '东门镇新街路段的路灯已经坏了两个星期，晚上出行很不方便，请尽快维修。东门镇新街路段的路灯已经坏了两个星期。',
            1, '张三', '13800000000', '', '', '', printf('T%09d', i), '!', 'dispatched',
            datetime('2025-01-01', '+' || (i % 300) || ' days'), '', '', ''
        FROM seq''')
    c.execute(f'''
        WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {{n}})
        INSERT INTO eventlog_event (chain_id, version, seq, at, kind, actor_id, actor_role, message_id, unit_id,
            note, data, prev_hash, hash)
        SELECT {{head.pk}}, 2, i, datetime('2025-01-01', '+' || (i % 300) || ' days'), 'submitted', {{office.pk}},
            'county_office',
            i, {{unit.pk}}, '', '{{{{"serial": "2025-000001", "category": "appeal"}}}}', printf('%064d', i - 1),
            printf('%064d', i)
        FROM seq''')
"""
CHILD = """
import resource, sys, django
django.setup()
from django.core.management import call_command
call_command("export_messages", *sys.argv[1:])
print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["csv", "xlsx"])
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="wenzheng-bench-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wenzheng.settings"}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    subprocess.run([PY, "manage.py", "shell", "-c", SEED.format(rows=options.rows)], env=env, cwd=ROOT, check=True)  # noqa: S603
    for what in ("messages", "events"):
        for extension in ("csv", "xlsx"):
            if options.only and extension != options.only:
                continue
            path = workdir / f"{what}.{extension}"
            args = [str(path), *(["--events"] if what == "events" else [])]
            started = time.perf_counter()
            done = subprocess.run([PY, "-c", CHILD, *args], env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
            seconds = time.perf_counter() - started
            if done.returncode:
                sys.exit(done.stderr[-2000:])
            peak = int(done.stdout.split()[-1]) / 1024
            size = path.stat().st_size / 1e6
            print(f"{what}.{extension}: {options.rows} rows, {seconds:.1f} s, {size:.0f} MB, peak RSS {peak:.0f} MB")
            path.unlink()


if __name__ == "__main__":
    main()
