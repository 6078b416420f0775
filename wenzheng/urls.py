from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from wenzheng.accounts import views as account_views

admin.site.site_header = "网络问政管理后台"
admin.site.site_title = "网络问政"
admin.site.index_title = "基础数据管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/home/", account_views.home_for_role, name="home-for-role"),
    path("work/", include("wenzheng.workspace.urls")),
    path("work/", include("wenzheng.topics.urls")),
    path("evaluation/", include("wenzheng.evaluation.urls")),
    path("bulk/", include("wenzheng.bulk.urls")),
    path("", include("wenzheng.ops.urls")),
    path("", include("wenzheng.notifications.urls")),
    path("", include("wenzheng.api.urls")),
    path("", include("wenzheng.public.urls")),
]

handler500 = "wenzheng.ops.views.server_error"
