"""Load and crash: N concurrent posts against the production server while the app
server is killed with SIGKILL at random moments, then a check that nothing
acknowledged was lost or doubled.

    .venv/bin/python bench/crash.py [--posts 1000] [--clients 20] [--kills 5]
    scripts/with-postgres .venv/bin/python bench/crash.py

Builds a fresh database (a temporary SQLite file, or the PostgreSQL database that
DATABASE_URL names, e.g. scripts/with-postgres's throwaway cluster), with the
migrations and the demo county, and serves it with gunicorn as deploy/ does
(deploy/gunicorn.conf.py, DEBUG off, WEB_CONCURRENCY workers) on a free loopback
port. `--clients` threads post messages through the JSON API (POST /api/v1/my/messages,
as a citizen's token) until `--posts` have been tried; meanwhile the whole gunicorn
process group (master and workers) is killed with SIGKILL `--kills` times at random
moments and started again. A post is acknowledged when the server answered 201 with
its serial number; one whose connection broke in flight is not, and is not sent again
(one refused while the server is down was never sent, and is sent once it is back).

Then, reading the database directly:
  - every acknowledged post is stored exactly once, under the serial it was given;
  - no post is stored twice (each carries a unique marker);
  - the serial numbers of every county's year run 1..last with no gap and no repeat,
    and the counter holds the last one;
  - `manage.py verify_events` passes (every county's keyed event chain).
It prints the figures and exits 1 if any check fails. Bounded: loopback only, a
fixed number of posts, every process it starts stopped by its id at the end.

All the posts come from 127.0.0.1 with one account, so the posting rate limit is
raised for the run (RATE_LIMIT_POST); everything else is as deploy/ sets it.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, check=True, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check, timeout=timeout
    )


SETUP = """
import json
from wenzheng.accounts.models import Role, User
from wenzheng.api.models import ApiToken
from wenzheng.units.models import Unit
user = User.objects.create_user("crash-test", password=None, role=Role.CITIZEN, display_name="压测网民")
unit = Unit.objects.filter(region__kind="county").order_by("pk").first()
print(json.dumps({"token": ApiToken.issue(user=user, name="crash")[1], "unit": unit.pk}))
"""

CHECK = """
import json
from wenzheng.handling.models import Message, SerialCounter
stored = list(Message.objects.filter(citizen__username="crash-test").values_list("body", "year", "number"))
gaps = []
for counter in SerialCounter.objects.all():
    numbers = sorted(Message.objects.filter(region_id=counter.region_id, year=counter.year)
                     .values_list("number", flat=True))
    if numbers != list(range(1, counter.last_number + 1)):
        gaps.append({"region": counter.region_id, "year": counter.year, "last": counter.last_number,
                     "stored": len(numbers), "distinct": len(set(numbers))})
counted = sum(c.last_number for c in SerialCounter.objects.all())
print(json.dumps({"stored": stored, "gaps": gaps, "counters": counted, "messages": Message.objects.count()}))
"""


class Server:
    """gunicorn in its own process group, so SIGKILL reaches the master and every worker."""

    def __init__(self, env, log: Path):
        self.env, self.log, self.process = env, log, None
        self.port = int(env["BIND"].rsplit(":", 1)[1])

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [str(Path(PY).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "wenzheng.wsgi"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/health/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /health/ within 60 s; see {self.log}")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)  # the group this script started, by its id
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the working folder (database, gunicorn's log)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="wenzheng-crash-"))
    for name in ("secret_key", "event_chain_key"):
        (tmp / name).write_text(os.urandom(40).hex())
        (tmp / name).chmod(0o600)
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'crash.sqlite3'}"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY_FILE": str(tmp / "secret_key"),
        "EVENT_CHAIN_KEY": "",
        "EVENT_CHAIN_KEY_FILE": str(tmp / "event_chain_key"),
        "STATIC_ROOT": str(tmp / "static"),
        "MPLCONFIGDIR": str(tmp / "matplotlib"),
        "BIND": f"127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": str(args.workers),
        "RATE_LIMIT_POST": "1000000/1h",  # one address and one account post everything
    }
    engine = "PostgreSQL" if database.startswith("postgres") else "SQLite"
    print(f"crash: {engine}, {args.posts} posts from {args.clients} clients, {args.kills} kill -9 of gunicorn "
          f"({args.workers} workers), seed {args.seed}; working in {tmp}", flush=True)  # fmt: skip
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddemo", "--demo")
    manage(env, "collectstatic", "--noinput", "-v0")
    setup = json.loads(manage(env, "shell", "-c", SETUP).stdout.strip().splitlines()[-1])
    print(f"crash: database ready in {time.monotonic() - started:.0f} s", flush=True)

    server = Server(env, tmp / "gunicorn.log")
    try:
        failed = load_and_crash(args, rng, env, setup, server, port)
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


def load_and_crash(args, rng, env, setup, server, port) -> bool:
    server.start()
    run = uuid.uuid4().hex[:8]
    url = f"http://127.0.0.1:{port}/api/v1/my/messages"
    headers = {"Authorization": f"Bearer {setup['token']}"}
    lock = threading.Lock()
    acknowledged: dict[str, str] = {}  # marker → serial
    outcomes = Counter()
    next_post = iter(range(args.posts))
    restarting = threading.Event()

    def client():
        session = requests.Session()
        while True:
            with lock:
                i = next(next_post, None)
            if i is None:
                return
            marker = f"crash-{run}-{i:06d}"
            body = {
                "category": "consultation", "title": f"压测留言{i}", "body": f"断电压测。{marker}",
                "name": "压测", "phone": "13800000000", "unit": setup["unit"], "consent_to_publish": False,
            }  # fmt: skip
            response = None
            for _attempt in range(600):
                while restarting.is_set():
                    time.sleep(0.05)
                try:
                    response = session.post(url, json=body, headers=headers, timeout=60)
                    break
                except requests.RequestException as e:
                    reason = getattr(e.args[0], "reason", None) if e.args else None
                    if isinstance(reason, urllib3.exceptions.NewConnectionError):
                        # Refused: nothing was sent (the server is down), so sending again is safe.
                        time.sleep(0.1)
                        continue
                    # Sent, and the connection broke: maybe stored, never acknowledged; not sent again.
                    with lock:
                        outcomes["broken in flight (not acknowledged)"] += 1
                    break
            if response is None:
                continue
            with lock:
                if response.status_code == 201:
                    acknowledged[marker] = response.json()["serial"]
                    outcomes["201 acknowledged"] += 1
                else:
                    outcomes[f"{response.status_code}"] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    load_started = time.monotonic()
    for t in threads:
        t.start()
    kills = 0
    while any(t.is_alive() for t in threads):
        if kills < args.kills:
            time.sleep(rng.uniform(0.5, 3.0))
            if not any(t.is_alive() for t in threads):
                break
            server.kill()  # posts in flight break; new ones wait for the restart
            restarting.set()
            kills += 1
            time.sleep(rng.uniform(0.0, 0.5))
            server.start()
            restarting.clear()
            with lock:
                print(f"crash: kill -9 #{kills} after {time.monotonic() - load_started:.1f} s, "
                      f"{sum(outcomes.values())} posts answered so far; restarted", flush=True)  # fmt: skip
        else:
            time.sleep(0.2)
    for t in threads:
        t.join()
    load_seconds = time.monotonic() - load_started
    server.stop()

    found = json.loads(manage(env, "shell", "-c", CHECK).stdout.strip().splitlines()[-1])
    stored = Counter()
    serial_of = {}
    for body, year, number in found["stored"]:
        marker = body.rsplit("。", 1)[-1]
        stored[marker] += 1
        serial_of[marker] = f"{year}-{number:06d}"
    lost = [m for m in acknowledged if stored[m] == 0]
    wrong_serial = [m for m, s in acknowledged.items() if stored[m] and serial_of[m] != s]
    doubled = [m for m, n in stored.items() if n > 1]
    unacknowledged_kept = sum(1 for m in stored if m not in acknowledged)
    verify = manage(env, "verify_events", check=False)

    print(f"crash: {args.posts} posts in {load_seconds:.1f} s with {kills} kill -9: {dict(sorted(outcomes.items()))}")
    print(
        f"crash: acknowledged {len(acknowledged)}; stored {sum(stored.values())} ({unacknowledged_kept} of them "
        "stored but not acknowledged: the connection broke after the commit)"
    )
    print(f"crash: lost {len(lost)}, stored twice {len(doubled)}, under another serial {len(wrong_serial)}")
    print(f"crash: serials: {found['messages']} messages, counters at {found['counters']}, gaps {found['gaps']}")
    last = verify.stdout.strip().splitlines()[-1:] or verify.stderr.strip().splitlines()[-1:]
    print(f"crash: verify_events exit {verify.returncode}: {' '.join(last)}")
    failed = lost or doubled or wrong_serial or found["gaps"] or verify.returncode != 0 or not acknowledged
    print("crash: FAILED" if failed else "crash: PASSED (nothing acknowledged lost or doubled, serials gapless)")
    return bool(failed)


if __name__ == "__main__":
    main()
