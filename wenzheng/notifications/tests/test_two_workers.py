"""Two workers at once: each notice is made once and each SMS sent once.

The deliveries are sent by two real `manage.py work` processes started together,
writing SMS to the file backend; the sweep is taken by two threads at once."""

import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.utils import timezone

from wenzheng.notifications import timers
from wenzheng.notifications.models import Delivery, Notice, Sweep
from wenzheng.testing import Cast, ChainTransactionTestCase, child_environment, local

from .helpers import at


class TwoWorkersTest(ChainTransactionTestCase):
    def test_two_worker_processes_send_each_sms_once(self):
        cast = Cast()
        for n, user in enumerate((cast.handler_a, cast.handler_a2)):
            user.phone = f"1390000000{n}"
            user.save()
        serials = [cast.submit(title=f"第{n}条").serial for n in range(25)]
        queued = Delivery.objects.filter(channel="sms", state="queued")
        self.assertEqual(queued.count(), 50)
        with tempfile.TemporaryDirectory() as folder:
            env = child_environment(
                SMS_BACKEND="wenzheng.notifications.sms.FileBackend", SMS_FILE_PATH=folder, LOG_LEVEL="WARNING"
            )
            workers = [
                subprocess.Popen(
                    [sys.executable, "manage.py", "work", "--once", "--only", "notices"],
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            outputs = [w.communicate(timeout=120) for w in workers]
            self.assertEqual([w.returncode for w in workers], [0, 0], outputs)
            lines = [json.loads(line) for f in Path(folder).glob("sms-*.jsonl") for line in f.read_text().splitlines()]
        sent = sorted((line["to"], line["text"]) for line in lines)
        expected = sorted(
            (phone, f"网民给本单位的新留言{serial}（咨询），请在1个工作日内签收。")
            for serial in serials
            for phone in ("13900000000", "13900000001")
        )
        self.assertEqual(sent, expected)  # every one, none twice
        self.assertEqual(set(Delivery.objects.filter(channel="sms").values_list("state", flat=True)), {"sent"})
        # Between them the two workers sent each once: their counts add up to the whole.
        done = [int(out.strip().split()[0]) for out, _err in outputs]
        self.assertEqual(sum(done), 50)

    def test_two_workers_sweeping_at_once_make_each_reminder_once(self):
        cast = Cast()
        cast.submit(at=local(2026, 9, 28, 10))
        Sweep.objects.create(pk=1, swept_until=local(2026, 9, 29, 12))
        window = timers.Window(local(2026, 9, 29, 12), local(2026, 9, 30, 9, 30))
        results, start = [], threading.Barrier(2)
        real = timers.overdue
        fired = []

        def counted(*args):
            fired.append(1)
            return real(*args)

        def work():
            start.wait()
            try:
                with at(window.end):
                    results.append(timers.sweep(window))
            finally:
                from django.db import connection

                connection.close()

        with mock.patch.object(timers, "STAFF_TIMERS", [counted if t is real else t for t in timers.STAFF_TIMERS]):
            threads = [threading.Thread(target=work) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
        self.assertEqual(sorted(r is None for r in results), [False, True])  # one swept, one found it done
        self.assertEqual(len(fired), 1)
        self.assertEqual(Notice.objects.filter(kind=Notice.Kind.OVERDUE).count(), 3)
        self.assertEqual(Sweep.objects.get().swept_until, window.end)
        self.assertLess(window.end, timezone.now())
