"""The attached files in a backup (wenzheng.ops.backups): which files the backed-up
rows refer to, and putting a backup's files back in the storage."""

import re

from .models import storage

TABLE = "attachments_attachment"
PREFIX = "attachments/"
# What wenzheng.attachments.store names a file: attachments/2026/11/<random>[-thumb].ext
FILE_NAME = re.compile(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}(-thumb)?(_[A-Za-z0-9]{7})?\.(jpg|png|webp|pdf)")


def is_file_name(name: str) -> bool:
    return bool(FILE_NAME.fullmatch(name))


def names_in(cursor) -> list[str]:
    """The storage names the attachment rows seen by `cursor` refer to (a DB-API
    cursor on the snapshot being backed up)."""
    cursor.execute(f"SELECT file, thumbnail FROM {TABLE}")  # noqa: S608 (our table)
    return sorted({name for row in cursor.fetchall() for name in row if name})


def read(name: str) -> bytes | None:
    """A file's bytes, or None if it is gone (deleted by an erasure committed since the
    snapshot: it is not restored either)."""
    try:
        with storage().open(name, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def put(name: str, content) -> None:
    """Write a file back under its own name (the rows refer to it by that name)."""
    from django.core.files.base import ContentFile

    if not is_file_name(name):
        raise ValueError(f"not an attachment's name: {name!r}")

    if storage().exists(name):
        storage().delete(name)
    saved = storage().save(name, ContentFile(content))
    if saved != name:
        storage().delete(saved)
        raise OSError(f"the storage renamed {name} to {saved}")


def remove_others(kept: set[str]) -> int:
    """Remove the files no restored row refers to (made after the backup)."""
    removed = 0
    for name in _walk(PREFIX.rstrip("/")):
        if name not in kept:
            storage().delete(name)
            removed += 1
    return removed


def _walk(folder: str):
    try:
        folders, files = storage().listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")
