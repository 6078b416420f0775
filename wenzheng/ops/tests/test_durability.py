"""The database's durability, checked at start: a server whose database would lose
acknowledged commits refuses to serve (or, told so, warns loudly). The test suite's
own PostgreSQL cluster runs with fsync off on purpose (scripts/with-postgres), so on
PostgreSQL these tests prove the check catches exactly such a server."""

from unittest import mock

import requests
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import TestCase, override_settings

from wenzheng.ops import durability
from wenzheng.testing import Cast, ChainTransactionTestCase

from .serving import Gunicorn
from .test_production import HTTPS


class ProblemsTest(TestCase):
    def test_it_reads_the_databases_own_settings(self):
        found = durability.problems()
        if connection.vendor == "sqlite":
            self.assertEqual(found, [])  # FULL, as settings.py sets it
            # Another connection, outside this test's transaction, set as NORMAL.
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute("PRAGMA synchronous=NORMAL")
                self.assertIn("SQLite synchronous=NORMAL", durability.problems(other)[0])
            finally:
                other.close()
        else:
            # scripts/with-postgres: fsync, synchronous_commit and full_page_writes off.
            self.assertEqual(len(found), 1)
            for name in ("fsync=off", "synchronous_commit=off", "full_page_writes=off"):
                self.assertIn(name, found[0])


class GuardTest(TestCase):
    def setUp(self):
        self.checked = durability.State.checked

    def tearDown(self):
        durability.State.checked = self.checked  # as the process found its database

    def test_under_refuse_every_request_is_a_503_that_says_why(self):
        durability.State.checked = ["PostgreSQL fsync=off"]
        with override_settings(DURABILITY_CHECK="refuse"), self.assertLogs("wenzheng.ops.durability", "ERROR") as logs:
            durability.State.logged_at = None
            response = self.client.get("/")
            health = self.client.get("/health/")
        self.assertContains(response, "数据库未开启可靠写入", status_code=503)
        self.assertIn("DATABASE DURABILITY IS OFF: PostgreSQL fsync=off; REFUSING TO SERVE", logs.output[0])
        self.assertEqual(health.status_code, 503)

    def test_under_warn_it_serves_and_logs(self):
        durability.State.checked = ["PostgreSQL fsync=off"]
        with override_settings(DURABILITY_CHECK="warn"), self.assertLogs("wenzheng.ops.durability", "ERROR") as logs:
            durability.State.logged_at = None
            self.assertEqual(self.client.get("/health/").status_code, 200)
        self.assertIn("serving anyway (DURABILITY_CHECK=warn)", logs.output[0])

    def test_it_says_so_at_once_and_then_hourly_even_just_after_the_machine_boots(self):
        """time.monotonic() counts from the boot: the check read "an hour since 0.0",
        so a server started within an hour of the boot never logged it (found when
        these tests failed on a machine up for 40 minutes)."""
        durability.State.checked, durability.State.logged_at = ["SQLite synchronous=NORMAL"], None
        logged = []
        with mock.patch.object(durability.log, "error", side_effect=lambda *a: logged.append(a)):
            for uptime in (100.0, 200.0, 3701.0):
                with mock.patch.object(durability.time, "monotonic", return_value=uptime):
                    durability.check()
        self.assertEqual(len(logged), 2)  # at 100 s, and an hour later

    def test_the_worker_will_not_start_under_refuse(self):
        durability.State.checked = ["SQLite synchronous=NORMAL"]
        with override_settings(DURABILITY_CHECK="refuse"), self.assertRaises(CommandError) as refused:
            call_command("work", "--once")
        self.assertIn("refusing to work", str(refused.exception))


class ProductionServerTest(ChainTransactionTestCase):
    def test_a_server_on_a_database_that_loses_commits_refuses_to_serve(self):
        Cast()
        # SQLite told to sync lazily; PostgreSQL as the test cluster runs (fsync off).
        unsafe = {"SQLITE_SYNCHRONOUS": "NORMAL"} if connection.vendor == "sqlite" else {}
        with Gunicorn(DURABILITY_CHECK="refuse", **unsafe) as app:
            response = requests.get(f"http://127.0.0.1:{app.port}/", headers=HTTPS, timeout=30)
            self.assertEqual(response.status_code, 503)
            self.assertIn("数据库未开启可靠写入", response.text)
            log = app.output(waiting_for="DATABASE DURABILITY IS OFF")
        self.assertIn("DATABASE DURABILITY IS OFF", log)
        self.assertIn("REFUSING TO SERVE", log)

    def test_a_durable_database_is_served(self):
        if connection.vendor != "sqlite":
            self.skipTest("the test cluster is not durable on purpose; the SQLite run shows a durable one served")
        Cast()
        with Gunicorn(DURABILITY_CHECK="refuse") as app:
            response = requests.get(f"http://127.0.0.1:{app.port}/health/", headers=HTTPS, timeout=30)
        self.assertEqual(response.status_code, 200)
