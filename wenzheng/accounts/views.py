from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wenzheng.security import captcha, limits

from . import resets
from .forms import CitizenSignupForm, ResetConfirmForm, ResetRequestForm
from .models import Role

# The reset request this browser made (a PasswordResetCode pk, or None when nothing
# was sent: the next step answers the same either way).
RESET = "password_reset"


def signup(request):
    if request.user.is_authenticated:
        return redirect("home-for-role")
    limit = limits.check("signup", request)
    if limit.blocked:
        return limits.refusal(request, limit)
    form = captcha.protect(CitizenSignupForm(request.POST or None), limit.wants_captcha)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("注册成功，欢迎使用网络问政。"))
        return redirect("public:mine")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def home_for_role(request):
    """Where a person lands after signing in."""
    if request.user.role == Role.CITIZEN:
        return redirect("public:mine")
    return redirect("workspace:home")


def password_reset(request):
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = resets.request_code(text=data["account"], channel=data["channel"], ip=request.META.get("REMOTE_ADDR"))
        except resets.TooMany as e:
            form.add_error(None, str(e))
        else:
            request.session[RESET] = row.pk if row else None
            messages.info(request, _("如果该账号存在并登记了所选的联系方式，验证码已经发出，15分钟内有效。"))
            return redirect("password-reset-confirm")
    return render(request, "registration/password_reset.html", {"form": form})


def password_reset_confirm(request):
    if RESET not in request.session:
        return redirect("password-reset")
    form = ResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = resets.reset(row_id=request.session[RESET], code=data["code"], password=data["new_password1"])
        if user is None:
            form.add_error("code", _("验证码不正确或已失效，请核对或重新获取。"))
        else:
            del request.session[RESET]
            axes_reset(username=user.username)  # a locked-out account may sign in again
            messages.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("login")
    return render(request, "registration/password_reset_confirm.html", {"form": form})
