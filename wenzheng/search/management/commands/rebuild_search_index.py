"""python manage.py rebuild_search_index: every message's search documents derived
again, a committed batch at a time while the server runs (after restoring an old
backup, or loading messages behind the actions' back); `--from-scratch` empties the
index and builds it in one transaction instead (wenzheng.search.index.rebuild)."""

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
        parser.add_argument(
            "--from-scratch",
            action="store_true",
            help="empty the index and build it in bulk in one transaction (faster; searches and steps wait): "
            "for a first build, or after an upgrade that changes how texts are cut",
        )

    def handle(self, **options):
        def progress(done, total, seconds):
            if done == total or done % 20_000 < index.BATCH:
                self.stdout.write(f"  {done:,}/{total:,} messages ({seconds:.0f} s)")

        documents = index.rebuild(progress=progress, workers=options["workers"], from_scratch=options["from_scratch"])
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {documents:,} documents."))
