"""Authentication by API token: `Authorization: Bearer wz_…` (Open311 clients pass
the same token as `api_key`)."""

from django.utils import timezone
from ninja.security import HttpBearer

from .errors import ApiError, password_temporary
from .models import ApiToken


def user_for_token(token: str):
    """The active user a token acts as. Raises ApiError(401) for a token that is
    unknown, revoked, expired, or whose user can no longer sign in."""
    row = ApiToken.find(token)
    if row is None:
        raise ApiError(401, "token_invalid", "接口令牌无效。")
    if row.revoked:
        raise ApiError(401, "token_revoked", f"接口令牌已于{timezone.localtime(row.revoked_at):%Y-%m-%d %H:%M}吊销。")
    if row.expired:
        raise ApiError(
            401,
            "token_expired",
            f"接口令牌已于{timezone.localtime(row.expires_at):%Y-%m-%d %H:%M}过期，请创建新的令牌。",
        )
    if not row.user.is_active:
        raise ApiError(401, "user_inactive", "该令牌所属账号已停用。")
    if row.user.password_temporary:  # as the pages: the password is changed first
        raise password_temporary()
    row.touch()
    return row.user


class TokenAuth(HttpBearer):
    openapi_description = "个人接口令牌（在“接口令牌”页面创建），以令牌所属用户的身份和权限访问。"

    def authenticate(self, request, token):
        request.user = user_for_token(token)
        return request.user


token_auth = TokenAuth()
