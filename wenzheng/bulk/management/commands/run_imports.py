import time

from django.core.management.base import BaseCommand

from ...jobs import claim, run


class Command(BaseCommand):
    help = "运行排队中的导入任务（上传页面会自行启动；此命令接手进程中断后留下的任务）。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="一直运行，每隔几秒查看一次")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, **options):
        while True:
            job = claim()
            if job is not None:
                job = run(job)
                self.stdout.write(f"{job.filename}：{job.get_state_display()}，新增{job.created_count}条")
                continue
            if not options["loop"]:
                return
            time.sleep(options["interval"])
