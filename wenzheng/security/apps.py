from pathlib import Path

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    default = True  # the app's own config (CaptchaConfig below is another app's)
    name = "wenzheng.security"
    verbose_name = "安全审计"

    def ready(self):
        # Django's and django-axes's signals of sign-ins, failures and lockouts, and
        # the admin's change log, each make a record in the security audit log.
        from . import receivers  # noqa: F401


class CaptchaConfig(AppConfig):
    """django-simple-captcha, without its own translations and templates: its
    Simplified Chinese catalogue renames Django's "This field is required." on every
    form of the site (这个字段是必须的), and its widget template is replaced by ours
    (wenzheng/security/templates/captcha/). Django looks for both under `path`, so `path`
    names a folder that holds neither."""

    name = "captcha"
    label = "captcha"
    verbose_name = "验证码"
    path = str(Path(__file__).resolve().parent / "templates")
