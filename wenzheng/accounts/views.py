from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wenzheng.security import captcha, limits

from .forms import CitizenSignupForm
from .models import Role


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
