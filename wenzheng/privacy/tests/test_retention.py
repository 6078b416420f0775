"""Access records are kept at least 181 days: the worker prunes older ones once a
day, beyond the setting, and never a younger one."""

import datetime as dt
import io
import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from wenzheng.ops import worker
from wenzheng.privacy.models import AccessRecord
from wenzheng.privacy.records import record_access
from wenzheng.testing import CastTestCase


class RetentionTest(CastTestCase):
    def record(self, days_ago):
        return record_access(
            user=self.cast.county_office,
            surface=AccessRecord.Surface.PAGE,
            region=self.cast.county,
            at=timezone.now() - dt.timedelta(days=days_ago),
        )

    def work_once(self):
        out = io.StringIO()
        call_command("work", "--once", "--only", "access-records", stdout=out)
        return out.getvalue()

    def test_the_worker_prunes_only_what_is_older_than_the_retention(self):
        kept = [self.record(1), self.record(181), self.record(364)]
        self.record(366)
        self.record(900)
        self.assertIn("1 item(s) done.", self.work_once())
        self.assertEqual(set(AccessRecord.objects.values_list("pk", flat=True)), {r.pk for r in kept})
        # Once a day: a second pass at once finds nothing due, even with old records back.
        self.record(400)
        self.assertIn("0 item(s) done.", self.work_once())

    def test_nothing_aged_out_is_no_work(self):
        self.record(10)
        self.assertEqual(worker.run_pass(only=["access-records"]), 0)

    def test_a_setting_below_181_days_is_never_used(self):
        with override_settings(ACCESS_RECORD_RETENTION_DAYS=30):
            young = self.record(60)
            self.record(200)
            worker.run_pass(only=["access-records"])
        self.assertEqual(list(AccessRecord.objects.values_list("pk", flat=True)), [young.pk])

    def test_settings_refuse_a_retention_under_181_days(self):
        env = {**os.environ, "ACCESS_RECORD_RETENTION_DAYS": "90", "DJANGO_SETTINGS_MODULE": "wenzheng.settings"}
        done = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("ACCESS_RECORD_RETENTION_DAYS must be at least 181", done.stderr)
