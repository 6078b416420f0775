"""What a unit staff account was at a moment: kept as StaffChange rows, one each time
an account is moved to another unit, given another role, stopped or restarted, by
whatever saves it (the county office's staff page, change_staff; the admin site:
UserAdmin.save_model). The county office opens, moves, stops and restarts its units'
staff accounts here too."""

import re
import secrets

from django.db import transaction
from django.utils import timezone

from wenzheng.lib import text

from .models import Role, StaffChange, User
from .policy import ActionRefused, require_office

# The account's fields a change is about.
TRACKED = ("unit_id", "role", "is_active")


def record_change(user: User, *, by, at) -> StaffChange | None:
    """Before `user` (an existing account, changed in memory) is saved: a StaffChange
    if it moves, changes role, or stops or restarts (none otherwise)."""
    if user.pk is None:
        return None
    before = User.objects.filter(pk=user.pk).values(*TRACKED).first()
    if before is None or all(before[f] == getattr(user, f) for f in TRACKED):
        return None
    return StaffChange.objects.create(
        user=user,
        at=at,
        by=by,
        unit_before_id=before["unit_id"],
        unit_after_id=user.unit_id,
        role_before=before["role"],
        role_after=user.role,
        active_before=before["is_active"],
        active_after=user.is_active,
    )


def states_at(user_ids, at) -> dict[int, tuple]:
    """Each account's (unit_id, role, is_active) at the moment `at`: as before its first
    change after `at`, or as it is now if none came after. Two queries."""
    states = {
        pk: (unit, role, active)
        for pk, unit, role, active in User.objects.filter(pk__in=user_ids).values_list("pk", *TRACKED)
    }
    later = StaffChange.objects.filter(user_id__in=user_ids, at__gt=at).order_by("user_id", "-at", "-pk")
    for user_id, unit, role, active in later.values_list("user_id", "unit_before_id", "role_before", "active_before"):
        states[user_id] = (unit, role, active)  # the earliest change after `at` comes last
    return states


# --- the county office keeps its units' staff accounts --------------------------------

# A temporary password: long enough for the validators, no characters read alike (0/O, 1/l/I).
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,30}$")
UNIT_ROLES = (Role.HANDLER, Role.LEADER)


def _audit(kind, *, by, county, at, detail):
    """In the security audit log, as the admin site's changes are."""
    from wenzheng.security import audit
    from wenzheng.security.models import AuditRecord

    audit.record(getattr(AuditRecord.Kind, kind), user=by, region=county, at=at, detail=detail)


def temporary_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def _unit_of(county, unit):
    if unit is None or unit.region_id != county.pk:
        raise ActionRefused("unit_outside_region", f"请选择本{county.level}的单位。")
    return unit


def _require_county_staff(account, county):
    if account.role not in UNIT_ROLES or account.unit is None or account.unit.region_id != county.pk:
        raise ActionRefused("not_unit_staff", f"只能调整本{county.level}单位工作人员的账号。")


def _staff_role(role):
    if role not in UNIT_ROLES:
        raise ActionRefused("wrong_role", "只能开设网络评论员或分管领导账号。")
    return role


@transaction.atomic
def create_staff(*, county, by, username, display_name, phone="", role, unit, at=None) -> tuple[User, str]:
    """开设账号: a unit staff account of the county, with a temporary password for the
    office to hand over (the person changes it after signing in). Kept as a change
    from nothing, so that a roster read at an earlier moment does not count them."""
    at = at or timezone.now()
    require_office(by, county)
    username = (username or "").strip()
    if not _USERNAME.match(username):
        raise ActionRefused("bad_username", "用户名须为3～30位字母、数字或 _ . -。")
    if User.objects.filter(username__iexact=username).exists():
        raise ActionRefused("username_taken", f"用户名“{username}”已被使用，请换一个。")
    display_name = text.name(display_name or "")
    if not display_name:
        raise ActionRefused("missing_text", "请填写姓名。")
    password = temporary_password()
    user = User.objects.create_user(
        username=username,
        password=password,
        role=_staff_role(role),
        unit=_unit_of(county, unit),
        display_name=display_name[:50],
        phone=(phone or "").strip()[:20],
        password_temporary=True,
    )
    StaffChange.objects.create(
        user=user, at=at, by=by, unit_before=None, unit_after=unit, role_before=role, role_after=role,
        active_before=False, active_after=True,
    )  # fmt: skip
    _audit("STAFF_ADDED", by=by, county=county, at=at, detail={"account": username})
    return user, password


@transaction.atomic
def change_staff(*, account, county, by, unit, role, active: bool, at=None) -> StaffChange | None:
    """调整账号: move a unit staff account to another unit of the county, change its
    role, stop or restart it. Kept (record_change): a roster counts them as they were."""
    at = at or timezone.now()
    require_office(by, county)
    account = User.objects.select_for_update().get(pk=account.pk)
    _require_county_staff(account, county)
    account.unit, account.role, account.is_active = _unit_of(county, unit), _staff_role(role), active
    change = record_change(account, by=by, at=at)
    if change is None:
        raise ActionRefused("unchanged", "账号没有变化。")
    account.save(update_fields=["unit", "role", "is_active"])
    detail = {"account": account.username, "unit": unit.name, "role": role, "active": active}
    _audit("STAFF_CHANGED", by=by, county=county, at=at, detail=detail)
    return change


def revoke_tokens(account, *, at=None, reason="密码已重置") -> int:
    """Every API token of `account` revoked, each recorded in the security audit: a
    password reset (by the office, the admin, or its owner's code: the account lost,
    or its owner gone) ends what the old password gave, the tokens made with it too.
    How many were."""
    from wenzheng.api.models import ApiToken
    from wenzheng.security import audit

    at = at or timezone.now()
    tokens = list(ApiToken.objects.active().filter(user=account).values_list("pk", "prefix"))
    ApiToken.objects.filter(pk__in=[pk for pk, _ in tokens]).update(revoked_at=at)
    for _, prefix in tokens:
        audit.record(audit.Kind.TOKEN_REVOKED, user=account, at=at, detail={"token": prefix, "reason": reason})
    return len(tokens)


@transaction.atomic
def reset_staff_password(*, account, county, by, at=None) -> str:
    """重置密码: a new temporary password for a unit staff account of the county."""
    require_office(by, county)
    _require_county_staff(account, county)
    password = temporary_password()
    account.set_password(password)
    account.password_temporary = True
    account.save(update_fields=["password", "password_temporary"])
    revoke_tokens(account, at=at)
    _audit("PASSWORD_RESET", by=by, county=county, at=at, detail={"account": account.username})
    return password
