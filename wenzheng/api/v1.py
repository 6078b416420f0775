"""The JSON API, /api/v1/: public reads, citizen submission and every handling step.

Reads under /my/ and every step act as the token's user: messages come through
`visible_to` (a stranger's message is a 404, as on the pages) and each step is the
action of the same name, which checks role, unit and state itself.
"""

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Router, Status
from ninja.renderers import JSONRenderer

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import may_see_contact, search_audience
from wenzheng.handling import actions
from wenzheng.handling.models import (
    Category,
    ExtensionRequest,
    FollowUp,
    Message,
    Reply,
    ReplyDraft,
    Revisit,
    parse_serial,
)
from wenzheng.lib import paging
from wenzheng.privacy.models import AccessRecord
from wenzheng.privacy.public import Publisher, mask_titles_for_reader
from wenzheng.privacy.records import record_access
from wenzheng.public.forms import BoardFilterForm
from wenzheng.reports import periods, tally
from wenzheng.security import limits
from wenzheng.supervision.models import Exposure, WrittenExplanationOrder
from wenzheng.topics import forms as topic_forms
from wenzheng.topics.catalogue import clean_cell
from wenzheng.topics.models import Topic
from wenzheng.units.models import Region, Unit

from . import errors, schemas
from .auth import token_auth
from .docs import LocalSwagger
from .errors import ApiError, documented, not_found

PAGE_SIZE = 20  # as the public board
MAX_PAGE_SIZE = 100
UNITS_PAGE_SIZE, MAX_UNITS_PAGE_SIZE = 200, 1000  # a county's units fit one page


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as Chinese, not \\u escapes


api = NinjaAPI(
    title="网络问政开放接口",
    version="1",
    description=(
        "公开数据（单位、公开留言、统计）无需令牌；网民留言和各项办理操作须在请求头带个人接口令牌："
        "`Authorization: Bearer <令牌>`，以令牌所属用户的角色和单位办理。错误以 "
        '`{"code": "...", "message": "..."}` 返回，code 稳定不变。'
    ),
    urls_namespace="api:v1",
    docs=LocalSwagger(),
    renderer=Renderer(),
)
errors.install(api)
public = Router(tags=["公开数据"])
mine = Router(tags=["办理"], auth=token_auth)
supervision = Router(tags=["督办与问责"], auth=token_auth)
AUTH_ERRORS = documented(401, 404, 422)
STEP_ERRORS = documented(400, 401, 403, 404, 409, 422)


# --- lookups ----------------------------------------------------------------------


def _region(code: str | None) -> Region:
    region = Region.objects.filter(code=code).first() if code else Region.objects.default()
    if region is None:
        raise not_found("县（区）")
    return region


def _in_region(messages, region):
    if region.kind == Region.Kind.CITY:
        return messages.in_city(region)
    return messages.filter(region=region)


def _serial(serial: str) -> tuple[int, int]:
    parsed = parse_serial(serial)
    if parsed is None:
        raise not_found("留言")
    return parsed


def _thread(messages):
    return messages.select_related("region", "category", "unit", "citizen", "topic__parent__parent").prefetch_related(
        Prefetch("replies", queryset=Reply.objects.select_related("unit")), "follow_ups", "stages__unit",
        "extension_requests", "reviews", Prefetch("drafts", queryset=ReplyDraft.objects.select_related("author")),
        "revisits",
    )  # fmt: skip


def _full(request, m: Message) -> dict:
    """The message as written; an opening of the citizen's contact by staff is recorded."""
    if request.user.role != Role.CITIZEN and may_see_contact(request.user, m):
        record_access(user=request.user, surface=AccessRecord.Surface.API, message=m)
    return schemas.full(m, request.user)


def _message(messages, region: str, serial: str) -> Message:
    year, number = _serial(serial)
    found = _thread(messages).filter(region__code=region, year=year, number=number).first()
    if found is None:
        raise not_found("留言")
    return found


def _mine(request, region, serial) -> Message:
    return _message(Message.objects.visible_to(request.user), region, serial)


class Filters(schemas.Schema):
    """The public board's filters (same names, same meaning)."""

    region: str | None = None
    q: str | None = Field(
        None,
        description="搜索：空格分开的字词都须出现，连着写的按原样（如“路灯维修”）；"
        "不像留言板那样在找不到时拆词再搜，需要时请用空格分开（如“路灯 维修”）",
    )
    order: str | None = None
    unit: str | None = None
    category: str | None = None
    topic: str | None = Field(None, description="事项分类代码：大类（如010000）或中类（如010100）")
    status: str | None = None
    period: str | None = None
    page: schemas.QueryInt = Field(1, ge=1)
    page_size: schemas.QueryInt = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"每页条数，最多{MAX_PAGE_SIZE}")
    before: str | None = Field(
        None,
        description="上一页最后一条的 next_before：从它之后接着取（不计总数）；"
        "按相关程度排序的搜索不能用，请按 page 翻页",
    )


def _filter(messages, filters: Filters, *, states=None, audience="public"):
    region = _region(filters.region)
    names = ("q", "order", "unit", "category", "topic", "status", "period")
    form = BoardFilterForm({k: getattr(filters, k) or "" for k in names}, region=region)
    if states is not None:
        form.fields["status"].choices = [("", "全部状态"), *states]
    if not form.is_valid():
        problems = [{"field": f, "problem": "；".join(e)} for f, e in form.errors.items()]
        raise_invalid(problems)
    found = (
        form.apply(_in_region(messages, region), audience=audience, words=False)
        .select_related("region", "category", "unit", "citizen")
        .prefetch_related("reviews")
    )
    return found, form.query is not None and form.ranked


def raise_invalid(problems):
    raise ApiError(422, "invalid_filter", "筛选条件不正确：" + "；".join(p["problem"] for p in problems), problems)


def _page(found, filters: Filters, publisher: Publisher | None = None, reader=None, *, ranked=False) -> dict:
    """A page by number, counted no further than paging.COUNT_LIMIT (`count_more`
    says there are more); past the numbers, `next_before` goes on from the last row.
    A search by relevance has no such key (its order is not by date: a cursor taken
    from a ranked page would skip what ranks lower but is newer), so it pages by
    number only (`next_page`), and `before` is refused with it."""
    if ranked and filters.before:
        raise ApiError(
            422,
            "before_with_relevance",
            "按相关程度排序的搜索结果请用 page 翻页（见 next_page）；要按时间接着取，请加 order=newest。",
        )
    try:
        page = paging.listing(
            found, page=filters.page, size=filters.page_size, before_text=filters.before or "", keyset=not ranked
        )
    except paging.BadCursor:
        raise ApiError(422, "invalid_before", "before 不是本接口给出的 next_before。") from None
    if reader is not None:
        mask_titles_for_reader(reader, page.object_list)
    return {
        "count": page.count,
        "count_more": page.more,
        "page": page.number,
        "pages": page.pages,
        "page_size": filters.page_size,
        "next_page": page.next_page,
        "next_before": None
        if ranked
        else page.next_before or (paging.cursor(page.object_list[-1]) if page.object_list else None),
        "results": [schemas.summary(m, publisher) for m in page.object_list],
    }


# --- public reads -------------------------------------------------------------------


@public.get("/regions", response=list[schemas.RegionOut], summary="行政区域（市和县）")
def regions(request):
    return [
        {"code": r.code, "name": r.name, "kind": r.kind, "parent": r.parent.code if r.parent else None}
        for r in Region.objects.select_related("parent")
    ]


@public.get("/categories", response=list[schemas.CategoryOut], summary="留言类别与办理时限")
def categories(request):
    return list(Category.objects.all())


@public.get("/units", response={200: list[schemas.UnitOut], **documented(404)}, summary="实名上网单位")
def units(request, region: str | None = None):
    found = Unit.objects.in_region(_region(region)).select_related("region").order_by("kind", "name")
    return [
        {
            "id": u.pk,
            "name": u.name,
            "kind": u.kind,
            "region": u.region.code,
            "registered_on": u.registered_on,
            "deactivated_on": u.deactivated_on,
        }
        for u in found
    ]


@public.get("/messages", response={200: schemas.MessagePage, **documented(404, 422)}, summary="公开留言（留言板）")
def board(request, filters: Query[Filters]):
    found, ranked = _filter(Message.objects.published(), filters)
    return _page(found, filters, Publisher(), ranked=ranked)


@public.get(
    "/messages/{region}/{serial}", response={200: schemas.PublicMessageOut, **documented(404)}, summary="一条公开留言"
)
def published(request, region: str, serial: str):
    return schemas.public(_message(Message.objects.published(), region, serial), Publisher())


class StatisticsQuery(schemas.Schema):
    region: str | None = None
    period: str | None = None
    topic: str | None = Field(None, description="事项分类大类代码（如 010000），只统计该大类的留言")
    page: schemas.QueryInt = Field(1, ge=1, description="各单位的第几页")
    page_size: schemas.QueryInt = Field(UNITS_PAGE_SIZE, ge=1, le=MAX_UNITS_PAGE_SIZE, description="每页单位数")


@public.get("/statistics", response={200: schemas.StatisticsOut, **documented(404, 422)}, summary="回复率与办结率")
def statistics(request, params: Query[StatisticsQuery]):
    """The figures kept current by the actions (the same as a full count); a city's
    counties with their totals; its units a page at a time, in kind and name order."""
    now = timezone.now()
    place = _region(params.region)
    today = timezone.localdate(now)
    try:
        span = periods.parse(params.period or periods.quarter_code(today))
    except periods.BadPeriod as e:
        raise ApiError(422, "invalid_period", str(e)) from None
    try:
        major, _name = topic_forms.major_of(place, params.topic)
    except topic_forms.BadTopic as e:
        raise ApiError(422, "invalid_topic", str(e)) from None
    result = tally.figures(place, span, now=now, major=major)
    units_page, rows = tally.unit_page(place, span, now=now, number=params.page, size=params.page_size, major=major)
    counties = tally.per_county(place, span, now=now, major=major) if place.kind == Region.Kind.CITY else []
    return {
        "region": place.code,
        "topic": f"{major}0000" if major else None,
        "period": span.label,
        "first_day": span.first_day,
        "last_day": span.last_day,
        "cutoff": result.cutoff,
        "new_units": result.new_units,
        "total_units": result.total_units,
        "received": result.received,
        "by_category": [{"name": name, "count": n} for name, n in result.by_category],
        "replied": result.replied,
        "closed": result.closed,
        "in_progress": result.in_progress,
        "reply_rate": result.reply_rate,
        "closure_rate": result.closure_rate,
        "summary": result.summary(),
        "counties": [
            {
                "region": c.county.code,
                "name": c.county.name,
                "received": c.received,
                "replied": c.replied,
                "closed": c.closed,
                "reply_rate": c.reply_rate,
                "closure_rate": c.closure_rate,
            }
            for c in counties
        ],
        "units_count": units_page.paginator.count,
        "units_page": units_page.number,
        "units_pages": units_page.paginator.num_pages,
        "units": [
            {
                "unit": schemas.unit_ref(u.unit),
                "kind": u.unit.kind,
                "received": u.received,
                "replied": u.replied,
                "closed": u.closed,
                "reply_rate": u.reply_rate,
                "closure_rate": u.closure_rate,
            }
            for u in rows
        ],
    }


# --- as the token's user ------------------------------------------------------------


@mine.get("/me", response={200: schemas.MeOut, **documented(401)}, summary="令牌所属用户")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": user.role_title,
        "unit": schemas.unit_ref(user.unit),
        "region": user.region.code if user.region else None,
    }


@mine.get("/my/messages", response={200: schemas.MessagePage, **AUTH_ERRORS}, summary="我可以查看的留言")
def my_messages(request, filters: Query[Filters]):
    found, ranked = _filter(
        Message.objects.visible_to(request.user),
        filters,
        states=Message.State.choices,
        audience=search_audience(request.user),
    )
    return _page(found, filters, reader=request.user, ranked=ranked)


@mine.get("/my/messages/{region}/{serial}", response={200: schemas.MessageOut, **AUTH_ERRORS}, summary="一条留言")
def my_message(request, region: str, serial: str):
    return _full(request, _mine(request, region, serial))


@mine.post("/my/messages", response={201: schemas.SubmittedOut, **STEP_ERRORS, **documented(429)}, summary="网民留言")
def submit(request, data: schemas.SubmitIn):
    limit = limits.attempt("post", request)
    if limit.blocked:
        return limits.refusal(request, limit, json=True)
    category = _category(data.category)
    unit = None
    if data.unit is not None:
        unit = Unit.objects.select_related("region").filter(pk=data.unit).first()
        if unit is None:
            raise ApiError(422, "no_such_unit", "所选单位不存在。")
    region = None
    if data.region:
        region = Region.objects.filter(code=data.region).first()
        if region is None:
            raise ApiError(422, "no_such_region", f"县（区）“{data.region}”不存在。")
    elif unit is None:
        region = Region.objects.filter(kind=Region.Kind.COUNTY).first() if _one_county() else None
    created = actions.submit(
        by=request.user,
        category=category,
        title=data.title,
        body=data.body,
        name=data.name,
        phone=data.phone,
        consent_to_publish=data.consent_to_publish,
        unit=unit,
        region=region,
        id_number=data.id_number,
        email=data.email,
        address=data.address,
    )
    found = _thread(Message.objects.filter(pk=created.pk)).get()
    return Status(
        201,
        {
            **schemas.full(found, request.user),
            "tracking_code": found.tracking_code,
            "passcode": created.issued_passcode,
        },
    )


def _one_county() -> bool:
    return Region.objects.filter(kind=Region.Kind.COUNTY).count() == 1


def _unit(pk) -> Unit:
    unit = Unit.objects.select_related("region").filter(pk=pk).first()
    if unit is None:
        raise ApiError(422, "no_such_unit", "所选单位不存在。")
    return unit


def _extension(message, pk) -> ExtensionRequest:
    request = message.extension_requests.filter(pk=pk).first()
    if request is None:
        raise not_found("延期申请")
    return request


# Each step: (path, input, the action, summary). The action checks who may do it;
# the input's fields are its keyword arguments.
STEPS = [
    ("dispatch", schemas.DispatchIn, actions.dispatch, "交办（县级网络问政办）"),
    ("respond", schemas.NoteIn, actions.respond, "签收"),
    ("reply", schemas.TextIn, actions.reply, "回复"),
    ("transfer", schemas.ReasonIn, actions.request_transfer, "退单（申请转办）"),
    ("reject-transfer", schemas.ReasonIn, actions.reject_transfer, "不同意退单"),
    ("extensions", schemas.ExtensionIn, actions.request_extension, "申请延期"),
    ("close", schemas.CloseIn, actions.close, "办结（分管领导）"),
    ("long-cycle", schemas.ExplanationIn, actions.request_long_cycle_closure, "申请长周期办结"),
    ("long-cycle/approve", schemas.NoteIn, actions.approve_long_cycle_closure, "同意长周期办结"),
    ("long-cycle/reject", schemas.ReasonIn, actions.reject_long_cycle_closure, "不同意长周期办结"),
    ("reopen", schemas.ReasonIn, actions.reopen, "重办"),
    ("supervise", schemas.NoteIn, actions.flag_for_supervision, "督办"),
    ("reassign", schemas.ReassignIn, actions.reassign, "改派（县级网络问政办，单位签收前）"),
    ("spam", schemas.ReasonIn, actions.mark_spam, "标记为垃圾留言（县级网络问政办）"),
    ("spam/undo", schemas.ReasonIn, actions.unmark_spam, "撤销垃圾留言标记（县级网络问政办）"),
    ("follow-up", schemas.TextIn, actions.follow_up, "网民追问"),
    ("rate", schemas.RatingIn, actions.rate, "网民评价"),
]
CITIZEN_STEPS = {actions.follow_up, actions.rate}
EXTENSION_STEPS = [
    ("approve", schemas.NoteIn, actions.approve_extension, "同意延期"),
    ("reject", schemas.ReasonIn, actions.reject_extension, "不同意延期"),
]


def _category(code: str | None) -> Category | None:
    """A category code as the submission takes it; None (unchanged) when left out."""
    if code is None:
        return None
    code = clean_cell(code)  # full-width digits; a lone surrogate no database can compare
    found = Category.objects.filter(code=code).first() if code else None
    if found is None:
        raise ApiError(422, "no_such_category", f"类别“{code[:20]}”不存在。")
    return found


def _topic(value: int | str | None, message: Message) -> Topic | None:
    """A topic of the message's county, as the dispatch form offers them (its active
    中类 and 小类): by id (an integer) or by its six-digit code (a string; full-width
    digits and spaces are read as typed). None (unchanged) when left out."""
    if value is None:
        return None
    topics = Topic.objects.choosable(message.region)
    if isinstance(value, int):
        found, said = topics.filter(pk=value).first(), str(value)
    else:
        said = clean_cell(value)
        found = topics.filter(code=said).first() if said else None
    if found is None:
        raise ApiError(
            422, "no_such_topic", f"事项分类“{said[:20]}”不在{message.region.name}启用的分类表中（填六位代码或编号）。"
        )
    if found.level == Topic.Level.MAJOR:
        raise ApiError(422, "topic_too_broad", f"“{found.name}”是大类，请选择其下的中类或小类。")
    return found


def _arguments(act, user, data, message=None) -> dict:
    arguments = data.dict()
    if "unit" in arguments:
        arguments["unit"] = _unit(arguments["unit"])
    if act is actions.dispatch:
        arguments["category"] = _category(arguments["category"])
        arguments["topic"] = _topic(arguments["topic"], message)
    if act in CITIZEN_STEPS:
        return {**arguments, "who": actions.Citizen(user=user)}
    return {**arguments, "by": user}


def _register_step(name, payload, act, summary):
    def step(request, region: str, serial: str, data: payload):
        message = _mine(request, region, serial)
        act(message=message, **_arguments(act, request.user, data, message))
        return _full(request, _mine(request, region, serial))

    mine.post(
        f"/my/messages/{{region}}/{{serial}}/{name}",
        response={200: schemas.MessageOut, **STEP_ERRORS},
        summary=summary,
        operation_id=f"message_{name.replace('-', '_').replace('/', '_')}",
    )(step)


def _register_extension_step(name, payload, act, summary):
    def step(request, region: str, serial: str, extension: int, data: payload):
        message = _mine(request, region, serial)
        act(request=_extension(message, extension), **_arguments(act, request.user, data))
        return _full(request, _mine(request, region, serial))

    mine.post(
        f"/my/messages/{{region}}/{{serial}}/extensions/{{extension}}/{name}",
        response={200: schemas.MessageOut, **STEP_ERRORS},
        summary=summary,
        operation_id=f"extension_{name}",
    )(step)


# Steps on one row under the message: (collection, model, the action's keyword for
# it, the step's path, input, action, summary).
ROW_STEPS = [
    ("follow-ups", FollowUp, "follow_up", "answer", schemas.TextIn, actions.answer_follow_up, "答复追问"),
    ("drafts", ReplyDraft, "draft", "approve", schemas.NoteIn, actions.approve_reply, "审核通过回复（分管领导）"),
    ("drafts", ReplyDraft, "draft", "return", schemas.DecisionNoteIn, actions.return_reply, "退回回复修改（分管领导）"),
    ("revisits", Revisit, "revisit", "uphold", schemas.DecisionNoteIn, actions.uphold_answer, "回访：答复成立"),
    ("revisits", Revisit, "revisit", "reopen", schemas.ReasonIn, actions.reopen_on_revisit, "回访：退回重办"),
]


def _register_row_step(collection, model, keyword, name, payload, act, summary):
    def step(request, region: str, serial: str, row: int, data: payload):
        message = _mine(request, region, serial)
        found = model.objects.filter(message=message, pk=row).first()
        if found is None:
            raise not_found(model._meta.verbose_name)
        act(**{keyword: found}, **data.dict(), by=request.user)
        return _full(request, _mine(request, region, serial))

    mine.post(
        f"/my/messages/{{region}}/{{serial}}/{collection}/{{row}}/{name}",
        response={200: schemas.MessageOut, **STEP_ERRORS},
        summary=summary,
        operation_id=f"{collection.replace('-', '_')}_{name}",
    )(step)


for _step in STEPS:
    _register_step(*_step)
for _step in EXTENSION_STEPS:
    _register_extension_step(*_step)
for _step in ROW_STEPS:
    _register_row_step(*_step)


# --- supervision records about a unit ----------------------------------------------


def _supervised_unit(pk) -> Unit:
    unit = Unit.objects.select_related("region").filter(pk=pk).first()
    if unit is None:
        raise not_found("单位")
    return unit


def _unit_message(unit, serial):
    if not serial:
        return None
    parsed = parse_serial(serial)
    if parsed is None:
        raise ApiError(422, "no_such_message", f"留言编号“{serial}”格式不对。")
    year, number = parsed
    found = Message.objects.filter(region=unit.region, year=year, number=number).first()
    if found is None:
        raise ApiError(422, "no_such_message", f"{unit.region.name}没有编号为{serial}的留言。")
    return found


def _record_of(model, pk, what):
    """A supervision record (with its unit) by its id, or the API's 404."""
    found = model.objects.select_related("unit").filter(pk=pk).first()
    if found is None:
        raise not_found(what)
    return found


def _record(kind, row, unit, at):
    return Status(201, {"kind": kind, "id": row.pk, "unit": schemas.unit_ref(unit), "at": at})


@supervision.post(
    "/units/{unit}/explanation-orders", response={201: schemas.RecordOut, **STEP_ERRORS}, summary="责成书面说明"
)
def order_explanation(request, unit: int, data: schemas.OrderIn):
    target = _supervised_unit(unit)
    found = [_unit_message(target, s) for s in data.messages]
    order = actions.order_written_explanation(
        unit=target,
        by=request.user,
        reason=data.reason,
        messages=found,
        backlog_deadline=data.backlog_deadline,
        chosen=True,
    )
    return _record("explanation_order", order, target, order.ordered_at)


@supervision.post(
    "/explanation-orders/{order}/explanation", response={201: schemas.RecordOut, **STEP_ERRORS}, summary="录入书面说明"
)
def record_explanation(request, order: int, data: schemas.TextIn):
    found = _record_of(WrittenExplanationOrder, order, "书面说明责成")
    found = actions.record_explanation(order=found, by=request.user, text=data.text)
    return _record("explanation", found, found.unit, found.explanation_received_at)


@supervision.post(
    "/exposures/{exposure}/withdraw", response={201: schemas.RecordOut, **STEP_ERRORS}, summary="撤销曝光"
)
def withdraw_exposure(request, exposure: int, data: schemas.NoteIn):
    found = _record_of(Exposure, exposure, "曝光")
    found = actions.withdraw_exposure(exposure=found, by=request.user, reason=data.note)
    return _record("exposure_withdrawn", found, found.unit, found.withdrawn_at)


@supervision.post(
    "/explanation-orders/{order}/return", response={201: schemas.RecordOut, **STEP_ERRORS}, summary="书面说明退回重写"
)
def return_explanation(request, order: int, data: schemas.NoteIn):
    found = _record_of(WrittenExplanationOrder, order, "书面说明责成")
    found = actions.return_explanation(order=found, by=request.user, note=data.note)
    return _record("explanation_returned", found, found.unit, found.returned_at)


@supervision.post("/units/{unit}/findings", response={201: schemas.RecordOut, **STEP_ERRORS}, summary="录入督查结果")
def record_finding(request, unit: int, data: schemas.FindingIn):
    target = _supervised_unit(unit)
    finding = actions.record_finding(
        unit=target,
        by=request.user,
        summary=data.summary,
        found_on=data.found_on,
        source=data.source,
        adverse=data.adverse,
        written_criticism=data.written_criticism,
        message=_unit_message(target, data.message),
    )
    return _record("finding", finding, target, finding.recorded_at)


@supervision.post("/units/{unit}/exposures", response={201: schemas.RecordOut, **STEP_ERRORS}, summary="曝光")
def publish_exposure(request, unit: int, data: schemas.ExposureIn):
    target = _supervised_unit(unit)
    exposure = actions.publish_exposure(
        unit=target,
        by=request.user,
        title=data.title,
        body=data.body,
        outlet=data.outlet,
        message=_unit_message(target, data.message),
    )
    return _record("exposure", exposure, target, exposure.published_at)


@supervision.post(
    "/units/{unit}/accountability-referrals", response={201: schemas.RecordOut, **STEP_ERRORS}, summary="追究责任"
)
def refer(request, unit: int, data: schemas.ReferralIn):
    target = _supervised_unit(unit)
    referral = actions.refer_for_accountability(
        unit=target,
        by=request.user,
        person=data.person,
        reason=data.reason,
        referred_to=data.referred_to,
        message=_unit_message(target, data.message),
    )
    return _record("accountability_referral", referral, target, referral.referred_at)


api.add_router("", public)
api.add_router("", mine)
api.add_router("", supervision)
