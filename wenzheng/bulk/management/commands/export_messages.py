import sys

from django.core.management.base import BaseCommand, CommandError

from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message
from wenzheng.units.models import Region

from ... import exports


class Command(BaseCommand):
    help = "导出留言或办理记录为 .csv 或 .xlsx（边读边写，内存占用不随行数增长）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件，扩展名 .csv 或 .xlsx；写 - 则以 CSV 输出到标准输出")
        parser.add_argument("--events", action="store_true", help="导出办理记录（默认导出留言）")
        parser.add_argument("--region", help="只导出该县（区）的")

    def handle(self, *args, **options):
        target = options["file"]
        extension = "csv" if target == "-" else target.rsplit(".", 1)[-1].lower()
        fmt = exports.FORMATS.get(extension)
        if fmt is None:
            raise CommandError("输出文件的扩展名须为 .csv 或 .xlsx")
        if options["events"]:
            found = Event.objects.all()
            dataset = exports.events(found.filter(unit__region__code=options["region"]) if options["region"] else found)
        else:
            found = Message.objects.all()
            if options["region"]:
                if not Region.objects.filter(code=options["region"]).exists():
                    raise CommandError(f"没有代码为“{options['region']}”的县（区）")
                found = found.filter(region__code=options["region"])
            exports.record_contact_export(found, user=None, contact=None, detail=f"manage.py export_messages {target}")
            dataset = exports.messages(found)
        out = sys.stdout.buffer if target == "-" else open(target, "wb")  # noqa: SIM115 (closed below)
        try:
            for chunk in fmt.stream(dataset):
                out.write(chunk)
        finally:
            if target != "-":
                out.close()
