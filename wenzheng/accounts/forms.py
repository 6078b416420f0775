from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy

from wenzheng.lib import phones

from .models import Role, User


class CitizenSignupForm(UserCreationForm):
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
