"""Signing in (rate-limited, a CAPTCHA after failures, the second factor where an
account has one), changing one's password, the second factor's page, and the
county office's reading of its region's security audit log; a new CAPTCHA for a
form's 换一张."""

import datetime as dt

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from wenzheng.accounts import staff
from wenzheng.accounts.forms import PasswordChangeForm
from wenzheng.accounts.models import Role
from wenzheng.lib.http import local_path, safe_next
from wenzheng.units.models import Region
from wenzheng.units.selectors import offices_for

from . import audit, captcha, limits, totp
from .forms import AuditFilterForm, CodeForm, LoginForm
from .models import AuditRecord

PENDING = "second_factor_pending"  # the session key of a sign-in waiting for its code
PENDING_SECONDS = 300
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login_failures_from(ip) -> int:
    """Failed sign-ins from one address within the cool-off, whatever the name."""
    since = timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    found = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since)
    return found.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginView(auth_views.LoginView):
    form_class = LoginForm

    def dispatch(self, request, *args, **kwargs):
        self.decision = limits.check("login", request)
        if self.decision.blocked:
            return limits.refusal(request, self.decision)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # Django's own site_name (the host, without the sites framework) would hide the
        # zone's name that every page's header and title carry (public/context.py).
        context = super().get_context_data(**kwargs)
        context.pop("site_name", None)
        return context

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        failures = login_failures_from(audit.client_ip(self.request))
        return captcha.protect(form, self.decision.wants_captcha or failures >= settings.LOGIN_CAPTCHA_AFTER)

    def form_valid(self, form):
        user = form.get_user()
        limits.forgive("login", self.request)  # before signing in: the keys it counted
        if totp.active(user) is None:
            return super().form_valid(form)
        # The password was right; the code is still to come. Nothing signs in yet.
        self.request.session[PENDING] = {
            "user": user.pk,
            "at": timezone.now().timestamp(),
            "next": self.get_redirect_url(),
            "tries": 0,
        }
        return redirect("security:verify")


@require_GET
@never_cache  # each answer is a new CAPTCHA: none kept to be shown twice
def captcha_new(request):
    """换一张 read in-page (htmx): the CAPTCHA's widget again, with a new image, in
    place of the one shown; the rest of the form stays as typed."""
    form = forms.Form()
    form.fields[captcha.FIELD] = captcha.field()
    return HttpResponse(str(form[captcha.FIELD]))


@sensitive_post_parameters("code")
def verify(request):
    """The second step of a sign-in with a second factor."""
    pending = request.session.get(PENDING)
    if not pending or timezone.now().timestamp() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        flash.info(request, _("请重新登录。"))
        return redirect("login")
    user = get_object_or_404(get_user_model(), pk=pending["user"], is_active=True)
    factor = totp.active(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if factor is not None and totp.verify(factor, form.cleaned_data["code"]):
            del request.session[PENDING]
            login(request, user, backend=MODEL_BACKEND)
            target = local_path(request, pending.get("next"))
            return redirect(target or reverse(settings.LOGIN_REDIRECT_URL))
        audit.record(audit.Kind.TOTP_FAILED, user=user, request=request)
        # Counted as a failed sign-in of this name from this address (django-axes).
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        pending["tries"] += 1
        if pending["tries"] >= 5 or getattr(request, "axes_locked_out", False):
            del request.session[PENDING]
            flash.error(request, _("动态口令错误次数过多，请重新登录。"))
            return redirect("login")
        request.session[PENDING] = pending
        form.add_error("code", _("动态口令不正确或已使用过，请输入验证器中当前显示的6位数字。"))
    return render(request, "security/verify.html", {"form": form})


@login_required
def password_change(request):
    """Changing one's password ends every other session of the account (Django
    keys each session to the password's hash), keeping this one, and revokes its API
    tokens, as a reset does: one changes a password on suspecting it known, and a
    token made by whoever knew it worked on (an attacker's trial)."""
    form = PasswordChangeForm(request.user, request.POST or None)
    form.error_messages = {**form.error_messages, "password_incorrect": _("原密码不正确，请重新输入。")}
    if (
        request.method == "POST"
        and form.is_valid()
        and form.cleaned_data["new_password1"] == form.cleaned_data["old_password"]
    ):
        # A temporary password kept as "new" would stay one the county office knows.
        form.add_error("new_password1", _("新密码不能与原密码相同。"))
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.password_temporary = False
        with transaction.atomic():
            user.save(update_fields=["password", "password_temporary"])
            revoked = staff.revoke_tokens(user, reason="密码已修改")
            audit.record(audit.Kind.PASSWORD_CHANGED, user=user, request=request)
        update_session_auth_hash(request, user)
        if revoked:
            flash.success(request, _("密码已修改。其他设备上的登录已全部退出，%(n)d个API令牌已撤销。") % {"n": revoked})
        else:
            flash.success(request, _("密码已修改。其他设备上的登录已全部退出。"))
        return redirect(safe_next(request) or "home-for-role")
    return render(
        request,
        "security/password_change.html",
        {"form": form, "temporary": request.user.password_temporary, "next": safe_next(request)},
    )


@login_required
def second_factor(request):
    """Turning the second factor on (scan, then type a code to confirm) or off (a
    code again: the phone must be at hand)."""
    if not totp.offered_to(request.user):
        raise PermissionDenied(_("动态口令仅供%(offices)s和系统管理员账号使用。") % {"offices": offices_for(request)})
    factor = request.user.second_factor if hasattr(request.user, "second_factor") else None
    form = CodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and action == "start":
        factor = totp.start(request.user)
        form = CodeForm()
    elif request.method == "POST" and factor is not None and form.is_valid():
        if not totp.verify(factor, form.cleaned_data["code"]):
            form.add_error("code", _("动态口令不正确，请输入验证器中当前显示的6位数字。"))
        elif factor.confirmed_at is None:
            totp.confirm(factor)
            audit.record(audit.Kind.TOTP_ENABLED, user=request.user, request=request)
            flash.success(request, _("动态口令已启用，以后登录时须输入验证器中的6位数字。"))
            return redirect("security:second-factor")
        else:
            factor.delete()
            audit.record(audit.Kind.TOTP_DISABLED, user=request.user, request=request)
            flash.success(request, _("动态口令已停用。"))
            return redirect("security:second-factor")
    context = {"factor": factor, "form": form}
    if factor is not None and factor.confirmed_at is None:
        context |= {"qr": totp.qr_data_uri(factor), "secret": factor.secret}
    return render(request, "security/second_factor.html", context)


AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request, code):
    """安全审计: the county office reads its region's records (the administrator any
    region's); each record is as the chain holds it."""
    region = get_object_or_404(Region, code=code)
    user = request.user
    allowed = user.role == Role.ADMIN or user.is_superuser
    allowed = allowed or (user.role in (Role.COUNTY_OFFICE, Role.CITY_OFFICE) and user.region_id == region.pk)
    if not allowed:
        raise Http404(_("不是您管辖的县（区）"))  # strangers get a 404, as on every workspace page
    found = AuditRecord.objects.filter(region=region).select_related("user").order_by("-seq")
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["kind"]:
            found = found.filter(kind=form.cleaned_data["kind"])
        if who := form.cleaned_data["who"].strip():
            found = found.filter(username__icontains=who)
    page = Paginator(found, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"nav": "work", "region": region, "page": page, "form": form, "query": query.urlencode()}
    context |= {"section": "security", "county" if region.kind == Region.Kind.COUNTY else "city": region}
    return render(request, "security/audit_log.html", context)
