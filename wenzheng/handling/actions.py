"""Every step of a message's life, and the county office's supervision steps.

One function per step. Each is atomic, locks the message row, checks the actor's role
and unit and the message's state, changes what it changes and writes its event in the
same transaction. A step that is not allowed raises `ActionRefused` with a Chinese
reason and changes nothing. Views, the admin, commands and the API call only these.

Every function takes `at`, the moment the step happened, defaulting to now; imports
and the demo county pass historical times.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import ActionRefused, handles, require_office, require_unit_staff
from wenzheng.attachments import access as attachment_access
from wenzheng.attachments import files as attachment_files
from wenzheng.attachments import store as attachment_store
from wenzheng.attachments.models import Attachment
from wenzheng.duplicates import index as duplicate_index
from wenzheng.duplicates.models import Flag as DuplicateFlag
from wenzheng.eventlog import chain, hashing
from wenzheng.eventlog.models import Event
from wenzheng.lib import phones
from wenzheng.lib import text as text_rules
from wenzheng.notifications import rules as notices
from wenzheng.privacy.reviews import queue_for_review
from wenzheng.security import audit as security_audit
from wenzheng.supervision.models import AccountabilityReferral, Exposure, SupervisionFinding, WrittenExplanationOrder
from wenzheng.units.models import Region, Unit
from wenzheng.workdays import clock

from . import deadlines, derived, passcodes
from .models import Category, ExtensionRequest, FollowUp, Message, Reply, ReplyDraft, Revisit, SerialCounter, Stage

State = Message.State
ANONYMOUS_ROLE = "anonymous"


@dataclass(frozen=True)
class Citizen:
    """Who is acting as the citizen: a signed-in account, or someone holding the
    message's tracking code and passcode."""

    user: object = None
    passcode: str = ""


# --- checks -------------------------------------------------------------------------


def _now(at):
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("action times must be timezone-aware")
    return at


def _role(user) -> str:
    return user.role if user is not None else ANONYMOUS_ROLE


def _require_state(message, *states):
    if message.state not in states:
        allowed = "、".join(State(s).label for s in states)
        raise ActionRefused(
            "wrong_state",
            f"留言当前状态为“{message.get_state_display()}”，此操作只能在“{allowed}”状态下进行。",
        )


# The longest reason, opinion or note a step takes (a transfer's reason, a decision
# note): long enough for a paragraph of rules, bounded so that no one can write a
# megabyte into every page and the event log. Long texts (replies, explanations,
# findings, exposures) take MESSAGE_TEXT_MAX_CHARS instead.
REASON_MAX_CHARS = 2000


def _require_text(value, what, *, max_length=REASON_MAX_CHARS):
    """The text a person typed, without invisible control characters pasted along
    with it (wenzheng.lib.text), refused when empty or longer than `max_length`.
    Empty is what nobody sees: a reply of zero-width spaces alone was published as
    an empty answer and counted as replied on time."""
    value = text_rules.clean(value or "").strip()
    if not text_rules.visible(value).strip():
        raise ActionRefused("missing_text", f"请填写{what}。")
    if max_length and len(value) > max_length:
        raise ActionRefused("text_too_long", f"{what}不能超过{max_length}个字。")
    return value


def _optional_text(value, what, *, max_length=REASON_MAX_CHARS):
    """`_require_text` for a note that may be left empty."""
    value = text_rules.clean(value or "").strip()
    return _require_text(value, what, max_length=max_length) if text_rules.visible(value).strip() else ""


def _require_citizen(message, who: Citizen):
    if who.user is not None and who.user.is_authenticated:
        if message.citizen_id is not None and message.citizen_id == who.user.pk:
            return who.user
    elif passcodes.matches(who.passcode, message.passcode_hash):
        return None
    raise ActionRefused("not_your_message", "只有留言的网民本人可以进行此操作。")


def _receives_messages(unit, day) -> bool:
    """Registered and not yet deactivated on `day` (as `Unit.objects.registered_by`):
    imports and the demo pass past times, so today's status is not what counts."""
    return unit.registered_on <= day and (unit.deactivated_on is None or unit.deactivated_on > day)


def _locked(message) -> Message:
    """Re-read the message under a row lock: its state may have moved since the
    caller loaded it."""
    return (
        Message.objects.select_for_update(of=("self",)).select_related("category", "region", "unit").get(pk=message.pk)
    )


class _Moved(Exception):
    """What `_locked_all` was to lock changed before it held the locks."""


def _locked_all(wanted) -> dict[int, Message]:
    """The messages `wanted()` names (a set of ids), re-read under row locks taken in
    ascending id order: the one order of every step that locks more than one message,
    and of the search's batches (search.index.refresh), so that no two wait on each
    other in a circle (PostgreSQL aborts one of them: a merged message's citizen
    following up, locking it and then its main message, against a merge locking the
    main message and then those merged into it).

    Which messages a step locks depends on rows it has not locked yet (a message's
    main message, those merged into it: 并单), so `wanted()` reads them as they are,
    and again under the locks, where they hold still (a merge or its undoing locks
    every message whose link it changes). Should it name a message more (a merge
    committed in between), the locks are given back, rolled back with their
    savepoint, and taken again."""
    while True:
        ids = wanted() - {None}
        try:
            with transaction.atomic():
                locked = Message.objects.select_for_update(of=("self",)).select_related("category", "region", "unit")
                rows = {m.pk: m for m in locked.filter(pk__in=ids).order_by("pk")}
                if not wanted() - {None} <= ids:
                    raise _Moved
                return rows
        except _Moved:
            continue


def _locked_answered(message) -> tuple[Message, Message]:
    """The message and the one whose answer its citizen follows up and rates, both
    under row locks (`_locked_all`): its main message for one merged into another
    (并单: the main message's reply answers it), the message itself otherwise."""

    def wanted():
        return set(Message.objects.filter(pk=message.pk).values_list("pk", "merged_into_id").get())

    rows = _locked_all(wanted)
    message = rows[message.pk]
    return message, rows[message.merged_into_id] if message.state == State.MERGED else message


def _event(kind, *, at, by, message=None, unit=None, region=None, note="", **data):
    if message is not None and "_stage_changes" in message.__dict__:
        data["stages"] = message.__dict__.pop("_stage_changes")
    event = chain.append(
        kind=kind,
        at=at,
        actor=by,
        actor_role=_role(by),
        message=message,
        unit=unit if unit is not None else (message.unit if message is not None else None),
        region=region,
        note=note,
        data=data,
    )
    # Who hears of it: written with the step, sent later by the worker.
    notices.on_event(event)
    if message is not None and kind in duplicate_index.OPENING_KINDS:
        # Only open messages are in the duplicate index (并单).
        duplicate_index.sync(message)
    if message is not None:
        # What the message may be found by, and the figures pages show, follow the
        # step in its transaction.
        derived.follow(message.pk, kind)
    return event


# --- stages and deadlines -----------------------------------------------------------


def _stage_changed(message, stage, **fields):
    """Note what a step did to one of the message's stages; the step's next event
    carries it (`data["stages"]`), so that `verify_events --replay` can rebuild every
    stage, and its outcome, from the events alone. Kept on the locked message so no
    step has to pass its stages along by hand."""
    values = {k: hashing.timestamp(v) if isinstance(v, dt.datetime) else v for k, v in fields.items()}
    message.__dict__.setdefault("_stage_changes", []).append({"id": stage.pk, **values})


def _open_stages(message, unit, at):
    """Start the response and reply clocks for `unit` from `at`."""
    for kind, days in (
        (Stage.Kind.RESPONSE, message.category.response_days),
        (Stage.Kind.REPLY, message.category.reply_days),
    ):
        _open_stage(message, unit, kind, at, days)


def _open_stage(message, unit, kind, at, days):
    if message.untimed:
        # History imported without a clock gets one from an act of now (a re-dispatch,
        # a reopening): from here on it is timed like any other message.
        message.untimed = False
        message.save(update_fields=["untimed"])
    due, result = clock.deadline_after(at, days)
    stage = Stage.objects.create(
        message=message,
        unit=unit,
        kind=kind,
        started_at=at,
        limit_days=days,
        due_at=due,
        due_warning=result.warning(),
        serial_number=message.serial_number,
    )
    _stage_changed(message, stage, kind=kind, unit=unit.pk, started_at=at, limit_days=days, due_at=due)
    return stage


def _complete_stage(message, kind, at, *, handed_back_at=None):
    """Close the open stage of `kind`, freezing its outcome (`Stage.judge`)."""
    stage = Stage.objects.select_for_update().filter(message=message, kind=kind, completed_at__isnull=True).first()
    if stage is None:
        return None
    stage.completed_at = at
    # Frozen here: only the real calendar entered for a deadline counted by weekdays
    # only (handling.deadlines), or an extension asked in time and approved after a
    # late reply (approve_extension), judges it again; no other change rewrites it.
    stage.outcome = Stage.judge(completed_at=at, due_at=stage.due_at, handed_back_at=handed_back_at)
    stage.save(update_fields=["completed_at", "outcome"])
    _stage_changed(message, stage, completed_at=at, outcome=stage.outcome)
    return stage


def _attach(uploads, *, message, at, citizen, **where) -> dict:
    """Keep the step's photos or files (already checked, wenzheng.attachments.files)
    with it; what the step's event says of them (their ids, nothing of their content)."""
    uploads = list(uploads or ())
    if not uploads:
        return {}
    if len(uploads) > attachment_files.MAX_FILES:
        raise ActionRefused("too_many_files", f"每次最多上传{attachment_files.MAX_FILES}个文件。")
    if citizen and any(u.kind != Attachment.Kind.IMAGE for u in uploads):
        raise ActionRefused("citizen_images_only", "网民只能上传照片（JPEG、PNG或WebP）。")
    source = Attachment.Source.CITIZEN if citizen else Attachment.Source.UNIT
    rows = attachment_store.attach(uploads, message=message, source=source, at=at, **where)
    return {"attachments": [a.pk for a in rows]}


def _next_serial(region, year) -> int:
    counter, _ = SerialCounter.objects.select_for_update().get_or_create(region=region, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _new_tracking_code() -> str:
    while True:
        code = passcodes.random_code(10)
        if not Message.objects.filter(tracking_code=code).exists():
            return code


# --- topics (事项分类) ---------------------------------------------------------------


def _require_topic(topic, region):
    if topic is not None and (topic.region_id != region.pk or not topic.active):
        raise ActionRefused("bad_topic", f"所选事项分类不属于本{region.level}的分类表，或已停用。")


def _change_topic(message, topic, *, by, at):
    """Set the topic and write its event, if it changes."""
    if topic is None or topic.pk == message.topic_id:
        return
    previous = message.topic
    message.topic = topic
    message.save(update_fields=["topic"])
    _event(
        Event.Kind.TOPIC_SET,
        at=at,
        by=by,
        message=message,
        topic=topic.code,
        previous=previous.code if previous else None,
    )


@transaction.atomic
def set_topic(*, message, by, topic, at=None) -> Message:
    """设定事项分类: the county office (any time) or the unit now handling the message
    (while it has it) says what the message is about."""
    at = _now(at)
    message = _locked(message)
    if by is not None and by.role in (Role.HANDLER, Role.LEADER):
        require_unit_staff(by, message.unit)
    else:
        require_office(by, message.region)
    if topic is None:
        raise ActionRefused("missing_topic", "请选择事项分类。")
    _require_topic(topic, message.region)
    _change_topic(message, topic, by=by, at=at)
    return message


# --- categories (咨询 / 建议 / 诉求) ----------------------------------------------------

# Before any answer: a reply is judged (and closed) under its category's rules, which
# must not change underneath it.
CATEGORY_STATES = (State.PENDING_DISPATCH, State.DISPATCHED, State.RESPONDED, State.TRANSFER_REQUESTED)


def _change_category(message, category, *, by, at):
    """Set the category and write its event, if it changes. The clocks already
    running keep the limits they started with (a deadline given to a unit does not
    move under it); clocks started later, this dispatch's included, take the new
    category's."""
    if category is None or category.pk == message.category_id:
        return
    _require_state(message, *CATEGORY_STATES)
    # An answer to a follow-up is none (a merge undone leaves the main message's
    # unit's answers to its citizen's follow-ups, and no reply of its own).
    if message.replies.filter(follow_up__isnull=True).exists():
        raise ActionRefused("category_after_reply", "留言已有答复，答复按原类别的标准办理和考评，不能再更改类别。")
    previous = message.category
    message.category = category
    message.save(update_fields=["category"])
    _event(Event.Kind.CATEGORY_SET, at=at, by=by, message=message, category=category.code, previous=previous.code)


@transaction.atomic
def set_category(*, message, by, category, at=None) -> Message:
    """更改类别: the county office corrects what kind of request a message is (a
    citizen's 咨询 that is really a 诉求), before any unit has answered it."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    if category is None:
        raise ActionRefused("missing_category", "请选择留言类别。")
    _require_state(message, *CATEGORY_STATES)
    _change_category(message, category, by=by, at=at)
    return message


# --- the citizen --------------------------------------------------------------------


@transaction.atomic
def submit(
    *,
    by,
    category: Category,
    title: str,
    body: str,
    name: str,
    phone: str,
    consent_to_publish: bool,
    unit: Unit | None = None,
    region: Region | None = None,
    id_number: str = "",
    email: str = "",
    address: str = "",
    attachments=(),
    topic=None,
    at=None,
) -> Message:
    """留言: a citizen (signed in, or `by=None`) leaves a message for a unit, or for the
    county office to dispatch. The returned message carries `issued_passcode`, shown
    to the citizen once and stored only hashed."""
    at = _now(at)
    if by is not None and by.role != Role.CITIZEN:
        raise ActionRefused("forbidden_role", "工作人员账号不能以网民身份留言，请使用网民账号或匿名查询码方式。")
    if unit is not None:
        if not _receives_messages(unit, clock.local_date(at)):
            raise ActionRefused("unit_inactive", f"“{unit.name}”目前不是实名上网单位，不能接收留言。")
        if region is not None and region.pk != unit.region_id:
            raise ActionRefused("unit_outside_region", f"“{unit.name}”不属于{region.name}。")
        region = unit.region
    if region is None or region.kind != Region.Kind.COUNTY:
        raise ActionRefused("no_county", "请选择留言的县（区）或办理单位。")
    title = _require_text(title, "留言标题", max_length=100)
    body = _require_text(body, "留言内容", max_length=settings.MESSAGE_TEXT_MAX_CHARS)
    name = _require_text(name, "姓名", max_length=50)
    try:
        phone = phones.normalise(_require_text(phone, "联系电话", max_length=40))
    except phones.BadPhone as e:
        raise ActionRefused("bad_phone", str(e)) from None
    id_number, email, address = _contact_details(id_number, email, address)
    _require_topic(topic, region)
    year = clock.local_date(at).year
    passcode = passcodes.new_passcode()
    message = Message.objects.create(
        region=region,
        year=year,
        number=_next_serial(region, year),
        category=category,
        unit=unit,
        topic=topic,
        title=title,
        body=body,
        consent_to_publish=consent_to_publish,
        citizen=by,
        citizen_name=name,
        citizen_phone=phone,
        citizen_id_number=id_number,
        citizen_email=email,
        citizen_address=address,
        tracking_code=_new_tracking_code(),
        passcode_hash=passcodes.encode(passcode),
        state=State.DISPATCHED if unit else State.PENDING_DISPATCH,
        submitted_at=at,
    )
    if unit is not None:
        _open_stages(message, unit, at)
    queue_for_review(message, at=at)
    # 并单: indexed, and flagged if it repeats an open message, before anyone sees it.
    duplicate_index.on_arrival(message, at=at)
    files = _attach(attachments, message=message, at=at, citizen=True)
    _event(
        Event.Kind.SUBMITTED,
        at=at,
        by=by,
        message=message,
        serial=message.serial,
        category=category.code,
        topic=topic.code if topic else None,
        **files,
    )
    message.issued_passcode = passcode
    return message


def _contact_details(id_number, email, address) -> tuple[str, str, str]:
    """The optional contact details as the columns hold them, or a refusal that says
    what is wrong (the API and Open311 reach here without the page's form)."""
    id_number = text_rules.id_number(id_number)
    if id_number and not text_rules.ID_NUMBER.match(id_number):
        raise ActionRefused("bad_id_number", "身份证号应为18位，最后一位可以是X。")
    email = text_rules.clean(email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ActionRefused("bad_email", "电子邮箱格式不正确。") from None
        if len(email) > 254:
            raise ActionRefused("bad_email", "电子邮箱不能超过254个字符。")
    address = _optional_text(address, "联系地址", max_length=200)
    return id_number, email, address


# Follow-ups a message may hold waiting at once (neither answered by the unit nor
# decided by the county office): each texts the unit's staff and is a 回访 in the
# office's queue, so a script posting hundreds of them flooded both (an attacker's
# trial: 25 in 2.6 s, 50 SMS). A citizen with more to say waits for an answer.
WAITING_FOLLOW_UPS_MAX = 3


def _require_answer(message, answered_by):
    """Followed up and rated after an answer: the message's own, or, merged (并单), its
    main message's, while that stands (not reopened and handled again)."""
    if answered_by.pk == message.pk:
        _require_state(message, *State.answered())
    elif answered_by.state not in State.answered():
        if answered_by.answered and answered_by.state in State.being_handled():
            why = "该留言正在重新办理，新的答复公开后才能追问或评价。"
        else:
            why = "该留言尚未答复，答复后才能追问或评价。"
        raise ActionRefused("main_not_answered", f"您的留言已并入留言{answered_by.serial}（并单），{why}")


def _merged_into(message, answered_by) -> dict:
    """What a citizen's step on a merged message says of it in its event: the main
    message whose answer it is about (evaluation.facts.ratings_in reads it)."""
    return {} if answered_by.pk == message.pk else {"main": answered_by.pk}


@transaction.atomic
def follow_up(*, message, who: Citizen, text: str, attachments=(), at=None) -> FollowUp:
    """追问: the citizen asks more after a reply. The citizen of a message merged into
    another (并单) asks about the main message's answer: the follow-up is their own
    message's, and the main message's unit answers it (accounts.policy.handled_by)."""
    at = _now(at)
    message, answered_by = _locked_answered(message)
    by = _require_citizen(message, who)
    _require_answer(message, answered_by)
    waiting = message.follow_ups.filter(answers__isnull=True, revisit__state=Revisit.State.OPEN)
    if waiting.count() >= WAITING_FOLLOW_UPS_MAX:
        raise ActionRefused(
            "too_many_follow_ups",
            f"这条留言已有{WAITING_FOLLOW_UPS_MAX}条追问尚未答复，"
            f"请等办理单位答复或{message.region.office_by_level}处理后再追问。",
        )
    text = _require_text(text, "追问内容", max_length=settings.MESSAGE_TEXT_MAX_CHARS)
    item = FollowUp.objects.create(message=message, text=text, at=at)
    queue_for_review(message, at=at, follow_up=item)
    # 回访: work for the unit that answered and the county office until the office decides.
    unit = answered_by.unit
    Revisit.objects.create(message=message, unit=unit, kind=Revisit.Kind.FOLLOW_UP, follow_up=item, opened_at=at)
    files = _attach(attachments, message=message, at=at, citizen=True, follow_up=item)
    # The event refers to the row: the citizen's words stay correctable and erasable.
    _event(
        Event.Kind.FOLLOWED_UP, at=at, by=by, message=message, unit=unit, follow_up=item.pk,
        **_merged_into(message, answered_by), **files,
    )  # fmt: skip
    return item


@transaction.atomic
def rate(*, message, who: Citizen, rating: str, reason: str = "", at=None) -> Message:
    """满意度评价: once an answer, after a reply (a message reopened and answered
    again is rated again: Message.rating_stands). 不满意 asks for the reason, which
    goes to the unit and the county office as a 回访 (kept in its own row, not in the
    event). The citizen of a message merged into another (并单) rates the main
    message's answer, on their own message, for the main message's unit (peer 12345
    practice: every merged work order's citizen is asked separately)."""
    at = _now(at)
    message, answered_by = _locked_answered(message)
    by = _require_citizen(message, who)
    _require_answer(message, answered_by)
    if rating not in Message.Rating.values:
        raise ActionRefused("bad_rating", "评价只能是“满意”“基本满意”或“不满意”。")
    if message.rating_stands():
        raise ActionRefused("already_rated", "您已评价过这次答复；办理单位再次答复后，可以重新评价。")
    unit = answered_by.unit
    revisit = None
    if rating == Message.Rating.DISSATISFIED:
        reason = _require_text(reason, "不满意的理由", max_length=1000)
        revisit = Revisit.objects.create(
            message=message, unit=unit, kind=Revisit.Kind.DISSATISFIED, reason=reason, opened_at=at
        )
    message.rating, message.rated_at = rating, at
    message.save(update_fields=["rating", "rated_at"])
    _event(
        Event.Kind.RATED, at=at, by=by, message=message, unit=unit, rating=rating,
        revisit=revisit.pk if revisit else None, **_merged_into(message, answered_by),
    )  # fmt: skip
    return message


# --- the county office: dispatch and approvals --------------------------------------


@transaction.atomic
def dispatch(*, message, by, unit: Unit, note: str = "", topic=None, category=None, at=None) -> Message:
    """派单/交办: the county office gives a message to a unit; for a message handed
    back, this is the re-dispatch, and the receiving unit's clock starts afresh.
    `category`, when given and different, corrects the message's category first, so
    the receiving unit's clock runs by the new category's limits."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    _require_state(message, State.PENDING_DISPATCH, State.TRANSFER_REQUESTED)
    if unit.region_id != message.region_id:
        raise ActionRefused("unit_outside_region", f"“{unit.name}”不属于{message.region.name}。")
    if not _receives_messages(unit, clock.local_date(at)):
        raise ActionRefused("unit_inactive", f"“{unit.name}”已停用或尚未实名上网，不能接收留言。")
    previous = message.unit
    note = _optional_text(note, "交办说明")
    # 智能分拨: what the queue offered, read before this dispatch changes the message.
    from wenzheng.topics import routing

    offered = routing.current_offer(message, at=at)
    _change_category(message, category, by=by, at=at)
    if previous is not None:
        if unit.pk == previous.pk:
            raise ActionRefused("same_unit", "退单的留言须交办给另一个单位；如退单理由不成立，请选择“不同意退单”。")
        note = _require_text(note, "转办说明")
        handed_back = _latest_hand_back(message)
        # The old unit's pending extension of the reply stage this ends has nothing
        # left to extend (the receiving unit asks for its own).
        _end_pending_extension(message, by=by, at=at, unit=previous)
        for kind in (Stage.Kind.RESPONSE, Stage.Kind.REPLY):
            _complete_stage(message, kind, at, handed_back_at=handed_back.at)
        _excuse_signed_while_handed_back(message, previous, handed_back.at)
    _require_topic(topic, message.region)
    message.unit = unit
    message.state = State.DISPATCHED
    message.save(update_fields=["unit", "state"])
    _open_stages(message, unit, at)
    _event(
        Event.Kind.DISPATCHED,
        at=at,
        by=by,
        message=message,
        note=note,
        to_unit=unit.pk,
        from_unit=previous.pk if previous else None,
    )
    if previous is not None:
        # After the DISPATCHED event, which carries the stages ended and opened.
        _withdraw_drafts(message, by=by, at=at, to_unit=unit)
    _change_topic(message, topic, by=by, at=at)
    # 智能分拨: the office's choice set against the offer, for the next training.
    routing.note_dispatch(message, offered=offered, by=by, at=at, previous=previous)
    return message


def _latest_hand_back(message) -> Event | None:
    """The message's latest 退单 (its TRANSFER_REQUESTED event)."""
    return message.events.filter(kind=Event.Kind.TRANSFER_REQUESTED).order_by("-seq").first()


def _excuse_signed_while_handed_back(message, unit, handed_back_at):
    """A response the unit gave while its hand-back waited, late, is judged as a
    transferred one: had it not signed, the stage would have ended "transferred"
    and counted for nobody (a trial: signing while handed back was punished)."""
    signed = Stage.objects.select_for_update().filter(
        message=message, unit=unit, completed_at__gte=handed_back_at, outcome=Stage.Outcome.LATE
    )
    for stage in signed:
        outcome = Stage.judge(completed_at=stage.completed_at, due_at=stage.due_at, handed_back_at=handed_back_at)
        if outcome != stage.outcome:
            stage.outcome = outcome
            stage.save(update_fields=["outcome"])
            _stage_changed(message, stage, outcome=outcome)


def _end_pending_extension(message, *, by, at, unit, note="留言已转办，原单位的延期申请随之失效。", stage=None):
    """A request nobody decided ends with the message's own course: lapsed, not
    refused (it was recorded as the office's refusal, and as the refusal of the leader
    whose approved reply ended it, who may not decide extensions at all). `stage`:
    only a request to extend that stage (just replied in time); without it, the
    requests of the reply stage still open, which the step is about to end.

    A request about a reply given late before a reopening (its stage completed)
    waits for the office whatever the message does next: it is about that reply,
    judged again if approved (approve_extension), and a move, merge or spam mark
    that ends the unit's present stage decides nothing of it (it lapsed so, and the
    first reply stayed late, the office never having decided)."""
    pending = ExtensionRequest.objects.select_for_update().filter(message=message, status="pending")
    pending = pending.filter(stage=stage) if stage is not None else pending.filter(stage__completed_at__isnull=True)
    for request in pending:
        request.status, request.decided_at, request.decision_note = ExtensionRequest.Status.LAPSED, at, note
        request.save(update_fields=["status", "decided_at", "decision_note"])
        _event(Event.Kind.EXTENSION_LAPSED, at=at, by=by, message=message, unit=unit, note=note, request=request.pk)


def _withdraw_drafts(message, *, by, at, to_unit):
    """A reply waiting for sign-off at the unit the message has left is void, and so is
    its answer to a follow-up on a message merged into it (并单), whose citizen the
    unit no longer answers: each as any voided draft (`_void_draft`)."""
    pending = ReplyDraft.objects.select_for_update(of=("self",)).select_related("message", "unit")
    pending = pending.filter(Q(message=message) | Q(message__merged_into=message), state=ReplyDraft.State.PENDING)
    for void in pending.order_by("pk"):
        _void_draft(
            void, message=message if void.message_id == message.pk else void.message, unit=void.unit, by=by, at=at,
            note="留言已转办，原单位的待审核回复随之失效。", moved_to=to_unit.pk,
        )  # fmt: skip


@transaction.atomic
def reassign(*, message, by, unit: Unit, reason: str, at=None) -> Message:
    """改派: the county office moves a wrongly dispatched message to the right unit
    before the first has responded. The first unit's stages end as "reassigned" and
    count for nobody (DOMAIN.md); the new unit's clocks start now."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    _require_state(message, State.DISPATCHED)
    if unit.region_id != message.region_id:
        raise ActionRefused("unit_outside_region", f"“{unit.name}”不属于{message.region.name}。")
    if not _receives_messages(unit, clock.local_date(at)):
        raise ActionRefused("unit_inactive", f"“{unit.name}”已停用或尚未实名上网，不能接收留言。")
    if unit.pk == message.unit_id:
        raise ActionRefused("same_unit", "改派须选择另一个单位。")
    reason = _require_text(reason, "改派理由")
    previous = message.unit
    _end_pending_extension(message, by=by, at=at, unit=previous, note="留言已改派，原单位的延期申请随之失效。")
    for stage in Stage.objects.select_for_update().filter(message=message, completed_at__isnull=True):
        stage.completed_at, stage.outcome = at, Stage.Outcome.REASSIGNED
        stage.save(update_fields=["completed_at", "outcome"])
        _stage_changed(message, stage, completed_at=at, outcome=stage.outcome)
    message.unit = unit
    message.save(update_fields=["unit"])
    _open_stages(message, unit, at)
    _event(Event.Kind.REASSIGNED, at=at, by=by, message=message, note=reason, to_unit=unit.pk, from_unit=previous.pk)
    return message


@transaction.atomic
def reject_transfer(*, message, by, reason: str, at=None) -> Message:
    """The county office finds the hand-back unfounded: the unit keeps the message.
    Its clocks ran meanwhile, but it could not reply while the office decided: the
    reply's deadline moves back by the working days the hand-back waited whole
    (after the day it was asked, or the reply's clock started, and before the day of
    the refusal). Whole days only: a hand-back asked at 23:59 and refused the next
    morning gives nothing back, or handing back again and again would be an
    extension no one approved (a trial gained 20 working days so). Not for a
    hand-back asked once the deadline had passed: late already, it stays late."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    _require_state(message, State.TRANSFER_REQUESTED)
    reason = _require_text(reason, "不同意退单的理由")
    responded = not message.stages.filter(kind=Stage.Kind.RESPONSE, completed_at__isnull=True).exists()
    message.state = State.RESPONDED if responded else State.DISPATCHED
    message.save(update_fields=["state"])
    data = _give_back_held_days(message, at)
    _event(Event.Kind.TRANSFER_REJECTED, at=at, by=by, message=message, note=reason, **data)
    return message


def _give_back_held_days(message, at) -> dict:
    """What the refusal at `at` of the latest hand-back gave the reply stage: the
    working days it waited (`held_days`) and the deadline it moved to; nothing when
    it moved nothing."""
    stage = Stage.objects.select_for_update().filter(message=message, kind=Stage.Kind.REPLY, completed_at=None).first()
    asked = _latest_hand_back(message)
    if stage is None or asked is None or asked.at >= stage.due_at:
        return {}
    held = clock.whole_working_days_between(max(asked.at, stage.started_at), at)
    if held <= 0:
        return {}
    stage.held_days += held
    stage.due_at, result = clock.deadline_after(stage.started_at, stage.working_days)
    stage.due_warning = result.warning()
    stage.save(update_fields=["held_days", "due_at", "due_warning"])
    _stage_changed(message, stage, held_days=stage.held_days, due_at=stage.due_at)
    return {"held_days": held, "due_at": stage.due_at}


def _require_extension_allowance(message, days, *, unit_id=None, asking=True):
    """At most the category's total for the message at a unit (Message.extension_days).
    Asking, the days still waiting for the office are held back too (another reply
    stage's request); approving, only those approved count, the request itself
    being among the waiting."""
    limit = message.category.max_extension_days
    used, waiting = message.extension_days(unit_id=unit_id)
    if not asking:
        waiting = 0
    if used + waiting + days > limit:
        said = f"，另有{waiting}个工作日待审批" if waiting else ""
        raise ActionRefused(
            "too_many_days",
            f"这条留言在本单位的延期累计不能超过{limit}个工作日（重办不重新计算），"
            f"已延期{used}个工作日{said}，最多还可申请{max(limit - used - waiting, 0)}个工作日。",
        )


def _pending_extension(request):
    request = ExtensionRequest.objects.select_for_update().select_related("stage").get(pk=request.pk)
    if request.status != ExtensionRequest.Status.PENDING:
        said = request.get_status_display() + (
            f"：{request.decision_note.rstrip('。')}" if request.decision_note else ""
        )
        raise ActionRefused("already_decided", f"该延期申请已处理（{said}）。")
    return request


@transaction.atomic
def approve_extension(*, request: ExtensionRequest, by, note: str = "", at=None) -> ExtensionRequest:
    """同意延期: the reply deadline moves back by the working days asked for. A reply
    given late while the request waited (_publish leaves it pending) is judged again
    by the moved deadline, whatever became of the message since (closed, reopened,
    and moved on to another unit: the decision is the asking unit's, its event and
    its notice too, counted against that unit's allowance)."""
    at = _now(at)
    message = _locked(request.message)
    require_office(by, message.region)
    request = _pending_extension(request)
    note = _optional_text(note, "审批意见")
    stage = Stage.objects.select_for_update().get(pk=request.stage_id)
    if stage.completed_at is not None and stage.outcome != Stage.Outcome.LATE:
        raise ActionRefused("stage_completed", "该留言已经回复，无需延期。")
    _require_extension_allowance(message, request.days, unit_id=stage.unit_id, asking=False)
    # A hand-back refused while the request waited, asked past the first deadline
    # but before this one, held the reply too: counted again now, as it would have
    # been had the office approved first (deadlines.approved_deadline, which the
    # approvals page shows beforehand).
    due, held, result = deadlines.approved_deadline(stage, request)
    request.status, request.decided_by, request.decided_at, request.decision_note = "approved", by, at, note
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    stage.extension_days += request.days
    given_back = {}
    changed = {"extension_days": stage.extension_days}
    if held != stage.held_days:
        # As the refusal's event says it (reject_transfer): the days given back.
        changed["held_days"], given_back = held, {"held_days": held - stage.held_days}
        stage.held_days = held
    stage.due_at, stage.due_warning = due, result.warning()
    changed["due_at"] = stage.due_at
    if stage.completed_at is not None:
        stage.outcome = changed["outcome"] = Stage.judge(completed_at=stage.completed_at, due_at=stage.due_at)
    stage.save(update_fields=["due_at", "extension_days", "held_days", "due_warning", "outcome"])
    _stage_changed(message, stage, **changed)
    _event(
        Event.Kind.EXTENSION_APPROVED,
        at=at,
        by=by,
        message=message,
        unit=stage.unit,
        note=note,
        days=request.days,
        due_at=stage.due_at,
        **given_back,
        **_judged_reply(stage),
    )
    return request


def _judged_reply(stage) -> dict:
    """What an extension's decision says of a reply already given (late, while the
    request waited): how it now stands, and whether the message has a reply stage
    since (reopened, moved on), for the unit's notice: the deadline it moved is not
    the one the message runs by now."""
    if stage.completed_at is None:
        return {}
    later = Stage.objects.filter(message_id=stage.message_id, kind=Stage.Kind.REPLY, pk__gt=stage.pk)
    return {"reply_outcome": stage.outcome, **({"earlier": True} if later.exists() else {})}


@transaction.atomic
def reject_extension(*, request: ExtensionRequest, by, reason: str, at=None) -> ExtensionRequest:
    at = _now(at)
    message = _locked(request.message)
    require_office(by, message.region)
    request = _pending_extension(request)
    reason = _require_text(reason, "不同意延期的理由")
    request.status, request.decided_by, request.decided_at, request.decision_note = "rejected", by, at, reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    stage = request.stage
    _event(
        Event.Kind.EXTENSION_REJECTED, at=at, by=by, message=message, unit=stage.unit, note=reason,
        **_judged_reply(stage),
    )  # fmt: skip
    return request


@transaction.atomic
def approve_long_cycle_closure(*, message, by, note: str = "", at=None) -> Message:
    """The county or city leadership group agrees: a long-cycle or unsolvable message
    counts as closed, its explanation having been given."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region, city_allowed=True)
    _require_state(message, State.CLOSURE_PENDING)
    note = _optional_text(note, "审批意见")
    message.state, message.closed_at, message.closure_kind = State.CLOSED, at, Message.ClosureKind.LONG_CYCLE
    message.save(update_fields=["state", "closed_at", "closure_kind"])
    _event(Event.Kind.LONG_CYCLE_APPROVED, at=at, by=by, message=message, note=note, level=by.role)
    _event(Event.Kind.CLOSED, at=at, by=by, message=message, closure_kind=message.closure_kind)
    return message


@transaction.atomic
def reject_long_cycle_closure(*, message, by, reason: str, at=None) -> Message:
    """Not agreed: the message is reopened (重办) and needs a new reply."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region, city_allowed=True)
    _require_state(message, State.CLOSURE_PENDING)
    reason = _require_text(reason, "不同意的理由")
    _event(Event.Kind.LONG_CYCLE_REJECTED, at=at, by=by, message=message, note=reason)
    _reopen(message, by=by, at=at, reason=reason)
    return message


@transaction.atomic
def uphold_answer(*, revisit: Revisit, by, note: str, at=None) -> Revisit:
    """回访，答复成立: the county office records why the unit's answer stands."""
    at = _now(at)
    message = _locked(revisit.message)
    require_office(by, message.region)
    revisit = _open_revisit(revisit)
    revisit.decision_note = _require_text(note, "答复成立的理由")
    revisit.state, revisit.decided_by, revisit.decided_at = Revisit.State.UPHELD, by, at
    revisit.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _event(
        Event.Kind.ANSWER_UPHELD, at=at, by=by, message=message, unit=revisit.unit, note=revisit.decision_note,
        revisit=revisit.pk,
    )  # fmt: skip
    return revisit


@transaction.atomic
def reopen_on_revisit(*, revisit: Revisit, by, reason: str, at=None) -> Message:
    """回访，重办: the answer does not stand, and the message goes back to its unit for
    a new reply, whether it was closed yet or only replied. The answer a merged
    message's citizen (并单) was not satisfied with is the main message's: the main
    message is reopened, and returned."""
    at = _now(at)
    message, answered_by = _locked_answered(revisit.message)
    require_office(by, message.region)
    _open_revisit(revisit)
    _require_state(answered_by, State.REPLIED, State.CLOSED)
    _reopen(answered_by, by=by, at=at, reason=_require_text(reason, "重办理由"))
    return answered_by


def _open_revisit(revisit) -> Revisit:
    revisit = Revisit.objects.select_for_update().get(pk=revisit.pk)
    if revisit.state != Revisit.State.OPEN:
        raise ActionRefused("already_decided", f"该回访已处理（{revisit.get_state_display()}）。")
    return revisit


@transaction.atomic
def reopen(*, message, by, reason: str, at=None) -> Message:
    """重办: a closed message goes back to its unit for a new reply."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    _require_state(message, State.CLOSED)
    _reopen(message, by=by, at=at, reason=_require_text(reason, "重办理由"))
    return message


def _reopen(message, *, by, at, reason):
    message.state, message.closed_at, message.closure_kind = State.RESPONDED, None, ""
    message.save(update_fields=["state", "closed_at", "closure_kind"])
    stage = _open_stage(message, message.unit, Stage.Kind.REPLY, at, message.category.reply_days)
    # A reopening answers every 回访 still open on the message, and on those merged
    # into it (并单), whose citizens were answered by the same reply.
    waiting = Revisit.objects.open().filter(Q(message=message) | Q(message__merged_into=message))
    revisits = list(waiting.order_by("pk").values_list("pk", flat=True))
    Revisit.objects.filter(pk__in=revisits).update(
        state=Revisit.State.REOPENED, decided_by=by, decided_at=at, decision_note=reason
    )
    _event(Event.Kind.REOPENED, at=at, by=by, message=message, note=reason, due_at=stage.due_at, revisits=revisits)


@transaction.atomic
def mark_spam(*, message, by, reason: str, at=None) -> Message:
    """垃圾留言: the county office finds a message is no real request (a flood from one
    sender, an advertisement). Its open clocks stop (outcome "spam", for nobody), and
    it leaves the unit's inbox, the public pages and every figure (`counted()`), for
    any period, past ones included. Undone by `unmark_spam`."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    _require_state(message, *State.may_be_spam())
    if message.merged.exists():
        raise ActionRefused("has_merged", "已有留言并入这条留言，不能标记为垃圾留言；请先撤销并单。")
    reason = _require_text(reason, "标记为垃圾留言的理由")
    previous = message.state
    if message.unit is not None:
        _end_pending_extension(
            message, by=by, at=at, unit=message.unit, note="留言已标记为垃圾留言，延期申请随之失效。"
        )
    # Late already: stays late, should the mark be undone (unmark_spam); while it
    # stands, nothing of the message counts (StageQuerySet.counted).
    stopped = _stop_clocks(message, at, Stage.Outcome.SPAM, late_stays=True)
    message.state = State.SPAM
    message.save(update_fields=["state"])
    _event(Event.Kind.SPAM_MARKED, at=at, by=by, message=message, note=reason, from_state=previous, stopped=stopped)
    # After the SPAM_MARKED event, which carries the stopped clocks.
    _void_drafts(message, by=by, at=at, note="留言已标记为垃圾留言。", spam=True)
    security_audit.record(
        security_audit.Kind.SPAM_MARKED, user=by, region=message.region, at=at,
        detail={"message": message.serial, "reason": reason[:200]},
    )  # fmt: skip
    return message


@transaction.atomic
def unmark_spam(*, message, by, reason: str, at=None) -> Message:
    """撤销垃圾留言标记: a mark made in error. The message goes back to where it stood,
    and the clocks the mark stopped start again from now, as for a re-dispatch."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    _require_state(message, State.SPAM)
    reason = _require_text(reason, "撤销标记的理由")
    marked = message.events.filter(kind=Event.Kind.SPAM_MARKED).order_by("-seq").first()
    message.state = marked.data["from_state"]
    message.save(update_fields=["state"])
    for kind in marked.data.get("stopped", []):
        days = message.category.response_days if kind == Stage.Kind.RESPONSE else message.category.reply_days
        _open_stage(message, message.unit, kind, at, days)
    _event(Event.Kind.SPAM_UNMARKED, at=at, by=by, message=message, note=reason, to_state=message.state)
    security_audit.record(
        security_audit.Kind.SPAM_UNMARKED, user=by, region=message.region, at=at,
        detail={"message": message.serial, "reason": reason[:200]},
    )  # fmt: skip
    return message


# --- duplicates (并单) ----------------------------------------------------------------


def _stop_clocks(message, at, outcome, *, late_stays=False) -> list[str]:
    """End the message's open stages with `outcome` (for nobody); with `late_stays`,
    a stage whose deadline has already passed ends late instead, and counts against
    the unit that held it (a merge, 并单: no side step may wipe out a lateness that
    happened, DOMAIN.md "Counting rules"). Returns the kinds stopped."""
    stopped = []
    # A hand-back asked for before a deadline and waiting for the office: the unit was
    # not late on it, however long the office took (Stage.judge's rule for transfers).
    asked = _latest_hand_back(message) if late_stays and message.state == State.TRANSFER_REQUESTED else None
    handed_back = asked.at if asked is not None else None
    for stage in Stage.objects.select_for_update().filter(message=message, completed_at__isnull=True):
        # As Stage.judge: a deadline is an instant to come strictly before.
        late = late_stays and at >= stage.due_at and not (handed_back is not None and handed_back < stage.due_at)
        stage.completed_at, stage.outcome = at, Stage.Outcome.LATE if late else outcome
        stage.save(update_fields=["completed_at", "outcome"])
        _stage_changed(message, stage, completed_at=at, outcome=stage.outcome)
        stopped.append(stage.kind)
    return stopped


@transaction.atomic
def merge_duplicate(*, message, into, by, reason: str, at=None) -> Message:
    """并单: the county office merges a message into the open one it repeats (the main
    message). The merged message keeps its serial and its citizen; its own clocks stop
    (outcome "merged", for nobody); from now on the main message's replies and closure
    answer it, on its citizen's page and in their notices. Merging into a message that
    is itself merged merges into its main; what was merged into this message moves
    with it, so every merged message points at a main message.

    Refused across counties, for a message already answered (it has its own reply),
    and into a closed message: a citizen writing again after a closure has a new
    request, which is handled as one (README, "Duplicates")."""
    at = _now(at)
    if into is None or into.pk == message.pk:
        raise ActionRefused("merge_into_itself", "请选择这条留言要并入的另一条留言。")
    # Locked at once, in id order (`_locked_all`): both messages, the main message of
    # the one it goes into, and those merged into it, which move with it.
    rows = _locked_all(
        lambda: {
            message.pk, into.pk,
            *Message.objects.filter(pk=into.pk).values_list("merged_into_id", flat=True),
            *Message.objects.filter(merged_into=message.pk).values_list("pk", flat=True),
        }
    )  # fmt: skip
    message, main = rows[message.pk], rows[into.pk]
    require_office(by, message.region)
    if main.region_id != message.region_id:
        raise ActionRefused("merge_across_counties", f"只能并入本{message.region.level}的留言，不能跨县（区）并单。")
    if main.state == State.MERGED:
        main = rows[main.merged_into_id]
    if main.pk == message.pk:
        raise ActionRefused("merge_into_itself", f"留言{into.serial}已并入本条留言，不能反向并单。")
    _require_state(message, *State.may_be_merged())  # not once answered: its citizen has a reply
    if message.answered:  # reopened after 回访: answered once, and public with it
        raise ActionRefused("merge_answered", "这条留言已有答复（现重新办理中），不能并入其他留言。")
    if main.state not in State.may_take_merged():
        raise ActionRefused(
            "merge_into_closed",
            f"留言{main.serial}当前状态为“{main.get_state_display()}”，不能再并入留言；"
            "办结后再次反映的问题应作为新留言交办。",
        )
    reason = _require_text(reason, "并单理由")
    previous = message.state
    if message.unit is not None:
        _end_pending_extension(message, by=by, at=at, unit=message.unit, note="留言已并单，延期申请随之失效。")
    stopped = _stop_clocks(message, at, Stage.Outcome.MERGED, late_stays=True)
    message.state, message.merged_into = State.MERGED, main
    message.save(update_fields=["state", "merged_into"])
    _event(
        Event.Kind.MERGED, at=at, by=by, message=message, note=reason,
        into=main.pk, into_serial=main.serial, from_state=previous, stopped=stopped,
    )  # fmt: skip
    # Its replies waiting for sign-off are void: the main message's answer is its
    # answer now. (Those merged into it wait for no answer of its unit: a message
    # once answered is not merged.) After the MERGED event, which carries the
    # stopped clocks.
    _void_drafts(message, by=by, at=at, note="留言已并单，由主留言统一答复。", merged_into=main.pk)
    for child in Message.objects.filter(merged_into=message).order_by("pk"):  # locked above
        # Carried along: where it stood before its own merge stays what undoing it restores.
        first = child.events.filter(kind=Event.Kind.MERGED).order_by("-seq").first()
        child.merged_into = main
        child.save(update_fields=["merged_into"])
        _event(
            Event.Kind.MERGED, at=at, by=by, message=child, note=f"随留言{message.serial}并入留言{main.serial}",
            into=main.pk, into_serial=main.serial, carried_by=message.pk,
            from_state=first.data["from_state"], stopped=first.data.get("stopped", []),
        )  # fmt: skip
    DuplicateFlag.objects.filter(message=message, state=DuplicateFlag.State.OPEN).update(
        state=DuplicateFlag.State.MERGED, decided_by=by, decided_at=at, note=reason
    )
    return message


@transaction.atomic
def dismiss_duplicate(*, message, by, reason: str, at=None) -> DuplicateFlag:
    """不是重复留言: the county office finds a flagged message is no duplicate; the flag
    closes with the reason, and the message goes on as it is."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region)
    flag = DuplicateFlag.objects.select_for_update().filter(message=message).first()
    if flag is None or flag.state != DuplicateFlag.State.OPEN:
        raise ActionRefused("no_open_flag", "这条留言没有待处理的疑似重复提示。")
    reason = _require_text(reason, "不是重复留言的理由")
    flag.state, flag.decided_by, flag.decided_at, flag.note = DuplicateFlag.State.DISMISSED, by, at, reason
    flag.save(update_fields=["state", "decided_by", "decided_at", "note"])
    _event(Event.Kind.DUPLICATE_DISMISSED, at=at, by=by, message=message, note=reason, flag=flag.pk)
    return flag


@transaction.atomic
def unmerge_duplicate(*, message, by, reason: str, at=None) -> Message:
    """撤销并单: a merge made in error, taken back until the main message is closed. The
    message goes back to where it stood, and the clocks the merge stopped start again
    from now, as for a re-dispatch; its citizen and both units are told. A main message
    already replied to does not keep a wrong merge: its answer was written to another
    citizen about another matter (a merge into an answered message is allowed, and a
    mistyped serial is easily made), so the 回访 and the rating its citizen gave that
    answer end with it. Once the main message is closed, so is the case of every
    message merged into it, and the merge stands."""
    at = _now(at)
    message, main = _locked_answered(message)
    require_office(by, message.region)
    _require_state(message, State.MERGED)
    if main.state == State.CLOSED:
        raise ActionRefused("unmerge_closed", f"主留言{main.serial}已经办结，合并办理的留言随之办结，不能撤销并单。")
    reason = _require_text(reason, "撤销并单的理由")
    merged = message.events.filter(kind=Event.Kind.MERGED).order_by("-seq").first()
    message.state, message.merged_into = merged.data["from_state"], None
    message.save(update_fields=["state", "merged_into"])
    for kind in merged.data.get("stopped", []):
        days = message.category.response_days if kind == Stage.Kind.RESPONSE else message.category.reply_days
        _open_stage(message, message.unit, kind, at, days)
    # A 回访 its citizen opened on the main message's answer (follow_up, rate) is
    # about an answer no longer theirs: the message is handled anew on its own, as a
    # reopening would have it, and a follow-up not yet answered waits for its own unit.
    revisits = list(message.revisits.open().order_by("pk").values_list("pk", flat=True))
    message.revisits.open().update(
        state=Revisit.State.REOPENED, decided_by=by, decided_at=at, decision_note=f"撤销并单，单独办理：{reason}"
    )
    withdrawn = _withdraw_merged_rating(message)
    _event(
        Event.Kind.UNMERGED, at=at, by=by, message=message, note=reason, to_state=message.state, main=main.pk,
        revisits=revisits, **withdrawn,
    )  # fmt: skip
    # The main message's unit's answer to such a follow-up, waiting for its leader, is
    # void: that unit no longer handles the message (accounts.policy.handled_by).
    # After the UNMERGED event, which carries the restarted clocks.
    _void_drafts(message, by=by, at=at, note="已撤销并单，由原单位单独办理。", merge_undone=main.pk)
    return message


def _withdraw_merged_rating(message) -> dict:
    """A rating its citizen gave the main message's answer while merged (rate: its
    event names the main message) is withdrawn with the merge: the answer was not
    theirs, it counts no more (evaluation.facts.ratings_in), and the page and the API
    showed it as their rating of their own message. What the event says of it, so
    that replay clears it too."""
    if not message.rating:
        return {}
    rated = message.events.filter(kind=Event.Kind.RATED).order_by("-seq").first()
    if rated is None or "main" not in rated.data:
        return {}
    withdrawn = {"rating": message.rating, "rated_at": hashing.timestamp(message.rated_at), "main": rated.data["main"]}
    message.rating, message.rated_at = "", None
    message.save(update_fields=["rating", "rated_at"])
    return {"withdrawn_rating": withdrawn}


# --- the unit -----------------------------------------------------------------------


@transaction.atomic
def respond(*, message, by, note: str = "", at=None) -> Message:
    """签收/回应: the unit acknowledges the message; also while its hand-back (退单)
    waits for the office, whose decision may take longer than the response limit (the
    message stays handed back: the office decides)."""
    at = _now(at)
    message = _locked(message)
    require_unit_staff(by, message.unit)
    _require_state(message, State.DISPATCHED, State.TRANSFER_REQUESTED)
    if message.state == State.TRANSFER_REQUESTED and message.open_stage(Stage.Kind.RESPONSE) is None:
        raise ActionRefused("already_responded", "这条留言已经签收。")
    note = _optional_text(note, "签收说明")
    _complete_stage(message, Stage.Kind.RESPONSE, at)
    if message.state == State.DISPATCHED:
        message.state = State.RESPONDED
        message.save(update_fields=["state"])
    _event(Event.Kind.RESPONDED, at=at, by=by, message=message, note=note)
    return message


@transaction.atomic
def reply(*, message, by, text: str, topic=None, attachments=(), keep=(), at=None) -> Reply | ReplyDraft:
    """回复: the unit publishes its answer in its own name.

    A reply to a message not yet acknowledged acknowledges it too. Once a message is
    replied, a further reply is added beside the first and leaves the deadlines alone.
    Where the unit's replies need the leader's sign-off (审核后公开), a handler's reply
    is a draft (returned) until the leader approves it (`approve_reply`), and counts
    as given when published.
    """
    at = _now(at)
    message = _locked(message)
    require_unit_staff(by, message.unit)
    _require_state(message, State.DISPATCHED, State.RESPONDED, State.REPLIED, State.CLOSED)
    text = _require_text(text, "回复内容", max_length=settings.MESSAGE_TEXT_MAX_CHARS)
    _require_topic(topic, message.region)
    _change_topic(message, topic, by=by, at=at)
    if message.state == State.DISPATCHED:
        _complete_stage(message, Stage.Kind.RESPONSE, at)
        message.state = State.RESPONDED
        message.save(update_fields=["state"])
        _event(Event.Kind.RESPONDED, at=at, by=by, message=message, note="随回复一并签收")
    kept = _kept_files(keep, message=message, by=by, follow_up=None, uploads=attachments)
    if _needs_signoff(message.unit, by):
        return _draft(message, unit=message.unit, by=by, text=text, at=at, attachments=attachments, kept=kept)
    return _publish(message, unit=message.unit, author=by, by=by, text=text, at=at, attachments=attachments, kept=kept)


# States in which a unit answers a follow-up: after its reply, or reopened since.
ANSWERABLE = (State.RESPONDED, State.REPLIED, State.CLOSURE_PENDING, State.CLOSED)


@transaction.atomic
def answer_follow_up(*, follow_up: FollowUp, by, text: str, attachments=(), keep=(), at=None) -> Reply | ReplyDraft:
    """答复追问: the unit answers a citizen's follow-up, a reply of its own shown under
    it. It leaves the deadlines alone, and needs sign-off as any reply does. A
    follow-up on a message merged into another (并单) asks about the main message's
    answer: the main message's unit answers it, on the merged message."""
    at = _now(at)
    message, answered_by = _locked_answered(follow_up.message)
    unit = answered_by.unit
    require_unit_staff(by, unit)
    _require_state(answered_by, *ANSWERABLE)
    follow_up = FollowUp.objects.get(pk=follow_up.pk, message=message)
    if follow_up.answers.exists():
        raise ActionRefused("already_answered", "这条追问已经答复过了。")
    text = _require_text(text, "答复内容", max_length=5000)
    kept = _kept_files(keep, message=message, by=by, follow_up=follow_up, uploads=attachments)
    if _needs_signoff(unit, by):
        return _draft(
            message, unit=unit, by=by, text=text, at=at, follow_up=follow_up, attachments=attachments, kept=kept
        )
    return _publish(
        message, unit=unit, author=by, by=by, text=text, at=at, follow_up=follow_up, attachments=attachments, kept=kept
    )


def _needs_signoff(unit, by) -> bool:
    return unit.waits_for_signoff(by)


def _kept_files(keep, *, message, by, follow_up, uploads) -> list[Attachment]:
    """The files of `by`'s own reply returned or taken back (for the same follow-up)
    kept for the new one; refused when one is not (any more) theirs to keep."""
    wanted = {int(pk) for pk in keep or ()}
    if not wanted:
        return []
    rows = list(
        attachment_access.keepable(message, by).select_for_update().filter(pk__in=wanted, draft__follow_up=follow_up)
    )
    if len(rows) != len(wanted):
        raise ActionRefused("kept_files_gone", "所选的原附件已不可用（可能已随另一份回复提交），请重新选择附件。")
    if len(rows) + len(list(uploads or ())) > attachment_files.MAX_FILES:
        raise ActionRefused("too_many_files", f"每次最多上传{attachment_files.MAX_FILES}个文件（含保留的原附件）。")
    return rows


def _with_kept(files: dict, kept, **where) -> dict:
    """The step's event's list of files, with the kept ones moved to the new reply."""
    if not kept:
        return files
    Attachment.objects.filter(pk__in=[a.pk for a in kept]).update(**where)
    return {"attachments": [*files.get("attachments", []), *(a.pk for a in kept)]}


def _draft(message, *, unit, by, text, at, follow_up=None, attachments=(), kept=()) -> ReplyDraft:
    """A handler's reply waiting for `unit`'s leader: the message's unit, or for a
    follow-up on a message merged into another (并单), the main message's."""
    if message.drafts.filter(state=ReplyDraft.State.PENDING).exists():
        raise ActionRefused("draft_pending", "这条留言已有一份回复待分管领导审核，审核后才能再提交。")
    draft = ReplyDraft.objects.create(
        message=message, unit=unit, author=by, text=text, follow_up=follow_up, written_at=at
    )
    files = _with_kept(_attach(attachments, message=message, at=at, citizen=False, draft=draft), kept, draft=draft)
    _event(
        Event.Kind.REPLY_DRAFTED,
        at=at,
        by=by,
        message=message,
        unit=unit,
        draft=draft.pk,
        follow_up=follow_up.pk if follow_up else None,
        **files,
    )
    return draft


def _publish(message, *, unit, author, by, text, at, follow_up=None, attachments=(), kept=(), draft=None) -> Reply:
    """The reply goes public in `unit`'s name now (as `_draft`); a first reply completes
    the reply stage, and its outcome is judged by this moment."""
    item = Reply.objects.create(message=message, unit=unit, author=author, text=text, at=at, follow_up=follow_up)
    files = _with_kept(_attach(attachments, message=message, at=at, citizen=False, reply=item), kept, reply=item)
    if draft is not None:
        # The files of a signed-off draft go public with it.
        Attachment.objects.filter(draft=draft).update(reply=item)
    else:
        # A handler's draft of the same answer, written before this one went public, is
        # void: approved afterwards (its page still open), it published a second
        # answer beside this one, saying otherwise (a leader's trial).
        for void in message.drafts.select_for_update().filter(state=ReplyDraft.State.PENDING, follow_up=follow_up):
            _void_draft(
                void, message=message, unit=unit, by=by, at=at, note="已有回复公开，这份待审核的回复随之失效。",
                superseded_by=item.pk,
            )  # fmt: skip
    if follow_up is not None:
        _event(
            Event.Kind.FOLLOW_UP_ANSWERED,
            at=at,
            by=by,
            message=message,
            unit=unit,
            reply=item.pk,
            follow_up=follow_up.pk,
            **files,
        )
        return item
    stage = _complete_stage(message, Stage.Kind.REPLY, at)
    changed = []
    if message.state in (State.DISPATCHED, State.RESPONDED):
        message.state = State.REPLIED
        changed.append("state")
    if not message.answered:
        # Answered, and so published (if consented) from now on: reopened later, it
        # stays on the board with this answer (models.PUBLISHED).
        message.answered = True
        changed.append("answered")
    if changed:
        message.save(update_fields=changed)
    _event(
        Event.Kind.REPLIED,
        at=at,
        by=by,
        message=message,
        reply=item.pk,
        # No stage: a further reply beside the first, or the answer to untimed history.
        outcome=stage.outcome if stage else ("untimed" if message.untimed else "supplement"),
        **files,
    )
    if stage is not None and stage.outcome == Stage.Outcome.ON_TIME:
        # Replied in time, a pending request to extend the reply deadline has nothing
        # left to extend. Replied late, one asked in time waits for the office still
        # (approve_extension judges the reply again): had it lapsed, the unit would be
        # late for the office's silence, and on time had it waited for the approval.
        _end_pending_extension(message, by=by, at=at, unit=message.unit, stage=stage, note=deadlines.LAPSED_REPLIED)
    return item


def _void_draft(draft, *, message, unit, by, at, note, **why) -> None:
    """A draft waiting for sign-off that another step made void (`why`, in its event:
    an answer published beside it, `superseded_by`; a merge undone, `merge_undone`;
    the message moved to another unit, `moved_to`; merged into another message,
    `merged_into`; marked as spam, `spam`).
    Recorded, and its author told (an attacker's trial found it gone without a word:
    notifications.rules.draft_voided); the leader's 回复待审核 notice is settled with
    the last one waiting (notifications.rules._signoff_settled)."""
    draft.state, draft.decided_by, draft.decided_at, draft.note = ReplyDraft.State.WITHDRAWN, by, at, note
    draft.save(update_fields=["state", "decided_by", "decided_at", "note"])
    _event(
        Event.Kind.REPLY_WITHDRAWN, at=at, by=by, message=message, unit=unit, draft=draft.pk, note=note,
        author=draft.author_id, **why,
    )  # fmt: skip


def _void_drafts(message, *, by, at, note, **why) -> None:
    """Every draft of the message still waiting for sign-off made void, as `_void_draft`."""
    pending = message.drafts.select_for_update(of=("self",)).select_related("unit")
    for void in pending.filter(state=ReplyDraft.State.PENDING):
        _void_draft(void, message=message, unit=void.unit, by=by, at=at, note=note, **why)


def _pending_draft(draft, answered_by) -> ReplyDraft:
    """The draft, still waiting, of the unit that answers the message now (`answered_by`:
    the message, or its main message, `_locked_answered`)."""
    draft = ReplyDraft.objects.select_for_update(of=("self",)).select_related("follow_up", "author").get(pk=draft.pk)
    if draft.state != ReplyDraft.State.PENDING:
        raise ActionRefused("already_decided", f"这份回复{draft.get_state_display()}。")
    if draft.unit_id != answered_by.unit_id:
        raise ActionRefused("not_your_unit", "这条留言已不由本单位办理。")
    return draft


@transaction.atomic
def approve_reply(*, draft: ReplyDraft, by, note: str = "", at=None) -> Reply:
    """审核通过: the leader publishes a handler's reply; it counts as given now."""
    at = _now(at)
    message, answered_by = _locked_answered(draft.message)
    require_unit_staff(by, draft.unit, leader_only=True)
    draft = _pending_draft(draft, answered_by)
    note = _optional_text(note, "审核意见")
    if draft.follow_up_id is None:
        _require_state(message, State.RESPONDED, State.REPLIED, State.CLOSED)
    else:
        _require_state(answered_by, *ANSWERABLE)
    _event(Event.Kind.REPLY_APPROVED, at=at, by=by, message=message, unit=draft.unit, note=note.strip(), draft=draft.pk)
    item = _publish(
        message, unit=draft.unit, author=draft.author, by=by, text=draft.text, at=at,
        follow_up=draft.follow_up, draft=draft,
    )  # fmt: skip
    draft.state, draft.decided_by, draft.decided_at = ReplyDraft.State.APPROVED, by, at
    draft.note, draft.reply = note, item
    draft.save(update_fields=["state", "decided_by", "decided_at", "note", "reply"])
    return item


@transaction.atomic
def withdraw_reply(*, draft: ReplyDraft, by, at=None) -> ReplyDraft:
    """撤回: the handler who wrote a reply takes it back before the leader has decided,
    to correct it; nothing was published and the deadline keeps running."""
    at = _now(at)
    message, answered_by = _locked_answered(draft.message)
    require_unit_staff(by, draft.unit)
    draft = _pending_draft(draft, answered_by)
    if draft.author_id != by.pk:
        raise ActionRefused("not_the_author", f"只有拟稿人{draft.author}可以撤回这份回复。")
    draft.state, draft.decided_by, draft.decided_at = ReplyDraft.State.WITHDRAWN, by, at
    draft.note = "拟稿人撤回修改。"
    draft.save(update_fields=["state", "decided_by", "decided_at", "note"])
    _event(Event.Kind.REPLY_WITHDRAWN, at=at, by=by, message=message, unit=draft.unit, draft=draft.pk)
    return draft


@transaction.atomic
def return_reply(*, draft: ReplyDraft, by, note: str, at=None) -> ReplyDraft:
    """退回修改: the leader sends a handler's reply back with a note; nothing is
    published and the deadline keeps running."""
    at = _now(at)
    message, answered_by = _locked_answered(draft.message)
    require_unit_staff(by, draft.unit, leader_only=True)
    draft = _pending_draft(draft, answered_by)
    draft.note = _require_text(note, "退回修改的意见", max_length=1000)
    draft.state, draft.decided_by, draft.decided_at = ReplyDraft.State.RETURNED, by, at
    draft.save(update_fields=["state", "decided_by", "decided_at", "note"])
    _event(
        Event.Kind.REPLY_RETURNED,
        at=at,
        by=by,
        message=message,
        unit=draft.unit,
        note=draft.note,
        draft=draft.pk,
        author=draft.author_id,
    )
    return draft


@transaction.atomic
def request_transfer(*, message, by, reason: str, at=None) -> Message:
    """转办/退单: the unit hands the message back, saying why; the county office
    re-dispatches it or refuses. The unit's clock keeps running meanwhile."""
    at = _now(at)
    message = _locked(message)
    require_unit_staff(by, message.unit)
    _require_state(message, State.DISPATCHED, State.RESPONDED)
    reason = _require_text(reason, "退单理由")
    message.state = State.TRANSFER_REQUESTED
    message.save(update_fields=["state"])
    _event(Event.Kind.TRANSFER_REQUESTED, at=at, by=by, message=message, note=reason)
    return message


@transaction.atomic
def request_extension(*, message, by, days: int, reason: str, at=None) -> ExtensionRequest:
    """延期申请: asked before the reply deadline, at most the category's total."""
    at = _now(at)
    message = _locked(message)
    require_unit_staff(by, message.unit)
    _require_state(message, State.DISPATCHED, State.RESPONDED)
    reason = _require_text(reason, "延期理由")
    if message.untimed:
        raise ActionRefused("untimed", "这是历史留言，不计办理时限，无需申请延期。")
    stage = message.open_stage(Stage.Kind.REPLY)
    if stage is None or at >= stage.due_at:
        raise ActionRefused("too_late", "延期须在回复期限届满前申请，期限已过。")
    if not isinstance(days, int) or days < 1:
        raise ActionRefused("bad_days", "延期天数应为正整数（工作日）。")
    if stage.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ActionRefused("already_pending", "已有一项延期申请待审批。")
    _require_extension_allowance(message, days)
    request = ExtensionRequest.objects.create(
        message=message, stage=stage, days=days, reason=reason, requested_by=by, requested_at=at
    )
    _event(Event.Kind.EXTENSION_REQUESTED, at=at, by=by, message=message, note=reason, days=days)
    return request


@transaction.atomic
def close(*, message, by, kind: str, note: str = "", at=None) -> Message:
    """办结, by the category's rule; signed off by the unit's leader.

    建议/咨询 close as answered. 诉求 close as solved, or as explained where it cannot
    be solved soon. Long-cycle closure needs the leadership group
    (`request_long_cycle_closure`).
    """
    at = _now(at)
    message = _locked(message)
    require_unit_staff(by, message.unit, leader_only=True)
    _require_state(message, State.REPLIED)
    allowed = message.category.closure_kinds()
    if kind not in allowed:
        names = "、".join(f"“{Message.ClosureKind(k).label}”" for k in allowed)
        raise ActionRefused("bad_closure_kind", f"{message.category.name}类留言只能按{names}办结。")
    note = _optional_text(note, "办结说明")
    message.state, message.closed_at, message.closure_kind = State.CLOSED, at, kind
    message.save(update_fields=["state", "closed_at", "closure_kind"])
    _event(Event.Kind.CLOSED, at=at, by=by, message=message, note=note, closure_kind=kind)
    return message


@transaction.atomic
def request_long_cycle_closure(*, message, by, explanation: str, at=None) -> Message:
    """The problem takes long to solve or cannot be solved: the unit has replied with
    an explanation and asks the leadership group to count it as closed."""
    at = _now(at)
    message = _locked(message)
    require_unit_staff(by, message.unit, leader_only=True)
    _require_state(message, State.REPLIED)
    message.closure_explanation = _require_text(
        explanation, "长周期办结说明", max_length=settings.MESSAGE_TEXT_MAX_CHARS
    )
    message.state = State.CLOSURE_PENDING
    message.save(update_fields=["state", "closure_explanation"])
    _event(Event.Kind.LONG_CYCLE_REQUESTED, at=at, by=by, message=message, note=message.closure_explanation)
    return message


# --- supervision --------------------------------------------------------------------


@transaction.atomic
def flag_for_supervision(*, message, by, note: str, at=None) -> Message:
    """督办: the office puts a message under supervision."""
    at = _now(at)
    message = _locked(message)
    require_office(by, message.region, city_allowed=True)
    _require_state(message, *State.with_unit())
    if message.supervised_at is not None:
        raise ActionRefused("already_supervised", "这条留言已在督办中。")
    note = _require_text(note, "督办意见")
    message.supervised_at = at
    message.save(update_fields=["supervised_at"])
    _event(Event.Kind.SUPERVISION_FLAGGED, at=at, by=by, message=message, note=note)
    return message


def _unit_messages(unit, messages):
    given = [m.pk for m in messages]
    current = Message.objects.in_bulk(given)  # as they stand now: one may have been merged since
    messages = [current[pk] for pk in given]
    strays = [m.serial for m in messages if not handles(unit.pk, m)]  # not one merged into another unit's
    if strays:
        raise ActionRefused("message_not_of_unit", f"留言{'、'.join(strays)}不由{unit.name}办理。")
    return messages


@transaction.atomic
def order_written_explanation(
    *, unit: Unit, by, reason: str, messages, backlog_deadline: dt.datetime, at=None, chosen=False
) -> WrittenExplanationOrder:
    """责成书面说明, with a deadline to sort out and reply to the unanswered messages.
    `chosen`: the office picked the messages itself (its form, the API), and picking
    none while the unit has some unanswered is refused: the order read 已按期梳理回复
    from its first day (a leader's trial). A quarter-end proposal's order names the
    late messages still with the unit, which may be none."""
    at = _now(at)
    # Locked: the same order sent twice at once is told apart below.
    unit = Unit.objects.select_related("region").select_for_update(of=("self",)).get(pk=unit.pk)
    require_office(by, unit.region)
    reason = _require_text(reason, "责成事由")
    messages = _unit_messages(unit, messages)
    unanswered = Message.objects.filter(unit=unit, stages__completed_at__isnull=True)
    if chosen and unanswered.exists() and not unanswered.filter(pk__in=[m.pk for m in messages]).exists():
        # None of them unanswered (none chosen, or only answered ones through the API:
        # an attacker's trial) is as good as none.
        raise ActionRefused("no_backlog_chosen", "请勾选要限期梳理回复的留言：本单位有留言尚未签收或回复。")
    if timezone.is_naive(backlog_deadline) or backlog_deadline <= at:
        raise ActionRefused("bad_deadline", "限期梳理回复的截止时间必须晚于现在。")
    # The same order again within a day (its reason and messages) is a repeat (a form
    # sent twice, a client's retry), not a second order: each one costs the unit points.
    concerned = {m.pk for m in messages}
    recent = WrittenExplanationOrder.objects.filter(unit=unit, reason=reason, ordered_at__gt=at - dt.timedelta(days=1))
    for earlier in recent.prefetch_related("messages").order_by("-ordered_at"):
        if {m.pk for m in earlier.messages.all()} == concerned:
            before = earlier.ordered_at.astimezone(clock.county_zone())
            raise ActionRefused(
                "repeated", f"已于{before:%Y-%m-%d %H:%M}以同样的事由和留言责成{unit.name}书面说明，不再重复责成。"
            )
    order = WrittenExplanationOrder.objects.create(
        unit=unit, reason=reason, ordered_by=by, ordered_at=at, backlog_deadline=backlog_deadline
    )
    order.messages.set(messages)
    _event(
        Event.Kind.EXPLANATION_ORDERED,
        at=at,
        by=by,
        unit=unit,
        note=reason,
        order=order.pk,
        messages=[m.serial for m in messages],
        backlog_deadline=hashing.timestamp(backlog_deadline),
    )
    return order


@transaction.atomic
def record_explanation(*, order: WrittenExplanationOrder, by, text: str, at=None) -> WrittenExplanationOrder:
    """The written explanation has come in: recorded by the office, or submitted by
    the unit's own leader."""
    at = _now(at)
    order = WrittenExplanationOrder.objects.select_for_update().select_related("unit__region").get(pk=order.pk)
    if by is not None and by.role == Role.LEADER:
        require_unit_staff(by, order.unit, leader_only=True)
    else:
        require_office(by, order.unit.region)
    if order.explanation_received_at is not None:
        raise ActionRefused("already_recorded", "该书面说明已经录入。")
    order.explanation = _require_text(text, "书面说明内容", max_length=settings.MESSAGE_TEXT_MAX_CHARS)
    order.explanation_received_at = at
    order.save(update_fields=["explanation", "explanation_received_at"])
    _event(Event.Kind.EXPLANATION_RECORDED, at=at, by=by, unit=order.unit, order=order.pk)
    return order


@transaction.atomic
def return_explanation(*, order: WrittenExplanationOrder, by, note: str, at=None) -> WrittenExplanationOrder:
    """退回重写: the office finds the explanation wanting and sends it back with its
    reason; the unit writes it again (until then the order stands unexplained)."""
    at = _now(at)
    order = WrittenExplanationOrder.objects.select_for_update().select_related("unit__region").get(pk=order.pk)
    require_office(by, order.unit.region)
    if order.explanation_received_at is None:
        raise ActionRefused("not_recorded", "该书面说明尚未提交，无需退回。")
    order.returned_note = _require_text(note, "退回意见", max_length=1000)
    order.returned_at, order.explanation_received_at = at, None
    order.save(update_fields=["returned_note", "returned_at", "explanation_received_at"])
    _event(Event.Kind.EXPLANATION_RETURNED, at=at, by=by, unit=order.unit, note=order.returned_note, order=order.pk)
    return order


@transaction.atomic
def record_finding(
    *,
    unit: Unit,
    by,
    summary: str,
    found_on: dt.date,
    source: str = SupervisionFinding.Source.COUNTY_CHECK,
    adverse: bool = True,
    written_criticism: bool = False,
    message=None,
    at=None,
) -> SupervisionFinding:
    """督查结果: from the county's irregular checks, or a city bulletin's finding."""
    at = _now(at)
    unit = Unit.objects.select_related("region").get(pk=unit.pk)
    require_office(by, unit.region, city_allowed=True)
    if source not in SupervisionFinding.Source.values:
        raise ActionRefused("bad_source", "督查结果的来源只能是县督查或市季度通报。")
    if message is not None:
        _unit_messages(unit, [message])
    if found_on > clock.local_date(at):
        raise ActionRefused("future_date", "督查日期不能晚于今天。")
    finding = SupervisionFinding.objects.create(
        unit=unit,
        message=message,
        source=source,
        adverse=adverse,
        written_criticism=written_criticism,
        summary=_require_text(summary, "督查结果", max_length=settings.MESSAGE_TEXT_MAX_CHARS),
        found_on=found_on,
        recorded_by=by,
        recorded_at=at,
    )
    _event(
        Event.Kind.FINDING_RECORDED,
        at=at,
        by=by,
        unit=unit,
        message=message,
        note=finding.summary,
        finding=finding.pk,
        adverse=adverse,
        written_criticism=written_criticism,
        source=source,
        found_on=found_on,
    )
    return finding


@transaction.atomic
def publish_exposure(*, unit: Unit, by, title: str, body: str, outlet: str, message=None, at=None) -> Exposure:
    """曝光: through county and city media."""
    at = _now(at)
    unit = Unit.objects.select_related("region").get(pk=unit.pk)
    require_office(by, unit.region, city_allowed=True)
    if message is not None:
        _unit_messages(unit, [message])
    fields = {
        "title": _require_text(title, "曝光标题", max_length=100),
        "body": _require_text(body, "曝光内容", max_length=settings.MESSAGE_TEXT_MAX_CHARS),
        "outlet": _require_text(outlet, "发布媒体", max_length=100),
    }
    # The same report again within a day is a repeat (a form sent twice, a client's
    # retry), not a second exposure: each one costs the unit points.
    repeat = Exposure.objects.standing().filter(unit=unit, published_at__gt=at - dt.timedelta(days=1), **fields)
    if repeat.exists():
        before = repeat.latest("published_at").published_at.astimezone(clock.county_zone())
        raise ActionRefused("repeated", f"同样的曝光已于{before:%Y-%m-%d %H:%M}录入，不再重复录入。")
    exposure = Exposure.objects.create(unit=unit, message=message, published_by=by, published_at=at, **fields)
    _event(Event.Kind.EXPOSURE_PUBLISHED, at=at, by=by, unit=unit, message=message, note=title, exposure=exposure.pk)
    return exposure


@transaction.atomic
def withdraw_exposure(*, exposure: Exposure, by, reason: str, at=None) -> Exposure:
    """撤销曝光: one recorded by mistake (twice, the wrong unit) is taken off the public
    page and out of the evaluation, with the reason; the record of both stays."""
    at = _now(at)
    exposure = Exposure.objects.select_for_update().select_related("unit__region").get(pk=exposure.pk)
    require_office(by, exposure.unit.region, city_allowed=True)
    if exposure.withdrawn_at is not None:
        raise ActionRefused("already_withdrawn", "这条曝光已经撤销。")
    exposure.withdrawn_reason = _require_text(reason, "撤销理由", max_length=1000)
    exposure.withdrawn_at, exposure.withdrawn_by = at, by
    exposure.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    _event(
        Event.Kind.EXPOSURE_WITHDRAWN,
        at=at,
        by=by,
        unit=exposure.unit,
        message=exposure.message,
        note=exposure.withdrawn_reason,
        exposure=exposure.pk,
    )
    return exposure


@transaction.atomic
def refer_for_accountability(
    *, unit: Unit, by, person: str, reason: str, referred_to: str, message=None, at=None
) -> AccountabilityReferral:
    """追究责任: facts misreported or mishandled with serious consequences."""
    at = _now(at)
    unit = Unit.objects.select_related("region").get(pk=unit.pk)
    require_office(by, unit.region)
    if message is not None:
        _unit_messages(unit, [message])
    referral = AccountabilityReferral.objects.create(
        unit=unit,
        message=message,
        person=_require_text(person, "责任人", max_length=50),
        reason=_require_text(reason, "追责事由", max_length=settings.MESSAGE_TEXT_MAX_CHARS),
        referred_to=_require_text(referred_to, "移送机关", max_length=100),
        referred_by=by,
        referred_at=at,
    )
    _event(
        Event.Kind.ACCOUNTABILITY_REFERRED, at=at, by=by, unit=unit, message=message, note=reason, referral=referral.pk
    )
    return referral
