from django.core.management.base import BaseCommand, CommandError

from wenzheng.accounts.models import User
from wenzheng.accounts.policy import ActionRefused
from wenzheng.handling.models import Message
from wenzheng.privacy import actions


class Command(BaseCommand):
    help = (
        "删除一位网民的个人信息（依其申请）：按网民账号，或按查询码、留言编号。姓名、联系电话、身份证号、电子邮箱、"
        "联系地址被删除，留言和答复中的个人信息被遮盖；办理记录和统计数据不变。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--account", help="网民账号的用户名")
        parser.add_argument("--tracking-code", action="append", default=[], help="留言的查询码（可重复）")
        parser.add_argument(
            "--message", action="append", default=[], help="县代码/留言编号，如 luocheng/2026-000046（可重复）"
        )
        parser.add_argument("--by", required=True, help="办理人的用户名（系统管理员，或留言所在地的县级网络问政办）")
        parser.add_argument("--reason", required=True, help="删除依据，如：网民来电申请，登记编号……")

    def handle(self, *, account, tracking_code, message, by, reason, **options):
        actor = User.objects.filter(username=by).first()
        if actor is None:
            raise CommandError(f"没有用户名为“{by}”的账号。")
        target = None
        if account:
            target = User.objects.filter(username=account).first()
            if target is None:
                raise CommandError(f"没有用户名为“{account}”的账号。")
        found = [self._by_code(code) for code in tracking_code] + [self._by_serial(s) for s in message]
        try:
            erasure = actions.erase_citizen(by=actor, reason=reason, account=target, messages=found)
        except ActionRefused as e:
            raise CommandError(e.reason) from None
        count = erasure.messages.count()
        self.stdout.write(self.style.SUCCESS(f"已删除个人信息（记录#{erasure.pk}）：涉及留言{count}条。"))

    @staticmethod
    def _by_code(code):
        found = Message.objects.filter(tracking_code=code.strip().upper()).first()
        if found is None:
            raise CommandError(f"没有查询码为“{code}”的留言。")
        return found

    @staticmethod
    def _by_serial(text):
        try:
            region, serial = text.split("/", 1)
            year, number = (int(p) for p in serial.split("-"))
        except ValueError:
            raise CommandError(f"留言应写作 县代码/编号，如 luocheng/2026-000046，而不是“{text}”。") from None
        found = Message.objects.filter(region__code=region, year=year, number=number).first()
        if found is None:
            raise CommandError(f"{region}没有编号为{serial}的留言。")
        return found
