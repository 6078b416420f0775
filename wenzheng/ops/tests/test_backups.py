"""manage.py backup and restore: the demo county makes the round trip on either
database, and every bad input is refused in one line with the database untouched.

TransactionTestCase throughout: pg_dump and pg_restore are other processes, which
see only committed rows, and a restore replaces the database under the connection."""

import io
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import tempfile
from contextlib import ExitStack, closing
from pathlib import Path
from types import SimpleNamespace
from unittest import mock, skipUnless

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from PIL import Image

from wenzheng.accounts.models import Role, User
from wenzheng.attachments import files
from wenzheng.attachments.backup import read
from wenzheng.attachments.models import Attachment, storage
from wenzheng.attachments.testing import phone_photo
from wenzheng.eventlog import chain, triggers
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Category, ExtensionRequest, Message
from wenzheng.ops import backups
from wenzheng.ops.models import WorkerBeat
from wenzheng.testing import Cast, ChainTransactionTestCase, child_environment, ensure_reference_data, local
from wenzheng.units.models import Unit

NOW = local(2026, 11, 24, 12)
SQLITE = connection.vendor == "sqlite"
OTHER_HEADER = b"PGDMP\x01\x0e\x00" if SQLITE else b"SQLite format 3\x00"


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def run(command, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class BackupTestCase(ChainTransactionTestCase):
    def setUp(self):
        self.dir = Path(self.enterContext(tempfile.TemporaryDirectory()))

    def tearDown(self):
        # A restore swapped the database under every connection: start the next test,
        # and pytest-django's flush, on a fresh one.
        connection.close()

    def assertRefused(self, command, *args, says):
        with self.assertRaises(CommandError) as refused:
            run(command, *args)
        message = str(refused.exception)
        self.assertIn(says, message)
        self.assertNotIn("\n", message)
        self.assertIn(" / ", message, "both in Chinese and in English")
        return message


class RoundTripTest(BackupTestCase):
    def test_the_demo_county_comes_back_row_for_row_with_its_chain(self):
        ensure_reference_data()  # an earlier TransactionTestCase's flush took the seeded categories
        run("loaddemo", "--demo", "--now", NOW.isoformat())
        at_backup = row_counts()
        self.assertGreater(at_backup["handling_message"], 500)
        path = self.dir / "wenzheng.backup"

        output = run("backup", str(path))

        messages, events = at_backup["handling_message"], at_backup["eventlog_event"]
        # The demo's photos, each with its thumbnail, go with it.
        stored = [name for a in Attachment.objects.all() for name in (a.file, a.thumbnail) if name]
        self.assertGreater(len(stored), 0)
        self.assertIn(f"Backed up to {path} (", output)
        self.assertIn(f"{messages} messages, {events} events, {len(stored)} attached files.", output)
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600, "a backup holds personal data")
        self.assertEqual(os.listdir(self.dir), ["wenzheng.backup"], "no temporary file left beside it")

        # Life goes on after the backup: a new message, a renamed unit, rows deleted.
        unit = Unit.objects.get(name="东门镇")
        actions.submit(
            by=User.objects.filter(role=Role.CITIZEN).first(),
            category=Category.objects.get(code="consultation"),
            unit=unit,
            title="备份之后的留言",
            body="这条留言在备份之后提交，恢复后应当不见了。",
            name="李四",
            phone="13900000000",
            consent_to_publish=True,
            at=NOW,
        )
        Unit.objects.filter(pk=unit.pk).update(name="改名之后")
        ExtensionRequest.objects.all().delete()
        self.assertNotEqual(row_counts(), at_backup)

        output = run("restore", str(path), "--noinput")

        self.assertEqual(row_counts(), at_backup)
        self.assertEqual(Unit.objects.get(pk=unit.pk).name, "东门镇")
        self.assertFalse(Message.objects.filter(title="备份之后的留言").exists())
        self.assertTrue(all(storage().exists(name) for name in stored), "the photos are there after the restore")
        self.assertEqual(chain.verify(), (events, None))
        tables = len(at_backup)
        self.assertIn(f"into {backups.for_connection().location}: ", output)
        self.assertIn(f"{tables} tables, {messages} messages, {events} events.", output)
        self.assertIn(f"Event chain intact: {events} events verified.", output)
        # The append-only triggers came back with the tables.
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            Event.objects.filter(seq=1).update(note="改过")
        # And the application writes on, from where the backup left off.
        after = actions.submit(
            by=None,
            category=Category.objects.get(code="consultation"),
            unit=Unit.objects.get(pk=unit.pk),
            title="恢复之后的留言",
            body="恢复之后，系统照常接收留言。",
            name="王五",
            phone="13700000000",
            consent_to_publish=True,
            at=NOW,
        )
        self.assertEqual(after.number, Message.objects.filter(region=after.region, year=2026).count())
        self.assertEqual(chain.verify(), (events + 1, None))


class SmallCountyTest(BackupTestCase):
    """Bad input, on a county of a few messages: fast, and a wrong restore would show."""

    def setUp(self):
        super().setUp()
        self.cast = Cast()
        self.cast.submit(at=local(2026, 3, 2, 9))

    def backup(self, name="good.backup") -> Path:
        path = self.dir / name
        run("backup", str(path))
        return path

    def test_it_asks_before_it_overwrites_and_stops_without_a_yes(self):
        path = self.backup()
        self.cast.submit(at=local(2026, 3, 3, 9))
        before = row_counts()
        for answer in ("", "no", "y"):
            with self.subTest(answer=answer), mock.patch("builtins.input", return_value=answer):
                self.assertRefused("restore", str(path), says="Not confirmed")
        with mock.patch("builtins.input", side_effect=EOFError):
            self.assertRefused("restore", str(path), says="Not confirmed")
        self.assertEqual(row_counts(), before)

        name = backups.for_connection().database_name
        for answer in (name, "yes"):
            with self.subTest(answer=answer), mock.patch("builtins.input", return_value=answer) as asked:
                output = run("restore", str(path))
            self.assertIn(name, asked.call_args.args[0])
            self.assertIn("Event chain intact: 1 events verified.", output)
            self.assertEqual(Message.objects.count(), 1)

    def test_it_refuses_a_missing_file(self):
        self.assertRefused("restore", str(self.dir / "nothing.backup"), "--noinput", says="No backup file at")

    def test_the_question_and_the_result_name_the_database_by_where_it_is(self):
        path, where = self.backup(), backups.for_connection().location
        with mock.patch("builtins.input", return_value="yes") as asked:
            output = run("restore", str(path))
        self.assertIn(where, "".join(call.args[0] for call in asked.call_args_list) + output)
        self.assertIn(f"Restored {path} into {where}:", output)
        if SQLITE:
            self.assertTrue(Path(where).is_absolute())

    def test_a_running_worker_is_named_before_a_restore(self):
        path = self.backup()
        WorkerBeat.objects.create(pk=1, seen_at=timezone.now(), host="county-app-1", pid=4321)
        err = io.StringIO()
        call_command("restore", str(path), "--noinput", stdout=io.StringIO(), stderr=err)
        self.assertIn("后台任务程序（county-app-1 进程 4321）仍在运行", err.getvalue())
        self.assertIn("stop the web server and the worker first", err.getvalue())

    @skipUnless(SQLITE, "an SQLite database is a file")
    def test_a_backup_of_a_database_file_that_is_not_there_says_so_and_makes_none(self):
        gone = self.dir / "gone.sqlite3"
        vendor = backups.for_connection()
        vendor.settings = {**vendor.settings, "NAME": str(gone)}
        with self.assertRaises(backups.BackupError) as refused:
            vendor.backup(self.dir / "x.backup")
        self.assertIn(f"There is no database at {gone}: check DATABASE_URL.", str(refused.exception))
        self.assertEqual(os.listdir(self.dir), [])

    @skipUnless(SQLITE, "an SQLite database is a file")
    def test_a_database_restored_onto_a_new_machine_is_readable_by_its_owner_only(self):
        path = self.backup()
        new = self.dir / "new" / "db.sqlite3"
        new.parent.mkdir()
        result = subprocess.run(
            [sys.executable, "manage.py", "restore", str(path), "--noinput"],
            cwd=settings.BASE_DIR,
            env=child_environment(DATABASE_URL=f"sqlite:///{new}", MEDIA_ROOT=str(self.dir / "media")),
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"into {new}:", result.stdout)
        self.assertEqual(stat.S_IMODE(new.stat().st_mode), 0o600)

    def test_it_refuses_a_directory(self):
        self.assertRefused("restore", str(self.dir), "--noinput", says="is a directory, not a backup file")

    def test_it_refuses_a_backup_of_the_other_database(self):
        path = self.dir / "other.backup"
        path.write_bytes(OTHER_HEADER + b"\x00" * 4096)
        other, this = ("PostgreSQL", "SQLite") if SQLITE else ("SQLite", "PostgreSQL")
        self.assertRefused(
            "restore", str(path), "--noinput", says=f"is a backup from {other} but this deployment uses {this}"
        )

    def test_it_refuses_a_file_that_is_no_backup(self):
        for content in (b"", "id,title\n1,路灯不亮\n".encode(), os.urandom(8192)):
            path = self.dir / "notes.csv"
            path.write_bytes(content)
            with self.subTest(content=content[:10]):
                self.assertRefused("restore", str(path), "--noinput", says="is not a backup made by manage.py backup")

    def test_it_refuses_a_truncated_backup_and_leaves_the_database_as_it_was(self):
        path = self.backup()
        self.cast.submit(at=local(2026, 3, 3, 9))
        before, chain_before = row_counts(), chain.verify()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        self.assertRefused("restore", str(path), "--noinput", says="is damaged or incomplete")
        self.assertEqual(row_counts(), before)
        self.assertEqual(chain.verify(), chain_before)

    @skipUnless(SQLITE, "an SQLite file")
    def test_it_refuses_a_damaged_sqlite_file(self):
        path = self.backup()
        data = bytearray(path.read_bytes())
        page = 4096
        for offset in range(2 * page, len(data), page):  # every page but the first two: headers intact
            data[offset : offset + 64] = b"\xff" * 64
        path.write_bytes(bytes(data))
        self.assertRefused("restore", str(path), "--noinput", says="is damaged or incomplete")
        self.assertEqual(Message.objects.count(), 1)

    @skipUnless(SQLITE, "an SQLite file")
    def test_it_refuses_an_sqlite_file_that_fails_its_integrity_check(self):
        path = self.backup()
        with closing(sqlite3.connect(path)) as db:
            (index,) = db.execute(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'units_unit' AND sql LIKE '%(\"region_id\")'"
            ).fetchone()
            # An index that no longer matches its table: readable, but not whole.
            db.execute("PRAGMA writable_schema = ON")
            db.execute(
                "UPDATE sqlite_master SET sql = ? WHERE name = ?",
                (f'CREATE INDEX "{index}" ON units_unit (kind)', index),
            )
            db.commit()
        message = self.assertRefused("restore", str(path), "--noinput", says="is damaged or incomplete (row 1 missing")
        self.assertIn(index, message)

    @skipUnless(SQLITE, "an SQLite file")
    def test_it_refuses_an_sqlite_database_that_is_not_wenzhengs(self):
        path = self.dir / "other-app.sqlite3"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (body TEXT)")
        self.assertRefused("restore", str(path), "--noinput", says="is not a wenzheng database (it has no event table)")

    @skipUnless(SQLITE, "the SQLite database is a file")
    def test_it_refuses_the_live_database_file_itself(self):
        live = connection.settings_dict["NAME"]
        self.assertRefused("backup", live, says="is the live database file itself")
        self.assertRefused("restore", live, "--noinput", says="is the live database file itself")

    def test_it_says_when_the_restored_chain_is_broken(self):
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("UPDATE eventlog_event SET note = 'tampered' WHERE seq = 1")
        path = self.backup()
        message = self.assertRefused(
            "restore", str(path), "--noinput", says="Event chain BROKEN at luocheng chain, event #1"
        )
        self.assertIn("事件链校验失败", message)

    def test_it_refuses_to_back_up_into_a_directory(self):
        self.assertRefused("backup", str(self.dir), says="is a directory: give the backup file's name")
        self.assertEqual(os.listdir(self.dir), [])

    def test_it_refuses_to_back_up_into_a_directory_that_is_not_there_or_no_directory(self):
        self.assertRefused("backup", str(self.dir / "missing" / "b.backup"), says="does not exist: create it first")
        (self.dir / "a-file").write_text("")
        self.assertRefused("backup", str(self.dir / "a-file" / "b.backup"), says="a-file is not a directory")

    def test_it_refuses_to_back_up_into_an_unwritable_directory(self):
        locked = self.dir / "locked"
        locked.mkdir(mode=0o555)
        with ExitStack() as stack:
            if os.geteuid() == 0:  # root writes anywhere: play what an operator's account meets
                stack.enter_context(
                    mock.patch("tempfile.mkstemp", side_effect=PermissionError(13, "Permission denied"))
                )
            self.assertRefused("backup", str(locked / "b.backup"), says=f"Cannot write in {locked} (Permission denied)")
        self.assertEqual(os.listdir(locked), [])

    def test_a_failed_backup_leaves_nothing_behind_and_an_old_backup_whole(self):
        path = self.backup()
        old = path.read_bytes()
        vendor = type(backups.for_connection())

        def fail_halfway(self, tmp):
            tmp.write_bytes(b"half a backup")
            raise OSError(28, "No space left on device")

        with mock.patch.object(vendor, "_dump", fail_halfway):
            self.assertRefused("backup", str(path), says="Backup failed, nothing written")
        self.assertEqual(os.listdir(self.dir), [path.name])
        self.assertEqual(path.read_bytes(), old)

    @skipUnless(SQLITE, "edits the backup file to play an older and a newer version")
    def test_it_says_when_the_backup_is_from_another_version(self):
        app, name = max(MigrationExecutor(connection).loader.graph.leaf_nodes())
        older, newer = self.backup("older.backup"), self.backup("newer.backup")
        with sqlite3.connect(older) as db:
            db.execute("DELETE FROM django_migrations WHERE app = ? AND name = ?", (app, name))
        with sqlite3.connect(newer) as db:
            db.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (?, '9999_future', '2030-01-01')", (app,)
            )
        recorder = MigrationRecorder(connection)
        try:
            self.assertRefused("restore", str(older), "--noinput", says="1 migrations behind): run manage.py migrate")
            self.assertRefused("restore", str(newer), "--noinput", says="this code does not know): upgrade the code")
        finally:
            recorder.migration_qs.filter(app=app, name="9999_future").delete()
            recorder.record_applied(app, name)


class PostgresToolsTest(BackupTestCase):
    def test_it_says_which_package_to_install_when_pg_dump_is_missing(self):
        with (
            mock.patch.object(backups, "POSTGRES_BIN", str(self.dir / "{major}")),
            mock.patch.dict(os.environ, {"PATH": str(self.dir)}),
        ):
            with self.assertRaisesMessage(backups.BackupError, "install postgresql-client-15"):
                backups.find_tool("pg_dump", major=15)
            old = self.dir / "pg_dump"
            old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.16'\n")
            old.chmod(0o755)
            with self.assertRaisesMessage(backups.BackupError, f"{old} is version 13"):
                backups.find_tool("pg_dump", major=15)

    @skipUnless(not SQLITE, "PostgreSQL")
    def test_the_backup_command_says_so_too(self):
        with (
            mock.patch.object(backups, "POSTGRES_BIN", str(self.dir / "{major}")),
            mock.patch.dict(os.environ, {"PATH": str(self.dir)}),
        ):
            self.assertRefused("backup", str(self.dir / "b.dump"), says="No pg_dump for PostgreSQL")
        self.assertEqual(os.listdir(self.dir), [])

    def test_the_password_goes_in_the_environment_never_on_the_command_line(self):
        fake = SimpleNamespace(
            vendor="postgresql",
            pg_version=150004,
            settings_dict={
                "NAME": "wenzheng",
                "HOST": "db.example",
                "PORT": 5433,
                "USER": "wz",
                "PASSWORD": "s3cret",
                "OPTIONS": {"sslmode": "require"},
            },
        )
        done = SimpleNamespace(returncode=0, stdout="", stderr="")
        with (
            mock.patch.object(backups, "find_tool", return_value="pg_restore"),
            mock.patch("subprocess.run", return_value=done) as ran,
        ):
            backups.PostgresBackups(fake)._load_dump(Path("x.dump"))
        command, env = ran.call_args.args[0], ran.call_args.kwargs["env"]
        self.assertNotIn("s3cret", " ".join(command))
        self.assertIn("--single-transaction", command)
        self.assertEqual(
            {k: env[k] for k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE")},
            {
                "PGHOST": "db.example",
                "PGPORT": "5433",
                "PGUSER": "wz",
                "PGPASSWORD": "s3cret",
                "PGDATABASE": "wenzheng",
                "PGSSLMODE": "require",
            },
        )

    def test_a_failed_pg_restore_is_reported_by_its_error_line(self):
        fake = SimpleNamespace(
            vendor="postgresql", pg_version=150004, settings_dict={"NAME": "wenzheng", "OPTIONS": {}}
        )
        stderr = (
            "pg_restore: while PROCESSING TOC:\n"
            "pg_restore: from TOC entry 4242; 2606 16600 FK CONSTRAINT handling_stage handling_stage_message_id_fk\n"
            "pg_restore: error: could not execute query: ERROR:  deadlock detected\n"
            "DETAIL:  Process 81 waits for AccessExclusiveLock on relation 16420 of database 16384.\n"
            "Command was: ALTER TABLE IF EXISTS ONLY public.handling_stage DROP CONSTRAINT IF EXISTS x;\n"
        )
        done = SimpleNamespace(returncode=1, stdout="", stderr=stderr)
        with (
            mock.patch.object(backups, "find_tool", return_value="pg_restore"),
            mock.patch("subprocess.run", return_value=done),
            self.assertRaises(backups.BackupError) as failed,
        ):
            backups.PostgresBackups(fake)._load_dump(Path("x.dump"))
        self.assertIn(
            "the database is unchanged (pg_restore: error: could not execute query: ERROR: deadlock detected): "
            "if the server or the worker is running, stop them and retry.",
            str(failed.exception),
        )


class AttachedFilesTest(BackupTestCase):
    """The photos go in the backup with the rows that name them, and come back with them."""

    def setUp(self):
        super().setUp()
        self.cast = Cast()

    def photo_message(self, title, colour, at):
        upload = files.read(phone_photo(size=(120, 80), colour=colour), allow_pdf=False)
        message = self.cast.submit(title=title, attachments=[upload], at=at)
        return message.attachments.get()

    def test_a_restore_brings_the_files_back_and_removes_those_made_since(self):
        kept = self.photo_message("备份之前", (200, 30, 30), local(2026, 3, 2, 9))
        names = [kept.file, kept.thumbnail]
        before = {name: read(name) for name in names}
        path = self.dir / "with-files.backup"

        output = run("backup", str(path))

        self.assertIn(", 2 attached files.", output)
        # After the backup: the photo lost (a disk failure), another message with a photo.
        for name in names:
            storage().delete(name)
        later = self.photo_message("备份之后", (30, 200, 30), local(2026, 3, 3, 9))
        self.assertTrue(storage().exists(later.file))

        run("restore", str(path), "--noinput")

        self.assertEqual({name: read(name) for name in names}, before)
        self.assertEqual(list(Attachment.objects.values_list("file", flat=True)), [kept.file])
        self.assertFalse(storage().exists(later.file), "a file no restored row names is removed")
        self.assertFalse(storage().exists(later.thumbnail))
        # The photo is served again from the restored message.
        self.assertEqual(Image.open(io.BytesIO(read(kept.file))).size, (kept.width, kept.height))
        if SQLITE:
            with closing(sqlite3.connect(connection.settings_dict["NAME"])) as live:
                tables = {row[0] for row in live.execute("SELECT name FROM sqlite_master")}
            self.assertNotIn(backups.FILES_TABLE, tables, "the files leave the database once put back")

    def test_a_backup_naming_a_file_outside_the_attachments_is_refused_before_anything_changes(self):
        self.photo_message("备份之前", (200, 30, 30), local(2026, 3, 2, 9))
        path = self.dir / "hostile.backup"
        run("backup", str(path))
        evil = "../../etc/cron.d/evil"
        if SQLITE:
            with closing(sqlite3.connect(path)) as db:
                db.execute(f"UPDATE {backups.FILES_TABLE} SET name = ? WHERE name LIKE '%-thumb%'", (evil,))  # noqa: S608
                db.commit()
        else:
            rebuilt = self.dir / "rebuilt.backup"
            with tarfile.open(path) as source, tarfile.open(rebuilt, "w") as target:
                for member in source:
                    content = source.extractfile(member).read()
                    if member.name.startswith("files/"):
                        member.name = f"files/{evil}"
                    target.addfile(member, io.BytesIO(content))
            path = rebuilt
        self.cast.submit(at=local(2026, 3, 3, 9))
        before = row_counts()

        self.assertRefused("restore", str(path), "--noinput", says="unexpected file name")

        self.assertEqual(row_counts(), before, "the database was left as it was")
        self.assertEqual(Message.objects.count(), 2)
