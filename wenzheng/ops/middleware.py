"""Middleware for running on a server: a request id on every request and log line,
and a clear page when the server itself is not ready."""

import contextvars
import ipaddress
import logging
import re
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render

from .errors import ServerNotReady

log = logging.getLogger(__name__)

# The id of the request being served, for log lines (RequestIdFilter) and the error
# pages. A context variable, so threads and async tasks each see their own.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# An id handed over by the proxy (nginx's $request_id) is kept if it looks like one;
# anything else is replaced, so a client cannot write into the log.
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record (settings.LOGGING uses it)."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


class ClientErrorFilter(logging.Filter):
    """A refused request (403, 404, 400) is one log line, not a traceback: Django
    logs the PermissionDenied or Http404 behind it with its stack, which buries the
    server's real errors under every hostile probe. 5xx keep theirs."""

    def filter(self, record):
        if record.exc_info and getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def request_id(get_response):
    """Gives each request an id (X-Request-ID from the proxy, or a fresh one), puts it
    in the log lines written while serving it and in the response's X-Request-ID
    header, so a user's report ("请求编号 …") finds its log line."""

    def middleware(request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
        # Kept until the response is finished (below), not only while the views run:
        # Django logs a 404 or a 500 after the middleware has returned.
        current_request_id.set(request.id)
        response = get_response(request)
        response["X-Request-ID"] = request.id
        return response

    return middleware


@receiver(request_finished)
def _forget_request_id(**kwargs):
    current_request_id.set("-")


def real_client_ip(get_response):
    """Behind a proxy, the peer is the proxy: take the client's address from the
    header named by REAL_IP_HEADER (deploy/nginx sets X-Real-IP to $remote_addr,
    overwriting whatever the client sent). The app server must listen only where the
    proxy alone can reach it (deploy/: 127.0.0.1), or anyone could name their address."""
    header = settings.REAL_IP_HEADER
    if not header:
        return get_response
    key = "HTTP_" + header.upper().replace("-", "_")

    def middleware(request):
        given = request.META.get(key, "").strip()
        try:
            request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(given))
        except ValueError:
            log.warning("%s header missing or not an address (%r); keeping the peer address", header, given[:60])
        return get_response(request)

    return middleware


# Where a form's values are parsed from the body (JSON bodies are looked at as bytes).
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_PROBLEM = "请求中含有空字符（NUL），无法处理。请删除从其他文档粘贴来的不可见字符后重试。"


def _carries_nul(request) -> bool:
    if "\x00" in request.path or _any_nul(request.GET):
        return True
    if request.method != "POST":
        return False
    content_type = request.content_type or ""
    if content_type in _FORM_TYPES:
        return any("\x00" in key for key in request.POST)  # values: _strip_form_nul
    if "json" in content_type:
        # JSON carries a NUL as the escape \u0000 (or, malformed, as the byte itself).
        return b"\\u0000" in request.body or b"\x00" in request.body
    return False


def _strip_form_nul(request) -> None:
    """A NUL in what someone typed or pasted into a form (a reply copied from a
    document) is taken out, as other control characters are where text enters
    (lib.text), rather than the whole form refused and the text lost."""
    if request.method != "POST" or (request.content_type or "") not in _FORM_TYPES or not _any_nul(request.POST):
        return
    cleaned = request.POST.copy()
    for key, values in request.POST.lists():
        cleaned.setlist(key, [v.replace("\x00", "") for v in values])
    cleaned._mutable = False
    request.POST = cleaned


def _any_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


def refuse_nul(get_response):
    """A NUL in a query value, a form field's name or a JSON body is refused with a
    clear 400 before any view sees it: PostgreSQL cannot store or even compare a text
    holding one (`/?region=%00` was a DataError, a 500, on every page). In a form
    field's value it is taken out."""

    def middleware(request):
        if not _carries_nul(request):
            _strip_form_nul(request)
            return get_response(request)
        log.info("refused a request carrying a NUL character (%s %s)", request.method, request.path[:200])
        if request.path.startswith(("/api/", "/open311/")):
            body = {"code": "bad_characters", "message": NUL_PROBLEM}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"problem": NUL_PROBLEM}, status=400)

    return middleware


def explain_method_not_allowed(get_response):
    """A step's address opened as a page (a bookmark, the history, a link pasted into a
    chat): the views that only take a form's POST answer 405 with no body, which a
    browser shows as its own English error page. Pages get a Chinese one with a way
    back; the API and Open311 keep their own answers."""

    def middleware(request):
        response = get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith(("/api/", "/open311/")):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page

    return middleware


class ServerNotReadyMiddleware:
    """Turns ServerNotReady (a missing font, a missing binary) into a 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ServerNotReady):
            return None
        log.error("%s (%s %s)", exception.log_message, request.method, request.path)
        return render(request, "503.html", {"problem": exception.user_message}, status=503)
