from django.core.management.base import BaseCommand, CommandError

from wenzheng.ops import batches


class Command(BaseCommand):
    help = (
        "Do again the rows the background worker skipped because a batch holding them killed it "
        "(listed in the admin, 后台任务跳过的记录, and by `check --deploy`): the ones named by their number "
        "in that list, or --all. Runs here, now: find and mend the cause first (a row that kills the "
        "worker kills this too, and stays listed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="numbers (ID) in the admin's list")
        parser.add_argument("--all", action="store_true", help="every skipped row not yet done again")

    def handle(self, *, ids, all, **options):
        if not ids and not all:
            raise CommandError("name the skipped rows' numbers, or --all")
        rows = list(batches.waiting().order_by("pk") if all else batches.waiting().filter(pk__in=ids).order_by("pk"))
        missing = set(ids) - {r.pk for r in rows}
        if missing:
            raise CommandError(f"not skipped rows waiting: {', '.join(map(str, sorted(missing)))}")
        failed = 0
        for row in rows:
            try:
                batches.retry(row)
            except Exception as e:
                failed += 1
                self.stderr.write(f"{row.pk} ({row.work}, row {row.row_id}): failed again: {e!r}")
            else:
                self.stdout.write(f"{row.pk} ({row.work}, row {row.row_id}): done")
        if failed:
            raise CommandError(f"{failed} of {len(rows)} skipped row(s) failed again; they stay listed")
