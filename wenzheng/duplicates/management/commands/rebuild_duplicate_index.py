"""manage.py rebuild_duplicate_index: every message's duplicate-index keys afresh."""

from django.core.management.base import BaseCommand

from wenzheng.duplicates import index


class Command(BaseCommand):
    help = "Rebuild the duplicate (并单) index: every message's MinHash band and citizen keys."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, batch, **options):
        total = index.rebuild(batch=batch, out=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS(f"Indexed {total:,} messages for duplicate detection."))
