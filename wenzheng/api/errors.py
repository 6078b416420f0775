"""Errors as the API reports them: JSON `{"code": "...", "message": "<Chinese>"}`
with a stable code, whatever raised them (an action's refusal, a bad token, a
missing message, a malformed request)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from wenzheng.accounts.policy import ActionRefused

# An action's refusal → the HTTP status that says what kind of refusal it is.
FORBIDDEN = {"forbidden_role", "not_your_unit", "not_your_region", "not_your_message"}
CONFLICT = {
    "wrong_state", "already_rated", "already_pending", "already_decided", "already_supervised", "already_recorded",
    "stage_completed", "too_late", "already_answered", "draft_pending", "too_many_follow_ups", "main_not_answered",
}  # fmt: skip


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[dict] | None = None


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


def password_temporary() -> ApiError:
    """An account whose password the county office set: changed on the pages first
    (security.middleware.temporary_password; a token's request too, api.auth)."""
    return ApiError(403, "password_temporary", "请先在网页上修改临时密码。")


def body(code: str, message: str, errors=None) -> dict:
    """An error as the API answers it."""
    out = {"code": code, "message": message}
    if errors is not None:
        out["errors"] = errors
    return out


def not_found(what="记录") -> ApiError:
    return ApiError(404, "not_found", f"找不到该{what}，或您无权查看。")


def status_of(refusal: ActionRefused) -> int:
    if refusal.code in FORBIDDEN:
        return 403
    if refusal.code in CONFLICT:
        return 409
    return 422


def documented(*statuses) -> dict:
    """The error responses an operation can give, for its OpenAPI entry. Every one
    can give 400: a request carrying a NUL character is refused before it reaches
    any operation (`bad_characters`, wenzheng.ops.middleware)."""
    return dict.fromkeys(sorted({400, *statuses}), ErrorOut)


# pydantic's problems, said in Chinese (its own words are English); by error type.
PROBLEMS = {
    "missing": "必填",
    "greater_than_equal": "不能小于{ge}",
    "greater_than": "应大于{gt}",
    "less_than_equal": "不能大于{le}",
    "less_than": "应小于{lt}",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_long": "不能超过{max_length}个字",
    "string_too_short": "至少{min_length}个字",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "date_parsing": "应为日期，如 2026-03-01",
    "date_from_datetime_parsing": "应为日期，如 2026-03-01",
    "datetime_parsing": "应为时间，如 2026-03-01T09:00:00+08:00",
    "datetime_from_date_parsing": "应为时间，如 2026-03-01T09:00:00+08:00",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "json_invalid": "不是有效的 JSON",
}


def problem(error: dict) -> str:
    """What is wrong with one field, in Chinese: our validators' own words, or
    pydantic's error type said again (its English message where the type is new)."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])  # a validator of ours, already in Chinese
    said = PROBLEMS.get(kind)
    try:
        return said.format(**context) if said else error.get("msg", "")
    except (KeyError, IndexError):
        return error.get("msg", "")


def install(api):
    def reply(request, status, code, message, errors=None):
        return api.create_response(request, body(code, message, errors), status=status)

    @api.exception_handler(ApiError)
    def api_error(request, exc):
        return reply(request, exc.status, exc.code, exc.message, exc.errors)

    @api.exception_handler(ActionRefused)
    def refused(request, exc):
        return reply(request, status_of(exc), exc.code, exc.reason)

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc):
        fields = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "problem": problem(e)} for e in exc.errors]
        names = "、".join(f["field"] for f in fields if f["field"]) or "请求"
        return reply(request, 422, "invalid_request", f"请求参数不正确：{names}。", fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return reply(request, 401, "unauthenticated", "请在请求头 Authorization: Bearer <令牌> 中提供接口令牌。")

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if exc.status_code == 400:
            return reply(request, 400, "malformed_request", "请求内容无法解析，请以 UTF-8 编码的 JSON 发送。")
        return reply(request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(Http404)
    def missing(request, exc):
        return reply(request, 404, "not_found", "找不到该记录，或您无权查看。")

    @api.exception_handler(PermissionDenied)
    def denied(request, exc):
        return reply(request, 403, "forbidden", str(exc) or "您无权进行此操作。")
