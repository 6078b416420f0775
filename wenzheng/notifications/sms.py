"""SMS gateway backends, chosen by settings.SMS_BACKEND as Django chooses its mail
backend.

- ConsoleBackend (the default): writes each SMS to standard output;
- FileBackend: appends each SMS as a JSON line to a file per day in SMS_FILE_PATH
  (development, a demonstration server, the browser tests);
- LocmemBackend: keeps them in `outbox` (the tests);
- YunpianBackend: 云片 (Yunpian), a commercial gateway's documented HTTP API, v2
  `single_send.json`: a form POST of apikey, mobile and text; the text must begin
  with the signature (【…】) the account registered and match an approved template.
  SMS_HTTP_URL, SMS_HTTP_APIKEY(_FILE) and SMS_SIGNATURE configure it. Tested only
  against a fake server on the loopback.
"""

import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class GatewayError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


class BaseBackend:
    def send(self, phone: str, text: str) -> str:
        """Send one SMS; returns the gateway's reference. Raises GatewayError."""
        raise NotImplementedError


def backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def signed(text: str) -> str:
    return f"{settings.SMS_SIGNATURE}{text}"


class ConsoleBackend(BaseBackend):
    def send(self, phone, text):
        sys.stdout.write(f"SMS to {phone}: {signed(text)}\n")
        sys.stdout.flush()
        return ""


class FileBackend(BaseBackend):
    def send(self, phone, text):
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        line = json.dumps({"at": now.isoformat(), "to": phone, "text": signed(text)}, ensure_ascii=False) + "\n"
        # One write on a file opened for appending: lines from two workers never mix.
        fd = os.open(folder / f"sms-{now:%Y%m%d}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        return ""


outbox: list[tuple[str, str]] = []
_outbox_lock = threading.Lock()


class LocmemBackend(BaseBackend):
    def send(self, phone, text):
        with _outbox_lock:
            outbox.append((phone, signed(text)))
        return str(len(outbox))


# 云片's codes for a request the gateway may accept later: account balance, and the
# per-number and per-account rate limits. Every other refusal (a malformed number, a
# text that matches no approved template, a bad key) will not get better by retrying.
YUNPIAN_RETRY = {3, 8, 9, 22, 33, 43, 53}


class YunpianBackend(BaseBackend):
    def send(self, phone, text):
        if not settings.SMS_HTTP_APIKEY:
            raise GatewayError("未配置短信网关的 apikey（SMS_HTTP_APIKEY）", permanent=True)
        form = urllib.parse.urlencode({"apikey": settings.SMS_HTTP_APIKEY, "mobile": phone, "text": signed(text)})
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            settings.SMS_HTTP_URL,
            data=form.encode(),
            headers={
                "Accept": "application/json;charset=utf-8",
                "Content-Type": "application/x-www-form-urlencoded;charset=utf-8",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
                return self._accepted(json.load(response))
        except urllib.error.HTTPError as e:
            # A refused request comes back as HTTP 400 with the reason in JSON.
            try:
                answer = json.load(e)
            except ValueError:
                raise GatewayError(f"短信网关返回HTTP {e.code}", permanent=e.code < 500 and e.code != 429) from e
            return self._accepted(answer)
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise GatewayError(f"无法连接短信网关：{getattr(e, 'reason', e)}") from e
        except ValueError as e:
            raise GatewayError("短信网关的回应不是JSON") from e

    @staticmethod
    def _accepted(answer: dict) -> str:
        code = answer.get("code")
        if code == 0:
            return str(answer.get("sid", ""))
        reason = " ".join(str(answer.get(k, "")) for k in ("msg", "detail")).strip() or "未说明原因"
        permanent = code not in YUNPIAN_RETRY
        raise GatewayError(f"短信网关拒绝（{code}）：{reason}", permanent=permanent)
