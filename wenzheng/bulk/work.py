"""The import jobs uploaded on the office's page, run by the background worker, and
the deletion of their files once they are no longer needed."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from wenzheng.ops.worker import Work, register

from . import jobs
from .models import ImportJob


@register
class ImportWork(Work):
    name = "imports"

    def claim(self):
        return jobs.claim()

    def run(self, job) -> str:
        job = jobs.run(job)
        return (
            f"import job {job.pk} ({job.filename}): {job.state}, {job.created_count} created, "
            f"{job.skipped_count} already imported, {job.problem_count} row(s) with problems"
        )


@register
class DeleteImportFilesWork(Work):
    """An uploaded file holds every citizen's name and phone number it imported: it is
    deleted IMPORT_FILE_RETENTION_DAYS after its job finished (the messages, the
    report and the job's record stay). The UPDATE is the claim: a second worker
    finds nothing left to delete."""

    name = "import-files"

    def claim(self):
        now = timezone.now()
        old = ImportJob.objects.filter(
            state__in=[ImportJob.State.DONE, ImportJob.State.FAILED],
            finished_at__lt=now - dt.timedelta(days=settings.IMPORT_FILE_RETENTION_DAYS),
            file_deleted_at__isnull=True,
        )
        deleted = old.update(content=b"", file_deleted_at=now)
        return deleted or None

    def run(self, deleted) -> str:
        return f"import files: {deleted} deleted after {settings.IMPORT_FILE_RETENTION_DAYS} days"
