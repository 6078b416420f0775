from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import SetPasswordForm, UserCreationForm
from django.utils.translation import gettext_lazy

from wenzheng.lib import phones
from wenzheng.lib.formtext import NamedLimits

from .models import PasswordResetCode, Role, User


class ValidatedInFirstBox:
    """A password form whose validators' objections to a new password (too short,
    too common, only digits) are said under the box it was typed in: Django's
    forms say them under the box that repeats it, where a newcomer did not look."""

    def validate_password_for_user(self, user, password_field_name="password2"):  # noqa: S107 (a field name)
        super().validate_password_for_user(user, password_field_name=password_field_name.removesuffix("2") + "1")


class PasswordChangeForm(ValidatedInFirstBox, auth_forms.PasswordChangeForm):
    pass


class CitizenSignupForm(NamedLimits, ValidatedInFirstBox, UserCreationForm):
    """A citizen's own account: to follow their messages without a tracking code."""

    display_name = forms.CharField(label=gettext_lazy("姓名或昵称"), max_length=50)
    phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=40,
        help_text=gettext_lazy("仅用于办理单位联系您，不会公开。"),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "phone"]

    def clean_phone(self):
        number = phones.mobile(self.cleaned_data["phone"])
        if not number:
            raise forms.ValidationError(gettext_lazy("请输入11位手机号码（可带+86）。"))
        return number

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = Role.CITIZEN
        if commit:
            user.save()
        return user


class ResetRequestForm(NamedLimits, forms.Form):
    """Step 1 of a password reset: which account, and where to send the code."""

    account = forms.CharField(
        label=gettext_lazy("用户名、手机号或电子邮箱"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("验证码发送方式"),
        choices=PasswordResetCode.Channel.choices,
        initial=PasswordResetCode.Channel.SMS,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("发送到账号登记的手机号或电子邮箱。"),
    )


class ResetConfirmForm(ValidatedInFirstBox, SetPasswordForm):
    """Step 2: the code received and the new password (twice, checked by Django's
    password validators)."""

    code = forms.RegexField(
        label=gettext_lazy("验证码"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("验证码为6位数字。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    field_order = ["code", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(None, *args, **kwargs)
