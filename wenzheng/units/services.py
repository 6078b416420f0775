"""Writes to units and rosters that carry rules: the yearly roster filing."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import ActionRefused, require_office, require_unit_staff
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.workdays import clock

from .models import RosterFiling, RosterMember, Unit


def roster_years(at) -> tuple[int, int]:
    """The years a roster may be filed for at `at`: this year's (filed, or corrected)
    and next year's, ahead of time. Never a past year: a filing is dated when it is
    made, so a year's staffing cannot be put right after the year is over."""
    year = clock.local_date(at).year
    return year, year + 1


def _check_person(person, unit, role, slot):
    if person.unit_id != unit.pk:
        raise ActionRefused("not_unit_staff", f"{person}不是{unit.name}的工作人员。")
    if not person.is_active:
        raise ActionRefused("inactive_account", f"{person}的账号已停用，不能列入名单。")
    if person.role != role:
        raise ActionRefused("wrong_role", f"{person}的账号不是{slot}账号，不能列为{slot}。")


@transaction.atomic
def roster_file(*, unit: Unit, year: int, leader, handlers, by, at=None) -> RosterFiling:
    """名单上报: the unit's leader and handlers for a year, filed by the unit's leader
    or by the county office, for this year or next.

    Filed as it is: an incomplete roster is accepted (and costs points in the
    evaluation), but every person named must be an active account of the unit in the
    role of their slot (a leader account is not a handler), each named once
    (DOMAIN.md: "a roster counts only with active accounts of the right roles,
    different people in each slot"). Filing again for the same year is a correction:
    the next version, with its own event; the earlier versions stay as they were.
    """
    at = at or timezone.now()
    unit = Unit.objects.select_related("region").select_for_update().get(pk=unit.pk)
    if by is not None and by.role == Role.LEADER:
        require_unit_staff(by, unit, leader_only=True)
    else:
        require_office(by, unit.region)
    if year not in roster_years(at):
        this, following = roster_years(at)
        raise ActionRefused("wrong_year", f"只能上报或更正{this}年度、提前上报{following}年度的名单。")
    handlers = list(handlers)
    people = ([leader] if leader else []) + handlers
    if leader is not None:
        _check_person(leader, unit, Role.LEADER, "分管领导")
    for handler in handlers:
        _check_person(handler, unit, Role.HANDLER, "网络评论员")
    if len({p.pk for p in people}) != len(people):
        raise ActionRefused("duplicate_person", "同一人不能在名单中出现两次。")
    current = RosterFiling.objects.in_force().filter(unit=unit, year=year).prefetch_related("members").first()
    if current is not None and _members(current) == _slots(leader, handlers):
        raise ActionRefused(
            "unchanged", f"与{unit.name}{year}年度现行名单（第{current.version}版）相同，无需重新上报。"
        )
    version = (RosterFiling.objects.filter(unit=unit, year=year).aggregate(v=Max("version"))["v"] or 0) + 1
    filing = RosterFiling.objects.create(unit=unit, year=year, version=version, filed_at=at, filed_by=by)
    members = [RosterMember(filing=filing, user=h, position=RosterMember.Position.HANDLER) for h in handlers]
    if leader is not None:
        members.append(RosterMember(filing=filing, user=leader, position=RosterMember.Position.LEADER))
    RosterMember.objects.bulk_create(members)
    chain.append(
        kind=Event.Kind.ROSTER_FILED,
        at=at,
        actor=by,
        actor_role=by.role,
        unit=unit,
        note=f"更正{year}年度名单（第{version}版）" if version > 1 else "",
        data={
            "year": year,
            "version": version,
            "filing": filing.pk,
            "leader": leader.pk if leader else None,
            "handlers": [h.pk for h in handlers],
        },
    )
    return filing


def _members(filing) -> set:
    return {(m.user_id, m.position) for m in filing.members.all()}


def _slots(leader, handlers) -> set:
    slots = {(h.pk, RosterMember.Position.HANDLER) for h in handlers}
    if leader is not None:
        slots.add((leader.pk, RosterMember.Position.LEADER))
    return slots
