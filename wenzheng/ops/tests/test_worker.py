"""The background worker (`manage.py work`): it runs every kind of queued work, two
workers never run the same item, an item whose worker was killed is taken up again
after WORK_STALE_AFTER, and SIGTERM lets the item in hand finish."""

import datetime as dt
import io
import signal
import subprocess
import sys
import threading
import time
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from wenzheng.bulk import jobs
from wenzheng.bulk.models import ImportJob
from wenzheng.bulk.tests.helpers import good_row, xlsx
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import DeadlineRecount, Message, Stage
from wenzheng.ops import worker
from wenzheng.ops.models import WorkerBeat
from wenzheng.testing import Cast, CastTestCase, ChainTransactionTestCase, child_environment, local


def queue_import(cast, rows, **extra) -> ImportJob:
    return ImportJob.objects.create(
        region=cast.county,
        created_by=cast.county_office,
        created_at=timezone.now(),
        filename="导出.xlsx",
        content=xlsx(rows),
        **extra,
    )


def many_rows(n):
    return [good_row(str(100000 + i)) for i in range(n)]


class WorkOnceTest(CastTestCase):
    def work_once(self):
        out = io.StringIO()
        call_command("work", "--once", stdout=out)
        return out.getvalue()

    def test_it_runs_queued_imports_and_deadline_recounts_then_exits(self):
        job = queue_import(self.cast, [good_row("1"), good_row("2")])
        DeadlineRecount.objects.create(requested_at=timezone.now())
        self.assertIn("2 item(s) done.", self.work_once())
        job.refresh_from_db()
        self.assertEqual((job.state, job.created_count), ("done", 2))
        self.assertEqual(DeadlineRecount.objects.get().state, "done")
        self.assertIn("0 item(s) done.", self.work_once())
        self.assertTrue(WorkerBeat.alive())

    def test_an_import_started_from_the_page_completes_through_the_worker(self):
        self.client.force_login(self.cast.county_office)
        upload = SimpleUploadedFile("导出.xlsx", xlsx([good_row("1")]))
        response = self.client.post(reverse("bulk:imports"), {"file": upload, "region": self.cast.county.pk})
        page = self.client.get(response["Location"])
        self.assertContains(page, "排队中")
        self.assertContains(page, "后台任务程序没有在运行")  # no worker has ever beaten

        self.work_once()

        page = self.client.get(response["Location"], headers={"HX-Request": "true"})
        self.assertContains(page, "新增留言 <b>1</b> 条")
        self.assertNotContains(page, "后台任务程序没有在运行")
        self.assertEqual(Message.objects.get().title, "路灯不亮")

    def test_a_calendar_change_queues_one_recount_that_the_worker_does(self):
        message = self.cast.submit(at=local(2026, 12, 30, 10))
        reply = message.stages.get(kind=Stage.Kind.REPLY)
        self.assertEqual(reply.due_at, local(2027, 1, 7))  # weekdays only: 2027 is not entered
        self.client.force_login(self.cast.admin)
        response = self.client.post(
            "/admin/workdays/calendarday/add/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, follow=True
        )
        self.assertContains(response, "后台任务将在几秒内重新核定所有未到期的办理期限")
        # The year is marked entered once its holidays are in.
        self.client.post("/admin/workdays/calendaryear/add/", {"year": 2027, "source": "国务院办公厅通知"})
        reply.refresh_from_db()
        self.assertEqual(reply.due_at, local(2027, 1, 7))  # not yet: the save only queued the work
        self.assertEqual(DeadlineRecount.objects.get().requested_by, self.cast.admin)  # two changes, one recount

        self.work_once()

        reply.refresh_from_db()
        self.assertEqual((reply.due_at, reply.due_warning), (local(2027, 1, 8), ""))
        # Only the reply moved: the response was due on 2026-12-31, a year with data.
        moved = Event.objects.get(kind=Event.Kind.DEADLINE_RECOMPUTED, message=message)
        self.assertEqual((moved.data["stage"], moved.actor), ("reply", self.cast.admin))
        self.assertEqual(DeadlineRecount.objects.get().moved, 1)
        self.assertIsNone(chain.verify()[1])

    def test_a_failing_item_is_recorded_and_the_worker_goes_on(self):
        DeadlineRecount.objects.create(requested_at=timezone.now())
        job = queue_import(self.cast, [good_row("1")])
        with (
            mock.patch("wenzheng.handling.work.run_recount", side_effect=RuntimeError("boom")),
            self.assertLogs("wenzheng.ops.worker", "ERROR") as logs,
        ):
            self.work_once()
        recount = DeadlineRecount.objects.get()
        self.assertEqual(recount.state, "failed")
        self.assertIn("内部错误", recount.failure)
        self.assertIn("deadlines: item", logs.output[0])
        job.refresh_from_db()
        self.assertEqual(job.state, "done")

    def test_a_kind_whose_item_fails_waits_for_the_next_pass_instead_of_looping(self):
        class Stuck(worker.Work):
            name = "stuck"
            runs = 0

            def claim(self):
                return "the same item"  # a failure does not consume it

            def run(self, item):
                Stuck.runs += 1
                raise RuntimeError("boom")

        with (
            mock.patch.dict(worker._registry, {"stuck": Stuck()}),
            self.assertLogs("wenzheng.ops.worker", "ERROR"),
        ):
            self.assertEqual(worker.run_pass(only=["stuck"]), 1)
        self.assertEqual(Stuck.runs, 1)

    def test_an_unknown_kind_of_work_is_refused_by_name(self):
        known = ", ".join(sorted(w.name for w in worker.kinds()))
        for name in ("deadlines", "import-files", "imports", "notices", "reminders", "rate-counters"):
            self.assertIn(name, known.split(", "))
        with self.assertRaisesMessage(CommandError, f"unknown kind of work: mail (known: {known})"):
            call_command("work", "--once", "--only", "mail")


class TwoWorkersTest(ChainTransactionTestCase):
    def test_two_workers_at_once_run_each_item_once(self):
        cast = Cast()
        queued = [queue_import(cast, [good_row(str(n))]).pk for n in range(8)]
        ran, lock, start = [], threading.Lock(), threading.Barrier(2)
        real_run = jobs.run

        def counted(job):
            with lock:
                ran.append(job.pk)
            return real_run(job)

        def work():
            start.wait()
            try:
                worker.run_pass(only=["imports"])
            finally:
                from django.db import connection

                connection.close()

        with mock.patch.object(jobs, "run", counted):
            threads = [threading.Thread(target=work) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
        self.assertEqual(sorted(ran), sorted(queued))  # every job, none twice
        self.assertEqual(set(ImportJob.objects.values_list("state", flat=True)), {"done"})
        self.assertEqual(Message.objects.count(), 8)


class WorkerProcessTest(ChainTransactionTestCase):
    """A real `manage.py work` process, killed and stopped as a service manager would."""

    ROWS = 3000  # a few seconds of importing: long enough to be caught in the middle

    def setUp(self):
        self.cast = Cast()
        self.job = queue_import(self.cast, many_rows(self.ROWS))

    def start_worker(self):
        return subprocess.Popen(
            [sys.executable, "manage.py", "work", "--interval", "0.2"],
            cwd=settings.BASE_DIR,
            env=child_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_until_running(self, process, *, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.job.refresh_from_db()
            if self.job.state == "running" and self.job.processed_rows:
                return
            self.assertIsNone(process.poll(), "the worker exited early")
            time.sleep(0.05)
        self.fail("the worker never started the job")

    def test_a_killed_workers_item_is_claimed_again_after_the_timeout(self):
        process = self.start_worker()
        self.wait_until_running(process)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
        self.job.refresh_from_db()
        self.assertEqual(self.job.state, "running")  # abandoned mid-item
        self.assertLess(Message.objects.count(), self.ROWS)

        self.assertEqual(worker.run_pass(only=["imports"]), 0)  # its heartbeat is fresh: not yet claimable
        with override_settings(WORK_STALE_AFTER=0):
            ImportJob.objects.filter(pk=self.job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=1))
            self.assertEqual(worker.run_pass(only=["imports"]), 1)

        self.job.refresh_from_db()
        self.assertEqual(self.job.state, "done")
        self.assertEqual(self.job.created_count + self.job.skipped_count, self.ROWS)
        self.assertEqual(Message.objects.count(), self.ROWS)  # nothing twice, nothing lost
        self.assertIsNone(chain.verify()[1])

    def test_sigterm_finishes_the_item_in_hand_then_exits(self):
        process = self.start_worker()
        self.wait_until_running(process)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 0, err)
        self.job.refresh_from_db()
        self.assertEqual((self.job.state, self.job.created_count), ("done", self.ROWS))
        self.assertIn("wenzheng.ops.worker: SIGTERM received, stopping after the current item", err)
        self.assertIn("wenzheng.ops.worker: stopped", err)
