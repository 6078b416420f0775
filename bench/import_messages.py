"""Benchmark: import 100,000 messages from an .xlsx file with `manage.py import_messages`.

    .venv/bin/python bench/import_messages.py [--rows 100000] [--csv] [--unanswered clock]

Builds a throwaway SQLite database (or uses DATABASE_URL if set, e.g. under
scripts/with-postgres), a county with 40 units and an office account, writes a file
in the layout other platforms export (70% replied, half of those closed), then times
the import command in a child process and reads its peak memory (max RSS) from
getrusage. Targets: at most 60 s and 300 MB. A second run of the same file must add
nothing.
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HEADER = [
    "留言编号",
    "留言用户",
    "留言主题",
    "留言时间",
    "留言详情",
    "单位",
    "类别",
    "答复意见",
    "答复时间",
    "办理状态",
]
SETUP = """
import datetime as dt
from wenzheng.accounts.models import Role, User
from wenzheng.units.models import Region, Unit
city = Region.objects.create(name="河池市", code="hechi", kind="city")
county = Region.objects.create(name="罗城仫佬族自治县", code="luocheng", kind="county", parent=city)
for i in range(40):
    Unit.objects.create(region=county, name=f"单位{i:02d}", kind="township" if i < 11 else "department",
                        registered_on=dt.date(2020, 1, 1))
User.objects.create_user("office", password="x", role=Role.COUNTY_OFFICE, region=county)
"""


def make_rows(n, seed=7):
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, 8, 0)  # noqa: DTZ001 (a spreadsheet's local time, as exported)
    body = "东门镇新街路段的路灯已经坏了两个星期，晚上出行很不方便，请尽快维修。" * 3
    for i in range(n):
        at = start + dt.timedelta(minutes=i * 7 + rng.randrange(5))
        replied = rng.random() < 0.7
        reply_at = at + dt.timedelta(days=rng.randrange(1, 9), hours=rng.randrange(8))
        yield [
            f"{200000 + i}",
            f"A{rng.randrange(10**8):08d}",
            f"关于第{i}号路段路灯不亮的问题",
            at.strftime("%Y/%m/%d %H:%M:%S"),
            body,
            f"单位{rng.randrange(40):02d}",
            rng.choice(["咨询", "建议", "诉求"]),
            "您好，已安排维修人员处理，感谢您的监督。" if replied else "",
            reply_at.strftime("%Y-%m-%d %H:%M:%S") if replied else "",
            ("已办结" if rng.random() < 0.5 else "已回复") if replied else "",
        ]


def write_file(path: Path, n: int):
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="gbk", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(make_rows(n))
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("留言")
    sheet.append(HEADER)
    for row in make_rows(n):
        sheet.append(row)
    workbook.save(path)


# The child runs the command and reports its own peak RSS (getrusage of itself), so
# the figure is the import's alone, not that of `migrate` run before it.
CHILD = """
import resource, sys, django
django.setup()
from django.core.management import call_command
call_command("import_messages", *sys.argv[1:])
print("maxrss", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(path, env, *args):
    env = {**env, "DJANGO_SETTINGS_MODULE": "wenzheng.settings"}
    started = time.perf_counter()
    command = [PY, "-c", CHILD, str(path), *args]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"failed: {done.stderr[-2000:]}")
    *lines, peak = done.stdout.strip().splitlines()
    return seconds, int(peak.split()[1]) / 1024, lines[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv", action="store_true", help="a GBK-encoded .csv instead of .xlsx")
    parser.add_argument(
        "--unanswered",
        choices=["history", "clock"],
        default="history",
        help="the 30%% never answered: history (no stages, the default) or on the clock from the import",
    )
    options = parser.parse_args()
    args = ["--unanswered", options.unanswered]
    workdir = Path(tempfile.mkdtemp(prefix="wenzheng-bench-"))
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    subprocess.run([PY, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    subprocess.run([PY, "manage.py", "shell", "-c", SETUP], env=env, cwd=ROOT, check=True)  # noqa: S603
    path = workdir / f"messages-{options.rows}.{'csv' if options.csv else 'xlsx'}"
    write_file(path, options.rows)
    print(f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB, {options.rows} rows")
    seconds, peak, summary = run(path, env, *args)
    print(f"import: {seconds:.1f} s, peak RSS {peak:.0f} MB — {summary}")
    seconds, peak, summary = run(path, env, *args)
    print(f"again:  {seconds:.1f} s, peak RSS {peak:.0f} MB — {summary}")


if __name__ == "__main__":
    main()
