"""The CAPTCHA a form asks for near a rate limit, or after failed logins: an image of
a small sum drawn by the server itself (django-simple-captcha, Pillow), so it works
with no outside service, as a county's network may have none.

Many citizens share one address (a carrier's NAT), so it must be easy for a person:
drawn large enough to read on a phone (the widget shows it at 180×64 CSS pixels, the
image twice that, settings.CAPTCHA_IMAGE_SIZE), only the operations its hint names
(the library's own sums mixed in ×, drawn as a tilted letter x, beside a hint of
"3+5="), an answer typed with a Chinese keyboard's full-width digits accepted, and
换一张 for a new one: read in-page where scripts run (views.captcha_new); otherwise
the form is sent back with what was typed and a new image (`REFRESH`)."""

import operator
import secrets
import unicodedata

from captcha.fields import CaptchaField, CaptchaTextInput
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD = "captcha"
# The 换一张 button's name: pressed where no script runs, it sends the form itself.
REFRESH = "captcha_refresh"
# What a CAPTCHA may ask (settings.CAPTCHA_CHALLENGE_FUNCT = challenge), with the word
# and the example its hint gives for each: the hint is made from this table.
OPERATIONS = {
    "+": ("加法", operator.add, (7, 5)),
    "-": ("减法", operator.sub, (9, 4)),
}
HIGHEST = 10  # each number is from 1 to this


def challenge() -> tuple[str, str]:
    """A sum as drawn ("7+5=") and its answer ("12"): two numbers from 1 to HIGHEST,
    the larger first when subtracting, so no answer is below zero."""
    sign = secrets.choice(list(OPERATIONS))
    a, b = secrets.randbelow(HIGHEST) + 1, secrets.randbelow(HIGHEST) + 1
    if sign == "-" and a < b:
        a, b = b, a
    return f"{a}{sign}{b}=", str(OPERATIONS[sign][1](a, b))


def hint() -> str:
    """What the CAPTCHA asks, in the words and with an example of each of OPERATIONS."""
    kinds = "或".join(word for word, _op, _example in OPERATIONS.values())
    examples = "，".join(f"“{a}{sign}{b}=”填 {op(a, b)}" for sign, (_word, op, (a, b)) in OPERATIONS.items())
    return _("请填写图中%(kinds)s算式的结果，如%(examples)s。看不清可点“换一张”。") % {
        "kinds": kinds,
        "examples": examples,
    }


class Widget(CaptchaTextInput):
    """The image, 换一张 and the box for the answer (security/templates/captcha/)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # Digits only: a phone opens its number pad.
        self.widgets[1].attrs.update({"inputmode": "numeric"})


class Field(CaptchaField):
    def __init__(self, *, refreshing=False, **kwargs):
        self.refreshing = refreshing
        super().__init__(widget=Widget(), **kwargs)

    def clean(self, value):
        if self.refreshing:
            # 换一张 sent the form: nothing is tried, and the form shows a new image.
            raise ValidationError(_("已换一张验证码，请填写新图中算式的结果。"), code="refreshed")
        if value and len(value) == 2 and value[1]:
            # A Chinese keyboard's full-width digits (１２) are the digits a person read.
            value = [value[0], unicodedata.normalize("NFKC", value[1])]
        return super().clean(value)


def field(*, refreshing=False) -> Field:
    return Field(
        refreshing=refreshing,
        label=gettext_lazy("验证码"),
        help_text=hint(),
        error_messages={
            "invalid": gettext_lazy("验证码不正确，请重新计算图中的算式。"),
            "required": gettext_lazy("请填写验证码。"),
        },
    )


def protect(form, wanted: bool):
    """Add the CAPTCHA to `form` when `wanted` (a limit is near). A form sent by its
    换一张 button is not tried: it comes back with what was typed and a new image."""
    if wanted:
        form.fields[FIELD] = field(refreshing=form.is_bound and REFRESH in form.data)
    return form


def refreshed(form) -> bool:
    """Whether `form` was sent by its CAPTCHA's 换一张 (see `protect`)."""
    return FIELD in form.fields and form.has_error(FIELD, code="refreshed")
