"""The steps staff take on one message, as a registry: each names its form, who sees
its panel on the message page, and the action it runs.

A panel shown or hidden is a convenience only: whoever posts a step, the action checks
role, unit and state itself and refuses with a reason the page then shows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenzheng.accounts.models import Role
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Category, Message, ReplyDraft, Stage
from wenzheng.notifications import texts
from wenzheng.privacy.masking import Kind
from wenzheng.privacy.public import Publisher
from wenzheng.units.models import Unit
from wenzheng.workdays import clock

from . import forms
from .access import COUNTY_ROLES, UNIT_ROLES

State = Message.State
SUPERVISING_ROLES = (Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    button: str
    form: type[forms.StepForm]
    run: Callable[..., str]  # (message=, by=, data=) -> the success note
    roles: tuple
    states: tuple
    confirm: str = ""  # may name the office of the message's county: %(office)s
    # A further condition for offering the step, beyond role and state.
    offered: Callable[..., bool] = lambda user, message: True
    # What the form needs besides the message (read per page, not per row).
    form_kwargs: Callable[..., dict] = lambda message: {}
    # Its form carries a key per render, so submitting it twice makes one reply.
    idempotent: bool = False
    # The button for a handler whose answer waits for the leader's sign-off (审核后公开):
    # "发布" would say it goes public when it does not.
    signed_button: str = ""

    def button_for(self, user, message) -> str:
        if self.signed_button and message.unit is not None and message.unit.waits_for_signoff(user):
            return self.signed_button
        return self.button

    def shows(self, user, message) -> bool:
        """Whether the message page offers this step to `user` now."""
        return user.role in self.roles and message.state in self.states and self.offered(user, message)

    def prefix(self, message) -> str:
        # Unique per message, so a queue page can hold one form per row.
        return f"{self.slug}-{message.pk}"

    def make_form(self, data=None, *, message, files=None, **kwargs):
        kwargs = kwargs or self.form_kwargs(message)
        form = self.form(data, files, message=message, prefix=self.prefix(message), **kwargs)
        # Read from the message only where the question names the office: a list page
        # makes a form for each of its rows.
        names_office = "%(office)s" in str(self.confirm)
        form.confirm_question = (
            self.confirm % {"office": message.region.office_by_level} if names_office else self.confirm
        )
        return form


def dispatchable_units(county) -> list[Unit]:
    units = Unit.objects.dispatchable(clock.local_date(timezone.now())).filter(region=county)
    return list(units.order_by("kind", "name"))


def _respond(*, message, by, data):
    actions.respond(message=message, by=by, note=data["note"])
    return _("已签收留言%(serial)s，请在期限内回复。") % {"serial": message.serial}


def _phones_hidden(message, text) -> str:
    """A word for the unit when its reply gives a phone number the public will read
    masked: a unit's office number the county has not put on its published list
    (个人信息保护) is masked as a citizen's would be, and the citizen cannot call it."""
    if not message.consent_to_publish:
        return ""
    spans = Publisher().masker(message.region_id).spans(text)
    shown = [s.replacement for s in spans if s.kind in (Kind.MOBILE, Kind.LANDLINE)]
    if not shown:
        return ""
    return _(
        "答复中的电话号码在公开页面显示为“%(shown)s”；如是本单位对外办公电话，"
        "请联系%(office)s在“个人信息保护”中列为公开号码。"
    ) % {"shown": "”“".join(dict.fromkeys(shown)), "office": message.region.office_by_level}


def _reply(*, message, by, data):
    item = actions.reply(
        message=message,
        by=by,
        text=data["text"],
        topic=data.get("topic"),
        attachments=data["files"],
        keep=data.get("keep", ()),
    )
    if isinstance(item, ReplyDraft):
        said = _("回复已提交，待本单位分管领导审核后公开（留言%(serial)s）。") % {"serial": message.serial}
    else:
        said = _("已回复留言%(serial)s，答复以本单位名义公开。") % {"serial": message.serial}
    return said + _phones_hidden(message, data["text"])


def _answer_follow_up(*, message, by, data):
    item = actions.answer_follow_up(
        follow_up=data["follow_up"], by=by, text=data["text"], attachments=data["files"], keep=data.get("keep", ())
    )
    if isinstance(item, ReplyDraft):
        said = _("追问的答复已提交，待本单位分管领导审核后公开。")
    else:
        said = _("已答复网民追问，答复显示在追问之下。")
    return said + _phones_hidden(message, data["text"])


def _signoff(*, message, by, data):
    draft = message.drafts.filter(state=ReplyDraft.State.PENDING).first()
    if draft is None:
        raise actions.ActionRefused("no_draft", _("这条留言没有待审核的回复。"))
    if data["decision"] == "approve":
        actions.approve_reply(draft=draft, by=by, note=data["note"])
        return _("回复已审核通过，以本单位名义公开。")
    actions.return_reply(draft=draft, by=by, note=data["note"])
    return _("回复已退回修改。")


def _withdraw_reply(*, message, by, data):
    draft = message.drafts.filter(state=ReplyDraft.State.PENDING).first()
    if draft is None:
        raise actions.ActionRefused("no_draft", _("这条留言没有待审核的回复。"))
    actions.withdraw_reply(draft=draft, by=by)
    return _("已撤回回复，可修改后再次提交审核。")


def _reassign(*, message, by, data):
    actions.reassign(message=message, by=by, unit=data["unit"], reason=data["note"])
    return _("留言%(serial)s已改派%(unit)s，原单位的办理时限不再计算。") % {
        "serial": message.serial,
        "unit": data["unit"].name,
    }


def _revisit(*, message, by, data):
    revisits = list(message.revisits.open())
    if not revisits:
        raise actions.ActionRefused("no_revisit", _("这条留言没有待处理的回访。"))
    if data["decision"] == "reopen":
        # A merged message's citizen (并单) was answered by its main message: that one is reopened.
        reopened = actions.reopen_on_revisit(revisit=revisits[0], by=by, reason=data["note"])
        return _("留言%(serial)s已退回%(unit)s重办。") % {"serial": reopened.serial, "unit": reopened.unit.name}
    for revisit in revisits:
        actions.uphold_answer(revisit=revisit, by=by, note=data["note"])
    return _("已记录答复成立的理由，回访处理完毕。")


def _transfer(*, message, by, data):
    actions.request_transfer(message=message, by=by, reason=data["reason"])
    return _("已申请退单，留言%(serial)s等待%(office)s重新交办。") % {
        "serial": message.serial,
        "office": message.region.office_by_level,
    }


def _extension(*, message, by, data):
    actions.request_extension(message=message, by=by, days=data["days"], reason=data["reason"])
    return _("已申请延期%(days)s个工作日，等待%(office)s审批。") % {
        "days": data["days"],
        "office": message.region.office_by_level,
    }


def _close(*, message, by, data):
    actions.close(message=message, by=by, kind=data["kind"], note=data["note"])
    return _("留言%(serial)s已办结。") % {"serial": message.serial}


def _long_cycle(*, message, by, data):
    actions.request_long_cycle_closure(message=message, by=by, explanation=data["explanation"])
    return _("已申请长周期办结，留言%(serial)s等待领导小组审批。") % {"serial": message.serial}


def _dispatch(*, message, by, data):
    actions.dispatch(
        message=message,
        by=by,
        unit=data["unit"],
        note=data["note"],
        topic=data.get("topic"),
        category=data.get("category"),
    )
    return _("留言%(serial)s已交办%(unit)s。") % {"serial": message.serial, "unit": data["unit"].name}


def _category(*, message, by, data):
    before = message.category.name
    actions.set_category(message=message, by=by, category=data["category"])
    return _("留言%(serial)s的类别已由“%(before)s”改为“%(after)s”。") % {
        "serial": message.serial,
        "before": before,
        "after": data["category"].name,
    }


def _unanswered(user, message):
    # The message page has its replies prefetched: no query more. As
    # actions._change_category, an answer to a follow-up is no reply.
    return not any(r.follow_up_id is None for r in message.replies.all())


def _reject_transfer(*, message, by, data):
    actions.reject_transfer(message=message, by=by, reason=data["reason"])
    said = _("不同意退单，留言%(serial)s仍由%(unit)s办理。") % {"serial": message.serial, "unit": message.unit.name}
    moved = message.events.filter(kind=Event.Kind.TRANSFER_REJECTED).latest("seq").data.get("held_days")
    if moved:
        said += _("退单待审核的%(days)s个工作日不计入，回复期限相应顺延。") % {"days": moved}
    return said


def _supervise(*, message, by, data):
    actions.flag_for_supervision(message=message, by=by, note=data["note"])
    return _("留言%(serial)s已列入督办。") % {"serial": message.serial}


def _reopen(*, message, by, data):
    actions.reopen(message=message, by=by, reason=data["reason"])
    return _("留言%(serial)s已退回%(unit)s重办。") % {"serial": message.serial, "unit": message.unit.name}


def _long_cycle_decision(*, message, by, data):
    if data["decision"] == "approve":
        actions.approve_long_cycle_closure(message=message, by=by, note=data["note"])
        return _("已同意留言%(serial)s长周期办结。") % {"serial": message.serial}
    actions.reject_long_cycle_closure(message=message, by=by, reason=data["note"])
    return _("不同意留言%(serial)s长周期办结，已退回%(unit)s重办。") % {
        "serial": message.serial,
        "unit": message.unit.name,
    }


def _spam(*, message, by, data):
    actions.mark_spam(message=message, by=by, reason=data["reason"])
    return _("留言%(serial)s已标记为垃圾留言，停止计时，不计入统计和考评。") % {"serial": message.serial}


def _unspam(*, message, by, data):
    actions.unmark_spam(message=message, by=by, reason=data["reason"])
    return _("已撤销留言%(serial)s的垃圾留言标记，办理时限从现在起重新计算。") % {"serial": message.serial}


def _merge(*, message, by, data):
    actions.merge_duplicate(message=message, into=data["main"], by=by, reason=data["reason"])
    message.refresh_from_db(fields=["merged_into"])
    main = message.merged_into
    # The main message named by its title and unit: a mistyped serial shows at once,
    # and the merge can be undone (撤销并单) until the main message is closed.
    return _(
        "留言%(serial)s已并入留言%(main)s（“%(title)s”，%(unit)s），停止计时，由主留言统一答复。如并错，可撤销并单。"
    ) % {
        "serial": message.serial,
        "main": main.serial,
        "title": texts.short(main.title, 30),
        "unit": main.unit.name if main.unit_id else _("待交办"),
    }


def _dismiss_duplicate(*, message, by, data):
    actions.dismiss_duplicate(message=message, by=by, reason=data["reason"])
    return _("已确认留言%(serial)s不是重复留言。") % {"serial": message.serial}


def _unmerge(*, message, by, data):
    actions.unmerge_duplicate(message=message, by=by, reason=data["reason"])
    return _("已撤销留言%(serial)s的并单，办理时限从现在起重新计算。") % {"serial": message.serial}


def _flag_open(user, message):
    # The message page (and the dispatch queue) set `duplicate` before asking.
    return getattr(message, "duplicate", None) is not None


def _merge_candidates(message) -> dict:
    duplicate = getattr(message, "duplicate", None)
    return {"candidates": [c.message for c in duplicate.shown] if duplicate else ()}


UNIT_OPEN = (State.DISPATCHED, State.RESPONDED)
# A follow-up is answered, and its answer signed off, after the unit's reply, or on a
# message merged into another (并单), whose citizen asks about the main message's
# answer: the main message's unit answers it (the action checks the main message).
ANSWERING = (*actions.ANSWERABLE, State.MERGED)


def _leader(user, message):
    return user.role == Role.LEADER


def _leader_on_appeal(user, message):
    # Long-cycle closure is for problems that take long or cannot be solved: the
    # categories closed by resolving (诉求), not those closed by answering.
    return user.role == Role.LEADER and message.category.closure_rule == Category.ClosureRule.RESOLVE


def _no_pending_extension(user, message):
    # The message page sets `pending_extension` before asking. History imported
    # without a clock has no deadline to extend, and a unit that used its whole
    # allowance has no more to ask for (the form's max was 0).
    if message.pending_extension is not None or message.untimed:
        return False
    # Asked before the reply deadline only (actions.request_extension): past it, the
    # form was filled in for nothing (a newcomer's trial).
    stage = message.open_stage(Stage.Kind.REPLY)
    if stage is None or timezone.now() >= stage.due_at:
        return False
    return sum(message.extension_days()) < message.category.max_extension_days


def _not_answered(user, message):
    # A message answered once (reopened after 回访) has its citizen's own reply: not
    # merged into another, which would take it off the board (actions.merge_duplicate).
    return not message.answered


# The message page also sets `pending_draft`, `unanswered_follow_ups` and `open_revisits`.
def _no_pending_draft(user, message):
    return getattr(message, "pending_draft", None) is None


def _follow_ups_waiting(user, message):
    return bool(getattr(message, "unanswered_follow_ups", None)) and _no_pending_draft(user, message)


def _draft_waiting(user, message):
    return user.role == Role.LEADER and not _no_pending_draft(user, message)


def _my_draft_waiting(user, message):
    draft = getattr(message, "pending_draft", None)
    return draft is not None and draft.author_id == user.pk


def _revisits_open(user, message):
    return bool(getattr(message, "open_revisits", None))


def unanswered_follow_ups(message) -> list:
    return list(message.follow_ups.filter(answers__isnull=True).order_by("at", "pk"))


def _not_responded(user, message):
    # While a hand-back waits, as long as the response is still owed.
    return message.state == State.DISPATCHED or message.open_stage(Stage.Kind.RESPONSE) is not None


def _not_supervised(user, message):
    return message.supervised_at is None


STEPS = {
    step.slug: step
    for step in [
        Step(
            "respond",
            gettext_lazy("签收"),
            gettext_lazy("签收"),
            forms.RespondForm,
            _respond,
            UNIT_ROLES,
            (State.DISPATCHED, State.TRANSFER_REQUESTED),
            offered=_not_responded,
        ),
        # A reply waiting for the leader's sign-off first: the page opens the first
        # step, and 办结 opened above it invited closing before approving.
        Step(
            "signoff",
            gettext_lazy("审核回复"),
            "",
            forms.SignoffForm,
            _signoff,
            (Role.LEADER,),
            ANSWERING,
            offered=_draft_waiting,
        ),
        Step(
            "close",
            gettext_lazy("办结"),
            gettext_lazy("办结"),
            forms.CloseForm,
            _close,
            UNIT_ROLES,
            (State.REPLIED,),
            offered=_leader,
        ),
        Step(
            "long-cycle",
            gettext_lazy("申请长周期办结"),
            gettext_lazy("提交审批"),
            forms.LongCycleForm,
            _long_cycle,
            UNIT_ROLES,
            (State.REPLIED,),
            offered=_leader_on_appeal,
        ),
        Step(
            "withdraw-reply",
            gettext_lazy("撤回回复"),
            gettext_lazy("撤回修改"),
            forms.WithdrawReplyForm,
            _withdraw_reply,
            UNIT_ROLES,
            ANSWERING,
            confirm=gettext_lazy("确定撤回这份待审核的回复吗？撤回后分管领导不再看到它，原文留给您修改后再次提交。"),
            offered=_my_draft_waiting,
        ),
        Step(
            "reply",
            gettext_lazy("回复"),
            gettext_lazy("发布回复"),
            forms.ReplyForm,
            _reply,
            UNIT_ROLES,
            (*UNIT_OPEN, State.REPLIED, State.CLOSED),
            offered=_no_pending_draft,
            idempotent=True,
            signed_button=gettext_lazy("提交分管领导审核"),
        ),
        Step(
            "answer-follow-up",
            gettext_lazy("答复追问"),
            gettext_lazy("发布答复"),
            forms.AnswerFollowUpForm,
            _answer_follow_up,
            UNIT_ROLES,
            ANSWERING,
            offered=_follow_ups_waiting,
            form_kwargs=lambda message: {"follow_ups": unanswered_follow_ups(message)},
            idempotent=True,
            signed_button=gettext_lazy("提交分管领导审核"),
        ),
        Step(
            "transfer",
            gettext_lazy("退单（申请转办）"),
            gettext_lazy("申请退单"),
            forms.TransferForm,
            _transfer,
            UNIT_ROLES,
            UNIT_OPEN,
            confirm=gettext_lazy("确定将这条留言退回%(office)s吗？"),
        ),
        Step(
            "extension",
            gettext_lazy("申请延期"),
            gettext_lazy("提交延期申请"),
            forms.ExtensionForm,
            _extension,
            UNIT_ROLES,
            UNIT_OPEN,
            offered=_no_pending_extension,
        ),
        Step(
            "dispatch",
            gettext_lazy("交办"),
            gettext_lazy("交办"),
            forms.DispatchForm,
            _dispatch,
            COUNTY_ROLES,
            (State.PENDING_DISPATCH, State.TRANSFER_REQUESTED),
            form_kwargs=lambda message: {"units": dispatchable_units(message.region)},
        ),
        Step(
            "reassign",
            gettext_lazy("改派"),
            gettext_lazy("改派"),
            forms.ReassignForm,
            _reassign,
            COUNTY_ROLES,
            (State.DISPATCHED,),
            confirm=gettext_lazy("确定将这条留言改派给其他单位吗？原单位的办理时限将不再计算。"),
            form_kwargs=lambda message: {"units": dispatchable_units(message.region)},
        ),
        Step(
            "revisit",
            gettext_lazy("处理回访"),
            "",
            forms.RevisitDecisionForm,
            _revisit,
            COUNTY_ROLES,
            tuple(State.values),
            offered=_revisits_open,
        ),
        Step(
            "category",
            gettext_lazy("更改类别"),
            gettext_lazy("更改类别"),
            forms.CategoryForm,
            _category,
            COUNTY_ROLES,
            actions.CATEGORY_STATES,
            offered=_unanswered,
        ),
        Step(
            "reject-transfer",
            gettext_lazy("不同意退单"),
            gettext_lazy("不同意退单"),
            forms.RejectTransferForm,
            _reject_transfer,
            COUNTY_ROLES,
            (State.TRANSFER_REQUESTED,),
        ),
        Step(
            "supervise",
            gettext_lazy("督办"),
            gettext_lazy("列入督办"),
            forms.FlagForm,
            _supervise,
            SUPERVISING_ROLES,
            tuple(State.with_unit()),
            offered=_not_supervised,
        ),
        Step(
            "reopen",
            gettext_lazy("重办"),
            gettext_lazy("退回重办"),
            forms.ReopenForm,
            _reopen,
            COUNTY_ROLES,
            (State.CLOSED,),
            confirm=gettext_lazy("确定将这条已办结的留言退回重办吗？"),
        ),
        Step(
            "spam",
            gettext_lazy("标记为垃圾留言"),
            gettext_lazy("标记为垃圾留言"),
            forms.SpamForm,
            _spam,
            COUNTY_ROLES,
            tuple(State.may_be_spam()),
            confirm=gettext_lazy("确定将这条留言标记为垃圾留言吗？它将停止计时，不计入任何统计。"),
        ),
        Step(
            "merge",
            gettext_lazy("并单"),
            gettext_lazy("并入主留言"),
            forms.MergeForm,
            _merge,
            COUNTY_ROLES,
            tuple(State.may_be_merged()),
            confirm=gettext_lazy("确定将这条留言并入主留言吗？它将停止计时，由主留言统一答复。"),
            offered=_not_answered,
            form_kwargs=_merge_candidates,
        ),
        Step(
            "dismiss-duplicate",
            gettext_lazy("不是重复留言"),
            gettext_lazy("确认不是重复留言"),
            forms.DismissDuplicateForm,
            _dismiss_duplicate,
            COUNTY_ROLES,
            tuple(State.values),
            offered=_flag_open,
        ),
        Step(
            "unmerge",
            gettext_lazy("撤销并单"),
            gettext_lazy("撤销并单"),
            forms.UnmergeForm,
            _unmerge,
            COUNTY_ROLES,
            (State.MERGED,),
        ),
        Step(
            "unspam",
            gettext_lazy("撤销垃圾留言标记"),
            gettext_lazy("撤销标记"),
            forms.UnspamForm,
            _unspam,
            COUNTY_ROLES,
            (State.SPAM,),
        ),
        Step(
            "long-cycle-decision",
            gettext_lazy("审批长周期办结"),
            "",
            forms.DecisionForm,
            _long_cycle_decision,
            SUPERVISING_ROLES,
            (State.CLOSURE_PENDING,),
        ),
    ]
}
