"""Keeping prepared uploads (wenzheng.attachments.files) with their message, inside
the action that brings them: the rows in its transaction, the files in the storage.

Files cannot join a database transaction: they are written first, and a step that
fails afterwards has its files removed again by `discard` (the views call it), and
files are deleted from the storage only once the deletion of their rows commits."""

import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import Attachment, storage


def _name(upload, suffix="") -> str:
    day = timezone.now()
    return f"attachments/{day:%Y/%m}/{secrets.token_hex(16)}{suffix}.{upload.extension if not suffix else 'jpg'}"


def attach(uploads, *, message, source, at, follow_up=None, reply=None, draft=None) -> list[Attachment]:
    """Store `uploads` and record them on the message (and its follow-up, reply or
    draft). Called by the actions, inside their transaction."""
    from wenzheng.privacy.public import Publisher, citizen_names

    publisher, names, rows = Publisher(), citizen_names(message), []
    for position, upload in enumerate(uploads):
        name = storage().save(_name(upload), ContentFile(upload.content))
        upload.saved.append(name)
        thumbnail = ""
        if upload.thumbnail:
            thumbnail = storage().save(_name(upload, "-thumb"), ContentFile(upload.thumbnail))
            upload.saved.append(thumbnail)
        rows.append(
            Attachment(
                message=message,
                follow_up=follow_up,
                reply=reply,
                draft=draft,
                source=source,
                kind=upload.kind,
                file=name,
                thumbnail=thumbnail,
                content_type=upload.content_type,
                size=len(upload.content),
                width=upload.width,
                height=upload.height,
                # A unit's PDF is shown and served by its name, to the public too:
                # kept as the public may read it (韦**-138****5678-答复.pdf), as the
                # reply beside it is. A photo's name is never shown (served_name).
                name=publisher.mask(upload.name, region_id=message.region_id, names=names)
                if upload.kind == Attachment.Kind.PDF
                else upload.name,
                position=position,
                uploaded_at=at,
            )
        )
    return Attachment.objects.bulk_create(rows)


def discard(uploads) -> None:
    """Remove the files of uploads whose step failed (nothing refers to them)."""
    for upload in uploads or ():
        for name in upload.saved:
            storage().delete(name)
        upload.saved.clear()


def delete(attachments) -> int:
    """Delete attachment rows, and their files once that commits."""
    attachments = list(attachments)
    names = [n for a in attachments for n in (a.file, a.thumbnail) if n]
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()

    def remove():
        for name in names:
            storage().delete(name)

    transaction.on_commit(remove)
    return len(attachments)
