"""Sessions end after a while without activity (staff 30 minutes, citizens a week),
and changing one's password signs out every other session of the account."""

import datetime as dt

import time_machine
from django.test import Client, override_settings

from wenzheng.security.models import AuditRecord
from wenzheng.testing import CastTestCase

START = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


class IdleTest(CastTestCase):
    def visit(self, client, minutes):
        with time_machine.travel(START + dt.timedelta(minutes=minutes), tick=False):
            return client.get("/work/unit/" if client is self.staff else "/me/")

    def setUp(self):
        self.staff, self.citizen = Client(), Client()
        with time_machine.travel(START, tick=False):
            self.staff.force_login(self.cast.handler_a)
            self.citizen.force_login(self.cast.citizen)
            self.staff.get("/work/unit/")
            self.citizen.get("/me/")

    def test_staff_are_signed_out_after_30_idle_minutes_and_told_why(self):
        self.assertEqual(self.visit(self.staff, 29).status_code, 200)
        self.assertEqual(self.visit(self.staff, 58).status_code, 200)  # 29 idle minutes again
        response = self.visit(self.staff, 89)  # 31 idle minutes
        self.assertRedirects(response, "/accounts/login/?next=/work/unit/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.staff.session)
        page = self.staff.get("/accounts/login/")
        self.assertContains(page, "您已超过30分钟未操作")
        self.assertTrue(AuditRecord.objects.filter(kind="session_expired", user=self.cast.handler_a).exists())

    def test_citizens_stay_signed_in_longer(self):
        self.assertEqual(self.visit(self.citizen, 60 * 24 * 6).status_code, 200)
        response = self.visit(self.citizen, 60 * 24 * 14)
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("_auth_user_id", self.citizen.session)

    @override_settings(STAFF_SESSION_IDLE_MINUTES=5)
    def test_the_staff_idle_time_is_a_setting(self):
        self.assertEqual(self.visit(self.staff, 6).status_code, 302)

    def test_the_server_forgets_an_idle_session_too(self):
        with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
            self.assertLessEqual(self.staff.session.get_expiry_age(), 40 * 60)
        with time_machine.travel(START + dt.timedelta(minutes=41), tick=False):
            self.assertNotIn("_auth_user_id", self.staff.session)  # gone from the store itself


class PasswordChangeTest(CastTestCase):
    def test_changing_the_password_signs_out_every_other_session(self):
        here, elsewhere = Client(), Client()
        here.force_login(self.cast.county_office)
        elsewhere.force_login(self.cast.county_office)
        response = here.post(
            "/accounts/password/",
            {
                "old_password": "pw",
                "new_password1": "a-much-longer-pass-2026",
                "new_password2": "a-much-longer-pass-2026",
            },
        )
        self.assertRedirects(response, "/accounts/home/", fetch_redirect_response=False)
        self.assertEqual(here.get("/work/").status_code, 302)  # → the county's dashboard, still signed in
        self.assertIn("_auth_user_id", here.session)
        self.assertEqual(elsewhere.get("/work/").status_code, 302)
        self.assertNotIn("_auth_user_id", elsewhere.session)
        self.assertTrue(AuditRecord.objects.filter(kind="password_changed", user=self.cast.county_office).exists())

    def test_changing_the_password_revokes_the_accounts_api_tokens(self):
        from wenzheng.api.models import ApiToken

        token, secret = ApiToken.issue(user=self.cast.handler_a, name="脚本")
        headers = {"Authorization": f"Bearer {secret}"}
        self.assertEqual(self.client.get("/api/v1/me", headers=headers).status_code, 200)
        self.client.force_login(self.cast.handler_a)
        new = "a-much-longer-pass-2026"
        response = self.client.post(
            "/accounts/password/", {"old_password": "pw", "new_password1": new, "new_password2": new}, follow=True
        )
        self.assertContains(response, "1个API令牌已撤销")
        self.assertEqual(Client().get("/api/v1/me", headers=headers).status_code, 401)
        revoked = AuditRecord.objects.get(kind="token_revoked", user=self.cast.handler_a)
        self.assertEqual(revoked.detail, {"token": token.prefix, "reason": "密码已修改"})

    def test_a_wrong_old_password_changes_nothing(self):
        self.client.force_login(self.cast.handler_a)
        response = self.client.post(
            "/accounts/password/",
            {"old_password": "x", "new_password1": "abc-2026-long", "new_password2": "abc-2026-long"},
        )
        self.assertEqual(response.status_code, 200)
        self.cast.handler_a.refresh_from_db()
        self.assertTrue(self.cast.handler_a.check_password("pw"))
