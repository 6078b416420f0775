from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenzheng.handling.models import Category, Message
from wenzheng.reports import periods
from wenzheng.topics.forms import TopicField
from wenzheng.topics.forms import choosable as topic_choices
from wenzheng.topics.forms import filter_choices as topic_filter_choices
from wenzheng.units.forms import UnitPickerField
from wenzheng.units.models import Region, Unit


class PostForm(forms.Form):
    """A citizen's message. The unit may be left to the county office to dispatch."""

    unit = UnitPickerField(
        label=gettext_lazy("留言对象"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("不确定，由县网络问政办交办"),
        help_text=gettext_lazy("选择乡镇或部门；不确定由谁办理时，县网络问政办会在1个工作日内交办。"),
    )
    category = forms.ModelChoiceField(label=gettext_lazy("留言类别"), queryset=Category.objects.all(), empty_label=None)
    topic = TopicField(
        label=gettext_lazy("事项分类（选填）"), help_text=gettext_lazy("不确定可不选，由县网络问政办确定。")
    )
    title = forms.CharField(label=gettext_lazy("标题"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("留言内容"),
        max_length=settings.MESSAGE_TEXT_MAX_CHARS,
        widget=forms.Textarea,
        error_messages={"max_length": gettext_lazy("留言内容不能超过%(limit_value)d个字（现有%(show_value)d个字）。")},
    )
    name = forms.CharField(
        label=gettext_lazy("姓名"), max_length=50, help_text=gettext_lazy("不公开，仅供办理单位联系您。")
    )
    phone = forms.RegexField(
        label=gettext_lazy("联系电话"),
        regex=r"^[0-9\- ]{7,20}$",
        error_messages={"invalid": gettext_lazy("联系电话应为7至20位数字。")},
        help_text=gettext_lazy("不公开。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.RegexField(
        label=gettext_lazy("身份证号（选填）"),
        regex=r"^\d{17}[\dXx]$",
        required=False,
        error_messages={"invalid": gettext_lazy("身份证号应为18位，最后一位可以是X。")},
        help_text=gettext_lazy("反映个人事项（如社保、户籍）时便于核实，不公开。"),
    )
    email = forms.EmailField(label=gettext_lazy("电子邮箱（选填）"), required=False)
    address = forms.CharField(label=gettext_lazy("联系地址（选填）"), max_length=200, required=False)
    consent_to_publish = forms.BooleanField(
        label=gettext_lazy("同意在网络问政专区公开我的留言内容和答复（不公开姓名和联系方式）"),
        required=False,
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.in_region(region).registered_by(timezone.localdate())
        self.fields["unit"].queryset = units.order_by("kind", "name")
        self.fields["topic"].set_topics(topic_choices(region))
        self.fields["category"].help_text = _(
            "咨询：询问政策、办事程序；建议：对工作提出意见建议；诉求：反映需要解决的具体问题。"
        )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("查询码"), max_length=12, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    passcode = forms.CharField(label=gettext_lazy("查询密码"), max_length=12, widget=forms.PasswordInput)


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("追问内容"),
        max_length=settings.MESSAGE_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": gettext_lazy("追问内容不能超过%(limit_value)d个字（现有%(show_value)d个字）。")},
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=gettext_lazy("您对答复的评价"), choices=Message.Rating.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=gettext_lazy("不满意的理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("选择“不满意”时请写明理由，县网络问政办将回访核实。"),
    )

    def clean(self):
        data = super().clean()
        reason = data.get("reason", "").strip()
        if data.get("rating") == Message.Rating.DISSATISFIED and not reason:
            self.add_error("reason", _("选择“不满意”时，请写明不满意的理由。"))
        elif data.get("rating") and data["rating"] != Message.Rating.DISSATISFIED and reason:
            # Nothing a citizen writes may be dropped unseen: other words go in a follow-up.
            self.add_error("reason", _("理由只在选择“不满意”时填写；其他意见请用下面的“追问”提交。"))
        return data


class BoardFilterForm(forms.Form):
    unit = UnitPickerField(
        label=gettext_lazy("单位"), queryset=Unit.objects.none(), required=False, empty_label=gettext_lazy("全部单位")
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("类别"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部类别"),
    )
    topic = forms.ChoiceField(label=gettext_lazy("事项分类"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[
            ("", gettext_lazy("全部状态")),
            ("replied", gettext_lazy("已回复")),
            ("closure_pending", gettext_lazy("长周期办结待审批")),
            ("closed", gettext_lazy("已办结")),
        ],
    )
    period = forms.CharField(
        label=gettext_lazy("期间"), required=False, help_text=gettext_lazy("如 2026Q1、2026、2026-03")
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.in_region(region).order_by("kind", "name")
        self.fields["topic"].choices = topic_filter_choices(region)

    def clean_period(self):
        text = self.cleaned_data["period"].strip()
        if not text:
            return None
        try:
            return periods.parse(text)
        except periods.BadPeriod as e:
            raise forms.ValidationError(str(e)) from None

    def apply(self, messages):
        """The messages that pass the filters (call after is_valid()). The board, the
        API and the exports all filter through here."""
        data = self.cleaned_data
        if data["unit"]:
            messages = messages.filter(unit=data["unit"])
        if data["category"]:
            messages = messages.filter(category=data["category"])
        if data.get("topic"):
            # A 大类 or 中类 code: every message under it, in every county of a city.
            code = data["topic"]
            messages = messages.filter(topic__code__startswith=code[:2] if code.endswith("0000") else code[:4])
        if data["status"]:
            messages = messages.filter(state=data["status"])
        if data["period"]:
            messages = messages.received_between(data["period"].start, data["period"].end)
        return messages
