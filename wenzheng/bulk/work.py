"""The import jobs uploaded on the office's page, run by the background worker."""

from wenzheng.ops.worker import Work, register

from . import jobs


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
