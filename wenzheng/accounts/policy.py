"""Who may do what: the role checks every action runs before it changes anything."""

from .models import Role


class ActionRefused(Exception):
    """A step that is not allowed. `reason` is for the person (Chinese); `code` is
    stable, for the API and for tests."""

    def __init__(self, code: str, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def require_unit_staff(by, unit, *, leader_only=False):
    allowed = (Role.LEADER,) if leader_only else (Role.HANDLER, Role.LEADER)
    if by is None or by.role not in allowed:
        who = "本单位分管领导" if leader_only else "本单位网络评论员或分管领导"
        raise ActionRefused("forbidden_role", f"只有{who}可以办理此事项。")
    if unit is None or by.unit_id != unit.pk:
        raise ActionRefused("not_your_unit", "这条留言不由您所在的单位办理。")


def require_office(by, county, *, city_allowed=False):
    allowed = (Role.COUNTY_OFFICE, Role.CITY_OFFICE, Role.ADMIN) if city_allowed else (Role.COUNTY_OFFICE, Role.ADMIN)
    if by is None or by.role not in allowed:
        who = "县、市网络问政办" if city_allowed else "县网络问政办"
        raise ActionRefused("forbidden_role", f"只有{who}可以办理此事项。")
    if not by.oversees(county):
        raise ActionRefused("not_your_region", "这条记录不属于您管辖的县（区）。")
