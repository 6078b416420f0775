"""The optional second factor (TOTP) of office and admin accounts."""

import re
import time

import pyotp

from wenzheng.security import totp
from wenzheng.security.models import AuditRecord, SecondFactor
from wenzheng.testing import CastTestCase

from .helpers import login_attempt


class SecondFactorTest(CastTestCase):
    def enable(self, user):
        self.client.force_login(user)
        page = self.client.post("/accounts/second-factor/", {"action": "start"})
        self.assertContains(page, "data:image/svg+xml;base64,")
        secret = re.search(r"<code>([A-Z2-7]+)</code>", page.content.decode())[1]
        code = pyotp.TOTP(secret).now()
        response = self.client.post("/accounts/second-factor/", {"code": code})
        self.assertRedirects(response, "/accounts/second-factor/", fetch_redirect_response=False)
        self.client.post("/accounts/logout/")
        return secret

    def test_with_it_the_password_alone_does_not_sign_in(self):
        secret = self.enable(self.cast.county_office)
        response = login_attempt(self.client, "county_office", "pw")
        self.assertRedirects(response, "/accounts/login/verify/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        response = self.client.post("/accounts/login/verify/", {"code": "000000"})
        self.assertContains(response, "动态口令不正确")
        self.assertNotIn("_auth_user_id", self.client.session)
        factor = SecondFactor.objects.get(user=self.cast.county_office)
        # The next step's code: the one just used to confirm cannot be used again.
        code = pyotp.TOTP(secret).at(time.time() + 30)
        response = self.client.post("/accounts/login/verify/", {"code": code})
        self.assertRedirects(response, "/accounts/home/", fetch_redirect_response=False)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.cast.county_office.pk)
        factor.refresh_from_db()
        self.assertFalse(totp.verify(factor, code))  # never twice
        kinds = set(AuditRecord.objects.values_list("kind", flat=True))
        self.assertTrue({"totp_enabled", "totp_failed", "login"} <= kinds)

    def test_wrong_codes_count_towards_the_lockout(self):
        self.enable(self.cast.admin)
        for _ in range(5):
            login_attempt(self.client, "admin", "pw")
            self.client.post("/accounts/login/verify/", {"code": "123456"})
        response = login_attempt(self.client, "admin", "pw")
        self.assertEqual(response.status_code, 429)

    def test_it_is_offered_to_the_offices_and_the_administrator_only(self):
        for who in (self.cast.handler_a, self.cast.leader_a, self.cast.citizen):
            self.client.force_login(who)
            self.assertEqual(self.client.get("/accounts/second-factor/").status_code, 403)
        for who in (self.cast.county_office, self.cast.city_office, self.cast.admin):
            self.client.force_login(who)
            self.assertEqual(self.client.get("/accounts/second-factor/").status_code, 200)
