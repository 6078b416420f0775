"""A forgotten password, reset with a code sent by SMS or e-mail, with rate limits."""

import datetime as dt
import re

import time_machine
from django.core import mail
from django.test import override_settings

from wenzheng.accounts import resets
from wenzheng.accounts.models import PasswordResetCode, User
from wenzheng.api.models import ApiToken
from wenzheng.notifications import sms
from wenzheng.security.models import AuditRecord
from wenzheng.testing import CastTestCase, local

NEW = "Luo-Cheng-2026!"


@override_settings(SMS_BACKEND="wenzheng.notifications.sms.LocmemBackend")
class PasswordResetTest(CastTestCase):
    def setUp(self):
        sms.outbox.clear()
        c = self.cast
        c.citizen.phone, c.handler_a.email = "13800138000", "handler_a@luocheng.gov.cn"
        c.citizen.save()
        c.handler_a.save()

    def ask(self, account, channel="sms", **extra):
        return self.client.post("/accounts/password/reset/", {"account": account, "channel": channel}, **extra)

    def sms_code(self, phone="13800138000") -> str:
        to, text = sms.outbox[-1]
        self.assertEqual(to, phone)
        return re.search(r"验证码(\d{6})", text).group(1)

    def confirm(self, code, password=NEW):
        data = {"code": code, "new_password1": password, "new_password2": password}
        return self.client.post("/accounts/password/reset/code/", data)

    def test_a_citizen_resets_by_sms_code_and_signs_in_with_the_new_password(self):
        login = self.client.get("/accounts/login/")
        self.assertContains(login, 'href="/accounts/password/reset/"')
        response = self.ask("+86 138 0013 8000")
        self.assertRedirects(response, "/accounts/password/reset/code/")
        response = self.confirm(self.sms_code())
        self.assertRedirects(response, "/accounts/login/", fetch_redirect_response=False)
        signed_in = self.client.post("/accounts/login/", {"username": "citizen", "password": NEW})
        self.assertRedirects(signed_in, "/accounts/home/", fetch_redirect_response=False)
        # The code works once.
        self.assertFalse(PasswordResetCode.objects.filter(used_at__isnull=True).exists())

    def test_staff_reset_by_e_mail_code(self):
        # A temporary password forgotten before it was changed: the one chosen now is theirs.
        self.cast.handler_a.password_temporary = True
        self.cast.handler_a.save(update_fields=["password_temporary"])
        row, _ = ApiToken.issue(user=self.cast.handler_a, name="对接")
        self.ask("handler_a", channel="email")
        self.assertEqual(mail.outbox[-1].to, ["handler_a@luocheng.gov.cn"])
        code = re.search(r"验证码(\d{6})", mail.outbox[-1].body).group(1)
        self.confirm(code)
        self.cast.handler_a.refresh_from_db()
        self.assertTrue(self.cast.handler_a.check_password(NEW))
        self.assertFalse(self.cast.handler_a.password_temporary)
        # A password reset by code ends the tokens the old one made (the account may
        # have been lost), and the audit says so.
        row.refresh_from_db()
        self.assertTrue(row.revoked)
        revoked = AuditRecord.objects.get(kind="token_revoked")
        self.assertEqual(revoked.detail_lines(), [("令牌", row.prefix), ("理由", "密码已重置")])

    def test_an_unknown_account_gets_the_same_answer_and_nothing_is_sent(self):
        known = self.ask("citizen", follow=True)
        self.client.cookies.clear()
        unknown = self.ask("nobody", follow=True)
        no_phone = self.ask("handler_b", follow=True)
        text = "如果该账号存在并登记了所选的联系方式，验证码已经发出"
        for page in (known, unknown, no_phone):
            self.assertContains(page, text)
        self.assertEqual(len(sms.outbox), 1)
        self.assertContains(self.confirm("123456"), "验证码不正确或已失效")

    def test_wrong_guesses_use_the_code_up(self):
        self.ask("citizen")
        code = self.sms_code()
        for _ in range(resets.MAX_TRIES):
            self.assertContains(self.confirm("000000" if code != "000000" else "111111"), "验证码不正确或已失效")
        self.assertContains(self.confirm(code), "验证码不正确或已失效")
        self.cast.citizen.refresh_from_db()
        self.assertTrue(self.cast.citizen.check_password("pw"))

    def test_a_code_expires_and_a_weak_password_is_refused(self):
        start = local(2026, 3, 2, 9)
        with time_machine.travel(start, tick=False):
            self.ask("citizen")
        code = self.sms_code()
        with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
            self.assertContains(self.confirm(code, password="123"), "密码")
            self.assertTrue(PasswordResetCode.objects.get().used_at is None)
        with time_machine.travel(start + resets.LIFETIME + dt.timedelta(seconds=1), tick=False):
            self.assertContains(self.confirm(code), "验证码不正确或已失效")

    def test_one_account_gets_one_code_a_minute_and_five_a_day(self):
        start = local(2026, 3, 2, 9)
        for minute in (0, 0.5, 2, 4, 6, 8, 10, 12):
            with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
                self.ask("citizen", REMOTE_ADDR=f"10.0.0.{int(minute * 2) + 1}")
        self.assertEqual(len(sms.outbox), resets.DAILY_PER_ACCOUNT)
        with time_machine.travel(start + dt.timedelta(days=1, minutes=1), tick=False):
            self.ask("citizen")
        self.assertEqual(len(sms.outbox), resets.DAILY_PER_ACCOUNT + 1)

    def test_probing_unknown_accounts_counts_against_the_address_too(self):
        for n in range(resets.HOURLY_PER_ADDRESS):
            self.ask(f"nobody{n}")
        self.assertContains(self.ask("citizen"), "请求过于频繁，请一小时后再试")
        self.assertEqual(sms.outbox, [])
        # Another address is not held up.
        self.ask("citizen", REMOTE_ADDR="10.0.0.9")
        self.assertEqual(len(sms.outbox), 1)

    def test_one_address_asking_too_often_is_told_to_wait(self):
        for n in range(resets.HOURLY_PER_ADDRESS):
            User.objects.create_user(f"citizen{n}", phone=f"139000000{n:02d}")
            self.ask(f"citizen{n}")
        self.assertEqual(len(sms.outbox), resets.HOURLY_PER_ADDRESS)
        self.assertContains(self.ask("citizen"), "请求过于频繁，请一小时后再试")
        self.assertEqual(len(sms.outbox), resets.HOURLY_PER_ADDRESS)
