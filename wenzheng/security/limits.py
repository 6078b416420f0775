"""Rate limits on what an anonymous crowd can do: posting a message, signing up,
looking up a tracking code, signing in.

Each limit counts attempts per client address (and per account, when signed in) in
fixed windows, in the database (RateCounter), so every gunicorn worker and every
server of a county counts together: a flood of 1,000 posts from one address, each
starting deadlines against a unit, stops at the limit. Near the limit (from
RATE_LIMIT_CAPTCHA_FROM of it) the form asks for a CAPTCHA; past it, the answer is
429 with a page that says, in Chinese, when to try again (and a Retry-After header).

Why not Django's cache: its database backend increments by reading and writing
back, so concurrent requests undercount; a conditional UPDATE (count = count + 1)
counts every one.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from . import audit
from .models import RateCounter


@dataclass(frozen=True)
class Limit:
    name: str
    label: str  # what is limited, in the page's words
    count: int
    seconds: int

    @property
    def captcha_from(self) -> int:
        return max(1, math.floor(self.count * settings.RATE_LIMIT_CAPTCHA_FROM))


def limit(name) -> Limit:
    count, seconds = settings.RATE_LIMITS[name]
    return Limit(name, LABELS[name], count, seconds)


LABELS = {"post": "留言", "signup": "注册", "track": "查询办理情况", "login": "登录"}


@dataclass(frozen=True)
class Decision:
    limit: Limit
    count: int  # attempts in this window, this one included when counted
    window_end: dt.datetime
    counted: bool = True

    @property
    def blocked(self) -> bool:
        return self.count > self.limit.count

    @property
    def wants_captcha(self) -> bool:
        """Judged on the attempts before this one, so the form that was shown (with
        or without a CAPTCHA) is the form that is checked."""
        return self.count - (1 if self.counted else 0) >= self.limit.captcha_from

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil((self.window_end - timezone.now()).total_seconds()))


def _window(seconds, now) -> tuple[dt.datetime, dt.datetime]:
    epoch = int(now.timestamp()) // seconds * seconds
    start = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    return start, start + dt.timedelta(seconds=seconds)


def _keys(name, request) -> list[str]:
    keys = [f"{name}:ip:{audit.client_ip(request) or 'unknown'}"]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        keys.append(f"{name}:user:{user.pk}")
    return keys


def _increment(key, window) -> int:
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window=window, count=1)
            except IntegrityError:  # another worker created it first
                RateCounter.objects.filter(key=key, window=window).update(count=F("count") + 1)
        return RateCounter.objects.filter(key=key, window=window).values_list("count", flat=True).get()


def attempt(name, request) -> Decision:
    """Count one attempt at `name` by this client; the decision says whether it is
    over the limit (refuse it with `refusal`) or near it (ask for a CAPTCHA)."""
    rule = limit(name)
    start, end = _window(rule.seconds, timezone.now())
    count = max(_increment(key, start) for key in _keys(name, request))
    decision = Decision(rule, count, end)
    if decision.count == rule.count + 1:  # the first refusal of the window, not each one
        audit.record(audit.Kind.RATE_LIMITED, user=_user(request), request=request, detail={"limit": name})
    return decision


def peek(name, request) -> Decision:
    """The decision as it stands, counting nothing (a form shown, not sent)."""
    rule = limit(name)
    start, end = _window(rule.seconds, timezone.now())
    counts = RateCounter.objects.filter(key__in=_keys(name, request), window=start).values_list("count", flat=True)
    return Decision(rule, max(counts, default=0), end, counted=False)


def forgive(name, request) -> None:
    """Take back this request's attempt: a sign-in whose password was right is no
    abuse, and an office of forty behind one address signs in every morning."""
    rule = limit(name)
    start, _end = _window(rule.seconds, timezone.now())
    RateCounter.objects.filter(key__in=_keys(name, request), window=start, count__gt=0).update(count=F("count") - 1)


def check(name, request) -> Decision:
    """`attempt` for a form sent (POST), `peek` for a form shown."""
    return attempt(name, request) if request.method == "POST" else peek(name, request)


def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def refusal(request, decision: Decision, *, json=False):
    """429, saying when to try again, in the county's local time."""
    at = timezone.localtime(decision.window_end)
    wait = decision.retry_after
    text = (
        f"{decision.limit.label}过于频繁：同一网络{_span(decision.limit.seconds)}内最多{decision.limit.count}次。"
        f"请于{at:%H:%M}（约{_span(wait)}后）再试。"
    )
    if json:
        response = JsonResponse(
            {"code": "rate_limited", "message": text, "retry_after": wait},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        context = {"problem": text, "limit": decision.limit, "retry_at": at}
        response = render(request, "security/rate_limited.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _span(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400}天"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}小时"
    if seconds >= 60:
        return f"{math.ceil(seconds / 60)}分钟"
    return f"{seconds}秒"


def prune(*, now=None) -> int:
    """Remove the windows that have ended (the worker, once an hour)."""
    now = now or timezone.now()
    longest = max(seconds for _, seconds in settings.RATE_LIMITS.values())
    deleted, _ = RateCounter.objects.filter(window__lt=now - dt.timedelta(seconds=longest)).delete()
    return deleted
