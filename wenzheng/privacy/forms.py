"""The county office's forms for personal data. They check what a form can; the
rules are the actions' (wenzheng.privacy.actions), whose refusals the page shows."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenzheng.lib.formtext import NamedLimits

from .models import AccessRecord


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows})


class RedactForm(NamedLimits, forms.Form):
    title = forms.CharField(label=gettext_lazy("公开标题"), max_length=100, required=False)
    text = forms.CharField(
        label=gettext_lazy("公开内容"),
        max_length=settings.MESSAGE_TEXT_MAX_CHARS,
        widget=_textarea(8),
        help_text=gettext_lazy("公众看到的版本；原文保留，网民和办理单位仍看到原文。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("删节理由"),
        max_length=500,
        widget=_textarea(2),
        help_text=gettext_lazy("网民将看到这一理由。"),
    )

    def __init__(self, *args, with_title=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_title:
            self.fields["title"].required = True
        else:
            del self.fields["title"]


class WithholdForm(NamedLimits, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("不予公开的理由"),
        max_length=500,
        widget=_textarea(2),
        help_text=gettext_lazy("网民将看到这一理由；留言照常办理。"),
    )


class ReviewSettingForm(NamedLimits, forms.Form):
    review_before_publishing = forms.BooleanField(
        label=gettext_lazy("先审后发：网民的留言和追问经本办审核通过后才公开"), required=False
    )


class WordsForm(NamedLimits, forms.Form):
    words = forms.CharField(
        label=gettext_lazy("添加敏感词"),
        max_length=10_000,  # a list of some thousands of words pasted at once
        widget=_textarea(3),
        help_text=gettext_lazy(
            "每行一个，或用逗号、顿号分隔；匹配时不分全角半角和大小写，并忽略夹在字间的空格和符号。"
        ),
    )

    def clean_words(self):
        words = [w.strip() for w in re.split(r"[\n,，、;；]+", self.cleaned_data["words"]) if w.strip()]
        if not words:
            raise forms.ValidationError(_("请填写至少一个敏感词。"))
        return words


class ContactForm(NamedLimits, forms.Form):
    value = forms.CharField(label=gettext_lazy("号码或邮箱"), max_length=100, help_text=gettext_lazy("如 0778-8212345"))
    label = forms.CharField(
        label=gettext_lazy("说明"), max_length=100, help_text=gettext_lazy("如：县政务服务中心咨询电话")
    )
    for_help = forms.BooleanField(
        label=gettext_lazy("这是网络问政办的求助电话"),
        required=False,
        help_text=gettext_lazy("在“操作过于频繁”“无权访问”“找回密码”等页面请人联系网络问政办时给出这个号码。"),
    )


class AccessFilterForm(NamedLimits, forms.Form):
    surface = forms.ChoiceField(
        label=gettext_lazy("途径"), required=False, choices=[("", gettext_lazy("全部")), *AccessRecord.Surface.choices]
    )
    who = forms.CharField(label=gettext_lazy("查看人"), required=False, max_length=50)
    serial = forms.RegexField(
        label=gettext_lazy("留言编号"),
        regex=r"^\d{4}-\d{1,6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("留言编号的格式如 2026-000046。")},
    )
    since = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def apply(self, records):
        data = self.cleaned_data
        if data["surface"]:
            records = records.filter(surface=data["surface"])
        if data["who"]:
            records = records.filter(user__username__icontains=data["who"]) | records.filter(
                user__display_name__icontains=data["who"]
            )
        if data["serial"]:
            year, number = (int(p) for p in data["serial"].split("-"))
            records = records.filter(message__year=year, message__number=number)
        if data["since"]:
            from wenzheng.workdays import clock

            records = records.filter(at__gte=clock.local_midnight(data["since"]))
        return records


class ErasureForm(NamedLimits, forms.Form):
    account = forms.CharField(label=gettext_lazy("网民账号（用户名）"), required=False, max_length=150)
    tracking_code = forms.CharField(label=gettext_lazy("查询码"), required=False, max_length=12)
    serial = forms.RegexField(
        label=gettext_lazy("留言编号"),
        regex=r"^\d{4}-\d{1,6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("留言编号的格式如 2026-000046。")},
    )
    reason = forms.CharField(
        label=gettext_lazy("删除依据"),
        max_length=200,
        help_text=gettext_lazy("如：网民来电申请，登记编号……"),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("我已核实申请人的身份，确认删除上述个人信息（不可恢复）"), required=False
    )

    def clean(self):
        data = super().clean()
        if not (data.get("account") or data.get("tracking_code") or data.get("serial")):
            raise forms.ValidationError(_("请填写网民账号、查询码或留言编号中的一项。"))
        return data
