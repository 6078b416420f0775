"""A real primary and a real streaming replica, started on the loopback from the
machine's PostgreSQL binaries: writes go to the primary, public reads to the replica,
a visitor's own writes are read from the primary, and pages keep coming from the
primary when the replica stops. The clusters are its own, whatever database the suite
runs on: it runs once in `make test`, in the SQLite run (two minutes, the same test
twice otherwise)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import OperationalError
from django.test import SimpleTestCase, TestCase

from .serving import free_port

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(settings.BASE_DIR)


def as_postgres(*command):
    """PostgreSQL refuses to run as root: as the `postgres` user when we are root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, text=True)


class Cluster:
    def __init__(self, base: Path, name: str):
        self.dir, self.port = base / name, free_port()

    def start(self):
        as_postgres(PGBIN / "pg_ctl", "-D", self.dir, "-l", f"{self.dir}.log", "-w", "-o",
                    f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir.parent}", "start")  # fmt: skip

    def stop_command(self, mode="fast"):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return [*prefix, str(PGBIN / "pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop"]

    def url(self, db="wenzheng"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


@unittest.skipUnless((PGBIN / "initdb").exists(), "needs PostgreSQL 15's binaries (scripts/ensure-system test)")
@unittest.skipIf(
    settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    "builds its own primary and replica, whatever the suite's database: run once, in the SQLite run",
)
class StreamingReplicaTests(SimpleTestCase):
    def setUp(self):
        self.base = Path(tempfile.mkdtemp(prefix="wenzheng-replica-"))
        os.chmod(self.base, 0o755)  # noqa: S103 (the postgres user reaches its clusters inside)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
        self.primary, self.replica = Cluster(self.base, "primary"), Cluster(self.base, "replica")

    def tearDown(self):
        for cluster in (self.replica, self.primary):
            if (cluster.dir / "postmaster.pid").exists():
                subprocess.run(cluster.stop_command("immediate"), capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)

    def test_reads_go_to_the_replica_writes_to_the_primary_and_serving_survives_the_replica(self):
        p, r = self.primary, self.replica
        as_postgres(PGBIN / "initdb", "-D", p.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
        with open(p.dir / "postgresql.conf", "a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nfsync = off\n")
        with open(p.dir / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        p.start()
        as_postgres(PGBIN / "createdb", "-h", "127.0.0.1", "-p", p.port, "-U", "postgres", "wenzheng")
        # The standby: a base backup of the primary that streams from it (-R), taken
        # at once (-c fast: the default spread checkpoint made it wait 90 s).
        as_postgres(PGBIN / "pg_basebackup", "-h", "127.0.0.1", "-p", p.port, "-U", "postgres", "-D", r.dir, "-R",
                    "-X", "stream", "-c", "fast")  # fmt: skip
        r.start()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "wenzheng.settings",
            "DATABASE_URL": p.url(),
            "DATABASE_REPLICA_URL": r.url(),
            "PUBLIC_PAGE_CACHE": "false",
            # The throwaway clusters run without fsync, for speed: said, not refused.
            "DURABILITY_CHECK": "warn",
            "LOG_LEVEL": "ERROR",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        child = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("replica_child.py")), *r.stop_command()],
            cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        self.assertEqual(child.returncode, 0, child.stderr[-4000:])
        self.assertEqual(
            child.stdout.splitlines(),
            [
                "replica is a standby",
                "public reads from the replica",
                "steps write and read on the primary",
                "a visitor's own write is read from the primary",
                "served from the primary with the replica stopped",
            ],
        )


class ReadyWithoutReplicaTests(TestCase):
    def test_it_answers_ready_with_the_database_up_and_no_replica(self):
        response = self.client.get("/health/ready/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"ok; database up; no replica")
        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_answers_503_when_the_database_cannot_be_reached(self):
        with mock.patch("wenzheng.ops.views.connections") as connections:
            connections.__getitem__.return_value.cursor.side_effect = OperationalError("gone")
            response = self.client.get("/health/ready/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.content.decode(), "database unavailable")
