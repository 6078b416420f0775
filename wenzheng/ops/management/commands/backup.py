"""python manage.py backup PATH: the whole database in one file, taken while the server
runs, with the attached files. SQLite writes an SQLite database (the files in a table
of it), PostgreSQL a tar archive of a pg_dump custom-format archive and the files."""

from django.core.management.base import BaseCommand, CommandError

from wenzheng.ops import backups


class Command(BaseCommand):
    help = (
        "Back up the whole database and the attached files to PATH (SQLite: a copy of the database "
        "file; PostgreSQL: pg_dump's custom format in a tar). 备份整个数据库及附件到 PATH；服务器可照常运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write (replaced if it exists)")

    def handle(self, *, path, **options):
        try:
            snapshot = backups.for_connection().backup(path)
        except backups.BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up to {snapshot.path} ({_size(snapshot.size)}): "
                f"{snapshot.messages} messages, {snapshot.events} events, {snapshot.files} attached files."
            )
        )


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024:
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
