from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy

from wenzheng.lib.formtext import NamedLimits
from wenzheng.security.models import AuditRecord

from . import captcha


class LoginForm(NamedLimits, AuthenticationForm):
    """The sign-in form. With a CAPTCHA on it, a wrong answer stops before the
    password is tried: the CAPTCHA is the point, not a decoration."""

    def clean(self):
        if captcha.FIELD in self.fields and self.has_error(captcha.FIELD):
            return self.cleaned_data
        # The lockout records the name as it was sent, before Unicode normalisation
        # shortens it ("e" and a combining accent become "é"): a name within the
        # field's limit once normalised could still overflow the record's column.
        if len(self.data.get("username", "")) > self.fields["username"].max_length:
            self.add_error("username", gettext_lazy("账号过长。"))
            return self.cleaned_data
        return super().clean()


class CodeForm(NamedLimits, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("动态口令"),
        max_length=12,
        help_text=gettext_lazy("手机验证器应用（身份验证器）中显示的6位数字。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AuditFilterForm(NamedLimits, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("事项"), required=False, choices=[("", gettext_lazy("全部")), *AuditRecord.Kind.choices]
    )
    who = forms.CharField(label=gettext_lazy("账号"), required=False, max_length=150)
