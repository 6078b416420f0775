"""Writes to units and rosters that carry rules: the yearly roster filing."""

from django.db import transaction
from django.utils import timezone

from wenzheng.accounts.models import Role
from wenzheng.accounts.policy import ActionRefused, require_office, require_unit_staff
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event

from .models import RosterFiling, RosterMember, Unit


@transaction.atomic
def roster_file(*, unit: Unit, year: int, leader, handlers, by, at=None) -> RosterFiling:
    """名单上报: the unit's leader and handlers for a year, filed by the unit's leader
    or by the county office. Filed as it is: an incomplete roster is accepted (and
    costs points in the evaluation), but every person must be staff of the unit."""
    at = at or timezone.now()
    unit = Unit.objects.select_related("region").get(pk=unit.pk)
    if by is not None and by.role == Role.LEADER:
        require_unit_staff(by, unit, leader_only=True)
    else:
        require_office(by, unit.region)
    handlers = list(handlers)
    people = ([leader] if leader else []) + handlers
    for person in people:
        if person.unit_id != unit.pk:
            raise ActionRefused("not_unit_staff", f"{person}不是{unit.name}的工作人员。")
    if leader is not None and leader.role != Role.LEADER:
        raise ActionRefused("not_a_leader", f"{leader}的账号不是分管领导账号。")
    if len({p.pk for p in people}) != len(people):
        raise ActionRefused("duplicate_person", "同一人不能在名单中出现两次。")
    if RosterFiling.objects.filter(unit=unit, year=year).exists():
        raise ActionRefused("already_filed", f"{unit.name}{year}年度的名单已经上报。")
    filing = RosterFiling.objects.create(unit=unit, year=year, filed_at=at, filed_by=by)
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
        data={"year": year, "leader": leader.pk if leader else None, "handlers": [h.pk for h in handlers]},
    )
    return filing
