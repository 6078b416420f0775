"""Benchmark: working-day arithmetic at memory speed (issue 12).

    .venv/bin/python bench/workdays.py [--n 1000000]

On a throwaway SQLite database with the official calendar (2004–2026), in one process:
`clock.deadline_after` (what every action and the deadline recount call) for N arrival
instants spread over 2025 with limits of 1, 5 and 15 working days; the pure
`rules.add_working_days` for the same dates; `Countdown.days_left` for N deadlines;
and, as the floor, a bare loop that does the same date conversions with no calendar
(`local_date(arrived) + timedelta(days=n)`). Target: 1,000,000 deadlines ≤ 2 s.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label, fn, n, floor=None):
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    ratio = f"{seconds / floor:6.1f}×" if floor else "  floor"
    print(f"{label:58} {seconds:7.3f} s  {seconds / n * 1e6:6.2f} µs each  {ratio}")
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    n = parser.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
        os.environ["DJANGO_SETTINGS_MODULE"] = "wenzheng.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from wenzheng.workdays import clock, rules

        zone = clock.county_zone()
        start = dt.datetime(2025, 1, 1, tzinfo=zone)
        # Arrivals every ~31 seconds over a year: about 365 distinct days, as real ones.
        arrivals = [start + dt.timedelta(seconds=31 * i) for i in range(n)]
        limits = [(1, 5, 15)[i % 3] for i in range(n)]
        days = [a.date() for a in arrivals]
        cal = clock.calendar()
        print(f"{n:,} computations, calendar kept in memory ({len(cal.holidays)} holidays)")

        def floor():
            for a, k in zip(arrivals, limits, strict=True):
                clock.local_date(a) + dt.timedelta(days=k)

        base = timed("floor: local date + timedelta, no calendar", floor, n)
        timed(
            "rules.add_working_days (pure, the index)",
            lambda: [rules.add_working_days(cal, d, k) for d, k in zip(days, limits, strict=True)],
            n,
            base,
        )
        timed(
            "clock.deadline_after (what the actions call)",
            lambda: [clock.deadline_after(a, k) for a, k in zip(arrivals, limits, strict=True)],
            n,
            base,
        )
        dues = [clock.deadline_after(a, k)[0] for a, k in zip(arrivals, limits, strict=True)]
        countdown = clock.Countdown(at=start)
        timed("Countdown.days_left (inbox and overdue lists)", lambda: [countdown.days_left(d) for d in dues], n, base)


if __name__ == "__main__":
    main()
