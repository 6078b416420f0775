"""Benchmark: every key page of a synthetic city on the production server, against a
bare Django view on the same server in the same run.

    .venv/bin/python bench/pages.py                        # builds the 1,000,000-message city once, then reuses it
    .venv/bin/python bench/pages.py --messages 20000       # a small city, for a quick look
    .venv/bin/python bench/pages.py --build-only           # only build (or check) the city

The city is bench/evaluation.py's (20 counties, 10,000 units, a year of messages with
their stages, replies and events; seven citizens in ten consent to publish), written
once into /tmp/wenzheng-bench-pages-<units>u-<messages>m.sqlite3 and reused by every
later run; after the load the kept figures are counted once (`keep_figures
--rebuild`), as after any load behind the actions' back. With DATABASE_URL set it
uses that database instead (building into it if it holds no messages).

For each page it prints, under `--connections` connections (wrk, 2 threads, from the
same machine over the loopback) on gunicorn as `make run` starts it (DEBUG off,
WEB_CONCURRENCY workers, default 2): requests/s, p50, p99, and the ratio to the bare
view (`/health/`: no database, no template) measured by the same server in the same
run; public pages twice, served from the anonymous page cache (`cached`) and from a
second server with PUBLIC_PAGE_CACHE=false (`uncached`). Then the single-request time
of each page (median, p99 and slowest of --single requests, one at a time, uncached server). Staff
pages are read by a session made for the unit's handler, the unit's leader and the
county office (the bench users have no password).

Targets (issue 12): public pages ≥ 50% of the bare view's throughput when cached and
p99 ≤ 100 ms uncached; staff pages ≥ 20% and p99 ≤ 200 ms.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--units", type=int, default=10_000)
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--seconds", type=int, default=10, help="per page and server")
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--single", type=int, default=100, help="single requests per page")
    p.add_argument("--port", type=int, default=8775)
    p.add_argument("--slow-ms", type=int, default=2000, help="uncached: do not load a page slower than this alone")
    p.add_argument("--build-only", action="store_true")
    p.add_argument("--json", help="also write the figures to this file")
    return p.parse_args()


def database_path(args) -> Path:
    return Path(f"/tmp/wenzheng-bench-pages-{args.units}u-{args.messages}m.sqlite3")  # noqa: S108 (a throwaway file)


def prepare(args):
    """The city, built once; returns the paths and sessions the pages need."""
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{database_path(args)}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import evaluation
    from django.core.management import call_command
    from django.db import connection

    from wenzheng.handling.models import Message
    from wenzheng.reports import tally
    from wenzheng.reports.models import UnitTally

    call_command("migrate", verbosity=0)
    if not Message.objects.exists():
        t = time.perf_counter()
        print(f"building the city: {args.units:,} units, {args.messages:,} messages", flush=True)
        evaluation.build(args, evaluation.Loader(connection))
        print(f"  built in {time.perf_counter() - t:.0f} s", flush=True)
    if not UnitTally.objects.exists():
        t = time.perf_counter()
        counted = tally.rebuild()
        print(f"  kept figures counted ({counted:,} messages) in {time.perf_counter() - t:.0f} s", flush=True)
    from wenzheng.ops import planner

    if planner.stale():  # as the worker does (a reused city a migration remade, say)
        t = time.perf_counter()
        planner.analyze()
        print(f"  SQLite's planner statistics measured (ANALYZE) in {time.perf_counter() - t:.0f} s", flush=True)
    return pages_of_city()


def pages_of_city():
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django.utils import timezone

    from wenzheng.accounts.models import User
    from wenzheng.handling.models import Message
    from wenzheng.units.models import Region

    def session(user):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.set_expiry(86400)
        store.save()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    city = Region.objects.get(code="bench-city")
    county = Region.objects.filter(parent=city).order_by("id").first()
    # The busiest unit: the inbox that has the most to list.
    busiest = (
        Message.objects.filter(unit__isnull=False).values("unit").annotate(n=Count("id")).order_by("-n").first()["unit"]
    )
    handler = User.objects.filter(unit_id=busiest, role="handler").order_by("id").first()
    office = User.objects.get(username="bench-office")
    published = (
        Message.objects.filter(region=county, consent_to_publish=True, state__in=("replied", "closed"))
        .filter(submitted_at__lte=timezone.now())
        .order_by("-submitted_at")
        .first()
    )
    s_handler, s_office = session(handler), session(office)
    return {
        "city": city.code,
        "county": county.code,
        "public": [
            ("home", f"/?region={city.code}"),
            ("board, page 1", f"/messages/?region={city.code}"),
            ("board, page 5000", f"/messages/?region={city.code}&page=5000"),
            ("statistics", f"/statistics/?region={city.code}"),
            ("message page", f"/messages/{county.code}/{published.serial}/"),
            ("exposures", f"/exposures/?region={city.code}"),
            ("API list", f"/api/v1/messages?region={city.code}"),
            ("Open311 list", f"/open311/v2/requests.json?jurisdiction_id={county.code}"),  # a county's
        ],
        "staff": [
            ("unit inbox", "/work/unit/", s_handler),
            ("county dashboard", f"/work/county/{county.code}/", s_office),
            ("dispatch", f"/work/county/{county.code}/dispatch/", s_office),
        ],
    }


# --- serving and loading ---------------------------------------------------------------


def wrk(url, *, seconds, connections, cookie=None):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    drain(url[: url.index("/", len("http://"))])
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out)[1])
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    broken = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad[1]) if bad else 0) + (sum(map(int, broken.groups())) if broken else 0)
    return {"rps": rate, "p50_ms": p50, "p99_ms": p99, "errors": errors}


def drain(base):
    """Wait until the server has served what wrk left queued. wrk stops after its
    seconds, but the connections the workers have not reached yet stay in the listen
    backlog and are served after it (50 of a 150 ms page: 7.5 s), which would count
    against the next page; a request to /health/ queues behind them."""
    urllib.request.urlopen(base + "/health/", timeout=600).read()  # noqa: S310 (loopback)


def _ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to the login page) is an answer to report, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def single(url, *, times, cookie=None):
    """Median, 99th percentile and slowest wall time of one request at a time (ms),
    and the answer's size."""
    took, size = [], 0
    for _ in range(times):
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 (loopback)
        t = time.perf_counter()
        try:
            with _opener.open(request, timeout=300) as response:
                status, size = response.status, len(response.read())
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{url}: HTTP {e.code}\n{e.read()[:2000].decode(errors='replace')}") from None
        took.append((time.perf_counter() - t) * 1000)
        assert status == 200, (url, status)
    p99 = statistics.quantiles(took, n=100, method="inclusive")[98] if len(took) > 1 else took[0]
    return statistics.median(took), p99, max(took), size


class Server:
    """gunicorn as `make run` starts it, on its own port, until the block ends."""

    def __init__(self, tmp, port, **env):
        self.port, self.tmp, self.extra = port, tmp, env

    def __enter__(self):
        chain_key = Path(self.tmp, "event_chain_key")
        if not chain_key.exists():
            chain_key.write_text(os.urandom(32).hex())
        env = {
            **os.environ,
            "DEBUG": "false",
            "HTTPS": "false",
            # SECRET_KEY: this process's (main), which signed the staff sessions.
            "EVENT_CHAIN_KEY_FILE": str(chain_key),  # pages only read: no event is written
            "STATIC_ROOT": str(Path(self.tmp, "static")),
            "BIND": f"127.0.0.1:{self.port}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
            "GUNICORN_CMD_ARGS": "--access-logfile /dev/null --timeout 120",
            **self.extra,
        }
        if not Path(self.tmp, "static").exists():  # as DEBUG off serves them: hashed names, a manifest
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
            )
        self.log = Path(self.tmp, f"gunicorn-{self.port}.log")
        self.process = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wenzheng.wsgi"],
            cwd=ROOT, env=env, stderr=self.log.open("w"),
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/health/", timeout=2).read()  # noqa: S310
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.process.kill()
        sys.exit(f"gunicorn did not start:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, kind, *exc):
        if kind is not None:
            print(self.log.read_text()[-3000:], file=sys.stderr)
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:  # workers deep in a slow request
            self.process.kill()
            subprocess.run(["pkill", "-KILL", "-P", str(self.process.pid)], check=False)  # noqa: S603, S607


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/pages.py needs wrk: apt-get install wrk")
    os.environ["SECRET_KEY"] = os.urandom(32).hex()  # the sessions made here and the server's
    city = prepare(args)
    if args.build_only:
        print(json.dumps(city, indent=2))
        return 0
    from django.db import connection

    secs, conns = args.seconds, args.connections
    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    print(f"{database}, {args.messages:,} messages, gunicorn with {workers} workers, wrk -t2 -c{conns} -d{secs}s")
    results = {"database": database, "messages": args.messages, "workers": workers, "pages": {}}
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: os.environ[k] for k in ("DATABASE_URL",)}
        for mode, extra in (("cached", {}), ("uncached", {"PUBLIC_PAGE_CACHE": "false"})):
            with Server(tmp, args.port, **env, **extra) as server:
                pages = [(n, p, None) for n, p in city["public"]]
                if mode == "uncached":
                    pages += city["staff"]  # never cached: measured once, here
                for _, path, cookie in pages:  # warm every worker (and, cached, the page)
                    single(server.base + path, times=2, cookie=cookie)
                if mode == "uncached":
                    # One request at a time first: a page that takes seconds is not loaded
                    # with 50 connections (its queue would be served long after wrk stops,
                    # into the next page's figures).
                    print(f"\nsingle request, uncached ({args.single} one at a time): median, p99, slowest, size")
                    for name, path, cookie in pages:
                        ms, p99, slowest, size = single(server.base + path, times=args.single, cookie=cookie)
                        found = results["pages"].setdefault(name, {"path": path})
                        found.update(single_ms=ms, single_p99_ms=p99, single_max_ms=slowest, bytes=size)
                        print(
                            f"{name:20} {ms:9.1f} ms {p99:9.1f} ms {slowest:9.1f} ms {size / 1024:8.1f} KB", flush=True
                        )
                wrk(server.base + "/health/", seconds=2, connections=conns)
                bare = wrk(server.base + "/health/", seconds=secs, connections=conns)
                results[f"bare_{mode}"] = bare
                print(f"\n{mode}: bare Django view (/health/) {bare['rps']:.0f} req/s, p99 {bare['p99_ms']:.1f} ms")
                print(f"{'page':20} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} {'÷ bare':>7}")
                for name, path, cookie in pages:
                    took = results["pages"].get(name, {}).get("single_ms", 0)
                    if mode == "uncached" and took > args.slow_ms:
                        results["pages"][name][mode] = None
                        print(f"{name:20} not loaded: one request alone takes {took / 1000:.1f} s", flush=True)
                        continue
                    r = wrk(server.base + path, seconds=secs, connections=conns, cookie=cookie)
                    r["ratio"] = r["rps"] / bare["rps"]
                    results["pages"].setdefault(name, {"path": path})[mode] = r
                    print(
                        f"{name:20} {r['rps']:9.1f} {r['p50_ms']:9.1f} {r['p99_ms']:9.1f} {r['errors']:7d}"
                        f" {r['ratio']:7.1%}",
                        flush=True,
                    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
