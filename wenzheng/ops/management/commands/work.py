import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from wenzheng.ops import durability, worker
from wenzheng.ops.models import WorkerBeat

log = logging.getLogger("wenzheng.ops.worker")


class Command(BaseCommand):
    help = (
        "The background worker: runs import jobs, deadline recounts after a calendar change and the other "
        "queued work, looping until stopped (SIGTERM or Ctrl-C finish the current item first). "
        "--once runs what is due and exits, for cron and tests."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between looks when idle")
        parser.add_argument("--only", action="append", default=[], help="only this kind of work (repeatable)")

    def handle(self, *, once, interval, only, **options):
        names = {w.name for w in worker.kinds()}
        unknown = set(only) - names
        if unknown:
            raise CommandError(
                f"unknown kind of work: {', '.join(sorted(unknown))} (known: {', '.join(sorted(names))})"
            )
        if durability.check() and durability.refusing():
            raise CommandError(
                "the database does not keep acknowledged commits ("
                + "; ".join(durability.check())
                + "); refusing to work. Fix the database's settings, or set DURABILITY_CHECK=warn to run anyway."
            )
        if once:
            worker.beat()
            done = worker.run_pass(only=only)
            self.stdout.write(f"{done} item(s) done.")
            return
        self._loop(interval, only)

    def _loop(self, interval, only):
        stop = threading.Event()

        def finish(signum, frame):
            if not stop.is_set():
                log.info("%s received, stopping after the current item", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        log.info("started (%s)", ", ".join(only) or "all kinds of work")
        beaten = 0.0
        while not stop.is_set():
            if time.monotonic() - beaten >= WorkerBeat.EVERY.total_seconds():
                worker.beat()
                beaten = time.monotonic()
            worker.run_pass(only=only, stopping=stop.is_set)
            # A connection broken meanwhile (the database restarted) or past its
            # CONN_MAX_AGE is dropped here and opened afresh on the next look.
            close_old_connections()
            stop.wait(interval)
        log.info("stopped")
