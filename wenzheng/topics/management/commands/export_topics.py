"""manage.py export_topics --region CODE [--output FILE]: a county's topic tree as CSV,
in the form import_topics reads back."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenzheng.topics import catalogue
from wenzheng.units.models import Region


class Command(BaseCommand):
    help = "Write a county's topic tree (事项分类) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True)
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *, region, output, **options):
        county = Region.objects.filter(code=region, kind=Region.Kind.COUNTY).first()
        if county is None:
            raise CommandError(f"No county with code {region!r}.")
        text = catalogue.dump(county)
        if output:
            # With a BOM, so that Excel opens the Chinese right.
            Path(output).write_text("\ufeff" + text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
