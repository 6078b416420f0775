"""Rate limits on posting, signing up, tracking and signing in: counted in the
database by every worker together, a CAPTCHA near the limit, 429 past it with a
Chinese page that says when to try again; the tracking lookup in constant time."""

import threading
from unittest import mock

from django.db import connection
from django.test import override_settings

from wenzheng.api.tests.helpers import ApiTestCase
from wenzheng.handling import passcodes
from wenzheng.handling.models import Message
from wenzheng.security import limits
from wenzheng.security.models import AuditRecord, RateCounter
from wenzheng.testing import Cast, CastTestCase, ChainTransactionTestCase

from .helpers import captcha_answer

A = {"REMOTE_ADDR": "203.0.113.5"}
LIMITS = {"post": (4, 3600), "signup": (3, 3600), "track": (4, 600), "login": (6, 900)}


def post_data(page, n):
    return {
        "category": "1", "title": f"第{n}条", "body": "路灯不亮。", "name": "张三", "phone": "13800000000",
        "form_key": f"key-{n}", **captcha_answer(page),
    }  # fmt: skip


@override_settings(RATE_LIMITS=LIMITS, RATE_LIMIT_CAPTCHA_FROM=0.5)
class PostLimitTest(CastTestCase):
    def setUp(self):
        self.category = str(self.cast.consultation.pk)

    def post(self, n, client=None):
        client = client or self.client
        page = client.get("/post/?county=luocheng", **A)
        if page.status_code == 429:
            return page, page
        data = {**post_data(page, n), "category": self.category}
        return page, client.post("/post/?county=luocheng", data, **A)

    def test_a_flood_from_one_address_stops_at_the_limit_with_a_captcha_before(self):
        shown = []
        for n in range(4):
            page, response = self.post(n)
            shown.append("captcha_1" in page.content.decode())
            self.assertEqual(response.status_code, 302, n)
        self.assertEqual(shown, [False, False, True, True])  # from half the limit on
        page, response = self.post(5)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "留言过于频繁", status_code=429)
        self.assertContains(response, "请于", status_code=429)
        self.assertTrue(1 <= int(response["Retry-After"]) <= 3600)
        self.assertEqual(Message.objects.count(), 4)
        self.assertTrue(AuditRecord.objects.filter(kind="rate_limited", ip="203.0.113.5").exists())

    def test_a_missing_captcha_near_the_limit_is_asked_for_not_skipped(self):
        for n in range(2):
            self.post(n)
        response = self.client.post(
            "/post/?county=luocheng", {**post_data(self.client.get("/"), 9), "category": self.category}, **A
        )
        self.assertContains(response, "请填写验证码")
        self.assertEqual(Message.objects.count(), 2)

    def test_the_counters_are_shared_by_every_client_and_worker(self):
        from django.test import Client

        for n in range(4):
            self.post(n, client=Client())  # a new connection each time, as across workers
        self.assertEqual(RateCounter.objects.get(key="post:ip:203.0.113.5").count, 4)  # the 4 POSTs
        _, response = self.post(5, client=Client())
        self.assertEqual(response.status_code, 429)


@override_settings(RATE_LIMITS=LIMITS)
class OtherLimitsTest(ApiTestCase):
    def test_signup(self):
        for n in range(3):
            self.client.post("/accounts/signup/", {"username": f"u{n}"}, **A)
        response = self.client.post("/accounts/signup/", {"username": "u9"}, **A)
        self.assertContains(response, "注册过于频繁", status_code=429)

    def test_tracking(self):
        for n in range(4):
            self.client.post("/track/", {"code": f"AAAAAAAAA{n}", "passcode": "BBBBBBBB"}, **A)
        response = self.client.post("/track/", {"code": "AAAAAAAAAA", "passcode": "BBBBBBBB"}, **A)
        self.assertContains(response, "查询办理情况过于频繁", status_code=429)

    def test_signing_in(self):
        for n in range(6):
            self.client.post("/accounts/login/", {"username": f"nobody{n}", "password": "x"}, **A)
        response = self.client.post("/accounts/login/", {"username": "handler_a", "password": "pw"}, **A)
        self.assertContains(response, "登录过于频繁", status_code=429)

    def test_sign_ins_with_the_right_password_are_not_counted(self):
        # An office of forty behind one address signs in every morning.
        for _ in range(12):
            response = self.client.post("/accounts/login/", {"username": "handler_a", "password": "pw"}, **A)
            self.assertEqual(response.status_code, 302)
            self.client.logout()
        page = self.client.get("/accounts/login/", **A)
        self.assertNotContains(page, "captcha")
        # Wrong passwords still count, up to the limit.
        for n in range(6):
            self.client.post("/accounts/login/", {"username": f"nobody{n}", "password": "x"}, **A)
        response = self.client.post("/accounts/login/", {"username": "handler_a", "password": "pw"}, **A)
        self.assertContains(response, "登录过于频繁", status_code=429)

    def test_posting_through_the_api(self):
        body = {"category": "consultation", "title": "路灯", "body": "不亮", "name": "张三", "phone": "13800000000"}
        for _ in range(4):
            self.assertEqual(
                self.post("citizen", "/api/v1/my/messages", {**body, "region": "luocheng"}).status_code, 201
            )
        response = self.post("citizen", "/api/v1/my/messages", {**body, "region": "luocheng"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["code"], "rate_limited")
        self.assertIn("Retry-After", response)


class ConcurrentCountTest(ChainTransactionTestCase):
    def test_concurrent_attempts_are_each_counted(self):
        Cast()
        request = mock.Mock(META={"REMOTE_ADDR": "203.0.113.5"}, user=None, method="POST")
        errors = []

        def hit():
            try:
                for _ in range(10):
                    limits.attempt("post", request)
            except Exception as e:
                errors.append(e)
            finally:
                connection.close()

        threads = [threading.Thread(target=hit) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(RateCounter.objects.get(key="post:ip:203.0.113.5").count, 40)


class ConstantTimeTrackingTest(CastTestCase):
    def test_a_made_up_code_costs_a_hash_as_a_real_one_does(self):
        real = self.cast.submit()
        with mock.patch.object(passcodes._hasher, "verify", wraps=passcodes._hasher.verify) as verify:
            self.client.post("/track/", {"code": real.tracking_code, "passcode": "WRONGONE"})
            self.client.post("/track/", {"code": "ZZZZZZZZZZ", "passcode": "WRONGONE"})
        self.assertEqual(verify.call_count, 2)
        self.assertFalse(passcodes.matches_in_constant_time("ABCDEFGH", None))
        self.assertTrue(passcodes.matches_in_constant_time(real.issued_passcode, real.passcode_hash))
