"""What the JSON API sends and accepts. Each output is built by an explicit
function from the model (no serializer magic), so what leaves the system is what
is written here. The public shapes never carry a citizen's name or contact, and
their texts are the public version with personal data masked
(wenzheng.privacy.public); the `citizen` block of a message goes only to those the
access policy lets see it (wenzheng.accounts.policy.may_see_contact)."""

import datetime as dt
from typing import Annotated

from django.conf import settings
from ninja import Field, Schema
from pydantic import BeforeValidator

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import may_see_contact
from wenzheng.handling.models import Message
from wenzheng.privacy.public import Publisher, mask_for_reader, merged_answer


def _digits(value):
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("应为不带正负号的整数（只含数字 0–9）")
    return value


# A whole number in a query string: ASCII digits only, as the document's `integer`
# says. pydantic alone reads " 5" or "\v5" as 5.
QueryInt = Annotated[int, BeforeValidator(_digits)]


class RegionOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    closure_rule: str
    response_days: int
    reply_days: int
    max_extension_days: int
    counted_in_bulletin: bool


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    registered_on: dt.date
    deactivated_on: dt.date | None


class UnitRef(Schema):
    id: int
    name: str


class ReplyOut(Schema):
    unit: str
    text: str
    at: dt.datetime
    follow_up: int | None = Field(None, description="答复的追问编号；空为对留言的回复")


class FollowUpOut(Schema):
    id: int
    text: str
    at: dt.datetime


class PublicMessageOut(Schema):
    region: str
    serial: str
    title: str
    body: str
    category: str
    unit: UnitRef | None
    state: str
    state_label: str
    submitted_at: dt.datetime
    closed_at: dt.datetime | None
    replies: list[ReplyOut] = []
    follow_ups: list[FollowUpOut] = []


class MessageSummary(Schema):
    region: str
    serial: str
    title: str
    category: str
    unit: UnitRef | None
    state: str
    state_label: str
    submitted_at: dt.datetime
    closed_at: dt.datetime | None


class Page(Schema):
    count: int | None = Field(description="条数，最多数到10000（count_more 为真表示还有更多）；用 before 翻页时为空")
    count_more: bool
    page: int | None
    pages: int | None
    page_size: int
    next_page: int | None = Field(description="下一页的 page（没有下一页时为空）")
    next_before: str | None = Field(
        description="下一页的 before：按留言时间接着往前取，不受页码上限限制"
        "（按相关程度排序的搜索为空，请用 next_page）"
    )


class MessagePage(Page):
    results: list[MessageSummary]


class CitizenOut(Schema):
    name: str
    phone: str
    id_number: str
    email: str
    address: str


class StageOut(Schema):
    kind: str
    unit: str
    started_at: dt.datetime
    limit_days: int
    due_at: dt.datetime
    due_warning: str
    extension_days: int
    held_days: int  # 退单审核顺延: the working days a refused hand-back waited
    completed_at: dt.datetime | None
    outcome: str


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_note: str


class ReviewOut(Schema):
    follow_up_at: dt.datetime | None = Field(description="追问的时间；留言本身的审核为 null")
    state: str = Field(description="pending / passed / redacted / withheld")
    state_label: str
    reason: str


class DraftOut(Schema):
    id: int
    text: str
    author: str
    written_at: dt.datetime
    follow_up: int | None
    state: str
    note: str


class RevisitOut(Schema):
    id: int
    kind: str
    reason: str
    follow_up: int | None
    opened_at: dt.datetime
    state: str
    decision_note: str


class TopicRef(Schema):
    id: int
    code: str
    path: str = Field(description="如：城乡建设 → 市政设施 → 路灯照明")


class MessageOut(PublicMessageOut):
    """A message as those who may handle it (or the citizen who wrote it) see it:
    the texts as written. `citizen` is null for those who may not see the citizen's
    name and contact (the city office, for one)."""

    topic: TopicRef | None = Field(None, description="事项分类")
    consent_to_publish: bool
    closure_kind: str
    closure_explanation: str
    rating: str
    supervised_at: dt.datetime | None
    citizen: CitizenOut | None
    reviews: list[ReviewOut] = []
    stages: list[StageOut] = []
    extension_requests: list[ExtensionOut] = []
    drafts: list[DraftOut] = Field([], description="待分管领导审核的回复（仅办理单位和网络问政办可见）")
    merged_into: str | None = Field(
        None, description="并单：本留言已并入的主留言编号；主留言的答复即对本留言的答复（未并单为 null）"
    )
    main_replies: list[ReplyOut] = Field(
        [],
        description="并单：主留言对留言本身的答复（不含对主留言网民追问的答复），"
        "按公开页面的方式遮盖个人信息；网民据此追问和评价",
    )
    revisits: list[RevisitOut] = Field([], description="回访：网民追问和不满意评价的处理")


class SubmittedOut(MessageOut):
    tracking_code: str
    passcode: str = Field(description="查询密码：只在此时返回一次，系统只保存其摘要。")


class CategoryCount(Schema):
    name: str
    count: int


class UnitFiguresOut(Schema):
    unit: UnitRef
    kind: str
    received: int
    replied: int
    closed: int
    reply_rate: str | None
    closure_rate: str | None


class CountyFiguresOut(Schema):
    region: str
    name: str
    received: int
    replied: int
    closed: int
    reply_rate: str | None
    closure_rate: str | None


class StatisticsOut(Schema):
    region: str
    topic: str | None = Field(None, description="所筛选的事项分类大类代码；不筛选时为空")
    period: str
    first_day: dt.date
    last_day: dt.date
    cutoff: dt.datetime
    new_units: int
    total_units: int
    received: int
    by_category: list[CategoryCount]
    replied: int
    closed: int
    in_progress: int
    reply_rate: str | None
    closure_rate: str | None
    summary: str
    counties: list[CountyFiguresOut] = Field(description="市：各县（区）的合计")
    units_count: int
    units_page: int
    units_pages: int
    units: list[UnitFiguresOut] = Field(description="各单位，按类型和名称排列，分页（page、page_size）")


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    unit: UnitRef | None
    region: str | None


# --- inputs -------------------------------------------------------------------------


class SubmitIn(Schema):
    category: str = Field(description="类别代码，如 consultation、suggestion、appeal")
    title: str = Field(description="标题，不超过100个字")
    # The length is checked by the action (a Chinese refusal that names the limit).
    body: str = Field(description=f"留言内容，不超过{settings.MESSAGE_TEXT_MAX_CHARS}个字")
    name: str
    phone: str
    consent_to_publish: bool = False
    unit: int | None = Field(None, description="办理单位编号；不填则由县级网络问政办交办")
    region: str | None = Field(None, description="县（区）代码；只有一个县或已填单位时可不填")
    id_number: str = ""
    email: str = ""
    address: str = ""


class NoteIn(Schema):
    note: str = ""


class TextIn(Schema):
    text: str = Field(description=f"内容；回复和追问不超过{settings.MESSAGE_TEXT_MAX_CHARS}个字")


class ReasonIn(Schema):
    reason: str


class DispatchIn(Schema):
    """交办, as the dispatch queue does it: the unit, and optionally the office's
    correction of the category and the topic (left out: unchanged)."""

    unit: int
    note: str = ""
    category: str | None = Field(
        None,
        description="更正留言类别：类别代码，如 consultation、suggestion、appeal；不填则不变。"
        "已有答复的留言不能更改类别",
    )
    topic: int | str | None = Field(
        None,
        description='设定事项分类：本县（区）分类表中启用的中类或小类，可填六位代码（字符串，如 "010101"）'
        "或编号（整数）；不填则不变",
    )


class ExtensionIn(Schema):
    days: int
    reason: str


class CloseIn(Schema):
    kind: str = Field(description="answered / solved / explained")
    note: str = ""


class ExplanationIn(Schema):
    explanation: str


class RatingIn(Schema):
    rating: str = Field(description="satisfied / basically_satisfied / dissatisfied")
    reason: str = Field("", description="不满意的理由（评价为 dissatisfied 时必填）")


class ReassignIn(Schema):
    unit: int
    reason: str


class DecisionNoteIn(Schema):
    note: str


class OrderIn(Schema):
    reason: str
    messages: list[str] = Field(description="该单位的留言编号，如 2026-000046")
    backlog_deadline: dt.datetime


class FindingIn(Schema):
    summary: str
    found_on: dt.date
    source: str = "county_check"
    adverse: bool = True
    written_criticism: bool = False
    message: str | None = Field(None, description="相关留言编号（选填）")


class ExposureIn(Schema):
    title: str
    body: str
    outlet: str
    message: str | None = None


class ReferralIn(Schema):
    person: str
    reason: str
    referred_to: str
    message: str | None = None


class RecordOut(Schema):
    """A supervision record created by the office."""

    kind: str
    id: int
    unit: UnitRef
    at: dt.datetime


# --- building outputs -------------------------------------------------------------


def unit_ref(unit):
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def summary(m: Message, publisher: Publisher | None = None) -> dict:
    """A list entry; with a `publisher`, as the public reads it."""
    return {
        "region": m.region.code,
        "serial": m.serial,
        "title": publisher.title(m) if publisher is not None else m.title,
        "category": m.category.code,
        "unit": unit_ref(m.unit),
        "state": m.state,
        "state_label": m.get_state_display(),
        "submitted_at": m.submitted_at,
        "closed_at": m.closed_at,
    }


def public(m: Message, publisher: Publisher) -> dict:
    thread = publisher.thread(m)
    return {
        **summary(m),
        "title": thread.title,
        "body": thread.body,
        "replies": [{"unit": r.unit, "text": r.text, "at": r.at, "follow_up": r.follow_up_id} for r in thread.replies],
        "follow_ups": [{"id": f.pk, "text": f.text, "at": f.at} for f in thread.follow_ups],
    }


def contact(m: Message) -> dict:
    return {
        "name": m.citizen_name,
        "phone": m.citizen_phone,
        "id_number": m.citizen_id_number,
        "email": m.citizen_email,
        "address": m.citizen_address,
    }


def full(m: Message, user) -> dict:
    """The message as written, for `user` (who may see it): the citizen's contact
    only where the access policy allows; the texts masked for the others too."""
    # Drafts waiting for sign-off are the unit's and the office's, not the citizen's.
    drafts = list(m.drafts.all()) if user.is_authenticated and user.role != Role.CITIZEN else []
    revisits, extensions, reviews = list(m.revisits.all()), list(m.extension_requests.all()), list(m.reviews.all())
    mask_for_reader(user, [m], drafts=drafts, revisits=revisits, extensions=extensions, reviews=reviews)
    follow_ups = {f.pk: f.at for f in m.follow_ups.all()}
    # 并单: the main message's answers are this message's, which its citizen follows up and rates.
    main, main_replies = merged_answer(m)
    return {
        **summary(m),
        "body": m.body,
        "merged_into": main.serial if main is not None else None,
        "main_replies": [{"unit": r.unit, "text": r.text, "at": r.at, "follow_up": None} for r in main_replies],
        "replies": [
            {"unit": r.unit.name, "text": r.text, "at": r.at, "follow_up": r.follow_up_id} for r in m.replies.all()
        ],
        "follow_ups": [{"id": f.pk, "text": f.text, "at": f.at} for f in m.follow_ups.all()],
        "reviews": [
            {
                "follow_up_at": follow_ups.get(r.follow_up_id),
                "state": r.state,
                "state_label": r.get_state_display(),
                "reason": r.reason,
            }
            for r in reviews
        ],
        "drafts": [
            {
                "id": d.pk,
                "text": d.text,
                "author": str(d.author),
                "written_at": d.written_at,
                "follow_up": d.follow_up_id,
                "state": d.state,
                "note": d.note,
            }
            for d in drafts
        ],
        "revisits": [
            {
                "id": r.pk,
                "kind": r.kind,
                "reason": r.reason,
                "follow_up": r.follow_up_id,
                "opened_at": r.opened_at,
                "state": r.state,
                "decision_note": r.decision_note,
            }
            for r in revisits
        ],
        "topic": {"id": m.topic.pk, "code": m.topic.code, "path": m.topic.path} if m.topic else None,
        "consent_to_publish": m.consent_to_publish,
        "closure_kind": m.closure_kind,
        "closure_explanation": m.closure_explanation,
        "rating": m.rating,
        "supervised_at": m.supervised_at,
        "citizen": contact(m) if may_see_contact(user, m) else None,
        "stages": [
            {
                "kind": s.kind,
                "unit": s.unit.name,
                "started_at": s.started_at,
                "limit_days": s.limit_days,
                "due_at": s.due_at,
                "due_warning": s.due_warning,
                "extension_days": s.extension_days,
                "held_days": s.held_days,
                "completed_at": s.completed_at,
                "outcome": s.outcome,
            }
            for s in m.stages.all()
        ],
        "extension_requests": [
            {
                "id": e.pk,
                "days": e.days,
                "reason": e.reason,
                "status": e.status,
                "requested_at": e.requested_at,
                "decided_at": e.decided_at,
                "decision_note": e.decision_note,
            }
            for e in extensions
        ],
    }
