"""Backing up and restoring the whole database, one way per database vendor.

SQLite copies its pages with the online backup API (a consistent snapshot, while the
server goes on writing in WAL mode); PostgreSQL uses pg_dump's custom format and
pg_restore. The photos and documents attached to messages (wenzheng.attachments) go
in the same file: on SQLite in a table of the backup copy, so the backup is still one
SQLite database; on PostgreSQL in a tar archive that holds the pg_dump archive and
the files. Either way the files are those the backed-up rows refer to, read from the
storage after the snapshot, and a restore puts them back and removes the files no
restored row names.

Both write a backup to a temporary file beside PATH and rename it into place, so a
failed backup never leaves half a file at PATH; and both check a backup file
completely (its files' names too) before they overwrite anything, so a bad file
leaves the live database and the storage as they were.

Every problem with a path or a file is a `BackupError`: one line, in Chinese and
English, saying what is wrong and what to do.
"""

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db import connection as default_connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from wenzheng.attachments import backup as attached
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
    files: int = 0


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

    @property
    def location(self) -> str:
        """Where the database is, for an operator to tell it from another of the same
        name (a copy restored beside the live one)."""
        return f"{self.settings['HOST'] or 'localhost'}:{self.settings['PORT'] or 5432}/{self.settings['NAME']}"

    def backup(self, path) -> Snapshot:
        if not self.exists():
            # Checked before anything connects: SQLite would make an empty file there.
            raise BackupError(
                f"数据库 {self.location} 不存在：请检查 DATABASE_URL。",
                f"There is no database at {self.location}: check DATABASE_URL.",
            )
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
            files = self._add_files(tmp)
            _fsync(tmp)
            os.replace(tmp, target)
        except (sqlite3.Error, OSError, DatabaseError, ToolFailed) as e:
            raise BackupError(
                f"备份失败，{target} 未写入（{e}）。", f"Backup failed, nothing written to {target} ({e})."
            ) from None
        finally:
            tmp.unlink(missing_ok=True)  # already gone once renamed into place
        _fsync(target.parent)
        return Snapshot(target, target.stat().st_size, messages, events, files)

    def check(self, path) -> Path:
        """Everything that can be known about a backup file before it overwrites the
        database: that it is there, is this vendor's, is whole, and is wenzheng's."""
        source = Path(path)
        header = _read_header(source)
        if not self.recognises(header):
            other = next((v for v in VENDORS.values() if v.recognises(header)), None)
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

    @classmethod
    def recognises(cls, header: bytes) -> bool:
        return bool(cls.header) and header.startswith(cls.header)

    def _refuse_live_file(self, path: Path) -> None:
        pass

    def exists(self) -> bool:
        """Whether there is a database to back up (a server's always is)."""
        return True

    def _add_files(self, tmp: Path) -> int:
        """Put the attached files the backed-up rows refer to in the backup; how many."""
        return 0

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

    @property
    def location(self) -> str:
        return str(Path(self.settings["NAME"]).resolve())

    def _live(self):
        return closing(sqlite3.connect(self.settings["NAME"], timeout=20))

    def exists(self):
        return Path(self.settings["NAME"]).is_file()

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

    def _add_files(self, tmp):
        with closing(sqlite3.connect(tmp)) as copy:
            names = attached.names_in(copy.cursor())
            copy.execute(f"CREATE TABLE {FILES_TABLE} (name TEXT PRIMARY KEY, content BLOB NOT NULL)")
            count = 0
            for name in names:
                content = attached.read(name)
                if content is not None:
                    copy.execute(f"INSERT INTO {FILES_TABLE} VALUES (?, ?)", (name, content))  # noqa: S608
                    count += 1
            copy.commit()
        return count

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
        if FILES_TABLE in tables:
            with closing(_open_read_only(source)) as db:
                _check_names(source, (row[0] for row in db.execute(f"SELECT name FROM {FILES_TABLE}")))  # noqa: S608

    def _load(self, source):
        # The backup API in reverse: the pages are written into the live file in one
        # transaction, so open connections (the server's) see the restored database
        # at their next query, and a failure leaves the old one whole.
        live_path = Path(self.settings["NAME"])
        if not live_path.exists():
            # A database restored onto a new machine holds personal data as its backup
            # does: readable by its owner only.
            os.close(os.open(live_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            with closing(_open_read_only(source)) as backup, self._live() as live:
                backup.backup(live)
        except sqlite3.Error as e:
            raise BackupError(
                f"恢复失败，数据库未改动（{e}）：若服务器正在写入，请停止后重试。",
                f"Restore failed and the database is unchanged ({e}): "
                "if the server is busy writing, stop it and retry.",
            ) from None
        with self._live() as live, _putting_back_files():
            if not live.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (FILES_TABLE,)).fetchone():
                return  # a backup from before files were kept in it: the storage is left alone
            kept = set()
            for name, content in live.execute(f"SELECT name, content FROM {FILES_TABLE}"):  # noqa: S608
                attached.put(name, content)
                kept.add(name)
            attached.remove_others(kept | set(attached.names_in(live.cursor())))
        # The files are back where they belong: the database holds its own rows only
        # (through Django's connection, whose functions the schema's constraints use).
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {FILES_TABLE}")
            cursor.execute("VACUUM")
        self.connection.close()


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

    @classmethod
    def recognises(cls, header):
        # pg_dump's own archive, or the tar archive that holds it with the files.
        return header.startswith(cls.header) or (header[257:262] == b"ustar" and header.startswith(MANIFEST.encode()))

    def _dump(self, tmp):
        pg_dump = find_tool("pg_dump", major=self._server_major())
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            # pg_dump reads the snapshot this transaction sees, so the counts printed
            # are exactly those in the file, however busy the server is.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor)
            self._files = attached.names_in(cursor)
            self._run(pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={tmp}")
        return counts

    def _add_files(self, tmp):
        """The pg_dump archive and the files, in one tar archive at `tmp`."""
        dump = tmp.with_name(tmp.name + ".pgdump")
        os.replace(tmp, dump)
        count = 0
        try:
            # Readable by its owner only, as the pg_dump archive was: it holds personal data.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w") as archive:
                manifest = json.dumps({"format": 1, "database": "postgresql", "files": len(self._files)}).encode()
                _add_bytes(archive, MANIFEST, manifest)
                archive.add(dump, arcname=DATABASE_MEMBER)
                for name in self._files:
                    content = attached.read(name)
                    if content is not None:
                        _add_bytes(archive, f"files/{name}", content)
                        count += 1
        finally:
            dump.unlink(missing_ok=True)
        return count

    @contextmanager
    def _database_of(self, source):
        """The pg_dump archive of a backup: the file itself, or taken out of its tar."""
        if _read_header(source).startswith(self.header):
            yield source
            return
        with tempfile.TemporaryDirectory(prefix="wenzheng-restore-") as folder:
            target = Path(folder) / DATABASE_MEMBER
            try:
                with (
                    tarfile.open(source) as archive,
                    archive.extractfile(DATABASE_MEMBER) as dump,
                    target.open("wb") as out,
                ):
                    shutil.copyfileobj(dump, out)
            except (tarfile.TarError, KeyError, OSError) as e:
                raise _damaged(source, str(e) or type(e).__name__) from None
            yield target

    def _restore_files(self, source):
        if _read_header(source).startswith(self.header):
            return  # a backup from before files were kept in it: the storage is left alone
        kept = set()
        with _putting_back_files(), tarfile.open(source) as archive:
            for member in archive:
                if member.isfile() and member.name.startswith("files/"):
                    name = member.name.removeprefix("files/")
                    with archive.extractfile(member) as content:
                        attached.put(name, content.read())
                    kept.add(name)
            with self.connection.cursor() as cursor:
                attached.remove_others(kept | set(attached.names_in(cursor)))

    def _check(self, source):
        with self._database_of(source) as dump:
            self._check_dump(source, dump)
        if not _read_header(source).startswith(self.header):
            with tarfile.open(source) as archive:
                _check_names(source, (m.name.removeprefix("files/") for m in archive if m.name.startswith("files/")))

    def _check_dump(self, source, dump):
        pg_restore = find_tool("pg_restore", major=self._server_major())
        try:
            listing = self._run(pg_restore, "--list", str(dump))
            # Reading the whole archive into nothing finds a truncated or damaged file
            # before anything in the database is dropped.
            self._run(pg_restore, f"--file={os.devnull}", str(dump))
        except ToolFailed as e:
            raise _damaged(source, str(e)) from None
        if not re.search(rf" TABLE \S+ {Event._meta.db_table} ", listing):
            raise _foreign(source, self.label)

    def _load(self, source):
        with self._database_of(source) as dump:
            self._load_dump(dump)
        self._restore_files(source)

    def _load_dump(self, source):
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


FILES_TABLE = "wenzheng_backup_files"
MANIFEST = "wenzheng-backup.json"
DATABASE_MEMBER = "database.dump"


def _check_names(source: Path, names) -> None:
    """A backup names only files the attachments keep (attachments/YYYY/MM/...): a
    name that would write elsewhere in the storage means the file is not ours."""
    for name in names:
        if not attached.is_file_name(name):
            raise _damaged(source, f"unexpected file name {name!r}")


@contextmanager
def _putting_back_files():
    """The database is restored by now: a storage that fails to take the files back is
    said so, and a second restore of the same backup puts them back."""
    try:
        yield
    except OSError as e:
        raise BackupError(
            f"数据库已恢复，但附件文件未能全部写回（{e}）：请检查附件存储后再次运行恢复。",
            f"The database was restored but not all attached files could be written back ({e}): "
            "check the attachment storage and run the restore again.",
        ) from None


def _add_bytes(archive, name, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(content), 0o600
    archive.addfile(info, io.BytesIO(content))


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
            return f.read(512)
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
