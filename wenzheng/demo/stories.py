"""Messages with a set course, so the demo shows every path the rules allow.

- The first quarter's two long-cycle appeals: one approved by the county office within
  the quarter; one still waiting for the city's approval when the quarter ends (the
  seed's "正在办理1条"), approved in April.
- A long-cycle request refused, the message reopened, answered again and approved.
- A unit reports a wage-arrears appeal "solved" when it was not: the citizen objects,
  the county office reopens it, checks, exposes the unit and refers the person in
  charge for accountability.
- At the horizon: messages long overdue, and messages still waiting for dispatch.
"""

import datetime as dt

from wenzheng.handling import actions
from wenzheng.handling.models import Stage
from wenzheng.supervision.models import SupervisionFinding
from wenzheng.workdays import rules
from wenzheng.workdays.clock import local_date

from . import texts
from .messages import APPEAL, CONSULTATION, Life, plan_one
from .timeline import OFFICE_CLOSES, OFFICE_OPENS, at_local, office_moment, seconds
from .world import Q1_CAP, World


def stories(world: World) -> list:
    """The scripts, in the order they are planned (which fixes their random draws)."""
    c = world.county
    scripts = []

    def story(life_class, category, when, *, unit, **forced):
        unit = c.unit(unit)
        plan = plan_one(world, category, when, unit=unit, chosen=unit, pushback=False, **forced)
        scripts.append(life_class(world, plan).run())

    q1 = {"cap": Q1_CAP, "outcome": "long_cycle", "on_time": True}
    story(Life, APPEAL, _at(2026, 1, 19, 10, 12), unit="县水利局", topic="water", approver="county", **q1)
    story(
        Life,
        APPEAL,
        _at(2026, 3, 9, 9, 40),
        unit="县交通运输局",
        topic="road",
        approver="city",
        approve_at=_at(2026, 4, 8, 10, 20),
        **q1,
    )
    story(
        RefusedLongCycle,
        APPEAL,
        _at(2026, 6, 8, 9, 15),
        unit="县水利局",
        topic="irrigation",
        outcome="long_cycle",
        on_time=True,
    )
    story(Misreported, APPEAL, _at(2026, 5, 11, 20, 15), unit="怀群镇", topic="wage_arrears", on_time=True)

    # At the horizon: two messages the slow units have left unanswered well past their
    # deadline, and two the county office has not dispatched yet.
    horizon = local_date(world.until)
    for back, unit, topic in ((8, "县自然资源局", "land"), (11, "县住房和城乡建设局", "housing")):
        day = _working_days_before(world.cal, horizon, back)
        story(Life, APPEAL, at_local(day, dt.time(9, 5 * back)), unit=unit, topic=topic, stuck=True)
    for hours in (20, 5):
        when = seconds(world.until - dt.timedelta(hours=hours))
        plan = plan_one(world, CONSULTATION, when, chosen=None, undispatched=True)
        scripts.append(Life(world, plan).run())
    return scripts


def _at(*args) -> dt.datetime:
    return at_local(dt.date(*args[:3]), dt.time(*args[3:]))


def _working_days_before(cal, day: dt.date, n: int) -> dt.date:
    while n:
        day -= dt.timedelta(days=1)
        n -= cal.is_working_day(day)
    return day


class StoryLife(Life):
    def on_day_after(self, days: int) -> dt.datetime:
        """Office hours on the `days`-th working day from now: stories keep to a set pace."""
        day = rules.add_working_days(self.w.cal, local_date(self.t), days).day
        return office_moment(
            self.rng, self.w.cal, max(self.t, at_local(day, OFFICE_OPENS)), at_local(day, OFFICE_CLOSES)
        )


class RefusedLongCycle(StoryLife):
    """The leadership group refuses a long-cycle closure whose reply gave no plan; the
    unit answers again with one, and the city's office approves."""

    def long_cycle(self):
        leader, county, city = self.staff.leader, self.office_user, self.w.county.city_office
        yield self.wait(self.on_day_after(1))
        actions.request_long_cycle_closure(
            message=self.message, by=leader, explanation=texts.LONG_CYCLE_EXPLANATIONS[0], at=self.t
        )
        yield self.wait(self.on_day_after(2))
        actions.reject_long_cycle_closure(
            message=self.message,
            by=county,
            reason="答复只说明了困难，没有提出解决计划和时限，不同意按长周期办结，请重新答复。",
            at=self.t,
        )
        yield self.wait(self.office(self.due(Stage.Kind.REPLY)))
        text = (
            "您好！针对您反映的水渠损毁问题，补充答复如下：水毁修复工程已完成设计，"
            "资金已列入县本级水利建设计划，计划于今年秋收后开工、明年春耕前完工；"
            "开工前由镇水利站每周安排抽水设备保障灌溉。感谢您的监督！"
        )
        actions.reply(message=self.message, by=self.handler(), text=text, at=self.t)
        yield self.wait(self.on_day_after(1))
        actions.request_long_cycle_closure(
            message=self.message,
            by=leader,
            explanation="已向网民答复修复计划和时限，工程需跨年度实施，申请按长周期办结。",
            at=self.t,
        )
        yield self.wait(self.on_day_after(3))
        actions.approve_long_cycle_closure(
            message=self.message, by=city, note="同意，请按计划推进并及时公开进展。", at=self.t
        )


class Misreported(StoryLife):
    """A reply that said "paid" when nothing was: reopened, checked, exposed, and the
    person in charge referred for accountability."""

    def run(self):
        c = self.w.county
        n = self.p.slots["n"]
        self.p.title = f"怀群镇剑江村道路硬化工程拖欠{n}名农民工工资"
        self.p.body = (
            f"我们{n}个人在怀群镇剑江村道路硬化工程干了四个多月，包工头一直拖欠工资，"
            "合计六万多元，找镇里反映了几次都没有结果，快过节了，请求政府帮我们讨回血汗钱。"
        )
        yield from self.submit()
        yield self.wait(self.on_day_after(1))
        actions.respond(message=self.message, by=self.handler(), at=self.t)
        yield self.wait(self.on_day_after(2))
        false_reply = "您好！经我镇协调，施工方已于近日将拖欠的农民工工资全部发放到位。感谢您的监督！"
        actions.reply(message=self.message, by=self.handler(), text=false_reply, at=self.t)
        yield self.wait(self.on_day_after(1))
        actions.close(message=self.message, by=self.staff.leader, kind="solved", at=self.t)
        yield self.wait(self.t + dt.timedelta(hours=5))
        actions.follow_up(
            message=self.message,
            who=self.citizen,
            text="工资到现在一分钱都没有拿到，回复说已经全部发放，与事实不符！",
            at=self.t,
        )
        yield self.wait(self.t + dt.timedelta(minutes=7))
        actions.rate(
            message=self.message,
            who=self.citizen,
            rating="dissatisfied",
            reason="工资根本没有发放，答复不属实。",
            at=self.t,
        )
        yield self.wait(self.on_day_after(1))
        reason = "网民反映回复内容与事实不符，经电话核实工资尚未发放，重新交办。"
        actions.reopen(message=self.message, by=c.county_office, reason=reason, at=self.t)
        yield self.wait(self.t + dt.timedelta(minutes=20))
        actions.flag_for_supervision(
            message=self.message, by=c.county_office, note="虚假办结，列入督办，请5个工作日内如实答复。", at=self.t
        )
        yield self.wait(self.on_day_after(3))
        actions.record_finding(
            unit=self.message.unit,
            by=c.county_office,
            message=self.message,
            source=SupervisionFinding.Source.COUNTY_CHECK,
            summary="经督查核实，怀群镇在未核实工资发放情况的前提下答复“已全部发放”并办结留言，存在虚假办结问题。",
            found_on=local_date(self.t),
            at=self.t,
        )
        yield self.wait(self.office(self.due(Stage.Kind.REPLY)))
        true_reply = (
            f"您好！对前次答复不实，我们深表歉意。经镇党委、政府会同县人社局协调，施工方已将拖欠的{n}名"
            "农民工工资共计六万三千元全部发放到位，由镇劳动保障所现场监督发放，并已电话逐一回访确认。"
        )
        actions.reply(message=self.message, by=self.staff.leader, text=true_reply, at=self.t)
        yield self.wait(self.on_day_after(1))
        actions.close(message=self.message, by=self.staff.leader, kind="solved", note="已逐一电话回访确认。", at=self.t)
        yield self.wait(self.on_day_after(3))
        actions.publish_exposure(
            unit=self.message.unit,
            by=c.county_office,
            message=self.message,
            title="怀群镇办理网民欠薪留言弄虚作假被曝光",
            body=(
                "怀群镇在办理网民反映的农民工欠薪留言时，未经核实即答复“工资已全部发放”并办结，"
                "经网民追问和县网络问政工作领导小组督查，情况不实。该镇已重新办理，拖欠工资现已发放到位。"
            ),
            outlet="罗城县融媒体中心、河池日报",
            at=self.t,
        )
        yield self.wait(self.on_day_after(2))
        leader = self.staff.leader
        actions.refer_for_accountability(
            unit=self.message.unit,
            by=c.county_office,
            message=self.message,
            person=f"{leader.display_name}（怀群镇分管领导）",
            reason="对网民反映的欠薪问题不核实即作出“已解决”的不实答复并办结，造成不良影响。",
            referred_to="县纪委监委",
            at=self.t,
        )
