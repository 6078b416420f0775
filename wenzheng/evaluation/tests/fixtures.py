"""A small first quarter of 2026 for 东门镇 (unit A) and 县住房和城乡建设局 (unit B),
built through the action functions with historical times, so the counts in the
tests can be worked out by hand. March 2026 has no holidays: a message on Monday
2 March must be acknowledged by 24:00 on Tuesday 3 March and replied to by 24:00
on Monday 9 March.

What each message is there for:
- m1  consultation, answered at once, closed, rated satisfied: everything on time
- m2  consultation, acknowledged and replied late, closed: not closed by the
      consultation rule (its reply was late), rated basically satisfied
- m3  appeal, replied late, closed as solved: not closed by the appeal rule either
      ("及时解决 … 及时进行答复解释": the reply was late); dissatisfied
- m4  received on 30 March: nothing due by the cut-off, counts against nobody
- m5  received on 25 March, never answered: its acknowledgement is late at the
      cut-off, its reply not yet due
- m7  sent to B, handed back, dispatched to A, answered next day: A's, on time;
      B's stages ended by the transfer do not count
- m8  suggestion, answered, closed, reopened on 4 March and not answered again:
      two reply stages (the second late), closed at the cut-off: no
- m9  consultation, answered, closed, reopened only on 3 April: closed at the cut-off
- m10 suggestion, replied late, long-cycle closure approved: counts as closed
- m11 consultation, an extension of 3 working days approved, replied within it
- m12 B's own message, answered on time, not closed

Supervision of A in Q1: three written explanations (one backlog missed, one
cleared, one still open at the cut-off), an adverse county finding, a written
criticism in the city bulletin, a finding that is not adverse, an exposure; more
of each after the cut-off, which must not count. Rosters: A complete, B with one
handler only.
"""

import datetime as dt

from wenzheng.accounts.models import Role, User
from wenzheng.handling import actions
from wenzheng.testing import local
from wenzheng.units import services as unit_services
from wenzheng.units.models import Unit


def build_q1(c) -> dict:
    m = {}
    # m1
    m["m1"] = c.submit(at=local(2026, 3, 2, 9))
    actions.reply(message=m["m1"], by=c.handler_a, text="答复。", at=local(2026, 3, 2, 10))
    actions.close(message=m["m1"], by=c.leader_a, kind="answered", at=local(2026, 3, 3, 9))
    actions.rate(message=m["m1"], who=actions.Citizen(user=c.citizen), rating="satisfied", at=local(2026, 3, 4, 9))
    # m2
    m["m2"] = c.submit(at=local(2026, 3, 2, 9))
    actions.respond(message=m["m2"], by=c.handler_a, at=local(2026, 3, 5, 9))
    actions.reply(message=m["m2"], by=c.handler_a, text="答复。", at=local(2026, 3, 12, 9))
    actions.close(message=m["m2"], by=c.leader_a, kind="answered", at=local(2026, 3, 12, 10))
    actions.rate(
        message=m["m2"], who=actions.Citizen(user=c.citizen), rating="basically_satisfied", at=local(2026, 3, 13, 9)
    )
    # m3
    m["m3"] = c.submit(category=c.appeal, at=local(2026, 3, 2, 9))
    actions.reply(message=m["m3"], by=c.handler_a, text="已解决。", at=local(2026, 3, 12, 9))
    actions.close(message=m["m3"], by=c.leader_a, kind="solved", at=local(2026, 3, 13, 9))
    actions.rate(
        message=m["m3"],
        who=actions.Citizen(user=c.citizen),
        rating="dissatisfied",
        reason="没有解决。",
        at=local(2026, 3, 14, 9),
    )
    # m4, m5
    m["m4"] = c.submit(at=local(2026, 3, 30, 9))
    m["m5"] = c.submit(at=local(2026, 3, 25, 9))
    # m7
    m["m7"] = c.submit(unit="b", at=local(2026, 3, 2, 9))
    actions.request_transfer(message=m["m7"], by=c.handler_b, reason="不属本单位职责。", at=local(2026, 3, 2, 11))
    actions.dispatch(
        message=m["m7"], by=c.county_office, unit=c.unit_a, note="转东门镇办理。", at=local(2026, 3, 2, 14)
    )
    actions.reply(message=m["m7"], by=c.handler_a, text="答复。", at=local(2026, 3, 3, 9))
    # m8
    m["m8"] = c.submit(category=c.suggestion, at=local(2026, 3, 2, 9))
    actions.reply(message=m["m8"], by=c.handler_a, text="答复。", at=local(2026, 3, 2, 10))
    actions.close(message=m["m8"], by=c.leader_a, kind="answered", at=local(2026, 3, 3, 9))
    actions.reopen(message=m["m8"], by=c.county_office, reason="答复不清楚。", at=local(2026, 3, 4, 9))
    # m9
    m["m9"] = c.submit(at=local(2026, 3, 2, 9))
    actions.reply(message=m["m9"], by=c.handler_a, text="答复。", at=local(2026, 3, 2, 10))
    actions.close(message=m["m9"], by=c.leader_a, kind="answered", at=local(2026, 3, 3, 9))
    actions.reopen(message=m["m9"], by=c.county_office, reason="网民反映未解决。", at=local(2026, 4, 3, 9))
    # m10
    m["m10"] = c.submit(category=c.suggestion, at=local(2026, 3, 2, 9))
    actions.reply(message=m["m10"], by=c.handler_a, text="需要长期规划。", at=local(2026, 3, 12, 9))
    actions.request_long_cycle_closure(
        message=m["m10"], by=c.leader_a, explanation="需纳入明年规划。", at=local(2026, 3, 12, 10)
    )
    actions.approve_long_cycle_closure(message=m["m10"], by=c.county_office, at=local(2026, 3, 13, 9))
    # m11
    m["m11"] = c.submit(at=local(2026, 3, 2, 9))
    actions.respond(message=m["m11"], by=c.handler_a, at=local(2026, 3, 2, 10))
    request = actions.request_extension(
        message=m["m11"], by=c.handler_a, days=3, reason="需要现场核实。", at=local(2026, 3, 5, 9)
    )
    actions.approve_extension(request=request, by=c.county_office, at=local(2026, 3, 5, 10))
    actions.reply(message=m["m11"], by=c.handler_a, text="答复。", at=local(2026, 3, 12, 9))
    # m12
    m["m12"] = c.submit(unit="b", at=local(2026, 3, 2, 9))
    actions.reply(message=m["m12"], by=c.handler_b, text="答复。", at=local(2026, 3, 3, 9))

    office = c.county_office
    m["missed"] = actions.order_written_explanation(
        unit=c.unit_a,
        by=office,
        reason="回应迟延。",
        messages=[m["m5"]],
        backlog_deadline=local(2026, 3, 30, 9),
        at=local(2026, 3, 26, 9),
    )
    m["cleared"] = actions.order_written_explanation(
        unit=c.unit_a,
        by=office,
        reason="回复迟延。",
        messages=[m["m2"]],
        backlog_deadline=local(2026, 3, 20, 9),
        at=local(2026, 3, 6, 9),
    )
    m["open_order"] = actions.order_written_explanation(
        unit=c.unit_a,
        by=office,
        reason="回应迟延。",
        messages=[m["m4"]],
        backlog_deadline=local(2026, 4, 10, 9),
        at=local(2026, 3, 31, 9),
    )
    m["adverse"] = actions.record_finding(
        unit=c.unit_a, by=office, summary="抽查发现答复敷衍。", found_on=dt.date(2026, 3, 10), at=local(2026, 3, 10, 9)
    )
    m["criticism"] = actions.record_finding(
        unit=c.unit_a,
        by=c.city_office,
        summary="一季度回复迟延，予以书面通报批评。",
        found_on=dt.date(2026, 3, 15),
        source="city_bulletin",
        written_criticism=True,
        at=local(2026, 3, 15, 9),
    )
    actions.record_finding(
        unit=c.unit_a,
        by=office,
        summary="办理规范。",
        found_on=dt.date(2026, 3, 16),
        adverse=False,
        at=local(2026, 3, 16, 9),
    )
    actions.record_finding(
        unit=c.unit_a, by=office, summary="二季度抽查。", found_on=dt.date(2026, 4, 2), at=local(2026, 4, 3, 9)
    )
    m["exposure"] = actions.publish_exposure(
        unit=c.unit_a, by=office, title="东门镇回复迟延", body="……", outlet="罗城县融媒体中心", at=local(2026, 3, 20, 9)
    )
    actions.publish_exposure(
        unit=c.unit_a, by=office, title="四月曝光", body="……", outlet="罗城县融媒体中心", at=local(2026, 4, 2, 9)
    )
    unit_services.roster_file(
        unit=c.unit_a,
        year=2026,
        leader=c.leader_a,
        handlers=[c.handler_a, c.handler_a2],
        by=office,
        at=local(2026, 1, 10, 9),
    )
    unit_services.roster_file(
        unit=c.unit_b, year=2026, leader=c.leader_b, handlers=[c.handler_b], by=office, at=local(2026, 1, 10, 9)
    )
    return m


# The counts for A, worked out by hand from the list above.
A_FACTS = {
    # Acknowledgements counted: m1 m2 m3 m5 m7 m8 m9 m10 m11; on time: m1 m7 m8 m9 m11.
    "response.due": 9,
    "response.on_time": 5,
    # Replies counted, a message once: m1 m2 m3 m7 m8 m9 m10 m11. On time: m1 m7 m9 m11
    # (m8's first reply was on time, but the one its reopening asked for is late).
    "reply.due": 8,
    "reply.on_time": 4,
    # Consultations m1 m2 m7 m9 m11: closed by the rule m1 m9 (m2 closed, replied late).
    "closure.consultation.due": 5,
    "closure.consultation.met": 2,
    # Suggestions m8 m10, each once: closed m10 (long cycle, whatever its reply's timing).
    "closure.suggestion.due": 2,
    "closure.suggestion.met": 1,
    # Appeal m3: closed as solved, but its reply was late: not closed by the criterion.
    "closure.appeal.due": 1,
    "rating.rated": 3,
    "rating.satisfied": 1,
    "rating.basic": 1,
    "deduct.explanation_ordered": 3,
    "deduct.backlog_missed": 1,
    "deduct.adverse_finding": 1,
    "deduct.written_criticism": 1,
    "deduct.exposure": 1,
    "roster.filed": 1,
    "roster.leaders": 1,
    "roster.handlers": 2,
}
B_FACTS = {
    "response.due": 1,
    "response.on_time": 1,
    "reply.due": 1,
    "reply.on_time": 1,
    "closure.consultation.due": 1,
    "roster.filed": 1,
    "roster.leaders": 1,
    "roster.handlers": 1,
}


def without_fingerprints(facts: dict) -> dict:
    return {k: v for k, v in facts.items() if not k.startswith("fp.")}


def build_towns(c) -> dict:
    """Three more townships with five consultations each in March 2026: 甲镇 and 乙镇
    answer all on time, 丙镇 one late (4/5 = 80%, exactly the floor)."""
    towns = {}
    for name, late in (("甲镇", 0), ("乙镇", 0), ("丙镇", 1)):
        unit = Unit.objects.create(region=c.county, name=name, kind="township", registered_on=dt.date(2020, 1, 1))
        handler = User.objects.create_user(f"h-{name}", password="pw", role=Role.HANDLER, unit=unit)
        for i in range(5):
            m = actions.submit(
                by=None,
                category=c.consultation,
                unit=unit,
                title="问题",
                body="内容",
                name="张三",
                phone="13800000000",
                consent_to_publish=False,
                at=local(2026, 3, 2, 9),
            )
            when = local(2026, 3, 16, 9) if i < late else local(2026, 3, 2, 10)
            actions.reply(message=m, by=handler, text="答复。", at=when)
        towns[name] = unit
    return towns
