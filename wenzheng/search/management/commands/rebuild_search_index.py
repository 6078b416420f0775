"""python manage.py rebuild_search_index: the search index of every message, from
scratch (after restoring an old backup, or changing a county's published contacts,
which changes what the public texts mask)."""

from django.core.management.base import BaseCommand

from wenzheng.search import index


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every message. 重建全部留言的检索索引。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes building the documents (masking and folding the texts is most of the work)",
        )

    def handle(self, **options):
        def progress(done, total, seconds):
            if done == total or done % 20_000 < index.BATCH:
                self.stdout.write(f"  {done:,}/{total:,} messages ({seconds:.0f} s)")

        documents = index.rebuild(progress=progress, workers=options["workers"])
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {documents:,} documents."))
