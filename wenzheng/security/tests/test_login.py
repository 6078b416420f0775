"""Signing in under attack: the (username, address) pair is locked, not each; a
CAPTCHA after a few failures; the office hears of a lockout; the client's real
address behind the proxy; the admin's sign-in goes through the site's."""

from django.test import Client, override_settings

from wenzheng.notifications.models import Notice
from wenzheng.security.models import AuditRecord
from wenzheng.testing import CastTestCase
from wenzheng.units.models import Region

from .helpers import captcha_answer, login_attempt

A, B = {"REMOTE_ADDR": "203.0.113.5"}, {"REMOTE_ADDR": "198.51.100.7"}


class PairLockTest(CastTestCase):
    def fail(self, username, times, client=None, **where):
        for _ in range(times):
            login_attempt(client or self.client, username, "wrong-password", **where)

    def test_five_failures_lock_the_name_from_that_address_only(self):
        self.fail("county_office", 5, **A)
        response = login_attempt(self.client, "county_office", "pw", **A)
        self.assertContains(response, "登录失败次数过多", status_code=429)
        # The real county office, on another network, still signs in.
        other = Client()
        response = login_attempt(other, "county_office", "pw", **B)
        self.assertRedirects(response, "/accounts/home/", fetch_redirect_response=False)
        # And everyone else behind the attacker's address (one office NAT) too.
        colleague = Client()
        response = login_attempt(colleague, "handler_a", "pw", **A)
        self.assertRedirects(response, "/accounts/home/", fetch_redirect_response=False)

    def test_the_lockout_is_recorded_and_the_county_office_hears_of_it(self):
        self.fail("handler_a", 5, **A)
        record = AuditRecord.objects.get(kind="locked_out")
        self.assertEqual(
            (record.user, record.ip, record.region), (self.cast.handler_a, "203.0.113.5", self.cast.county)
        )
        notice = Notice.objects.get(kind="locked_out")
        self.assertEqual(notice.recipient, self.cast.county_office)
        self.assertIn("handler_a", notice.text)
        self.assertIn("203.0.113.5", notice.text)
        self.assertFalse(Notice.objects.filter(kind="locked_out", recipient=self.cast.other_county_office).exists())
        self.assertEqual(AuditRecord.objects.filter(kind="login_failed", user=self.cast.handler_a).count(), 5)

    def test_a_lockout_of_the_administrator_goes_to_the_administrators(self):
        self.fail("admin", 5, **A)
        self.assertTrue(Notice.objects.filter(kind="locked_out", recipient=self.cast.admin).exists())

    def test_a_name_that_normalisation_shortens_is_refused_not_recorded(self):
        # 260 characters as sent, 130 once "e" and its accent are composed: within the
        # form's limit, beyond the lockout record's 255.
        response = login_attempt(self.client, "e\u0301" * 130, "wrong-password", **A)
        self.assertContains(response, "账号过长")
        self.assertEqual(response.status_code, 200)


class CaptchaTest(CastTestCase):
    def test_after_three_failures_the_form_asks_for_a_captcha_and_a_wrong_one_tries_no_password(self):
        for _ in range(3):
            page = self.client.get("/accounts/login/", **A)
            self.assertNotContains(page, "captcha_1")
            self.client.post("/accounts/login/", {"username": "handler_a", "password": "nope"}, **A)
        page = self.client.get("/accounts/login/", **A)
        self.assertContains(page, 'name="captcha_1"')
        self.assertContains(page, "/captcha/image/")
        # The right password with a wrong answer: refused before the password is tried.
        key = captcha_answer(page)["captcha_0"]
        response = self.client.post(
            "/accounts/login/",
            {"username": "handler_a", "password": "pw", "captcha_0": key, "captcha_1": "-1"},
            **A,
        )
        self.assertContains(response, "验证码不正确")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(AuditRecord.objects.filter(kind="login_failed").count(), 3)
        # Answered, it signs in.
        response = login_attempt(self.client, "handler_a", "pw", **A)
        self.assertRedirects(response, "/accounts/home/", fetch_redirect_response=False)

    def test_the_captcha_image_is_drawn_by_the_server(self):
        for _ in range(3):
            self.client.post("/accounts/login/", {"username": "x", "password": "nope"}, **A)
        key = captcha_answer(self.client.get("/accounts/login/", **A))["captcha_0"]
        image = self.client.get(f"/captcha/image/{key}/")
        self.assertEqual(image["Content-Type"], "image/png")
        self.assertTrue(image.content.startswith(b"\x89PNG"))


@override_settings(REAL_IP_HEADER="X-Real-IP")
class RealAddressTest(CastTestCase):
    def test_behind_the_proxy_the_clients_address_is_counted_and_recorded(self):
        proxy = {"REMOTE_ADDR": "127.0.0.1"}
        for _ in range(5):
            login_attempt(self.client, "handler_a", "nope", headers={"X-Real-IP": "203.0.113.5"}, **proxy)
        self.assertEqual(set(AuditRecord.objects.values_list("ip", flat=True)), {"203.0.113.5"})
        # Another citizen reaching the same proxy is not the attacker.
        response = login_attempt(Client(), "handler_a", "pw", headers={"X-Real-IP": "198.51.100.7"}, **proxy)
        self.assertRedirects(response, "/accounts/home/", fetch_redirect_response=False)
        response = login_attempt(Client(), "handler_a", "pw", headers={"X-Real-IP": "203.0.113.5"}, **proxy)
        self.assertEqual(response.status_code, 429)


class AdminLoginTest(CastTestCase):
    def test_the_admins_sign_in_is_the_sites(self):
        response = self.client.get("/admin/login/?next=/admin/handling/message/")
        self.assertRedirects(response, "/accounts/login/?next=/admin/handling/message/", fetch_redirect_response=False)
        response = self.client.post("/admin/login/", {"username": "admin", "password": "pw"})
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_someone_signed_in_whom_the_admin_does_not_admit_is_told_so_not_sent_round(self):
        # Signed in as a handler, /admin/ sent them to sign in, which sent them back.
        self.client.force_login(self.cast.handler_a)
        response = self.client.get("/admin/", follow=True)
        self.assertContains(response, "无权访问", status_code=403)
        self.assertEqual(len(response.redirect_chain), 1)
        self.client.force_login(self.cast.admin)
        response = self.client.get("/admin/login/?next=/admin/handling/message/")
        self.assertRedirects(response, "/admin/handling/message/", fetch_redirect_response=False)
        response = self.client.get("/admin/login/?next=https://evil.example/")
        self.assertRedirects(response, "/admin/", fetch_redirect_response=False)
        for word in ("foo", "logout"):  # a view's name to redirect(): a 500, or sent elsewhere
            response = self.client.get(f"/admin/login/?next={word}")
            self.assertRedirects(response, "/admin/", fetch_redirect_response=False)


class PasswordChangeTest(CastTestCase):
    def test_the_new_password_may_not_be_the_old_one(self):
        # A temporary password "changed" to itself stayed one the county office knows.
        user = self.cast.handler_a
        user.set_password("Dongmen-temp-4821")
        user.password_temporary = True
        user.save(update_fields=["password", "password_temporary"])
        self.client.force_login(user)
        word = "Dongmen-temp-4821"
        same = {"old_password": word, "new_password1": word, "new_password2": word}
        self.assertContains(self.client.post("/accounts/password/", same), "新密码不能与原密码相同。")
        user.refresh_from_db()
        self.assertTrue(user.password_temporary)

    def test_the_page_says_您_as_the_site_does(self):
        # Django's own Chinese says 你的密码… beside the site's 您.
        self.client.force_login(self.cast.handler_a)
        page = self.client.get("/accounts/password/")
        self.assertContains(page, "密码至少包含8个字符。")
        self.assertContains(page, "密码不能与您的其他个人信息太相似。")
        self.assertNotContains(page, "你")
        wrong = {"old_password": "not-it", "new_password1": "Dongmen-2026-lamp", "new_password2": "Dongmen-2026-lamp"}
        response = self.client.post("/accounts/password/", wrong)
        self.assertContains(response, "原密码不正确，请重新输入。")
        self.assertNotContains(response, "你")

    def test_what_the_validators_say_is_under_the_box_the_password_was_typed_in(self):
        # Django's forms said "too common" under the box that repeats it.
        from django.contrib.auth.forms import AdminPasswordChangeForm

        from wenzheng.accounts.admin import PasswordChangeForm as AdminForm
        from wenzheng.accounts.forms import CitizenSignupForm, PasswordChangeForm, ResetConfirmForm

        user = self.cast.handler_a
        user.set_password("Dongmen-temp-4821")
        common = "12345678"
        forms = {
            "修改密码": PasswordChangeForm(
                user, {"old_password": "Dongmen-temp-4821", "new_password1": common, "new_password2": common}
            ),
            "找回密码": ResetConfirmForm({"code": "123456", "new_password1": common, "new_password2": common}),
            "注册": CitizenSignupForm(
                {
                    "username": "wangwu",
                    "display_name": "王五",
                    "phone": "13700000000",
                    "password1": common,
                    "password2": common,
                }
            ),
            "管理后台": AdminForm(user, {"password1": common, "password2": common, "usable_password": "true"}),
        }
        self.assertTrue(issubclass(AdminForm, AdminPasswordChangeForm))
        for name, form in forms.items():
            with self.subTest(name):
                self.assertFalse(form.is_valid())
                first, second = [f for f in form.fields if f.endswith("password1") or f.endswith("password2")]
                self.assertIn("这个密码太常见了。", form.errors[first])
                self.assertNotIn(second, form.errors)
        # Two that differ: the mismatch under the second, as before.
        form = PasswordChangeForm(
            user, {"old_password": "Dongmen-temp-4821", "new_password1": common, "new_password2": "Other-2026-lamp"}
        )
        self.assertFalse(form.is_valid())
        self.assertIn("这个密码太常见了。", form.errors["new_password1"])
        self.assertIn("输入的两个密码不一致", str(form.errors["new_password2"]))

    def test_signing_in_and_out_are_recorded(self):
        login_attempt(self.client, "county_office", "pw", **A)
        self.client.post("/accounts/logout/")
        kinds = list(AuditRecord.objects.order_by("seq").values_list("kind", "user__username", "region__code"))
        self.assertEqual(kinds, [("login", "county_office", "luocheng"), ("logout", "county_office", "luocheng")])


class LoginPageTest(CastTestCase):
    @override_settings(ALLOWED_HOSTS=["wz.example.gov.cn"])
    def test_it_carries_the_zones_name_not_the_host(self):
        name = Region.objects.default().name + "网络问政"
        page = self.client.get("/accounts/login/", HTTP_HOST="wz.example.gov.cn")
        self.assertContains(page, f"<title>登录 · {name}</title>", html=True)
        self.assertContains(page, f'<span class="emblem" aria-hidden="true">问</span>{name}</a>')
        self.assertNotContains(page, "wz.example.gov.cn")
