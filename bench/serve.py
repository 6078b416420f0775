"""Benchmark: requests per second of the production server (gunicorn as `make run`
starts it, DEBUG off) for the home page and the message board, against a bare Django
view (`/health/`: no database, no template) on the same server in the same run.

    make setup && .venv/bin/python bench/serve.py [--seconds 20] [--connections 50]
    scripts/with-postgres sh -c '.venv/bin/python manage.py migrate -v0 &&
        .venv/bin/python manage.py loaddemo >/dev/null && .venv/bin/python bench/serve.py'

Serves the database DATABASE_URL names (the demo county in db.sqlite3 by default)
with WEB_CONCURRENCY workers (default 2 × cores + 1, as deploy/ does), and loads it
with wrk (Debian's package) from the same machine over the loopback: 50 connections,
2 threads. The ratio says what share of the bare view's rate each page keeps.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [("bare Django view (/health/)", "/health/"), ("home (/)", "/"), ("board (/messages/)", "/messages/")]


def wrk(url, *, seconds, connections):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)[1]
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)[1]
    # Answers other than 2xx/3xx, and connections that failed or timed out.
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    broken = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad[1]) if bad else 0) + (sum(map(int, broken.groups())) if broken else 0)
    return rate, p50, p99, errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/serve.py needs wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp, "secret_key")
        key.write_text(os.urandom(40).hex())
        env = {
            **os.environ,
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY_FILE": str(key),
            "STATIC_ROOT": str(Path(tmp, "static")),
            "BIND": f"127.0.0.1:{args.port}",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wenzheng.wsgi"],
            cwd=ROOT, env={**env, "GUNICORN_CMD_ARGS": "--access-logfile /dev/null"}, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{args.port}"
            time.sleep(3)
            for _, path in PAGES:  # warm every worker's caches
                wrk(base + path, seconds=2, connections=args.connections)
            database = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
            workers = os.environ.get("WEB_CONCURRENCY", f"{2 * os.cpu_count() + 1}")
            print(f"{database}, gunicorn with {workers} workers, wrk -t2 -c{args.connections} -d{args.seconds}s")
            print(f"{'page':32} {'req/s':>9} {'p50':>9} {'p99':>9} {'errors':>7} {'÷ bare':>7}")
            bare = None
            for name, path in PAGES:
                rate, p50, p99, errors = wrk(base + path, seconds=args.seconds, connections=args.connections)
                bare = bare or rate
                print(f"{name:32} {rate:9.0f} {p50:>9} {p99:>9} {errors:7d} {rate / bare:7.1%}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
