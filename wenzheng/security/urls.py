from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("accounts/login/verify/", views.verify, name="verify"),
    path("captcha/new/", views.captcha_new, name="captcha-new"),
    path("accounts/password/", views.password_change, name="password"),
    path("accounts/second-factor/", views.second_factor, name="second-factor"),
    path("work/county/<slug:code>/security/", views.audit_log, name="audit-log"),
]
