"""Open311 GeoReport v2 at /open311/v2/: discovery, services (our categories),
service definitions, and requests (our messages) in JSON and XML.

Mapping: a message is a service request; its serial is the service_request_id, its
category the service; `status` is "closed" once the message is closed (办结) and
"open" before; `status_notes` is the state in words; `agency_responsible` the unit
handling it (or the county office while it waits to be dispatched);
`expected_datetime` the open reply deadline. The jurisdiction is the county
(`jurisdiction_id` = its code), optional where the deployment has one county.

Without an api_key, requests are the published messages only (as on the public
board); with one (an API token), those the token's user may see. POST needs the
api_key of a citizen account, as posting on the site does. A citizen's name and
contact are never returned, and locations are not kept, so `address`, `lat` and
`long` are always empty. Open311 is for other systems to read and republish, so
`description` is always the public version with personal data masked
(wenzheng.privacy.public), whoever asks; staff read the original on their pages
and in /api/v1/my/.
"""

import datetime as dt
import xml.etree.ElementTree as ET

from django.db.models import Max, Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Category, Message, Stage, parse_serial
from wenzheng.lib import text
from wenzheng.lib.prefetch import attach
from wenzheng.privacy.models import Review
from wenzheng.privacy.public import Publisher
from wenzheng.security import limits
from wenzheng.units.models import Region, Unit

from .auth import user_for_token
from .errors import ApiError

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when the services or their definitions change (clients re-read them then).
CHANGESET = "2026-11-24 00:00"
DEFAULT_DAYS = 90  # the spec's default window for GET requests
LIMIT = 1000  # and its default cap
YES = {"true", "1", "yes", "是"}
# XML element names for the items of each list (the spec's plural → singular).
ITEM_TAGS = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    def __init__(self, status, code, description):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


# --- rendering ----------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _w3(value)
    # A control character pasted from Word before the actions removed them would make
    # the whole document invalid XML for every consumer.
    return text.clean(str(value))


def _w3(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _element(tag, value):
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            element.append(_element(key, inner))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(ITEM_TAGS.get(tag, "item"), item))
    else:
        element.text = _text(value)
    return element


def render(fmt, data, *, root, item=None, status=200):
    if fmt == "json":
        return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    if item is not None:
        tree = ET.Element(root)
        for entry in data:
            tree.append(_element(item, entry))
    else:
        tree = _element(root, data)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(tree, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def handles_errors(view):
    def wrapped(request, *args, fmt, **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as e:
            errors = [{"code": e.code, "description": e.description}]
            return render(fmt, errors, root="errors", item="error", status=e.status)
        except ApiError as e:  # a bad api_key
            errors = [{"code": e.code, "description": e.message}]
            return render(fmt, errors, root="errors", item="error", status=403)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- lookups --------------------------------------------------------------------------


def _jurisdiction(params) -> Region:
    code = (params.get("jurisdiction_id") or "").strip()
    counties = Region.objects.filter(kind=Region.Kind.COUNTY)
    if code:
        county = counties.filter(code=code).first()
        if county is None:
            raise Open311Error(404, "jurisdiction_not_found", f"jurisdiction_id “{code}” 不存在。")
        return county
    if counties.count() != 1:
        raise Open311Error(400, "jurisdiction_required", "本接口服务多个县（区），请提供 jurisdiction_id（县代码）。")
    return counties.get()


def _user(params):
    key = (params.get("api_key") or "").strip()
    return user_for_token(key) if key else None


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.name}类留言。{_notice(category)}",
        "metadata": True,
        "type": "realtime",
        "keywords": category.name,
        "group": "网络问政",
    }


def _notice(category) -> str:
    return f"办理单位将在{category.response_days}个工作日内签收、{category.reply_days}个工作日内回复。"


def _request(m: Message, publisher: Publisher) -> dict:
    reply_due = next((s.due_at for s in m.stages.all() if s.kind == Stage.Kind.REPLY and s.completed_at is None), None)
    # The choices' labels straight from the enums (get_FOO_display flattens the
    # choices on every call: 15 ms of a 1,000-request answer).
    notes = Message.State(m.state).label
    if m.closure_kind:
        notes += f"：{Message.ClosureKind(m.closure_kind).label}"
    return {
        "service_request_id": m.serial,
        "status": "closed" if m.state == Message.State.CLOSED else "open",
        "status_notes": notes,
        "service_name": m.category.name,
        "service_code": m.category.code,
        "description": publisher.body(m)[:4000],
        "agency_responsible": m.unit.name if m.unit else f"{m.region.office_name}（待交办）",
        "service_notice": _notice(m.category),
        "requested_datetime": _w3(m.submitted_at),
        "updated_datetime": _w3(max(filter(None, (m.last_event_at, m.submitted_at)))),
        "expected_datetime": _w3(reply_due),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _readable(user, county):
    messages = Message.objects.visible_to(user) if user is not None else Message.objects.published()
    return (
        messages.filter(region=county)
        .select_related("region", "category", "unit", "citizen")
        .order_by("-submitted_at", "-pk")
    )


def _with_updates(messages) -> list:
    """These rows with what an answer shows of them: their open stages and reviews
    (attached in one query each, not by prefetch_related, whose queryset per message
    was a quarter of a 1,000-request answer), and each one's last event time
    (`updated_datetime`), for these rows only: an annotation over the whole filtered
    list would read every event of every message before the limit applies."""
    messages = list(messages)
    ids = [m.pk for m in messages]
    attach(messages, "stages", Stage.objects.filter(message_id__in=ids, completed_at__isnull=True))
    attach(messages, "reviews", Review.objects.filter(message_id__in=ids))
    last = dict(
        Event.objects.filter(message__in=ids).values("message").annotate(at=Max("at")).values_list("message", "at")
    )
    for m in messages:
        m.last_event_at = last.get(m.pk)
    return messages


def _parse_serials(text):
    serials = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        parsed = parse_serial(item)
        if parsed is None:
            raise Open311Error(400, "bad_service_request_id", f"service_request_id “{item}” 应形如 2026-000046。")
        serials.append(Q(year=parsed[0], number=parsed[1]))
    return serials


def _w3_param(params, name):
    text = (params.get(name) or "").strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"bad_{name}", f"{name} 应为 W3C 时间格式，如 2026-01-01T00:00:00Z。") from None
    if timezone.is_naive(moment):
        raise Open311Error(400, f"bad_{name}", f"{name} 须带时区，如 2026-01-01T00:00:00+08:00。")
    return moment


# --- the endpoints ----------------------------------------------------------------------


@require_http_methods(["GET"])
@handles_errors
def discovery(request, fmt):
    endpoint = {
        "specification": SPECIFICATION,
        "url": request.build_absolute_uri("/open311/v2"),
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    # Whose service it is, named in full as the page footer names it: the county's
    # (or the city's, serving several) 网络问政工作领导小组办公室, not a 县's for a 区.
    region = Region.objects.default()
    data = {
        "changeset": CHANGESET,
        "contact": f"{region.name if region else ''}网络问政工作领导小组办公室",
        "key_service": "登录后在“接口令牌”页面（/api/tokens/）创建 api_key。",
        "endpoints": [endpoint],
    }
    return render(fmt, data, root="discovery")


@require_http_methods(["GET"])
@handles_errors
def services(request, fmt):
    _jurisdiction(request.GET)
    return render(fmt, [_service(c) for c in Category.objects.all()], root="services", item="service")


@require_http_methods(["GET"])
@handles_errors
def service(request, code, fmt):
    county = _jurisdiction(request.GET)
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Open311Error(404, "service_not_found", f"service_code “{code}” 不存在。")
    units = Unit.objects.in_region(county).registered_by(timezone.localdate()).order_by("kind", "name")
    attributes = [
        {
            "variable": True,
            "code": "unit",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": f"不填则由{county.office_by_level}交办。",
            "order": 1,
            "description": "留言对象（办理单位）",
            "values": [{"key": str(u.pk), "name": u.name} for u in units],
        },
        {
            "variable": True,
            "code": "title",
            "datatype": "string",
            "required": False,
            "datatype_description": "100字以内；不填则取描述的前30个字。",
            "order": 2,
            "description": "留言标题",
        },
        {
            "variable": True,
            "code": "consent_to_publish",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "同意后在网络问政专区公开留言和答复（不公开姓名和联系方式）。",
            "order": 3,
            "description": "是否同意公开",
            "values": [{"key": "true", "name": "同意公开"}, {"key": "false", "name": "不公开"}],
        },
    ]
    return render(fmt, {"service_code": category.code, "attributes": attributes}, root="service_definition")


@csrf_exempt  # authenticated by api_key, never by the session cookie
@require_http_methods(["GET", "POST"])
@handles_errors
def requests(request, fmt):
    if request.method == "POST":
        return _post(request, fmt)
    params = request.GET
    county = _jurisdiction(params)
    found = _readable(_user(params), county)
    if ids := (params.get("service_request_id") or "").strip():
        wanted = _parse_serials(ids)
        found = found.filter(_any(wanted)) if wanted else found.none()
    else:
        if codes := [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]:
            found = found.filter(category__code__in=codes)
        start, end = _w3_param(params, "start_date"), _w3_param(params, "end_date")
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        if start is not None:
            found = found.filter(submitted_at__gte=start)
        if end is not None:
            found = found.filter(submitted_at__lte=end)
        statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "bad_status", "status 只能是 open 或 closed（可用逗号分隔）。")
        if statuses == {"open"}:
            found = found.exclude(state=Message.State.CLOSED)
        elif statuses == {"closed"}:
            found = found.filter(state=Message.State.CLOSED)
    publisher = Publisher()
    return render(
        fmt, [_request(m, publisher) for m in _with_updates(found[:LIMIT])], root="service_requests", item="request"
    )


def _too_often(limit) -> str:
    return f"提交过于频繁：{limit.limit.count}次内已满，请于{timezone.localtime(limit.window_end):%H:%M}后再试。"


def _any(conditions):
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


@require_http_methods(["GET"])
@handles_errors
def request(request, rid, fmt):
    county = _jurisdiction(request.GET)
    found = _readable(_user(request.GET), county).filter(_any(_parse_serials(rid))).first()
    if found is None:
        raise Open311Error(404, "request_not_found", f"service_request_id “{rid}” 不存在或未公开。")
    return render(
        fmt, [_request(m, Publisher()) for m in _with_updates([found])], root="service_requests", item="request"
    )


def _post(request, fmt):
    params = request.POST
    user = _user(params)
    if user is None:
        raise Open311Error(403, "api_key_required", "提交留言须提供 api_key（网民账号的接口令牌）。")
    request.user = user  # the rate limit counts the account as well as the address
    limit = limits.attempt("post", request)
    if limit.blocked:
        response = render(
            fmt, [{"code": "rate_limited", "description": _too_often(limit)}], root="errors", item="error"
        )
        response.status_code, response["Retry-After"] = 429, str(limit.retry_after)
        return response
    county = _jurisdiction(params)
    category = Category.objects.filter(code=(params.get("service_code") or "").strip()).first()
    if category is None:
        raise Open311Error(
            404 if params.get("service_code") else 400, "service_not_found", "service_code 不存在或未提供。"
        )
    description = (params.get("description") or "").strip()
    if place := (params.get("address_string") or "").strip():
        description = f"{description}\n\n地点：{place}"
    unit = None
    if unit_key := (params.get("attribute[unit]") or "").strip():
        # ASCII digits only, and few of them: "²".isdigit() is true but int("²") fails,
        # and a number past 64 bits reaches no row but breaks SQLite's driver.
        known = unit_key.isascii() and unit_key.isdigit() and len(unit_key) <= 18
        unit = Unit.objects.filter(pk=int(unit_key), region=county).first() if known else None
        if unit is None:
            raise Open311Error(400, "unit_not_found", f"attribute[unit] “{unit_key}” 不是{county.name}的单位。")
    name = f"{params.get('last_name', '')}{params.get('first_name', '')}".strip() or user.display_name or user.username
    try:
        created = actions.submit(
            by=user,
            category=category,
            unit=unit,
            region=county,
            title=(params.get("attribute[title]") or "").strip() or description.split("\n")[0][:30],
            body=description,
            name=name,
            phone=(params.get("phone") or "").strip() or user.phone,
            email=(params.get("email") or "").strip(),
            consent_to_publish=(params.get("attribute[consent_to_publish]") or "").strip().lower() in YES,
        )
    except actions.ActionRefused as e:
        raise Open311Error(403 if e.code == "forbidden_role" else 400, e.code, e.reason) from None
    body = [{"service_request_id": created.serial, "service_notice": _notice(category), "account_id": None}]
    return render(fmt, body, root="service_requests", item="request", status=201)
