"""Backing up and restoring the whole database, one way per database vendor.

SQLite copies its pages with the online backup API (a consistent snapshot, while the
server goes on writing in WAL mode); PostgreSQL uses pg_dump's custom format and
pg_restore. Both write a backup to a temporary file beside PATH and rename it into
place, so a failed backup never leaves half a file at PATH; and both check a backup
file completely before they overwrite anything, so a bad file leaves the live
database as it was.

Every problem with a path or a file is a `BackupError`: one line, in Chinese and
English, saying what is wrong and what to do.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db import connection as default_connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message

# Where Debian and Ubuntu install each major version's client programs side by side.
POSTGRES_BIN = "/usr/lib/postgresql/{major}/bin"


class BackupError(Exception):
    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")


@dataclass(frozen=True)
class Snapshot:
    path: Path
    size: int
    messages: int
    events: int


class Backups:
    """One vendor's backup and restore. Subclasses say how to dump a database to a file,
    how to check a backup file, and how to load one into the live database."""

    label = ""
    header = b""  # the first bytes of every file this vendor's backups write
    example_suffix = ""

    def __init__(self, connection):
        self.connection = connection
        self.settings = connection.settings_dict

    @property
    def database_name(self) -> str:
        return str(self.settings["NAME"])

    def backup(self, path) -> Snapshot:
        target = _writable_target(Path(path), self.example_suffix)
        self._refuse_live_file(target)
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        except OSError as e:
            raise BackupError(
                f"不能在 {target.parent} 中写入（{e.strerror}）：请换一个目录或修改其权限。",
                f"Cannot write in {target.parent} ({e.strerror}): choose another directory or fix its permissions.",
            ) from None
        os.close(fd)
        tmp = Path(name)
        try:
            messages, events = self._dump(tmp)
            _fsync(tmp)
            os.replace(tmp, target)
        except (sqlite3.Error, OSError, DatabaseError, ToolFailed) as e:
            raise BackupError(
                f"备份失败，{target} 未写入（{e}）。", f"Backup failed, nothing written to {target} ({e})."
            ) from None
        finally:
            tmp.unlink(missing_ok=True)  # already gone once renamed into place
        _fsync(target.parent)
        return Snapshot(target, target.stat().st_size, messages, events)

    def check(self, path) -> Path:
        """Everything that can be known about a backup file before it overwrites the
        database: that it is there, is this vendor's, is whole, and is wenzheng's."""
        source = Path(path)
        header = _read_header(source)
        if not header.startswith(self.header):
            other = next((v for v in VENDORS.values() if v.header and header.startswith(v.header)), None)
            if other is not None:
                raise BackupError(
                    f"{source} 是 {other.label} 数据库的备份，而本系统使用 {self.label}："
                    f"请在使用 {other.label} 的部署上恢复它。",
                    f"{source} is a backup from {other.label} but this deployment uses {self.label}: "
                    f"restore it where DATABASE_URL points to {other.label}.",
                )
            raise BackupError(
                f"{source} 不是 manage.py backup 生成的备份文件：请检查文件。",
                f"{source} is not a backup made by manage.py backup "
                "(neither an SQLite database nor a pg_dump custom-format archive): check the file.",
            )
        self._refuse_live_file(source)
        self._check(source)
        return source

    def restore(self, source: Path) -> None:
        """Replace the whole database with a backup that `check` has passed."""
        # Django's own connection holds nothing while the database is replaced, and
        # reconnects afterwards to a fresh view of it (no cached plans or schema).
        self.connection.close()
        try:
            self._load(source)
        finally:
            self.connection.close()

    def _refuse_live_file(self, path: Path) -> None:
        pass

    def _dump(self, tmp: Path) -> tuple[int, int]:
        raise NotImplementedError

    def _check(self, source: Path) -> None:
        raise NotImplementedError

    def _load(self, source: Path) -> None:
        raise NotImplementedError


class SQLiteBackups(Backups):
    label = "SQLite"
    header = b"SQLite format 3\x00"
    example_suffix = ".sqlite3"

    def __init__(self, connection):
        super().__init__(connection)
        if connection.is_in_memory_db():
            raise BackupError("内存数据库无法备份。", "An in-memory database cannot be backed up or restored.")

    @property
    def database_name(self) -> str:
        return Path(self.settings["NAME"]).name

    def _live(self):
        return closing(sqlite3.connect(self.settings["NAME"], timeout=20))

    def _refuse_live_file(self, path):
        live = Path(self.settings["NAME"]).resolve()
        if path.resolve() in {live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")}:
            raise BackupError(
                f"{path} 就是正在使用的数据库文件：请另选一个文件。",
                f"{path} is the live database file itself: choose another file.",
            )

    def _dump(self, tmp):
        with self._live() as live, closing(sqlite3.connect(tmp)) as copy:
            # pages=-1 (the default) copies every page in one step under one read
            # transaction: a consistent snapshot, and WAL lets writers carry on meanwhile.
            live.backup(copy)
            # One self-contained file, not a WAL database that wants -wal and -shm beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            return _count(copy.cursor())

    def _check(self, source):
        try:
            with closing(_open_read_only(source)) as db:
                problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
                tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as e:
            raise _damaged(source, str(e)) from None
        if problems != ["ok"]:
            raise _damaged(source, problems[0])
        if Event._meta.db_table not in tables:
            raise _foreign(source, self.label)

    def _load(self, source):
        # The backup API in reverse: the pages are written into the live file in one
        # transaction, so open connections (the server's) see the restored database
        # at their next query, and a failure leaves the old one whole.
        try:
            with closing(_open_read_only(source)) as backup, self._live() as live:
                backup.backup(live)
        except sqlite3.Error as e:
            raise BackupError(
                f"恢复失败，数据库未改动（{e}）：若服务器正在写入，请停止后重试。",
                f"Restore failed and the database is unchanged ({e}): "
                "if the server is busy writing, stop it and retry.",
            ) from None


class PostgresBackups(Backups):
    label = "PostgreSQL"
    header = b"PGDMP"
    example_suffix = ".dump"

    # Connection options that libpq also reads from the environment.
    LIBPQ_OPTIONS = {
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
        "passfile": "PGPASSFILE",
        "service": "PGSERVICE",
    }

    def _dump(self, tmp):
        pg_dump = find_tool("pg_dump", major=self._server_major())
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            # pg_dump reads the snapshot this transaction sees, so the counts printed
            # are exactly those in the file, however busy the server is.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor)
            self._run(pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={tmp}")
        return counts

    def _check(self, source):
        pg_restore = find_tool("pg_restore", major=self._server_major())
        try:
            listing = self._run(pg_restore, "--list", str(source))
            # Reading the whole archive into nothing finds a truncated or damaged file
            # before anything in the database is dropped.
            self._run(pg_restore, f"--file={os.devnull}", str(source))
        except ToolFailed as e:
            raise _damaged(source, str(e)) from None
        if not re.search(rf" TABLE \S+ {Event._meta.db_table} ", listing):
            raise _foreign(source, self.label)

    def _load(self, source):
        pg_restore = find_tool("pg_restore", major=self._server_major())
        try:
            self._run(
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--no-password",
                f"--dbname={self.database_name}",
                str(source),
            )
        except ToolFailed as e:
            raise BackupError(
                f"恢复失败，已整体回滚，数据库未改动（{e}）：若服务器或后台任务正在运行，请停止后重试。",
                f"Restore failed and was rolled back; the database is unchanged ({e}): "
                "if the server or the worker is running, stop them and retry.",
            ) from None

    def _server_major(self) -> int:
        return self.connection.pg_version // 10000

    def _environment(self) -> dict[str, str]:
        """Connection settings for pg_dump and pg_restore, passed in the environment: a
        password on the command line would show in `ps`."""
        env = dict(os.environ, PGAPPNAME="wenzheng backup")
        for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
            if self.settings.get(key):
                env[var] = str(self.settings[key])
        env["PGDATABASE"] = self.database_name
        for option, var in self.LIBPQ_OPTIONS.items():
            if self.settings["OPTIONS"].get(option):
                env[var] = str(self.settings["OPTIONS"][option])
        return env

    def _run(self, *command) -> str:
        done = subprocess.run(command, env=self._environment(), capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            # The line that names the error, not the SQL or the hints printed after it.
            lines = [" ".join(line.split()) for line in done.stderr.splitlines() if line.strip()]
            errors = [line for line in lines if "error:" in line]
            raise ToolFailed((errors or lines or [f"{Path(command[0]).name} exited with {done.returncode}"])[0])
        return done.stdout


class ToolFailed(Exception):
    """pg_dump or pg_restore exited with an error; the message is its last line."""


VENDORS: dict[str, type[Backups]] = {"sqlite": SQLiteBackups, "postgresql": PostgresBackups}


def for_connection(connection=None) -> Backups:
    connection = connection or default_connection
    try:
        return VENDORS[connection.vendor](connection)
    except KeyError:
        raise BackupError(
            f"尚不支持备份 {connection.vendor} 数据库。", f"Backups of {connection.vendor} databases are not supported."
        ) from None


def find_tool(name: str, *, major: int) -> str:
    """The pg_dump or pg_restore for the server's major version: Debian's versioned
    directory first, then PATH. An older one cannot read a newer server."""
    found = []
    for candidate in (Path(POSTGRES_BIN.format(major=major)) / name, shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            version = _tool_major(str(candidate))
            if version is not None and version >= major:
                return str(candidate)
            found.append(f"{candidate} is version {version}")
    seen = f" ({'; '.join(found)})" if found else ""
    raise BackupError(
        f"找不到 PostgreSQL {major} 的 {name}{seen}：请安装 postgresql-client-{major}。",
        f"No {name} for PostgreSQL {major} in {POSTGRES_BIN.format(major=major)} or on PATH{seen}: "
        f"install postgresql-client-{major}.",
    )


def migration_gap(connection=None) -> tuple[int, int]:
    """(migrations this code has that the database lacks, migrations the database has
    that this code does not know): a backup from an older or a newer version."""
    executor = MigrationExecutor(connection or default_connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes)
    ours = {app for app, _ in executor.loader.graph.nodes}
    return len(pending), len({m for m in unknown if m[0] in ours})


def _count(cursor) -> tuple[int, int]:
    counts = []
    for model in (Message, Event):
        cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')  # noqa: S608 (a model's table name)
        counts.append(cursor.fetchone()[0])
    return counts[0], counts[1]


def _writable_target(path: Path, suffix: str) -> Path:
    if path.is_dir():
        example = path / f"wenzheng-{timezone.localdate():%Y-%m-%d}{suffix}"
        raise BackupError(
            f"{path} 是一个目录：请给出备份文件的名字，如 {example}。",
            f"{path} is a directory: give the backup file's name, e.g. {example}.",
        )
    if path.exists() and not path.is_file():
        raise BackupError(
            f"{path} 不是普通文件：请另选一个文件名。", f"{path} is not a regular file: choose another name."
        )
    if path.parent.exists() and not path.parent.is_dir():
        raise BackupError(
            f"{path.parent} 不是目录：请另选备份文件的位置。",
            f"{path.parent} is not a directory: choose another place for the backup.",
        )
    if not path.parent.exists():
        raise BackupError(
            f"目录 {path.parent} 不存在：请先创建它。", f"Directory {path.parent} does not exist: create it first."
        )
    return path


def _read_header(path: Path) -> bytes:
    if path.is_dir():
        raise BackupError(
            f"{path} 是目录，不是备份文件：请给出 manage.py backup 生成的文件。",
            f"{path} is a directory, not a backup file: give a file made by manage.py backup.",
        )
    if not path.exists():
        raise BackupError(f"找不到备份文件 {path}：请检查路径。", f"No backup file at {path}: check the path.")
    try:
        with path.open("rb") as f:
            return f.read(16)
    except OSError as e:
        raise BackupError(
            f"无法读取 {path}（{e.strerror}）：请检查权限。",
            f"Cannot read {path} ({e.strerror}): check its permissions.",
        ) from None


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _damaged(path: Path, detail: str) -> BackupError:
    return BackupError(
        f"{path} 已损坏或不完整（{detail}）：请换一个备份文件。数据库未改动。",
        f"{path} is damaged or incomplete ({detail}): use another backup. The database was not touched.",
    )


def _foreign(path: Path, label: str) -> BackupError:
    return BackupError(
        f"{path} 是 {label} 数据库，但不是 wenzheng 的（没有事件表）：请检查文件。数据库未改动。",
        f"{path} is not a wenzheng database (it has no event table): check the file. The database was not touched.",
    )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tool_major(path: str) -> int | None:
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", done.stdout)
    return int(match.group(1)) if match else None
