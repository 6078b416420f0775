"""The CAPTCHA a form asks for near a rate limit, or after failed logins: an image of
a small sum drawn by the server itself (django-simple-captcha, Pillow), so it works
with no outside service, as a county's network may have none."""

from captcha.fields import CaptchaField
from django.utils.translation import gettext_lazy

FIELD = "captcha"


def field() -> CaptchaField:
    return CaptchaField(
        label=gettext_lazy("验证码"),
        help_text=gettext_lazy("请填写图中算式的结果（如“3+5=”填 8）。看不清时提交一次，会换一张。"),
        error_messages={
            "invalid": gettext_lazy("验证码不正确，请重新计算图中的算式。"),
            "required": gettext_lazy("请填写验证码。"),
        },
    )


def protect(form, wanted: bool):
    """Add the CAPTCHA to `form` when `wanted` (a limit is near)."""
    if wanted:
        form.fields[FIELD] = field()
    return form
