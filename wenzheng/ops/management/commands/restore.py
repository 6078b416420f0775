"""python manage.py restore PATH: replace the whole database with a backup made by
`manage.py backup`, then check the event log's hash chain.

The file is checked completely first (its kind, its integrity, that it is wenzheng's),
so a bad file is refused before anything is overwritten and before the question is
asked."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.utils import timezone

from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message
from wenzheng.ops import backups
from wenzheng.ops.models import WorkerBeat


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by manage.py backup, then verify the event chain. "
        "用备份文件覆盖整个数据库，并校验事件链。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a backup file made by manage.py backup")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation (for scripts)",
        )

    def handle(self, *, path, interactive, **options):
        try:
            vendor = backups.for_connection()
            source = vendor.check(path)
            self._warn_if_worker_runs(vendor)
            if interactive:
                self._confirm(vendor, source)
            vendor.restore(source)
        except backups.BackupError as e:
            raise CommandError(str(e)) from None
        self._check_version(source)
        tables = len(connection.introspection.table_names())
        self.stdout.write(
            f"Restored {source} into {vendor.location}: {tables} tables, "
            f"{Message.objects.count()} messages, {Event.objects.count()} events."
        )
        checked, broken = chain.verify()
        if broken is not None and broken.wrong_key:
            raise CommandError(
                f"无法校验事件链：{broken}。请把 EVENT_CHAIN_KEY_FILE 设为写入这份记录时的密钥。 / "
                f"Cannot verify the event chain: {broken}; set EVENT_CHAIN_KEY_FILE to the key it was written with."
            )
        if broken is not None:
            raise CommandError(
                f"事件链校验失败：{broken}（其前 {checked} 条完好）。这个备份里的事件记录曾被改动，请换一个备份。 / "
                f"Event chain BROKEN at {broken} ({checked} events before it verified): "
                "the event log in this backup was altered; restore another backup."
            )
        self.stdout.write(self.style.SUCCESS(f"Event chain intact: {checked} events verified."))

    def _warn_if_worker_runs(self, vendor):
        """The README says to stop the server and the worker first; a worker that beat
        within two minutes is named, so the operator knows it has not been."""
        if not vendor.exists():
            return  # nothing to ask (and SQLite would make an empty file by asking)
        try:
            beat = WorkerBeat.objects.filter(pk=1).first() if WorkerBeat.alive() else None
        except DatabaseError:
            return  # a database without the table: no worker of this version ran on it
        finally:
            connection.close()
        if beat is not None:
            seen = timezone.localtime(beat.seen_at)
            self.stderr.write(
                self.style.WARNING(
                    f"注意：后台任务程序（{beat.host} 进程 {beat.pid}）仍在运行，最近一次 {seen:%H:%M:%S}："
                    "请先停止 web 服务器和后台任务程序。\n"
                    f"Warning: a background worker ({beat.host} pid {beat.pid}) is running, last seen "
                    f"{seen:%H:%M:%S} ({seen.tzinfo}): stop the web server and the worker first."
                )
            )

    def _confirm(self, vendor, source):
        name = vendor.database_name
        self.stdout.write(
            f"这将用 {source} 覆盖整个数据库 {name}（{vendor.location}），现有数据全部丢失。\n"
            f"This replaces the whole database {name} ({vendor.location}) with {source}; everything in it now is lost."
        )
        try:
            answer = input(f"输入数据库名（{name}）或 yes 继续 / Type the database name ({name}) or 'yes' to go on: ")
        except EOFError:
            answer = ""
        if answer.strip() not in {name, "yes"}:
            raise CommandError(
                "未确认，数据库未改动。 / Not confirmed; the database was not touched "
                "(type the database name or 'yes', or use --noinput in scripts)."
            )

    def _check_version(self, source):
        # The code and the restored schema must agree before anything reads the tables.
        missing, unknown = backups.migration_gap()
        if missing:
            raise CommandError(
                f"已恢复 {source}，但它来自较早的版本（缺少 {missing} 个数据库迁移）："
                "请运行 manage.py migrate，再运行 manage.py verify_events。 / "
                f"Restored {source}, but it is from an older version ({missing} migrations behind): "
                "run manage.py migrate, then manage.py verify_events."
            )
        if unknown:
            raise CommandError(
                f"已恢复 {source}，但它来自较新的版本（多出 {unknown} 个本版本不认识的数据库迁移）："
                "请先升级程序。 / "
                f"Restored {source}, but it is from a newer version ({unknown} migrations this code does not know): "
                "upgrade the code first."
            )
