"""Request ids, the client's address behind the proxy, and the page for a server that
is not ready (a missing font) instead of a 500."""

import io
import logging
from unittest import mock

from django.test import Client, override_settings
from django.urls import reverse

from wenzheng.ops.middleware import current_request_id
from wenzheng.reports import images
from wenzheng.testing import CastTestCase


class RequestIdTest(CastTestCase):
    def test_each_response_carries_a_fresh_request_id(self):
        first = self.client.get("/health/")["X-Request-ID"]
        second = self.client.get("/health/")["X-Request-ID"]
        self.assertRegex(first, r"^[0-9a-f]{32}$")
        self.assertNotEqual(first, second)

    def test_the_proxys_request_id_is_kept_and_a_hostile_one_replaced(self):
        kept = self.client.get("/health/", headers={"X-Request-ID": "7f3a9c0e1b2d4f56"})
        self.assertEqual(kept["X-Request-ID"], "7f3a9c0e1b2d4f56")
        forged = self.client.get("/health/", headers={"X-Request-ID": "x\nERROR fake log line"})
        self.assertRegex(forged["X-Request-ID"], r"^[0-9a-f]{32}$")

    def test_log_lines_written_while_serving_carry_the_id(self):
        # The handler settings.LOGGING sends django.request's lines to (stderr).
        console = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
        out = io.StringIO()
        with mock.patch.object(console, "stream", out):
            self.client.get("/no-such-page/", headers={"X-Request-ID": "abcdef0123456789"})
        self.assertIn("WARNING [abcdef0123456789] django.request: Not Found: /no-such-page/", out.getvalue())
        self.assertEqual(current_request_id.get(), "-")  # reset once the request is served

    def test_a_refused_request_is_one_line_without_a_traceback(self):
        console = next(h for h in logging.getLogger("django").handlers if isinstance(h, logging.StreamHandler))
        out = io.StringIO()
        self.client.force_login(self.cast.handler_a)
        with mock.patch.object(console, "stream", out):
            refused = self.client.get(reverse("workspace:supervision", args=[self.cast.county.code]))
        self.assertEqual(refused.status_code, 403)
        self.assertIn("django.request: Forbidden", out.getvalue())
        self.assertNotIn("Traceback", out.getvalue())
        self.assertEqual(len(out.getvalue().strip().splitlines()), 1)


class RealClientIpTest(CastTestCase):
    @override_settings(REAL_IP_HEADER="X-Real-IP")
    def test_the_proxys_header_names_the_client(self):
        request = self.client.get("/health/", headers={"X-Real-IP": "203.0.113.7"}).wsgi_request
        self.assertEqual(request.META["REMOTE_ADDR"], "203.0.113.7")

    @override_settings(REAL_IP_HEADER="X-Real-IP")
    def test_a_malformed_header_keeps_the_peer_address(self):
        with self.assertLogs("wenzheng.ops.middleware", logging.WARNING):
            request = self.client.get("/health/", headers={"X-Real-IP": "1.2.3.4, 5.6.7.8"}).wsgi_request
        self.assertEqual(request.META["REMOTE_ADDR"], "127.0.0.1")

    def test_without_the_setting_the_header_is_ignored(self):
        request = self.client.get("/health/", headers={"X-Real-IP": "203.0.113.7"}).wsgi_request
        self.assertEqual(request.META["REMOTE_ADDR"], "127.0.0.1")


class MissingFontPageTest(CastTestCase):
    """A bulletin download on a server without the CJK font: a 503 page in Chinese
    that says what is missing and who can fix it, an English log line, no traceback."""

    def test_a_document_download_without_the_font_explains_itself(self):
        self.client.force_login(self.cast.county_office)
        with (
            mock.patch.multiple(images, _found=None, _rescanned_at=None),
            mock.patch.object(images, "_look", return_value=None),
            mock.patch.object(images, "_rescan"),
            self.assertLogs("wenzheng.ops.middleware", logging.ERROR) as logs,
        ):
            response = self.client.get(reverse("evaluation:bulletin-docx") + "?region=luocheng&period=2026Q1")
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, "没有安装中文字体", status_code=503)
        self.assertContains(response, "请联系系统管理员", status_code=503)
        self.assertContains(response, response["X-Request-ID"], status_code=503)
        self.assertIn("install Debian's fonts-noto-cjk", logs.output[0])
        self.assertIn("/evaluation/bulletin.docx", logs.output[0])


class ErrorPagesInTheSitesWordsTest(CastTestCase):
    """Found by a newcomer: a form sent after its cookie was lost showed Django's bare
    CSRF page ("更多可用信息请设置选项DEBUG＝True"), and a step's address opened as a
    page Chromium's English "HTTP ERROR 405"."""

    def test_a_form_sent_without_its_token_leads_back_to_the_form(self):
        client = Client(enforce_csrf_checks=True)
        for path in ("/post/", "/track/", "/accounts/login/"):
            with self.subTest(path), self.assertLogs("django.security.csrf", "WARNING") as logged:
                response = client.post(path, {"title": "路灯坏了"})
            self.assertEqual(response.status_code, 403)
            page = response.content.decode()
            self.assertIn("页面已过期，请重新提交", page)
            self.assertIn(f'href="{path}"', page)
            self.assertNotIn("DEBUG", page)
            self.assertIn(f"Forbidden (CSRF cookie not set.): {path}", logged.output[0])  # in English, as before

    def test_a_steps_address_opened_as_a_page_says_so_in_chinese(self):
        self.client.force_login(self.cast.county_office)
        response = self.client.get(reverse("workspace:extension-decision", args=[1]))
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "POST")
        self.assertIn("请在页面上操作", response.content.decode())
        self.assertIn(reverse("workspace:home"), response.content.decode())
        self.assertIn("Content-Security-Policy", response.headers, "the security headers are kept")
        self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_the_api_keeps_its_own_answer(self):
        response = self.client.delete("/api/v1/messages")
        self.assertEqual(response.status_code, 405)
        self.assertNotIn("请在页面上操作", response.content.decode())

    def test_a_citizen_at_the_workspace_is_not_told_to_ask_for_access(self):
        self.client.force_login(self.cast.citizen)
        page = self.client.get(reverse("workspace:home"))
        self.assertEqual(page.status_code, 403)
        self.assertIn("网民账号不能打开", page.content.decode())
        self.assertNotIn("如需开通", page.content.decode())
        self.assertIn(reverse("public:mine"), page.content.decode())
