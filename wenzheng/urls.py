import warnings

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path, register_converter
from django.utils.translation import gettext as _

from wenzheng.accounts import views as account_views
from wenzheng.lib.http import safe_next
from wenzheng.security import views as security_views
from wenzheng.units.selectors import offices_for


class RowId:
    """`<int:pk>` matches at most 18 digits: a longer number reaches no row but breaks
    SQLite's driver (OverflowError, a 500) before the query runs. Registered over
    Django's own `int` (allowed, with a warning, until Django 6.0, where the routes
    will name this converter instead)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    register_converter(RowId, "int")

admin.site.site_header = "网络问政管理后台"
admin.site.site_title = "网络问政"
admin.site.index_title = "基础数据管理"


def admin_login(request):
    """The admin signs in through the site's own sign-in (its rate limit, CAPTCHA
    and second factor), never around it. Someone signed in already whom the admin
    site does not admit is told so: sent to sign in again, they came straight back
    here, round and round."""
    goal = safe_next(request) or "/admin/"  # a word would be reversed as a view's name: a 500
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(goal)
        raise PermissionDenied(_("管理后台仅供系统管理员和%(offices)s使用。") % {"offices": offices_for(request)})
    return redirect_to_login(goal)


urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("accounts/login/", security_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/password/reset/", account_views.password_reset, name="password-reset"),
    path("accounts/password/reset/code/", account_views.password_reset_confirm, name="password-reset-confirm"),
    path("accounts/home/", account_views.home_for_role, name="home-for-role"),
    path("work/", include("wenzheng.workspace.urls")),
    path("work/", include("wenzheng.topics.urls")),
    path("work/", include("wenzheng.hotspots.urls")),
    path("evaluation/", include("wenzheng.evaluation.urls")),
    path("bulk/", include("wenzheng.bulk.urls")),
    path("files/", include("wenzheng.attachments.urls")),
    path("captcha/", include("captcha.urls")),
    path("", include("wenzheng.security.urls")),
    path("", include("wenzheng.ops.urls")),
    path("", include("wenzheng.units.urls")),
    path("", include("wenzheng.notifications.urls")),
    path("", include("wenzheng.api.urls")),
    path("", include("wenzheng.public.urls")),
]

handler500 = "wenzheng.ops.views.server_error"
