from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wenzheng.evaluation import bulletin, documents
from wenzheng.evaluation.management.commands.evaluate import Command as Evaluate
from wenzheng.reports import periods

WRITERS = {"docx": documents.bulletin_docx, "xlsx": documents.bulletin_xlsx}


class Command(BaseCommand):
    help = "Write a period's bulletin (通报) as a .docx to edit and print, or an .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026Q1, 2026, 2026-03 or 2026-01-01..2026-03-31")
        parser.add_argument("--format", required=True, choices=sorted(WRITERS), help="docx or xlsx")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--region", help="region code (default: the county, or the city if there are several)")
        parser.add_argument("--at", help="count as at this moment instead of now, e.g. 2026-04-10T09:00")

    def handle(self, *, period, format, output, region, at, **options):
        helper = Evaluate()
        now = helper._moment(at) if at else timezone.now()
        try:
            span = periods.started(period, now=now)
        except periods.BadPeriod as e:
            raise CommandError(str(e)) from None
        place = helper._region(region)
        found = bulletin.assemble(place, span, now=now)
        Path(output).write_bytes(WRITERS[format](found))
        self.stdout.write(f"已写入{found.title}：{output}")
        self.stdout.write(found.figures.summary())
        self.stdout.write(span.heading(now))
