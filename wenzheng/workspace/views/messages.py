"""One message as staff see it, and the steps they take on it."""

from django.contrib import messages as flash
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wenzheng.accounts.models import OFFICE_ROLES, Role
from wenzheng.accounts.policy import ActionRefused, may_see_contact
from wenzheng.attachments import store as attachment_store
from wenzheng.attachments.access import drafting_unit, files_by_text, keepable, shown_to_staff
from wenzheng.attachments.models import Attachment
from wenzheng.duplicates import selectors as duplicate_selectors
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions, once
from wenzheng.handling.models import ExtensionRequest, Message, Reply, ReplyDraft, Revisit
from wenzheng.handling.thread import conversation
from wenzheng.lib.http import safe_next
from wenzheng.privacy import actions as privacy_actions
from wenzheng.privacy.models import AccessRecord
from wenzheng.privacy.public import Publisher, citizen_names, mask_for_reader
from wenzheng.privacy.records import record_access
from wenzheng.supervision.models import WrittenExplanationOrder
from wenzheng.workdays import clock

from .. import selectors
from ..access import COUNTY_ROLES, UNIT_ROLES, orders_visible_to, roles_only, staff_only, visible_message
from ..forms import DecisionForm, ExplanationForm, ReturnExplanationForm
from ..forms import merge_preview as merge_preview_of
from ..steps import STEPS, unanswered_follow_ups
from .common import errors_text, page


def _taken_back(drafts, user):
    """`user`'s last reply if the leader returned it, they took it back themselves or
    an answer published beside it voided it: decided within its unit. Not one the
    county office's step voided (转办, 并单, 撤销并单, 垃圾留言; before those were
    recorded, decided by no one): its author was told so by a notice, and the page
    would say an answer was published beside it."""
    mine = [d for d in drafts if d.author_id == user.pk]
    if not mine:
        return None
    last = mine[-1]
    if last.state == ReplyDraft.State.RETURNED:
        return last
    if last.state == ReplyDraft.State.WITHDRAWN and last.decided_by_id is not None:
        return last if last.decided_by.unit_id == last.unit_id else None
    return None


def label_events(message) -> list:
    """The message's handling record, each event with who did it (`who`). A reply
    signed off by the leader is published by them (the event's actor) but written by
    a handler: its author is named beside them (拟稿)."""
    events = list(message.events.all())
    authors = {reply.pk: reply.author for reply in message.replies.all()}
    for event in events:
        event.who = _who(event)
        author = authors.get(event.data.get("reply")) if event.kind in _PUBLISHING else None
        if author is not None and event.actor_id is not None and author.pk != event.actor_id:
            event.who += _("，%(author)s拟稿") % {"author": author}
    return events


# The events that publish a reply (data["reply"] its id).
_PUBLISHING = (Event.Kind.REPLIED, Event.Kind.FOLLOW_UP_ANSWERED)


def _who(event) -> str:
    if event.actor_role in (Role.CITIZEN, actions.ANONYMOUS_ROLE):
        return _("网民")
    role = Role(event.actor_role).label if event.actor_role in Role.values else event.actor_role
    actor = event.actor
    if actor is not None and event.actor_role in OFFICE_ROLES and actor.region is not None:
        # The office by its region's full name, as the pages' headers name it (an
        # office of a district is no 县网络问政办); an account named so, once.
        role = actor.region.office_name
        if str(actor) == role:
            return role
    unit = f"{event.unit.name} " if event.unit and event.actor_role in UNIT_ROLES else ""
    return unit + _("%(actor)s（%(role)s）") % {"actor": actor, "role": role} if actor else role


def _thread(message):
    """Everything hanging off the message, read in one query per kind."""
    return (
        Message.objects.filter(pk=message.pk)
        .select_related("category", "unit", "region", "citizen")
        .prefetch_related(
            "stages__unit",
            Prefetch("replies", queryset=Reply.objects.select_related("unit", "author")),
            "follow_ups",
            "reviews",
            "attachments",
            Prefetch(
                "extension_requests",
                queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by", "stage__unit"),
            ),
            Prefetch("events", queryset=Event.objects.select_related("actor__region", "unit").order_by("seq")),
            Prefetch(
                "explanation_orders",
                queryset=WrittenExplanationOrder.objects.select_related("unit").order_by("-ordered_at"),
            ),
            Prefetch("drafts", queryset=ReplyDraft.objects.select_related("author", "decided_by", "follow_up")),
            Prefetch("revisits", queryset=Revisit.objects.select_related("follow_up", "decided_by", "unit")),
        )
        .get()
    )


def render_message(request, message, *, bound=None, status=200):
    """The message page; `bound` holds a step's submitted form to show again with its
    errors."""
    user, now = request.user, timezone.now()
    message = _thread(message)
    stages = list(message.stages.all())
    countdown = selectors.Countdown([s.due_at for s in stages if s.completed_at is None], at=now)
    for stage in stages:
        stage.deadline = countdown.deadline(stage) if stage.completed_at is None else None
        stage.last_day = clock.deadline_day(stage.due_at)
    extensions = list(message.extension_requests.all())
    # One may wait for each reply stage: the open one's (which the unit asks for,
    # `steps._no_pending_extension`), and one about a reply given late before a
    # reopening, the office's to decide still (actions.approve_extension).
    message.pending_extensions = [e for e in extensions if e.status == ExtensionRequest.Status.PENDING]
    message.pending_extension = next((e for e in message.pending_extensions if e.stage.completed_at is None), None)
    drafts = list(message.drafts.all())
    message.pending_draft = next((d for d in drafts if d.state == ReplyDraft.State.PENDING), None)
    message.unanswered_follow_ups = unanswered_follow_ups(message)
    revisits = list(message.revisits.all())
    message.open_revisits = [r for r in revisits if r.state == Revisit.State.OPEN]
    # A handler's own reply returned by the leader, or taken back: its note, and its
    # text to work on in the form it came from.
    returned = _taken_back(drafts, user)
    bound = bound or {}
    if returned is not None and message.pending_draft is None:
        answering = returned.follow_up_id is not None
        slug = "answer-follow-up" if answering else "reply"
        if answering and returned.follow_up not in message.unanswered_follow_ups:
            returned = None  # answered since, by someone else: nothing left to work on
        elif slug not in bound:
            step = STEPS[slug]
            kept = list(keepable(message, user).filter(draft=returned))
            form = step.make_form(message=message, **step.form_kwargs(message), keepable=kept)
            returned.kept_files = len(kept)
            form.initial |= {"text": returned.text, **({"follow_up": returned.follow_up_id} if answering else {})}
            bound = {**bound, slug: form}
    # 并单: the county office sees what the message seems to repeat (and merges it).
    message.duplicate = None
    if user.role in COUNTY_ROLES:
        duplicate_selectors.attach([message])
    panels = [
        (step, bound.get(step.slug) or step.make_form(message=message))
        for step in STEPS.values()
        if step.shows(user, message)
    ]
    # A form sent for a step no longer offered (a follow-up a colleague answered
    # meanwhile) is not shown again: what was typed in it is, to copy.
    for step, form in panels:
        form.button = step.button_for(user, message)
    shown = {step.slug for step, _form in panels}
    unsent = [
        (STEPS[slug].title, form.typed())
        for slug, form in bound.items()
        if slug in STEPS and slug not in shown and form.typed()
    ]
    events = label_events(message)
    if user.role in COUNTY_ROLES:
        sent = bound.get("extension-decision")
        for e in message.pending_extensions:
            prefix = f"extension-{e.pk}"
            e.form = sent if sent is not None and sent.prefix == prefix else DecisionForm(prefix=prefix)
    # Who sees the citizen's name and contact is the access policy's one rule; each
    # showing is recorded.
    show_contact = may_see_contact(user, message)
    if show_contact:
        record_access(user=user, surface=AccessRecord.Surface.PAGE, message=message)
    # The city reads the texts without the citizen's details.
    files, publisher = shown_to_staff(user, message, message.attachments.all()), Publisher()
    mask_for_reader(
        user,
        [message],
        publisher,
        events=events,
        drafts=drafts,
        revisits=revisits,
        follow_ups=[r.follow_up for r in revisits if r.follow_up_id is not None],
        extensions=extensions,
        orders=message.explanation_orders.all(),
        reviews=message.reviews.all(),
        attachments=files,
    )
    if message.pending_draft is not None:  # what the leader's sign-off would publish
        draft = message.pending_draft
        draft.public_text = publisher.mask(draft.text, region_id=message.region_id, names=citizen_names(message))
    reviews = {r.follow_up_id: r for r in message.reviews.all()}
    context = {
        "message": message,
        "stages": stages,
        "open_deadlines": [s.deadline for s in stages if s.deadline],
        "extensions": extensions,
        "events": events,
        "panels": panels,
        "unsent": unsent,
        "thread": conversation(message.replies.all(), message.follow_ups.all(), reviews=reviews),
        "drafts": drafts,
        # An unpublished reply's files are its unit's alone (attachments.access).
        "draft_files_shown": message.pending_draft is not None and drafting_unit(user, message.pending_draft.unit_id),
        "returned": returned,
        "revisits": revisits,
        **files_by_text(files),
        "show_contact": show_contact,
        "merged_here": list(message.merged.order_by("submitted_at")),
        "published": Message.objects.published().filter(pk=message.pk).exists(),
        "review": reviews.get(None),
        "reviews_here": user.role in COUNTY_ROLES,
        "section": "message",
        "county": message.region if user.role in COUNTY_ROLES else None,
        "city": user.region if user.role == Role.CITY_OFFICE else None,
        "unit": user.unit if user.role in UNIT_ROLES else None,
    }
    return page(request, "workspace/message.html", context, status=status)


@staff_only
def message(request, pk):
    return render_message(request, visible_message(request.user, pk))


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def message_step(request, pk, step):
    """One step on one message. Done: back where the form was, with a note. Refused or
    invalid: the reason, and nothing changed; the message page shows the form again,
    a list page (which gave `next`) gets the reason as a note."""
    step = STEPS.get(step)
    if step is None:
        raise Http404(_("没有这项操作"))
    message = visible_message(request.user, pk)
    if request.method != "POST":
        # The address a refused form was shown at, opened again (from history, a
        # bookmark, a reload on a phone that dropped the form): the message's page,
        # not a bare 405.
        return redirect("workspace:message", pk=message.pk)
    form = step.make_form(request.POST, message=message, files=request.FILES)
    back = safe_next(request)
    if form.is_valid():
        try:
            note = _run(step, request, message, form.cleaned_data)
        except ActionRefused as e:
            flash.error(request, e.reason)
        else:
            flash.success(request, note)
            return redirect(back) if back else redirect("workspace:message", pk=message.pk)
    else:
        # Said at the top as well: on a phone the form, and its field's error, may be
        # a long scroll below. A browser never sends chosen files again: say so.
        said = errors_text(form)
        if request.FILES:
            said += _("（所选附件未保存，请重新选择。）")
        flash.error(request, said)
    if back:
        return redirect(back)
    return render_message(request, message, bound={step.slug: form}, status=400)


@roles_only(*COUNTY_ROLES)
def merge_preview(request, pk):
    """The merge form's words for the serial being typed (htmx): the main message by
    its title, unit and state, or why it cannot take this one. Reads nothing else."""
    message = visible_message(request.user, pk)
    typed = request.GET.get(f"merge-{message.pk}-main", request.GET.get("main", ""))
    preview = merge_preview_of(message, typed[:40]) if typed.strip() else None
    return render(request, "workspace/_merge_preview.html", {"preview": preview, "pk": message.pk})


def _run(step, request, message, data) -> str:
    """Run a step; one that creates a reply runs once per form render (handling.once)."""
    if not step.idempotent:
        return step.run(message=message, by=request.user, data=data)
    notes = []

    def run():
        notes.append(step.run(message=message, by=request.user, data=data))
        return message.pk

    try:
        done = once.submit(request.POST.get(once.FIELD), kind=f"step:{step.slug}", run=run, result=str)
    except BaseException:
        attachment_store.discard(data.get("files"))  # the step did not happen: nor its files
        raise
    return _("这份表单已经提交过，没有重复提交。") if done.replayed else notes[0]


@roles_only(*COUNTY_ROLES)
@require_POST
def extension_decision(request, pk):
    """同意 or 不同意 an extension request."""
    visible = Message.objects.visible_to(request.user)
    extension = get_object_or_404(ExtensionRequest.objects.select_related("message"), pk=pk, message__in=visible)
    form = DecisionForm(request.POST, prefix=f"extension-{extension.pk}")
    back = safe_next(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                actions.approve_extension(request=extension, by=request.user, note=data["note"])
                note = _("已同意延期%(days)s个工作日。") % {"days": extension.days}
            else:
                actions.reject_extension(request=extension, by=request.user, reason=data["note"])
                note = _("已不同意延期，回复期限不变。")
        except ActionRefused as e:
            flash.error(request, e.reason)
        else:
            flash.success(request, note)
            return redirect(back) if back else redirect("workspace:message", pk=extension.message_id)
    elif back:
        flash.error(request, errors_text(form))
    if back:
        return redirect(back)
    return render_message(request, extension.message, bound={"extension-decision": form}, status=400)


@roles_only(Role.LEADER, *COUNTY_ROLES)
@require_POST
def order_explanation(request, pk):
    """The written explanation: submitted by the unit's leader, or recorded by the
    county office when it arrives on paper."""
    order = get_object_or_404(orders_visible_to(request.user), pk=pk)
    form = ExplanationForm(request.POST, prefix=f"order-{order.pk}")
    if not form.is_valid():
        flash.error(request, errors_text(form))
    else:
        try:
            actions.record_explanation(order=order, by=request.user, text=form.cleaned_data["text"])
        except ActionRefused as e:
            flash.error(request, e.reason)
        else:
            flash.success(request, _("书面说明已录入。"))
    if back := safe_next(request):
        return redirect(back)
    if request.user.role == Role.LEADER:
        return redirect("workspace:unit-orders")
    return redirect("workspace:county-orders", code=order.unit.region.code)


@roles_only(*COUNTY_ROLES)
@require_POST
def order_return(request, pk):
    """退回重写: the county office sends a written explanation back with its reason."""
    order = get_object_or_404(orders_visible_to(request.user).select_related("unit__region"), pk=pk)
    form = ReturnExplanationForm(request.POST, prefix=f"return-{order.pk}")
    if not form.is_valid():
        flash.error(request, errors_text(form))
    else:
        try:
            actions.return_explanation(order=order, by=request.user, note=form.cleaned_data["note"])
        except ActionRefused as e:
            flash.error(request, e.reason)
        else:
            flash.success(request, _("书面说明已退回%(unit)s重写。") % {"unit": order.unit.name})
    return redirect("workspace:county-orders", code=order.unit.region.code)


@roles_only(*COUNTY_ROLES)
@require_POST
def attachment_withhold(request, pk, release=False):
    """附件不予公开, or 恢复公开: one photo or file of a message the office oversees."""
    visible = Message.objects.visible_to(request.user)
    attachment = get_object_or_404(Attachment.objects.select_related("message"), pk=pk, message__in=visible)
    try:
        if release:
            privacy_actions.release_attachment(attachment=attachment, by=request.user)
            flash.success(request, _("该附件已恢复公开。"))
        else:
            privacy_actions.withhold_attachment(
                attachment=attachment, by=request.user, reason=request.POST.get("reason", "")
            )
            flash.success(request, _("该附件已不予公开，公众不再能看到。"))
    except ActionRefused as e:
        flash.error(request, e.reason)
    back = safe_next(request)  # the review page it was decided on
    if back:
        return redirect(back)
    return redirect("workspace:message", pk=attachment.message_id)
