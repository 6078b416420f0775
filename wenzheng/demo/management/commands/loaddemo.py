"""python manage.py loaddemo: build the demo county 罗城仫佬族自治县 (河池市).

Safe to run again: if the county is there, nothing changes. Either way the demo
logins are printed, so `make run` always shows them. Every demo account's password
is demo12345, so with DEBUG off (a production server) it refuses to run unless told
`--demo`: a county's real database must never get accounts with a known password.
"""

import datetime as dt
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wenzheng.demo import generator, texts
from wenzheng.demo.county import PASSWORD


class Command(BaseCommand):
    help = (
        "生成演示数据：河池市罗城仫佬族自治县的108个实名上网单位、工作人员和2026年以来的网民留言"
        "（演示账号密码均为 demo12345）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=dt.datetime.fromisoformat,
            help="build as if it were this moment (ISO, e.g. 2026-11-24T12:00+08:00); default: now",
        )
        parser.add_argument(
            "--all-logins", action="store_true", help="list every staff account, not only the main ones"
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="run even with DEBUG off (a demonstration server): the demo accounts have a known password",
        )

    def handle(self, *, now, all_logins, demo, **options):
        if not settings.DEBUG and not demo:
            raise CommandError(
                "DEBUG is off, so this looks like a production server: loaddemo creates accounts whose password "
                "is demo12345. Add --demo if this server is only a demonstration."
            )
        if now is not None and timezone.is_naive(now):
            now = timezone.make_aware(now)
        try:
            result = generator.build(now=now)
        except generator.DemoError as e:
            raise CommandError(str(e)) from None
        if result.created:
            self._created(result, now)
        else:
            self.stdout.write(
                f"演示数据已存在（{texts.COUNTY[0]}），未作任何改动。"
                "如需按当前版本重建演示数据，请删除数据库（默认为 db.sqlite3）后再运行。"
            )
        self._logins(all_logins)

    def _created(self, result, now):
        w = self.stdout.write
        w(self.style.SUCCESS(f"已生成演示数据：河池市{texts.COUNTY[0]}"))
        w(f"  实名上网单位 {result.units} 个，工作人员账号 {result.users} 个")
        w(f"  网民留言 {result.messages} 条，办理记录（事件）{result.events} 条")
        w(f"  用时 {result.seconds:.1f} 秒")
        if result.estimated_deadlines:
            w(
                self.style.WARNING(
                    f"  注意：有{result.estimated_deadlines}个办理期限落在尚未录入节假日安排的年份，"
                    "暂按周一至周五计算（请在后台录入国务院的节假日安排）。"
                )
            )
        w("2026年第一季度：" + generator.q1_summary(now=now))

    def _logins(self, everyone):
        w = self.stdout.write
        w(f"演示账号（密码均为 {PASSWORD}）：")
        w("  " + _pad("用户名", 20) + _pad("角色", 14) + _pad("密码", 12) + "单位")
        for user in generator.logins(everyone=everyone):
            place = user.unit.name if user.unit else (user.region.name if user.region else "")
            w("  " + _pad(user.username, 20) + _pad(user.role_title, 14) + _pad(PASSWORD, 12) + place)
        if not everyone:
            w(
                "  其他单位的账号：u<三位单位编号>_leader、u<三位单位编号>_handler1 等"
                "（如 u056_leader；乡镇用拼音，如 longan_leader）；"
            )
            w("  python manage.py loaddemo --all-logins 列出全部账号。")


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a Chinese character takes two columns."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - columns)
