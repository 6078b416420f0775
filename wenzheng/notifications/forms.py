from django import forms
from django.utils.translation import gettext_lazy

from wenzheng.accounts.models import User
from wenzheng.lib import phones
from wenzheng.lib.formtext import NamedLimits

from .models import Preference


class PreferenceForm(NamedLimits, forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "sms", "daily_digest"]
        help_texts = {
            "daily_digest": gettext_lazy("开启后，电子邮件和短信每天%(hour)s时汇总发送一次；站内通知照常即时显示。"),
        }


class ContactForm(NamedLimits, forms.ModelForm):
    """Where a staff member is reached: their own account's address and mobile. A
    change asks for the password: a forgotten password's code goes to them, so whoever
    held a session a moment could point them at themselves and keep the account (an
    attacker's trial)."""

    password = forms.CharField(
        label=gettext_lazy("当前密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy("修改手机号或电子邮箱时填写：找回密码的验证码会发到这里。"),
    )

    class Meta:
        model = User
        fields = ["email", "phone"]
        labels = {"email": gettext_lazy("电子邮箱"), "phone": gettext_lazy("手机号")}
        help_texts = {"phone": gettext_lazy("用于接收短信提醒，须为11位手机号。")}

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        # Against the account's values as cleaned (not changed_data: the same number
        # typed with spaces is no change).
        changed = any(data.get(k, self.initial.get(k)) != self.initial.get(k) for k in ("email", "phone"))
        if changed and not self.instance.check_password(data.get("password") or ""):
            self.add_error("password", gettext_lazy("修改手机号或电子邮箱，请输入当前密码（输入不正确）。"))
        return data


def clean_mobile(raw: str) -> str:
    """A staff member's mobile as kept (half-width digits), or "" when none is given."""
    raw = raw.strip()
    if raw and not phones.mobile(raw):
        raise forms.ValidationError(gettext_lazy("手机号应为11位，以1开头。"))
    return phones.mobile(raw) if raw else ""
