from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenzheng.attachments.forms import photos_field
from wenzheng.handling.models import Category, Message
from wenzheng.lib import phones
from wenzheng.lib import text as text_rules
from wenzheng.lib.formtext import NamedLimits
from wenzheng.reports import periods
from wenzheng.reports.widgets import PeriodPicker
from wenzheng.search import text as search_text
from wenzheng.search.selectors import typed_or_words
from wenzheng.topics.forms import TopicField
from wenzheng.topics.forms import choosable as topic_choices
from wenzheng.topics.forms import filter_choices as topic_filter_choices
from wenzheng.units.forms import UnitPickerField
from wenzheng.units.models import Region, Unit


class PostForm(NamedLimits, forms.Form):
    """A citizen's message. The unit may be left to the county office to dispatch."""

    unit = UnitPickerField(
        label=gettext_lazy("留言对象"),
        queryset=Unit.objects.none(),
        required=False,
    )
    # Nothing chosen in advance: with 咨询 preselected, citizens skipped the choice.
    category = forms.ModelChoiceField(
        label=gettext_lazy("留言类别"),
        queryset=Category.objects.all(),
        empty_label=gettext_lazy("请选择留言类别"),
        error_messages={"required": gettext_lazy("请选择留言类别。")},
    )
    topic = TopicField(label=gettext_lazy("事项分类（选填）"))
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
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=40,
        help_text=gettext_lazy("不公开。手机号11位；固定电话请带区号，如0778-7221234。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("身份证号（选填）"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("反映个人事项（如社保、户籍）时便于核实，不公开。"),
    )
    photos = photos_field()
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
        # Left to the office of the county written to (县网络问政办, 区网络问政办).
        said = {"office": region.office_by_level}
        self.fields["unit"].empty_label = _("不确定，由%(office)s交办") % said
        self.fields["unit"].help_text = _("选择乡镇或部门；不确定由谁办理时，%(office)s会在1个工作日内交办。") % said
        self.fields["topic"].set_topics(topic_choices(region))
        self.fields["topic"].help_text = _("不确定可不选，由%(office)s确定。") % said
        self.fields["category"].help_text = _(
            "咨询：询问政策、办事程序；建议：对工作提出意见建议；诉求：反映需要解决的具体问题。"
        )

    def clean_phone(self):
        try:
            return phones.normalise(self.cleaned_data["phone"])
        except phones.BadPhone as e:
            raise forms.ValidationError(str(e)) from None

    def clean_id_number(self):
        # Checked as the action keeps it: typed with full-width digits or Ｘ, it is 18 characters too.
        value = text_rules.id_number(self.cleaned_data["id_number"])
        if value and not text_rules.ID_NUMBER.match(value):
            raise forms.ValidationError(_("身份证号应为18位，最后一位可以是X。"))
        return value


class _TrackingCodeForm(NamedLimits, forms.Form):
    """A form that names a message by its tracking code (查询码)."""

    # Room for the spaces or dashes typed between groups (AB12 CD34 EF), gone once read.
    code = forms.CharField(
        label=gettext_lazy("查询码"), max_length=24, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    # A phone's Chinese keyboard types full-width letters and digits (ＡＢ１２): the
    # code and passcode were refused as wrong though read correctly off the slip.
    def clean_code(self):
        return text_rules.typed_code(self.cleaned_data["code"])


class TrackForm(_TrackingCodeForm):
    passcode = forms.CharField(label=gettext_lazy("查询密码"), max_length=24, widget=forms.PasswordInput)

    def clean_passcode(self):
        return text_rules.typed_code(self.cleaned_data["passcode"])


class ForgotPasscodeForm(_TrackingCodeForm):
    """找回查询密码: the message's code and the mobile it was left with."""

    phone = forms.CharField(
        label=gettext_lazy("留言时填写的手机号"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )


class FollowUpForm(NamedLimits, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("追问内容"),
        max_length=settings.MESSAGE_TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("请填写追问内容。"),
            "max_length": gettext_lazy("追问内容不能超过%(limit_value)d个字（现有%(show_value)d个字）。"),
        },
    )
    photos = photos_field()


class RatingForm(NamedLimits, forms.Form):
    rating = forms.ChoiceField(
        label=gettext_lazy("您对答复的评价"),
        choices=Message.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择评价。")},
    )
    reason = forms.CharField(
        label=gettext_lazy("不满意的理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        # The office of the message's county calls back (回访).
        self.fields["reason"].help_text = _("选择“不满意”时请写明理由，%(office)s将回访核实。") % {
            "office": region.office_by_level
        }

    def clean(self):
        data = super().clean()
        if "reason" in self.errors:  # too long: not missing as well
            return data
        reason = text_rules.visible(data.get("reason", "")).strip()
        if data.get("rating") == Message.Rating.DISSATISFIED and not reason:
            self.add_error("reason", _("选择“不满意”时，请写明不满意的理由。"))
        elif data.get("rating") and data["rating"] != Message.Rating.DISSATISFIED and reason:
            # Nothing a citizen writes may be dropped unseen: other words go in a follow-up.
            self.add_error("reason", _("理由只在选择“不满意”时填写；其他意见请用下面的“追问”提交。"))
        return data


class BoardFilterForm(NamedLimits, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=search_text.MAX_QUERY_CHARS,
        error_messages={"max_length": search_text.TOO_LONG},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("如：路灯 维修")}),
    )
    order = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        choices=[("relevance", gettext_lazy("最相关")), ("newest", gettext_lazy("最新"))],
        help_text=gettext_lazy("搜索时按相关程度或留言时间排序"),
    )
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
            ("reopened", gettext_lazy("重新办理中")),
            ("replied", gettext_lazy("已回复")),
            ("closure_pending", gettext_lazy("长周期办结待审批")),
            ("closed", gettext_lazy("已办结")),
        ],
    )
    period = forms.CharField(
        label=gettext_lazy("期间"),
        required=False,
        widget=PeriodPicker(everything=True),
        help_text=gettext_lazy("选择季度、年度或月份，或填写如 2026年第一季度、2026-03"),
    )

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.in_region(region).order_by("kind", "name")
        self.fields["unit"].search_in(region)  # a city's 10,000 units: a box that searches
        self.fields["topic"].choices = topic_filter_choices(region)

    def clean_q(self):
        try:
            return search_text.parse(self.cleaned_data["q"])
        except search_text.BadQuery as e:
            raise forms.ValidationError(str(e)) from None

    _searched = None

    # The filters besides the search box and its order, which a phone folds away
    # under "更多筛选" until one is used (public/board.html).
    NARROWING = ("unit", "category", "topic", "status", "period")

    def searching(self) -> list:
        """The bound fields besides NARROWING: the search box and its order."""
        return [field for field in self if field.name not in self.NARROWING]

    def narrowing(self) -> list:
        """The bound fields of NARROWING."""
        return [self[name] for name in self.NARROWING if name in self.fields]

    @property
    def narrowed(self) -> int:
        """How many of NARROWING the request sets."""
        return sum(1 for field in self.narrowing() if field.value() not in (None, "", []))

    @property
    def query(self):
        """The search query (a wenzheng.search.text.Query), or None: after apply(),
        the one searched, which is the query split into words when it found
        nothing as typed (its `instead_of` is then what was typed)."""
        if self._searched is not None:
            return self._searched
        return self.cleaned_data.get("q") if self.is_bound and self.is_valid() else None

    @property
    def ranked(self) -> bool:
        """Whether a search lists its matches by relevance (the default) rather than
        newest first."""
        return not (self.is_bound and self.is_valid() and self.cleaned_data.get("order") == "newest")

    def clean_period(self):
        text = self.cleaned_data["period"].strip()
        if not text:
            return None
        try:
            return periods.parse(text)
        except periods.BadPeriod as e:
            raise forms.ValidationError(str(e)) from None

    def apply(self, messages, *, audience="public", words=True):
        """The messages that pass the filters and the search (call after is_valid()),
        newest first, or best match first when searching by relevance. The board, the
        API and the exports all filter through here; `audience` is the search document
        the reader may search by (accounts.policy.search_audience). With `words`, a
        query that finds nothing as typed is searched as its words, as a page says
        (`query.instead_of`); the API, which has no page to say it on, searches as
        typed."""
        data = self.cleaned_data
        if data["unit"]:
            messages = messages.filter(unit=data["unit"])
        if data["category"]:
            messages = messages.filter(category=data["category"])
        if data.get("topic"):
            # A 大类 or 中类 code: every message under it, in every county of a city.
            code = data["topic"]
            messages = messages.filter(topic__code__startswith=code[:2] if code.endswith("0000") else code[:4])
        if data["status"] == "reopened":  # answered once (every public message is), handled anew
            messages = messages.filter(state__in=Message.State.being_handled())
        elif data["status"]:
            messages = messages.filter(state=data["status"])
        if data["period"]:
            messages = messages.received_between(data["period"].start, data["period"].end)
        if data.get("q") is not None:
            self._searched = typed_or_words(messages, data["q"], audience=audience) if words else data["q"]
            return messages.search(self._searched, audience=audience, order=data.get("order") or "relevance")
        return messages.order_by("-submitted_at", "-pk")
