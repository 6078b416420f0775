"""The 云片 (Yunpian) HTTP gateway backend, against a fake gateway on the loopback:
no test ever reaches a real gateway."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import SimpleTestCase, override_settings

from wenzheng.notifications import sms


class FakeGateway(BaseHTTPRequestHandler):
    """Answers as the gateway's single_send.json does: JSON, HTTP 400 for a refusal."""

    answers: list = []
    received: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        FakeGateway.received.append(({k: v[0] for k, v in form.items()}, self.headers["Content-Type"]))
        status, body = FakeGateway.answers.pop(0)
        payload = body.encode() if isinstance(body, str) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class YunpianBackendTest(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
        cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        cls.thread.start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}/v2/sms/single_send.json"

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def setUp(self):
        FakeGateway.answers, FakeGateway.received = [], []
        settings = override_settings(
            SMS_HTTP_URL=self.url, SMS_HTTP_APIKEY="test-key", SMS_SIGNATURE="【罗城网络问政】", SMS_TIMEOUT=2
        )
        settings.enable()
        self.addCleanup(settings.disable)

    def send(self):
        return sms.YunpianBackend().send("13900000001", "留言2026-000046已答复。")

    def test_it_posts_the_key_number_and_signed_text_and_returns_the_gateways_id(self):
        FakeGateway.answers = [(200, {"code": 0, "msg": "发送成功", "count": 1, "fee": 0.05, "sid": 31415926535})]
        self.assertEqual(self.send(), "31415926535")
        form, content_type = FakeGateway.received[0]
        self.assertEqual(
            form, {"apikey": "test-key", "mobile": "13900000001", "text": "【罗城网络问政】留言2026-000046已答复。"}
        )
        self.assertTrue(content_type.startswith("application/x-www-form-urlencoded"))

    def test_a_malformed_number_is_refused_for_good(self):
        FakeGateway.answers = [
            (400, {"http_status_code": 400, "code": 2, "msg": "请求参数格式错误", "detail": "参数 mobile 格式不正确"})
        ]
        with self.assertRaises(sms.GatewayError) as caught:
            self.send()
        self.assertTrue(caught.exception.permanent)
        self.assertIn("参数 mobile 格式不正确", str(caught.exception))

    def test_an_empty_balance_or_a_rate_limit_is_worth_trying_again(self):
        for code in (3, 22):
            FakeGateway.answers = [(400, {"http_status_code": 400, "code": code, "msg": "账户余额不足", "detail": ""})]
            with self.subTest(code=code), self.assertRaises(sms.GatewayError) as caught:
                self.send()
            self.assertFalse(caught.exception.permanent)

    def test_a_server_error_or_no_answer_is_worth_trying_again(self):
        FakeGateway.answers = [(502, "<html>Bad Gateway</html>")]
        with self.assertRaises(sms.GatewayError) as caught:
            self.send()
        self.assertFalse(caught.exception.permanent)
        nowhere = override_settings(SMS_HTTP_URL="http://127.0.0.1:9/nothing-listens-here")
        with nowhere, self.assertRaises(sms.GatewayError) as caught:
            self.send()
        self.assertFalse(caught.exception.permanent)
        self.assertIn("无法连接短信网关", str(caught.exception))

    def test_without_a_key_nothing_is_sent(self):
        with override_settings(SMS_HTTP_APIKEY=""), self.assertRaises(sms.GatewayError) as caught:
            self.send()
        self.assertTrue(caught.exception.permanent)
        self.assertEqual(FakeGateway.received, [])
