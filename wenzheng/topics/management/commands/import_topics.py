"""manage.py import_topics --region CODE [FILE]: load a county's topic tree from CSV
(columns 代码, 名称, 承办单位, 启用); without FILE, the default tree that ships."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenzheng.topics import catalogue
from wenzheng.units.models import Region


class Command(BaseCommand):
    help = "Load a county's topic tree (事项分类) from CSV, or the default tree."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV file (UTF-8); default: the tree that ships")
        parser.add_argument("--region", required=True, help="the county's code, e.g. luocheng")

    def handle(self, *, file, region, **options):
        county = Region.objects.filter(code=region, kind=Region.Kind.COUNTY).first()
        if county is None:
            raise CommandError(f"No county with code {region!r}.")
        path = Path(file) if file else catalogue.DEFAULT_TREE
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            result = catalogue.load(county, text)
        except catalogue.TreeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{county.name}: {result['rows']} rows, {result['created']} created, {result['updated']} updated"
        )
