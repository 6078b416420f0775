"""The workspace's forms. They check what a form can (a field filled in, a date that
parses); every rule of the domain is left to the action, whose refusal the page shows."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenzheng.accounts.models import Role
from wenzheng.attachments import access as attachment_access
from wenzheng.attachments.forms import reply_files_field
from wenzheng.handling.actions import REASON_MAX_CHARS
from wenzheng.handling.models import Category, Message, parse_serial
from wenzheng.lib import text
from wenzheng.lib.formtext import NamedLimits
from wenzheng.notifications.forms import clean_mobile
from wenzheng.notifications.texts import short
from wenzheng.search import text as search_text
from wenzheng.supervision.models import SupervisionFinding
from wenzheng.topics import routing
from wenzheng.topics.forms import TopicField
from wenzheng.topics.forms import choosable as topic_choices
from wenzheng.units.forms import UnitPickerField, UnitSelect, grouped
from wenzheng.units.models import ANY_OFFICE, Unit
from wenzheng.workdays import clock


def _textarea(rows=4):
    return forms.Textarea(attrs={"rows": rows})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        # A date field takes ISO dates only; the locale's 2026/12/14 would show empty.
        super().__init__(attrs, format)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.display_name or user.username


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.display_name or user.username


# --- steps on one message -----------------------------------------------------------


class StepForm(NamedLimits, forms.Form):
    """A form for one step on one message; `message` lets it fit its choices."""

    def __init__(self, *args, message=None, **kwargs):
        self.message = message
        super().__init__(*args, **kwargs)

    def typed(self) -> list[tuple[str, str]]:
        """(label, text) for each text box the person filled in, as sent: shown back
        for them to copy when the step is no longer theirs to take (a colleague
        answered the follow-up meanwhile), where the form itself is not shown."""
        if not self.is_bound:
            return []
        boxes = [(name, f) for name, f in self.fields.items() if isinstance(f.widget, forms.Textarea)]
        found = [(str(f.label), str(self.data.get(self.add_prefix(name), "")).strip()) for name, f in boxes]
        return [(label, value) for label, value in found if value]


class RespondForm(StepForm):
    note = forms.CharField(label=gettext_lazy("签收说明（选填）"), required=False, max_length=500)


def keep_field():
    return forms.MultipleChoiceField(
        label=gettext_lazy("保留原附件"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("退回或撤回的回复所附的文件；勾选的随这次回复一并提交，不必重新选择。"),
    )


class KeepsFiles:
    """A reply form that may carry the files of the writer's reply returned or taken
    back (保留原附件): offered when `keepable` lists them (the page, which knows whose
    reply came back), checked against all of the message's when posted (the action
    checks they are the writer's own)."""

    def keep_files(self, keepable):
        if keepable is None and self.is_bound and self.message is not None:
            keepable = list(attachment_access.keepable(self.message))
        if not keepable:
            del self.fields["keep"]
            return
        self.fields["keep"].choices = [(str(a.pk), a.name) for a in keepable]
        self.initial.setdefault("keep", [str(a.pk) for a in keepable])


class ReplyForm(KeepsFiles, StepForm):
    text = forms.CharField(
        label=gettext_lazy("回复内容"),
        max_length=settings.MESSAGE_TEXT_MAX_CHARS,
        error_messages={"max_length": gettext_lazy("回复内容不能超过%(limit_value)d个字（现有%(show_value)d个字）。")},
        widget=_textarea(8),
        help_text=gettext_lazy(
            "以本单位名义答复网民（本单位回复须经分管领导审核的，审核通过后公开）；尚未签收的留言随回复一并签收。"
        ),
    )
    files = reply_files_field()
    keep = keep_field()
    topic = TopicField(help_text=gettext_lazy("如留言的事项分类不准确，请一并更正。"))

    def __init__(self, *args, keepable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep_files(keepable)
        if self.message is not None:
            self.fields["topic"].set_topics(topic_choices(self.message.region))
            self.initial.setdefault("topic", self.message.topic_id)


class TransferForm(StepForm):
    reason = forms.CharField(
        label=gettext_lazy("退单理由"),
        max_length=REASON_MAX_CHARS,
        widget=_textarea(3),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        office = self.message.region.office_by_level if self.message is not None else ANY_OFFICE
        self.fields["reason"].help_text = _(
            "说明为什么不属于本单位职责、建议由哪个单位办理。退单审核期间仍可签收，签收期限照常计算；"
            "%(office)s不同意退单的，回复期限按审核所用的工作日顺延（期限届满后才申请退单的除外）。"
        ) % {"office": office}
        if self.message is not None and self.message.state == Message.State.DISPATCHED:
            # A newcomer asked first and took the 签收 to be over: its deadline runs on.
            self.fields["reason"].help_text += _("本留言尚未签收：退单审核期间签收期限照常计算，请同时签收。")
        hint = routing.transfer_hint(self.message) if self.message is not None else ""
        if hint:
            self.fields["reason"].help_text += hint


class ExtensionForm(StepForm):
    days = forms.IntegerField(label=gettext_lazy("申请延期（工作日）"), min_value=1)
    reason = forms.CharField(label=gettext_lazy("延期理由"), max_length=REASON_MAX_CHARS, widget=_textarea(3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.message is not None:
            limit = self.message.category.max_extension_days
            used, waiting = self.message.extension_days()
            left = max(limit - used - waiting, 0)
            self.fields["days"].validators.append(
                MaxValueValidator(left, message=_("本单位最多还可申请%(limit_value)s个工作日的延期。"))
            )
            self.fields["days"].widget.attrs["max"] = left
            rule = _("须在回复期限届满前申请，累计不超过%(limit)s个工作日，由%(office)s审批。") % {
                "limit": limit,
                "office": self.message.region.office_by_level,
            }
            said = {"used": used, "waiting": waiting, "left": left}
            if waiting:  # another reply stage's request, held back until the office decides
                rule += (
                    _("本单位已延期%(used)s个工作日，另有%(waiting)s个工作日待审批，最多还可申请%(left)s个工作日。")
                    % said
                )
            elif used:  # said before it is sent, not after (a reopening shares the allowance)
                rule += _("本单位已延期%(used)s个工作日，最多还可申请%(left)s个工作日。") % said
            self.fields["days"].help_text = rule


class CloseForm(StepForm):
    kind = forms.ChoiceField(label=gettext_lazy("办结方式"))
    note = forms.CharField(
        label=gettext_lazy("办结说明（选填）"), required=False, max_length=REASON_MAX_CHARS, widget=_textarea(2)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.message is not None:
            kinds = self.message.category.closure_kinds()
            # Of several, none chosen in advance: a quick 办结 recorded 已解决, which the
            # public pages show.
            choose = [("", _("请选择办结方式"))] if len(kinds) > 1 else []
            self.fields["kind"].choices = choose + [(k, Message.ClosureKind(k).label) for k in kinds]
            self.fields["kind"].help_text = _("%(rule)s。") % {"rule": self.message.category.get_closure_rule_display()}


class LongCycleForm(StepForm):
    explanation = forms.CharField(
        label=gettext_lazy("长周期办结说明"),
        max_length=settings.MESSAGE_TEXT_MAX_CHARS,
        widget=_textarea(4),
        help_text=gettext_lazy(
            "说明问题为何解决周期长或解决不了，以及已如何向网民答复解释；经县或市领导小组同意后视为办结。"
        ),
    )


class CategoryField(forms.ChoiceField):
    """A message's category (咨询/建议/诉求 and any a county added), from a list read
    once per page; cleans to a Category (None when optional and left out: unchanged)."""

    def __init__(self, *, categories=(), **kwargs):
        kwargs.setdefault("label", gettext_lazy("留言类别"))
        super().__init__(**kwargs)
        self.set_categories(categories)

    def set_categories(self, categories):
        self.categories = {str(c.pk): c for c in categories}
        self.choices = [(pk, c.name) for pk, c in self.categories.items()]

    def clean(self, value):
        value = super().clean(value)
        return self.categories[value] if value else None


def category_choices():
    return list(Category.objects.all())


class DispatchForm(StepForm):
    """派单 or re-dispatch. The units are passed in as a list, read once for a whole
    queue page (a ModelChoiceField would query them again for every row)."""

    unit = forms.ChoiceField(label=gettext_lazy("交办单位"), widget=UnitSelect)
    note = forms.CharField(
        label=gettext_lazy("交办说明"), required=False, max_length=REASON_MAX_CHARS, widget=_textarea(2)
    )
    topic = TopicField()
    category = CategoryField(
        required=False,
        help_text=gettext_lazy("网民选择的类别不准确的，可在交办时更正；已有答复的留言不能更改类别。"),
    )

    # A message that has a unit is sent on after a 退单: its note is the 转办说明.
    redispatch = True

    def __init__(self, *args, units=(), topics=None, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if topics is None and self.message is not None:
            topics = topic_choices(self.message.region)
        self.fields["topic"].set_topics(topics or ())
        self.fields["category"].set_categories(category_choices() if categories is None else categories)
        if self.message is not None:
            self.initial.setdefault("topic", self.message.topic_id)
            self.initial.setdefault("category", str(self.message.category_id))
        current = self.message.unit_id if self.message is not None else None
        self.units = {str(u.pk): u for u in units if u.pk != current}
        self.fields["unit"].choices = grouped(self.units.values(), empty_label=_("请选择单位"))
        if current is not None and self.redispatch:
            self.fields["note"].label = _("转办说明")
            self.fields["note"].required = True
            self.fields["note"].help_text = _("退单的留言重新交办，须说明转办理由；新单位的办理期限重新起算。")

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class CategoryForm(StepForm):
    """更改类别, on its own (a message a citizen sent straight to a unit)."""

    category = CategoryField(label=gettext_lazy("改为"))

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].set_categories(category_choices() if categories is None else categories)
        if self.message is not None:
            self.initial.setdefault("category", str(self.message.category_id))


class RejectTransferForm(StepForm):
    reason = forms.CharField(
        label=gettext_lazy("不同意退单的理由"),
        max_length=REASON_MAX_CHARS,
        widget=_textarea(2),
        help_text=gettext_lazy(
            "留言仍由原单位办理。签收期限照常计算；回复期限按退单待审核的工作日顺延（期限届满后才申请退单的除外）。"
        ),
    )


class SpamForm(StepForm):
    reason = forms.CharField(
        label=gettext_lazy("标记为垃圾留言的理由"),
        max_length=2000,
        widget=_textarea(2),
        help_text=gettext_lazy("如：同一地址一小时内重复提交、广告。标记后停止计时，不计入任何统计和考评，不公开。"),
    )


def merge_target(message, typed: str) -> tuple[Message | None, str]:
    """The message a typed serial names in `message`'s county, or None and why not."""
    parsed = parse_serial(search_text.fold(typed or ""))
    if parsed is None:
        return None, _("留言编号的格式应为“年份-序号”，如 2026-000046。")
    found = (
        Message.objects.select_related("unit", "merged_into__unit")
        .filter(region_id=message.region_id, year=parsed[0], number=parsed[1])
        .first()
    )
    if found is None:
        return None, _("本%(level)s没有编号为 %(serial)s 的留言。") % {
            "level": message.region.level,
            "serial": text.visible(typed).strip()[:20],
        }
    return found, ""


def merge_preview(message, typed: str) -> tuple[bool, str]:
    """What merging `message` into the serial typed would do, said before it is done:
    the main message by its title, unit and state (a mistyped serial shows at once),
    or why it cannot be (the action refuses the same)."""
    found, why = merge_target(message, typed)
    if found is None:
        return False, why
    main = found.merged_into if found.state == Message.State.MERGED and found.merged_into_id else found
    if main.pk == message.pk:
        return False, _("不能并入本条留言。")
    said = {
        "serial": main.serial,
        "title": short(main.title, 30),
        "unit": main.unit.name if main.unit_id else "",
        "state": main.get_state_display(),
        "found": found.serial,
    }
    if main.state not in Message.State.may_take_merged():
        return False, _("留言%(serial)s（“%(title)s”）当前状态为“%(state)s”，不能再并入留言。") % said
    if main.unit_id:
        text_ = _("将并入留言%(serial)s：“%(title)s”（%(unit)s，%(state)s）。") % said
    else:
        # Not yet dispatched: its state, 待交办, already says it has no unit.
        text_ = _("将并入留言%(serial)s：“%(title)s”（%(state)s）。") % said
    if main.pk != found.pk:
        text_ = _("留言%(found)s已并入留言%(serial)s，") % said + text_
    return True, text_


class MergeForm(StepForm):
    """并单: the serial of the message this one repeats, in the same county. The main
    message is named (title, unit, state) below the field before the merge is sent:
    for a suggested duplicate at once, for a typed serial as it is typed (htmx)."""

    main = forms.CharField(
        label=gettext_lazy("并入的主留言编号"),
        max_length=20,
        help_text=gettext_lazy(
            "如 2026-000046。并单后本留言停止计时，由主留言统一答复，答复和办结同时送达本留言的网民。"
        ),
    )
    reason = forms.CharField(label=gettext_lazy("并单理由"), max_length=2000, widget=_textarea(2))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        if candidates:
            self.fields["main"].initial = candidates[0].serial
        if self.message is not None:
            self.fields["main"].widget.attrs.update(
                {
                    "hx-get": reverse("workspace:merge-preview", args=[self.message.pk]),
                    # On load too: a suggested main message is named as the form
                    # shows, without a query per queue row when the page renders.
                    "hx-trigger": "load, input changed delay:400ms",
                    "hx-target": f"#merge-preview-{self.message.pk}",
                    "hx-swap": "outerHTML",
                    "hx-sync": "this:replace",
                    "autocomplete": "off",
                }
            )

    @property
    def preview(self) -> tuple[bool, str] | None:
        """The merge said in words for the serial sent, when the form comes back
        refused (a page's forms are named by the preview URL as they load)."""
        typed = self["main"].value()
        if self.message is None or not self.is_bound or not typed:
            return None
        return merge_preview(self.message, str(typed))

    def clean_main(self):
        found, why = merge_target(self.message, self.cleaned_data["main"])
        if found is None:
            raise forms.ValidationError(why)
        return found


class DismissDuplicateForm(StepForm):
    reason = forms.CharField(
        label=gettext_lazy("不是重复留言的理由"),
        max_length=2000,
        widget=_textarea(2),
        help_text=gettext_lazy("如：同一地点的不同问题、同一网民反映的另一件事。"),
    )


class UnmergeForm(StepForm):
    reason = forms.CharField(
        label=gettext_lazy("撤销并单的理由"),
        max_length=2000,
        widget=_textarea(2),
        # As handling.actions.unmerge_duplicate: a merge stands once the main message
        # is closed, not once it is replied (a mistyped serial is undone after a reply).
        help_text=gettext_lazy(
            "留言恢复并单前的状态，被停止的办理时限从现在起重新计算。主留言已回复的仍可撤销，已办结的不能撤销。"
        ),
    )


class UnspamForm(StepForm):
    reason = forms.CharField(
        label=gettext_lazy("撤销标记的理由"),
        max_length=2000,
        widget=_textarea(2),
        help_text=gettext_lazy("留言恢复原状态，被停止的办理时限从现在起重新计算。"),
    )


class FlagForm(StepForm):
    note = forms.CharField(label=gettext_lazy("督办意见"), max_length=REASON_MAX_CHARS, widget=_textarea(2))


class ReopenForm(StepForm):
    reason = forms.CharField(
        label=gettext_lazy("重办理由"),
        max_length=REASON_MAX_CHARS,
        widget=_textarea(2),
        help_text=gettext_lazy("留言退回原单位重新回复，回复期限重新起算。"),
    )


class DecisionForm(StepForm):
    """同意 or 不同意, chosen by the button pressed; a reason is required to refuse
    (the action says so)."""

    # (value, the button's words), the first the main button.
    DECISIONS = [("approve", gettext_lazy("同意")), ("reject", gettext_lazy("不同意"))]

    decision = forms.ChoiceField(label=gettext_lazy("审批决定"), widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("审批意见"),
        max_length=REASON_MAX_CHARS,
        required=False,
        widget=_textarea(2),
        help_text=gettext_lazy("不同意时须填写理由。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = self.DECISIONS

    @property
    def decisions(self):
        return self.DECISIONS


class WithdrawReplyForm(StepForm):
    """撤回: the handler takes back their reply waiting for sign-off; nothing to fill in."""


class SignoffForm(DecisionForm):
    """审核: the leader publishes a handler's reply or returns it with a note."""

    DECISIONS = [("approve", gettext_lazy("审核通过并公开")), ("reject", gettext_lazy("退回修改"))]

    note = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        max_length=1000,  # what a return takes (handling.actions.return_reply)
        widget=_textarea(2),
        help_text=gettext_lazy("退回修改时须写明意见；审核通过后，回复以本单位名义公开，并以公开时间计算是否按时。"),
    )


class RevisitDecisionForm(DecisionForm):
    """回访: the county office finds the answer stands, or sends the message back."""

    DECISIONS = [("uphold", gettext_lazy("答复成立")), ("reopen", gettext_lazy("退回重办"))]

    note = forms.CharField(
        label=gettext_lazy("处理意见"),
        max_length=REASON_MAX_CHARS,
        widget=_textarea(2),
        help_text=gettext_lazy(
            "答复成立的，写明核实情况和理由；退回重办的，写明理由，留言退回办理单位重新回复，回复期限重新起算。"
            "处理意见将在留言页面告知网民本人。"
        ),
    )


class ReassignForm(DispatchForm):
    """改派: to another unit of the county, with a reason."""

    redispatch = False  # its own note, 改派理由, not a 转办说明
    note = forms.CharField(
        label=gettext_lazy("改派理由"),
        max_length=REASON_MAX_CHARS,
        widget=_textarea(2),
        help_text=gettext_lazy("原单位尚未签收，改派后原单位的办理时限不计入考评，新单位的期限重新起算。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, topics=(), **kwargs)
        del self.fields["topic"], self.fields["category"]  # 更改类别 is a step of its own
        self.fields["unit"].label = _("改派给")


class AnswerFollowUpForm(KeepsFiles, StepForm):
    """答复追问: which follow-up (when more than one waits), and the answer."""

    follow_up = forms.ChoiceField(label=gettext_lazy("答复哪条追问"))
    text = forms.CharField(label=gettext_lazy("答复内容"), max_length=5000, widget=_textarea(6))
    files = reply_files_field()
    keep = keep_field()

    def __init__(self, *args, follow_ups=(), keepable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep_files(keepable)
        self.follow_ups = {str(f.pk): f for f in follow_ups}
        self.fields["follow_up"].choices = [
            (pk, _("%(at)s：%(text)s") % {"at": f"{timezone.localtime(f.at):%m-%d %H:%M}", "text": f.text[:30]})
            for pk, f in self.follow_ups.items()
        ]
        if len(self.follow_ups) == 1:
            self.fields["follow_up"].widget = forms.HiddenInput()
            self.fields["follow_up"].initial = next(iter(self.follow_ups))

    def clean_follow_up(self):
        return self.follow_ups[self.cleaned_data["follow_up"]]

    def clean(self):
        # Answered by a colleague since the page was opened: said in words, not as
        # Django's "43 不在可用的选项中".
        if "follow_up" in self.errors and self.data.get(self.add_prefix("follow_up")):
            self.errors["follow_up"] = self.error_class(
                [_("这条追问已经答复过了（可能是同事刚刚答复），您的答复没有提交。")]
            )
        return super().clean()


# --- the unit -----------------------------------------------------------------------


class ExplanationForm(NamedLimits, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("书面说明内容"), max_length=settings.MESSAGE_TEXT_MAX_CHARS, widget=_textarea(5)
    )

    @classmethod
    def for_order(cls, order):
        """The form to explain `order`: with the text sent back, to work on, if it was."""
        initial = {"text": order.explanation} if order.returned_at else None
        return cls(prefix=f"order-{order.pk}", initial=initial)


class _StaffForm(NamedLimits, forms.Form):
    """A unit staff account's unit and role. The units are passed in as a list, read
    once for the whole staff page (a ModelChoiceField would query them again for
    every account's row), as DispatchForm's are."""

    unit = forms.ChoiceField(label=gettext_lazy("单位"), widget=UnitSelect)
    role = forms.ChoiceField(
        label=gettext_lazy("角色"),
        choices=[("handler", gettext_lazy("网络评论员")), ("leader", gettext_lazy("分管领导"))],
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = grouped(self.units.values(), empty_label=_("请选择单位"))

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class StaffCreateForm(_StaffForm):
    """开设账号 for one of the county's units."""

    username = forms.CharField(
        label=gettext_lazy("用户名"), max_length=30, help_text=gettext_lazy("3～30位字母、数字或 _ . -，用于登录。")
    )
    display_name = forms.CharField(
        label=gettext_lazy("姓名"), max_length=50, error_messages={"required": gettext_lazy("请填写姓名。")}
    )
    phone = forms.CharField(
        label=gettext_lazy("手机号（选填）"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("用于接收通知和找回密码。"),
    )
    field_order = ["username", "display_name", "phone", "role", "unit"]

    def clean_display_name(self):
        return text.name(self.cleaned_data["display_name"])

    def clean_phone(self):
        return clean_mobile(self.cleaned_data["phone"])


class StaffChangeForm(_StaffForm):
    """调整账号: its unit, its role, whether it may sign in."""

    active = forms.BooleanField(label=gettext_lazy("启用（取消勾选即停用，不能再登录）"), required=False)


class ReturnExplanationForm(NamedLimits, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("退回意见"),
        max_length=1000,
        widget=_textarea(2),
        help_text=gettext_lazy("写明书面说明哪里不符合要求；单位分管领导将收到通知并重写。"),
    )


class RosterForm(NamedLimits, forms.Form):
    """One year's roster; a page shows this year's and next year's, each with its
    own prefix (y2026-…), and says which is sent in a plain `year` field."""

    leader = PersonChoiceField(
        label=gettext_lazy("分管领导"), queryset=None, required=False, empty_label=gettext_lazy("（暂无）")
    )
    handlers = PeopleChoiceField(
        label=gettext_lazy("网络评论员"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        # Only active accounts of the unit, each in its own role's slot (roster_file checks again).
        staff = unit.staff.filter(is_active=True).order_by("display_name", "username")
        self.fields["leader"].queryset = staff.filter(role=Role.LEADER)
        self.fields["handlers"].queryset = staff.filter(role=Role.HANDLER)


# --- the county office: supervision -------------------------------------------------


class OrderExplanationForm(NamedLimits, forms.Form):
    reason = forms.CharField(label=gettext_lazy("责成事由"), max_length=REASON_MAX_CHARS, widget=_textarea(3))
    messages = forms.ModelMultipleChoiceField(
        label=gettext_lazy("涉及留言"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    backlog_date = forms.DateField(
        label=gettext_lazy("限期梳理回复截止日期"),
        widget=DateInput,
        help_text=gettext_lazy("截止到该日24:00（北京时间）。"),
    )

    def __init__(self, *args, messages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["messages"].queryset = messages
        self.fields["messages"].label_from_instance = lambda m: f"{m.serial} {m.title}"

    def backlog_deadline(self) -> dt.datetime:
        """24:00 local time of the chosen date."""
        return clock.local_midnight(self.cleaned_data["backlog_date"] + dt.timedelta(days=1))


class CountyRecordForm(NamedLimits, forms.Form):
    """A supervision record about a unit of the county, optionally about one of its
    messages given by serial number."""

    unit = UnitPickerField(
        label=gettext_lazy("单位"), queryset=Unit.objects.none(), empty_label=gettext_lazy("请选择单位")
    )
    serial = forms.RegexField(
        label=gettext_lazy("涉及留言编号（选填）"),
        regex=r"^\d{4}-\d{1,6}$",
        required=False,
        error_messages={"invalid": gettext_lazy("留言编号的格式如 2026-000046。")},
    )

    def __init__(self, *args, county, visible_messages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(region=county).order_by("kind", "name")
        self.visible_messages = visible_messages.filter(region=county)
        self.county = county

    def clean_serial(self):
        serial = self.cleaned_data["serial"]
        if not serial:
            return None
        year, number = (int(part) for part in serial.split("-"))
        message = self.visible_messages.filter(year=year, number=number).first()
        if message is None:
            raise forms.ValidationError(
                _("本%(level)s没有编号为%(serial)s的留言。") % {"level": self.county.level, "serial": serial}
            )
        return message


class FindingForm(CountyRecordForm):
    source = forms.ChoiceField(label=gettext_lazy("来源"), choices=SupervisionFinding.Source.choices)
    found_on = forms.DateField(label=gettext_lazy("督查日期"), widget=DateInput)
    summary = forms.CharField(
        label=gettext_lazy("督查结果"), max_length=settings.MESSAGE_TEXT_MAX_CHARS, widget=_textarea(3)
    )
    adverse = forms.BooleanField(label=gettext_lazy("发现问题（计入考评扣分）"), required=False, initial=True)
    written_criticism = forms.BooleanField(label=gettext_lazy("书面通报批评"), required=False)


class ExposureForm(CountyRecordForm):
    title = forms.CharField(label=gettext_lazy("曝光标题"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("曝光内容"), max_length=settings.MESSAGE_TEXT_MAX_CHARS, widget=_textarea(4)
    )
    outlet = forms.CharField(
        label=gettext_lazy("发布媒体"), max_length=100, help_text=gettext_lazy("如：罗城县融媒体中心、河池日报")
    )


class ReferralForm(CountyRecordForm):
    person = forms.CharField(label=gettext_lazy("责任人"), max_length=50)
    reason = forms.CharField(
        label=gettext_lazy("追责事由"), max_length=settings.MESSAGE_TEXT_MAX_CHARS, widget=_textarea(3)
    )
    referred_to = forms.CharField(
        label=gettext_lazy("移送机关"), max_length=100, help_text=gettext_lazy("如：县纪委监委")
    )


class FindMessageForm(NamedLimits, forms.Form):
    serial = forms.RegexField(
        label=gettext_lazy("留言编号"),
        regex=r"^\d{4}-\d{1,6}$",
        error_messages={"invalid": gettext_lazy("留言编号的格式如 2026-000046。")},
    )


# --- the county office: bulk dispatch and quarter-end proposals ---------------------


class BulkDispatchForm(NamedLimits, forms.Form):
    """Several messages of the queue to one unit (each dispatched by its own action)."""

    messages = forms.ModelMultipleChoiceField(
        label=gettext_lazy("选中的留言"),
        queryset=None,
        error_messages={"required": gettext_lazy("请先勾选要交办的留言。")},
    )
    unit = forms.ChoiceField(label=gettext_lazy("批量交办给"), widget=UnitSelect)
    note = forms.CharField(
        label=gettext_lazy("批量交办说明"),
        max_length=REASON_MAX_CHARS,
        required=False,
        widget=_textarea(2),
        help_text=gettext_lazy("退单后重新交办的留言须填写转办说明。"),
    )

    def __init__(self, *args, messages, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["messages"].queryset = messages
        self.units = {str(u.pk): u for u in units}
        self.fields["unit"].choices = grouped(units, empty_label=_("请选择单位"))

    def clean_unit(self):
        return self.units[self.cleaned_data["unit"]]


class ProposalDecisionForm(NamedLimits, forms.Form):
    """确认 (the order is made, with the reason and deadline as edited) or 不予责成."""

    DECISIONS = [("confirm", gettext_lazy("确认责成")), ("decline", gettext_lazy("不予责成"))]

    decision = forms.ChoiceField(label=gettext_lazy("决定"), widget=forms.HiddenInput, choices=DECISIONS)
    reason = forms.CharField(
        label=gettext_lazy("责成事由"), max_length=REASON_MAX_CHARS, widget=_textarea(3), required=False
    )
    backlog_date = forms.DateField(
        label=gettext_lazy("限期梳理回复截止日期"),
        widget=DateInput,
        required=False,
        help_text=gettext_lazy("截止到该日24:00（北京时间）。"),
    )
    note = forms.CharField(
        label=gettext_lazy("不予责成的理由"),
        max_length=REASON_MAX_CHARS,
        required=False,
        widget=_textarea(2),
        help_text=gettext_lazy("选择“不予责成”时填写。"),
    )

    @property
    def decisions(self):
        return self.DECISIONS

    def backlog_deadline(self) -> dt.datetime | None:
        day = self.cleaned_data.get("backlog_date")
        return clock.local_midnight(day + dt.timedelta(days=1)) if day else None


# --- searching ------------------------------------------------------------------------


class SearchForm(NamedLimits, forms.Form):
    """The search box over a list of messages (the inbox, the dispatch queue): the
    words must all occur in the message, its follow-ups, its replies or its
    citizen's contact fields. Found messages come best match first (as on the
    board), or newest first."""

    q = forms.CharField(
        label=gettext_lazy("搜索"),
        required=False,
        max_length=search_text.MAX_QUERY_CHARS,
        error_messages={"max_length": search_text.TOO_LONG},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("标题、内容、答复、姓名或电话")}),
    )
    order = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        choices=[("relevance", gettext_lazy("最相关")), ("newest", gettext_lazy("最新"))],
        help_text=gettext_lazy("搜索时按相关程度或留言时间排序"),
    )

    @property
    def ordering(self) -> str:
        """relevance (the default) or newest."""
        return "newest" if self.is_valid() and self.cleaned_data.get("order") == "newest" else "relevance"

    def link_params(self) -> dict:
        """The search as query parameters, for links that keep it (tabs, pages)."""
        if self.query is None:
            return {}
        return {"q": self.query.text, **({"order": "newest"} if self.ordering == "newest" else {})}

    def clean_q(self):
        try:
            return search_text.parse(self.cleaned_data["q"])
        except search_text.BadQuery as e:
            raise forms.ValidationError(str(e)) from None

    @property
    def query(self):
        return self.cleaned_data.get("q") if self.is_valid() else None
