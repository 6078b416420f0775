from wenzheng.accounts.models import Role, User
from wenzheng.testing import CastTestCase


class SignupTest(CastTestCase):
    def test_a_citizen_signs_up_and_lands_on_their_messages(self):
        response = self.client.post(
            "/accounts/signup/",
            {
                "username": "wangwu",
                "display_name": "王五",
                "phone": "13700000000",
                "password1": "long-enough-pass-2026",
                "password2": "long-enough-pass-2026",
            },
        )
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)
        user = User.objects.get(username="wangwu")
        self.assertEqual(user.role, Role.CITIZEN)
        self.assertIsNone(user.unit)

    def test_bad_input_is_explained(self):
        response = self.client.post(
            "/accounts/signup/",
            {"username": "x", "display_name": "", "phone": "123", "password1": "a", "password2": "b"},
        )
        self.assertContains(response, "请输入11位手机号码")
        self.assertContains(response, "输入的两个密码不一致")
        self.assertFalse(User.objects.filter(username="x").exists())


class LoginTest(CastTestCase):
    def test_a_handler_signs_in_and_lands_in_the_workspace(self):
        response = self.client.post("/accounts/login/", {"username": "handler_a", "password": "pw"})
        self.assertRedirects(response, "/accounts/home/", fetch_redirect_response=False)
        self.assertRedirects(self.client.get("/accounts/home/"), "/work/", fetch_redirect_response=False)

    def test_a_citizen_lands_on_their_messages(self):
        self.client.post("/accounts/login/", {"username": "citizen", "password": "pw"})
        self.assertRedirects(self.client.get("/accounts/home/"), "/me/", fetch_redirect_response=False)

    def test_a_wrong_password_is_explained(self):
        response = self.client.post("/accounts/login/", {"username": "handler_a", "password": "nope"})
        self.assertContains(response, "和密码。注意，两者都区分大小写")

    def test_sent_here_from_a_page_it_says_the_session_ended_or_never_began(self):
        """A reply sent after the session store forgot the session came back to a bare
        sign-in page, without a word of why (found by a tester on a phone)."""
        message = self.cast.submit()
        response = self.client.post(f"/work/messages/{message.pk}/reply/", {"text": "已处理。"})
        target = response.url
        self.assertTrue(target.startswith("/accounts/login/?next="), target)
        page = self.client.get(target)
        self.assertContains(page, "登录已过期或尚未登录，请重新登录。")
        # What site.js shows only when the tab keeps text typed on that page.
        self.assertContains(page, f'data-drafts-waiting="/work/messages/{message.pk}/reply/" hidden')
        plain = self.client.get("/accounts/login/")
        self.assertNotContains(plain, "登录已过期或尚未登录")
        self.assertNotContains(plain, "data-drafts-waiting")

    def test_the_idle_timeouts_own_note_is_not_said_twice(self):
        import time

        from wenzheng.security.middleware import SEEN

        self.client.post("/accounts/login/", {"username": "handler_a", "password": "pw"})
        session = self.client.session
        session[SEEN] = time.time() - 3600
        session.save()
        page = self.client.get("/work/", follow=True)
        self.assertContains(page, "为保护账号安全已自动退出")
        self.assertNotContains(page, "登录已过期或尚未登录")

    def test_repeated_failures_lock_the_account_out(self):
        from wenzheng.security.tests.helpers import login_attempt

        for _ in range(5):
            login_attempt(self.client, "handler_a", "nope")
        response = login_attempt(self.client, "handler_a", "pw")
        self.assertContains(response, "登录失败次数过多", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)


class AdminPasswordTest(CastTestCase):
    def test_a_password_the_admin_sets_is_temporary_but_not_their_own(self):
        admin, handler = self.cast.admin, self.cast.handler_a
        self.client.force_login(admin)
        new = {"password1": "Typed-by-admin-2026", "password2": "Typed-by-admin-2026", "usable_password": "true"}
        self.client.post(f"/admin/accounts/user/{handler.pk}/password/", new)
        handler.refresh_from_db()
        self.assertTrue(handler.check_password("Typed-by-admin-2026"))
        self.assertTrue(handler.password_temporary)
        # Their own: the site's page, which asks for the old password; nothing set here.
        own = f"/admin/accounts/user/{admin.pk}/password/"
        self.assertRedirects(self.client.get(own), "/accounts/password/", fetch_redirect_response=False)
        self.assertRedirects(self.client.post(own, new), "/accounts/password/", fetch_redirect_response=False)
        admin.refresh_from_db()
        self.assertFalse(admin.check_password("Typed-by-admin-2026"))
        self.assertFalse(admin.password_temporary)
