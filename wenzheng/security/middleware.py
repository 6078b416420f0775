"""Sessions end after a while without activity: staff after STAFF_SESSION_IDLE_MINUTES
(30 by default; they can open every citizen's contact details), citizens after
CITIZEN_SESSION_IDLE_HOURS. The session store forgets an idle session by itself too
(its expiry moves with each activity), so a copied cookie is worth no more than the
browser's."""

import time

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from wenzheng.accounts.models import Role

from . import audit

SEEN = "seen_at"
# Activity is written to the session at most this often, not on every request.
TOUCH_SECONDS = 60
# The store keeps an idle session this much longer than the limit, so that the next
# request finds it and is told why it ends; after that the store has forgotten it.
GRACE_SECONDS = 600


def idle_seconds(user) -> int:
    if user.role == Role.CITIZEN and not user.is_staff:
        return settings.CITIZEN_SESSION_IDLE_HOURS * 3600
    return settings.STAFF_SESSION_IDLE_MINUTES * 60


def start(request, user) -> None:
    """Signing in is activity: the clock starts with it (and the first page after it
    has nothing to write to the session)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[SEEN] = time.time()
        session.set_expiry(idle_seconds(user) + GRACE_SECONDS)


def idle_timeout(get_response):
    def middleware(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return get_response(request)
        limit = idle_seconds(user)
        now = time.time()
        seen = request.session.get(SEEN)
        if seen is not None and now - seen > limit:
            audit.record(
                audit.Kind.SESSION_EXPIRED, user=user, request=request, detail={"idle_seconds": int(now - seen)}
            )
            logout(request)
            flash.info(
                request,
                _("您已超过%(minutes)s分钟未操作，为保护账号安全已自动退出，请重新登录。") % {"minutes": limit // 60},
            )
            return redirect_to_login(request.get_full_path())
        if seen is None or now - seen > TOUCH_SECONDS:
            request.session[SEEN] = now
            request.session.set_expiry(limit + GRACE_SECONDS)
        return get_response(request)

    return middleware


def temporary_password(get_response):
    """A staff account opened or reset by the county office signs in with a password
    the office has seen: every page but the password change (and signing out) sends
    its owner there first, so the office never holds a password that still works."""
    from django.http import JsonResponse
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    from wenzheng.api import errors as api_errors

    def middleware(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.password_temporary:
            return get_response(request)
        allowed = (reverse("security:password"), reverse("logout"), settings.STATIC_URL)
        if request.path.startswith(allowed):
            return get_response(request)
        if request.path.startswith("/api/"):  # a program, not a person at a page
            # The API's own error, as a token's request gets it.
            error = api_errors.password_temporary()
            return JsonResponse(api_errors.body(error.code, error.message), status=error.status)
        target = reverse("security:password")
        if request.method == "GET" and request.path != "/":
            # Where they were going, once the password is theirs (a link in a notice).
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)

    return middleware
