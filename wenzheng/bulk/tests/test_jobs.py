"""Import jobs: claimed once, progress and problems stored, safe to run again."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from wenzheng.bulk import jobs
from wenzheng.bulk.models import ImportJob
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase

from .helpers import good_row, xlsx


class JobTests(CastTestCase):
    def job(self, content, **extra):
        return ImportJob.objects.create(
            region=self.cast.county,
            created_by=self.cast.county_office,
            created_at=timezone.now(),
            filename="messages.xlsx",
            content=content,
            **extra,
        )

    def test_a_job_is_claimed_once(self):
        job = self.job(xlsx([good_row()]))
        self.assertEqual(jobs.claim(job.pk).pk, job.pk)
        self.assertIsNone(jobs.claim(job.pk))
        self.assertIsNone(jobs.claim())

    def test_a_running_job_gone_quiet_is_claimed_again(self):
        job = self.job(xlsx([good_row()]), state="running", heartbeat_at=timezone.now() - dt.timedelta(hours=1))
        self.assertEqual(jobs.claim().pk, job.pk)

    def test_a_job_whose_worker_keeps_dying_is_given_up_and_the_queue_moves_on(self):
        # A file that kills its worker (out of memory) was taken again every
        # WORK_STALE_AFTER for ever, ahead of every job uploaded after it.
        quiet = timezone.now() - dt.timedelta(hours=1)
        job = self.job(xlsx([good_row("1")]))
        for _ in range(jobs.MAX_CLAIMS):
            self.assertEqual(jobs.claim().pk, job.pk)  # ...and its worker is killed
            ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=quiet)
        later = self.job(xlsx([good_row("2")]))
        with self.assertLogs("wenzheng.bulk.jobs", "ERROR") as logs:
            self.assertEqual(jobs.claim().pk, later.pk)
        self.assertIn(f"import job {job.pk} given up", logs.output[0])
        job.refresh_from_db()
        self.assertEqual((job.state, job.claims), ("failed", jobs.MAX_CLAIMS))
        self.assertIn("连续3次中途终止", job.failure)
        self.assertIsNotNone(job.finished_at)
        self.client.force_login(self.cast.county_office)
        self.assertContains(self.client.get(f"/bulk/imports/{job.pk}/"), "请把文件拆成几个较小的文件分别导入")

    def test_a_job_that_finishes_on_its_last_claim_is_done(self):
        job = self.job(xlsx([good_row("1")]), state="running", claims=jobs.MAX_CLAIMS - 1)
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
        job = jobs.run(jobs.claim())
        self.assertEqual((job.state, job.claims, job.created_count), ("done", jobs.MAX_CLAIMS, 1))
        self.assertIsNone(jobs.claim())

    def test_running_records_progress_and_problems(self):
        job = self.job(xlsx([good_row("1"), good_row("1"), good_row("3", unit="无此单位")]))
        job = jobs.run(jobs.claim(job.pk))
        self.assertEqual(
            (job.state, job.total_rows, job.processed_rows, job.created_count, job.problem_count, job.percent),
            ("done", 3, 3, 1, 2, 100),
        )
        self.assertEqual(
            [(p.row, p.column, p.problem, p.kind) for p in job.problems.all()],
            [
                (3, "留言编号", "“1”与第2行重复", "duplicate"),
                (4, "单位", "“无此单位”不是本县的实名上网单位", "unknown_unit"),
            ],
        )

    def test_running_a_job_again_adds_nothing_and_reports_afresh(self):
        job = self.job(xlsx([good_row("1"), good_row("1"), good_row("3", unit="无此单位")]))
        jobs.run(jobs.claim(job.pk))
        job = jobs.run(job)
        # Both rows numbered 1 are now recognised as imported before, by their number.
        self.assertEqual((job.created_count, job.skipped_count, job.problems.count()), (0, 2, 1))
        self.assertEqual(Message.objects.count(), 1)

    def test_a_file_that_cannot_be_read_fails_with_its_reason(self):
        job = jobs.run(jobs.claim(self.job(b"not a workbook").pk))
        self.assertEqual(
            (job.state, job.failure),
            ("failed", "文件扩展名是 .xlsx，但内容不是 Excel 工作簿，请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"),
        )

    def test_a_dry_run_writes_nothing(self):
        job = jobs.run(jobs.claim(self.job(xlsx([good_row()]), dry_run=True).pk))
        self.assertEqual((job.state, job.created_count), ("done", 1))
        self.assertFalse(Message.objects.exists())


class ImportFileRetentionTest(CastTestCase):
    """An uploaded file names and numbers every citizen in it: the worker deletes it
    IMPORT_FILE_RETENTION_DAYS after its job finished, and keeps the rest."""

    def test_old_files_are_deleted_and_young_ones_and_running_jobs_kept(self):
        now = timezone.now()

        def job(**extra):
            return ImportJob.objects.create(
                region=self.cast.county, created_by=self.cast.county_office, created_at=now,
                filename="导出.xlsx", content=b"PK...13800000000", **extra,
            )  # fmt: skip

        old = job(state="done", finished_at=now - dt.timedelta(days=31), created_count=7)
        young = job(state="done", finished_at=now - dt.timedelta(days=29))
        running = job(state="running", heartbeat_at=now)
        call_command("work", "--once", "--only", "import-files", stdout=io.StringIO())
        old.refresh_from_db()
        self.assertEqual((bytes(old.content), old.created_count), (b"", 7))
        self.assertIsNotNone(old.file_deleted_at)
        for kept in (young, running):
            kept.refresh_from_db()
            self.assertEqual(bytes(kept.content), b"PK...13800000000")
        self.client.force_login(self.cast.county_office)
        self.assertContains(self.client.get(f"/bulk/imports/{old.pk}/"), "含网民个人信息，已于")
        # A second pass finds nothing to do.
        out = io.StringIO()
        call_command("work", "--once", "--only", "import-files", stdout=out)
        self.assertIn("0 item(s) done.", out.getvalue())
