"""API tokens: stored hashed, shown once, revocable, with their last use."""

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from wenzheng.accounts import staff
from wenzheng.api.models import ApiToken

from .helpers import ApiTestCase


class TokenTests(ApiTestCase):
    def test_a_token_is_stored_only_as_a_digest(self):
        row, token = ApiToken.issue(user=self.cast.handler_a, name="对接")
        self.assertTrue(token.startswith(f"wz_{row.prefix}_"))
        self.assertNotIn(token, [row.digest, row.prefix, row.name])
        self.assertEqual(ApiToken.find(token), row)
        self.assertIsNone(ApiToken.find(token[:-1] + ("A" if token[-1] != "A" else "B")))

    def test_a_token_acts_as_its_user(self):
        response = self.get("handler_a", "/api/v1/me")
        self.assertEqual(response.json()["username"], "handler_a")
        self.assertEqual(response.json()["unit"], {"id": self.cast.unit_a.pk, "name": "东门镇"})

    def test_a_revoked_token_is_refused(self):
        row = ApiToken.find(self.tokens["handler_a"])
        self.assertTrue(row.revoke())
        self.assertFalse(row.revoke())
        response = self.get("handler_a", "/api/v1/me")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["code"], "token_revoked")

    def test_a_token_expires_after_the_days_the_settings_give(self):
        row = ApiToken.find(self.tokens["handler_a"])
        self.assertEqual(row.expires_at - row.created_at, dt.timedelta(days=180))
        with time_machine.travel(row.expires_at - dt.timedelta(seconds=1)):
            self.assertEqual(self.get("handler_a", "/api/v1/me").status_code, 200)
        with time_machine.travel(row.expires_at):
            response = self.get("handler_a", "/api/v1/me")
            self.assertEqual((response.status_code, response.json()["code"]), (401, "token_expired"))
            self.assertIn("过期，请创建新的令牌", response.json()["message"])
            self.assertFalse(ApiToken.objects.active().filter(pk=row.pk).exists())

    def test_an_unknown_or_missing_token_is_refused_with_a_code(self):
        response = self.client.get("/api/v1/me", headers={"Authorization": "Bearer wz_abcdefgh_nope"})
        self.assertEqual((response.status_code, response.json()["code"]), (401, "token_invalid"))
        response = self.client.get("/api/v1/me")
        self.assertEqual((response.status_code, response.json()["code"]), (401, "unauthenticated"))

    def test_a_deactivated_user_s_token_is_refused(self):
        self.cast.handler_b.is_active = False
        self.cast.handler_b.save()
        self.assertEqual(self.get("handler_b", "/api/v1/me").json()["code"], "user_inactive")

    def test_a_password_reset_by_the_office_revokes_the_accounts_tokens(self):
        """A reset (the account lost, its owner gone) left the tokens made with the old
        password working: the unit's messages with the citizens' contacts."""
        c = self.cast
        staff.reset_staff_password(account=c.handler_b, county=c.county, by=c.county_office)
        response = self.get("handler_b", "/api/v1/me")
        self.assertEqual((response.status_code, response.json()["code"]), (401, "token_revoked"))
        self.assertIsNone(ApiToken.find(self.tokens["handler_a"]).revoked_at)  # another's kept
        # The admin's password form too.
        self.client.force_login(c.admin)
        new = {"password1": "Typed-by-admin-2026", "password2": "Typed-by-admin-2026", "usable_password": "true"}
        self.client.post(f"/admin/accounts/user/{c.handler_a.pk}/password/", new)
        self.assertEqual(self.get("handler_a", "/api/v1/me").json()["code"], "token_revoked")

    def test_a_temporary_passwords_account_is_told_to_change_it_first(self):
        _, token = ApiToken.issue(user=self.cast.leader_b, name="对接")
        self.cast.leader_b.password_temporary = True
        self.cast.leader_b.save(update_fields=["password_temporary"])
        response = self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        self.assertEqual((response.status_code, response.json()["code"]), (403, "password_temporary"))
        self.assertEqual(response.json()["message"], "请先在网页上修改临时密码。")

    def test_last_use_is_recorded_at_most_once_a_minute(self):
        row = ApiToken.find(self.tokens["leader_a"])
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
            self.get("leader_a", "/api/v1/me")
        row.refresh_from_db()
        first = row.last_used_at
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, 30, tzinfo=dt.UTC), tick=False):
            self.get("leader_a", "/api/v1/me")
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, first)
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 2, tzinfo=dt.UTC), tick=False):
            self.get("leader_a", "/api/v1/me")
        row.refresh_from_db()
        self.assertEqual(row.last_used_at, dt.datetime(2026, 3, 2, 9, 2, tzinfo=dt.UTC))

    def test_the_token_page_shows_a_new_token_once_then_only_its_prefix(self):
        self.client.force_login(self.cast.citizen)
        response = self.client.post(reverse("api:tokens"), {"name": "手机应用"}, follow=True)
        row = ApiToken.objects.filter(user=self.cast.citizen, name="手机应用").get()
        token = response.context["new_token"]
        self.assertEqual(ApiToken.find(token), row)
        self.assertContains(response, token)
        again = self.client.get(reverse("api:tokens"))
        self.assertNotContains(again, token)
        self.assertContains(again, f"wz_{row.prefix}_…")

    def test_owners_revoke_their_own_tokens_only(self):
        row = ApiToken.find(self.tokens["handler_a"])
        self.client.force_login(self.cast.handler_b)
        self.assertEqual(self.client.post(reverse("api:revoke", args=[row.pk])).status_code, 404)
        self.client.force_login(self.cast.handler_a)
        self.client.post(reverse("api:revoke", args=[row.pk]))
        row.refresh_from_db()
        self.assertLessEqual(row.revoked_at, timezone.now())
