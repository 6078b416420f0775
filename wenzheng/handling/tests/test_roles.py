"""Who may take each step: every action, run as every role in the cast.

The table below is the policy at a glance. Each action is set up in a state where it
is legal (so only the actor decides), then run as each role: the roles listed succeed
and leave their event; every other role is refused with a stable code and changes
nothing. All messages and units here belong to 罗城 (luocheng).
"""

import datetime as dt
import inspect
import itertools

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.testing import ROLES, local
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic
from wenzheng.units.models import Unit
from wenzheng.units.services import roster_file

from .helpers import HandlingTestCase

OFFICE = {"county_office", "admin"}
OFFICE_OR_CITY = OFFICE | {"city_office"}
UNIT_STAFF = {"handler_a", "leader_a"}
LEADER = {"leader_a"}
CITIZENS = {"anonymous", "citizen", "other_citizen"}

ALLOWED = {
    # the citizen
    "submit": CITIZENS,
    "follow_up": {"citizen"},  # the author of the message only
    "rate": {"citizen"},
    # the county office: dispatch and approvals
    "dispatch": OFFICE,
    "reject_transfer": OFFICE,
    "approve_extension": OFFICE,
    "reject_extension": OFFICE,
    "approve_long_cycle_closure": OFFICE_OR_CITY,
    "reject_long_cycle_closure": OFFICE_OR_CITY,
    "reopen": OFFICE,
    "reassign": OFFICE,
    "mark_spam": OFFICE,
    "unmark_spam": OFFICE,
    # duplicates (并单): the office of the message's county
    "merge_duplicate": OFFICE,
    "dismiss_duplicate": OFFICE,
    "unmerge_duplicate": OFFICE,
    "uphold_answer": OFFICE,
    "reopen_on_revisit": OFFICE,
    # what a message is about (事项分类): the office, or the unit now handling it
    "set_topic": OFFICE | UNIT_STAFF,
    # what kind of request it is (咨询/建议/诉求): the county office, before an answer
    "set_category": OFFICE,
    # the unit
    "respond": UNIT_STAFF,
    "reply": UNIT_STAFF,
    "request_transfer": UNIT_STAFF,
    "request_extension": UNIT_STAFF,
    "close": LEADER,
    "request_long_cycle_closure": LEADER,
    "answer_follow_up": UNIT_STAFF,
    "approve_reply": LEADER,
    "return_reply": LEADER,
    "withdraw_reply": {"handler_a"},  # the draft's author only
    # supervision
    "flag_for_supervision": OFFICE_OR_CITY,
    "order_written_explanation": OFFICE,
    "record_explanation": OFFICE | LEADER,
    "return_explanation": OFFICE,
    "record_finding": OFFICE_OR_CITY,
    "publish_exposure": OFFICE_OR_CITY,
    "withdraw_exposure": OFFICE_OR_CITY,
    "refer_for_accountability": OFFICE,
    "roster_file": OFFICE | LEADER,
}

# How a refused role is told no. A role of a kind the action never allows gets
# `forbidden_role`; a role of an allowed kind in the wrong place is told whose it is.
KIND = {
    "anonymous": "anonymous",
    "citizen": "citizen",
    "other_citizen": "citizen",
    "handler_a": "handler",
    "leader_a": "leader",
    "handler_b": "handler",
    "leader_b": "leader",
    "handler_c": "handler",
    "county_office": "county_office",
    "other_county_office": "county_office",
    "city_office": "city_office",
    "admin": "admin",
}
WRONG_PLACE = {
    "handler": "not_your_unit",
    "leader": "not_your_unit",
    "county_office": "not_your_region",
    "city_office": "not_your_region",
}
# The citizen's steps ask whose message it is, not which role is asking.
OWNER_ONLY = {"follow_up", "rate"}


def expected_refusal(action, role):
    if action in OWNER_ONLY:
        return "not_your_message"
    if action == "withdraw_reply" and role in ("leader_a", "leader_b"):  # unit staff, but not its author
        return {"leader_a": "not_the_author", "leader_b": "not_your_unit"}[role]
    allowed_kinds = {KIND[r] for r in ALLOWED[action]}
    if KIND[role] in allowed_kinds:
        return WRONG_PLACE[KIND[role]]
    return "forbidden_role"


# --- each action, set up where it is legal --------------------------------------------
# A scenario builds what the action needs and returns `run`: `run(user)` takes the
# step as that user.

MONDAY = local(2026, 3, 2, 9)
TUESDAY = local(2026, 3, 3, 10)
_rosters = itertools.count()  # each filing differs from the one before: a correction, not a repeat


def _as_citizen(user):
    # Someone not signed in and holding no passcode; passcode access is in test_states.
    return actions.Citizen(user=user) if user is not None else actions.Citizen()


def _long_cycle_pending(c):
    m = c.replied(at=MONDAY, category=c.appeal)
    actions.request_long_cycle_closure(
        message=m, by=c.leader_a, explanation="涉及道路规划调整，需两年完成。", at=MONDAY
    )
    return m


def _extension_pending(c):
    m = c.submit(at=MONDAY)
    return actions.request_extension(message=m, by=c.handler_a, days=3, reason="需要现场勘查。", at=MONDAY)


def _closed(c):
    m = c.replied(at=MONDAY)
    actions.close(message=m, by=c.leader_a, kind="answered", at=MONDAY)
    return m


def _dissatisfied(c):
    m = c.replied(at=MONDAY)
    actions.rate(message=m, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="没修好。", at=MONDAY)
    return m.revisits.get()


def _draft(c):
    Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
    m = c.submit(at=MONDAY)
    return actions.reply(message=m, by=c.handler_a, text="已安排维修。", at=MONDAY)


def _transfer_requested(c):
    m = c.submit(at=MONDAY)
    actions.request_transfer(message=m, by=c.handler_a, reason="路灯由住建局管理。", at=MONDAY)
    return m


SCENARIOS = {}


def scenario(action, *, event):
    """Register how to set up `action`; the event is the one a success leaves."""

    def register(setup):
        SCENARIOS[action] = (setup, event)
        return setup

    return register


@scenario("submit", event="submitted")
def setup_submit(c):
    def run(by):
        return actions.submit(
            by=by,
            category=c.consultation,
            unit=c.unit_a,
            title="路灯不亮",
            body="新街路灯坏了。",
            name="张三",
            phone="13800000000",
            consent_to_publish=True,
            at=TUESDAY,
        )

    return run


@scenario("follow_up", event="followed_up")
def setup_follow_up(c):
    m = c.replied(at=MONDAY)
    return lambda by: actions.follow_up(message=m, who=_as_citizen(by), text="什么时候修好？", at=TUESDAY)


@scenario("rate", event="rated")
def setup_rate(c):
    m = c.replied(at=MONDAY)
    return lambda by: actions.rate(message=m, who=_as_citizen(by), rating="satisfied", at=TUESDAY)


@scenario("dispatch", event="dispatched")
def setup_dispatch(c):
    m = c.submit(unit=None, at=MONDAY)
    return lambda by: actions.dispatch(message=m, by=by, unit=c.unit_a, at=TUESDAY)


@scenario("reject_transfer", event="transfer_rejected")
def setup_reject_transfer(c):
    m = _transfer_requested(c)
    return lambda by: actions.reject_transfer(message=m, by=by, reason="属于镇里管理的路段。", at=TUESDAY)


@scenario("approve_extension", event="extension_approved")
def setup_approve_extension(c):
    request = _extension_pending(c)
    return lambda by: actions.approve_extension(request=request, by=by, at=TUESDAY)


@scenario("reject_extension", event="extension_rejected")
def setup_reject_extension(c):
    request = _extension_pending(c)
    return lambda by: actions.reject_extension(request=request, by=by, reason="理由不充分。", at=TUESDAY)


@scenario("approve_long_cycle_closure", event="long_cycle_approved")
def setup_approve_long_cycle_closure(c):
    m = _long_cycle_pending(c)
    return lambda by: actions.approve_long_cycle_closure(message=m, by=by, at=TUESDAY)


@scenario("reject_long_cycle_closure", event="long_cycle_rejected")
def setup_reject_long_cycle_closure(c):
    m = _long_cycle_pending(c)
    return lambda by: actions.reject_long_cycle_closure(message=m, by=by, reason="可以先行处理。", at=TUESDAY)


@scenario("reopen", event="reopened")
def setup_reopen(c):
    m = _closed(c)
    return lambda by: actions.reopen(message=m, by=by, reason="网民反映仍未修好。", at=TUESDAY)


@scenario("reassign", event="reassigned")
def setup_reassign(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.reassign(message=m, by=by, unit=c.unit_b, reason="路灯归住建局管理。", at=TUESDAY)


@scenario("mark_spam", event="spam_marked")
def setup_mark_spam(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.mark_spam(message=m, by=by, reason="广告。", at=TUESDAY)


@scenario("unmark_spam", event="spam_unmarked")
def setup_unmark_spam(c):
    m = c.submit(at=MONDAY)
    actions.mark_spam(message=m, by=c.county_office, reason="广告。", at=MONDAY)
    return lambda by: actions.unmark_spam(message=m, by=by, reason="误标。", at=TUESDAY)


@scenario("merge_duplicate", event="merged")
def setup_merge_duplicate(c):
    main = c.submit(at=MONDAY)
    dup = c.submit(unit=None, at=MONDAY)
    return lambda by: actions.merge_duplicate(message=dup, into=main, by=by, reason="同一问题。", at=TUESDAY)


@scenario("dismiss_duplicate", event="duplicate_dismissed")
def setup_dismiss_duplicate(c):
    c.submit(at=MONDAY)
    flagged = c.submit(unit=None, at=MONDAY)  # the same text from the same phone: flagged
    return lambda by: actions.dismiss_duplicate(message=flagged, by=by, reason="另一件事。", at=TUESDAY)


@scenario("unmerge_duplicate", event="unmerged")
def setup_unmerge_duplicate(c):
    main = c.submit(at=MONDAY)
    dup = c.submit(unit=None, at=MONDAY)
    actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题。", at=MONDAY)
    return lambda by: actions.unmerge_duplicate(message=dup, by=by, reason="并错了。", at=TUESDAY)


@scenario("uphold_answer", event="answer_upheld")
def setup_uphold_answer(c):
    revisit = _dissatisfied(c)
    return lambda by: actions.uphold_answer(revisit=revisit, by=by, note="已电话核实，答复属实。", at=TUESDAY)


@scenario("reopen_on_revisit", event="reopened")
def setup_reopen_on_revisit(c):
    revisit = _dissatisfied(c)
    return lambda by: actions.reopen_on_revisit(revisit=revisit, by=by, reason="答复与事实不符。", at=TUESDAY)


@scenario("answer_follow_up", event="follow_up_answered")
def setup_answer_follow_up(c):
    m = c.replied(at=MONDAY)
    item = actions.follow_up(message=m, who=actions.Citizen(user=c.citizen), text="什么时候修好？", at=MONDAY)
    return lambda by: actions.answer_follow_up(follow_up=item, by=by, text="本周五前修好。", at=TUESDAY)


@scenario("approve_reply", event="reply_approved")
def setup_approve_reply(c):
    draft = _draft(c)
    return lambda by: actions.approve_reply(draft=draft, by=by, at=TUESDAY)


@scenario("return_reply", event="reply_returned")
def setup_return_reply(c):
    draft = _draft(c)
    return lambda by: actions.return_reply(draft=draft, by=by, note="请写明维修时间。", at=TUESDAY)


@scenario("withdraw_reply", event="reply_withdrawn")
def setup_withdraw_reply(c):
    draft = _draft(c)
    return lambda by: actions.withdraw_reply(draft=draft, by=by, at=TUESDAY)


@scenario("respond", event="responded")
def setup_respond(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.respond(message=m, by=by, at=TUESDAY)


@scenario("reply", event="replied")
def setup_reply(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.reply(message=m, by=by, text="已安排维修。", at=TUESDAY)


@scenario("request_transfer", event="transfer_requested")
def setup_request_transfer(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.request_transfer(message=m, by=by, reason="不属本单位职责。", at=TUESDAY)


@scenario("request_extension", event="extension_requested")
def setup_request_extension(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.request_extension(message=m, by=by, days=2, reason="需要协调。", at=TUESDAY)


@scenario("close", event="closed")
def setup_close(c):
    m = c.replied(at=MONDAY)
    return lambda by: actions.close(message=m, by=by, kind="answered", at=TUESDAY)


@scenario("request_long_cycle_closure", event="long_cycle_requested")
def setup_request_long_cycle_closure(c):
    m = c.replied(at=MONDAY, category=c.appeal)
    return lambda by: actions.request_long_cycle_closure(message=m, by=by, explanation="需列入明年预算。", at=TUESDAY)


@scenario("set_topic", event="topic_set")
def setup_set_topic(c):
    m = c.submit(at=MONDAY)
    catalogue.load(c.county, "代码,名称\n010000,城乡建设\n010100,市政设施\n")
    topic = Topic.objects.get(region=c.county, code="010100")
    return lambda by: actions.set_topic(message=m, by=by, topic=topic, at=TUESDAY)


@scenario("set_category", event="category_set")
def setup_set_category(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.set_category(message=m, by=by, category=c.appeal, at=TUESDAY)


@scenario("flag_for_supervision", event="supervision_flagged")
def setup_flag_for_supervision(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.flag_for_supervision(message=m, by=by, note="请加快办理。", at=TUESDAY)


# Each written-explanation order of a scenario its own reason: the same order again
# within a day is refused as a repeat.
ORDERS = itertools.count(1)


@scenario("order_written_explanation", event="explanation_ordered")
def setup_order_written_explanation(c):
    m = c.submit(at=MONDAY)
    return lambda by: actions.order_written_explanation(
        unit=c.unit_a, by=by, reason="回复超期。", messages=[m], backlog_deadline=local(2026, 3, 20), at=TUESDAY
    )


@scenario("record_explanation", event="explanation_recorded")
def setup_record_explanation(c):
    order = actions.order_written_explanation(
        unit=c.unit_a,
        by=c.county_office,
        reason=f"回复超期（{next(ORDERS)}）。",  # each its own: the same again is a repeat
        messages=[],
        backlog_deadline=local(2026, 3, 20),
        at=MONDAY,
    )
    return lambda by: actions.record_explanation(order=order, by=by, text="人手不足，已整改。", at=TUESDAY)


@scenario("return_explanation", event="explanation_returned")
def setup_return_explanation(c):
    order = actions.order_written_explanation(
        unit=c.unit_a,
        by=c.county_office,
        reason=f"回复超期（{next(ORDERS)}）。",  # each its own: the same again is a repeat
        messages=[],
        backlog_deadline=local(2026, 3, 20),
        at=MONDAY,
    )
    actions.record_explanation(order=order, by=c.leader_a, text="短", at=MONDAY)
    return lambda by: actions.return_explanation(order=order, by=by, note="请写明原因和整改措施。", at=TUESDAY)


@scenario("record_finding", event="finding_recorded")
def setup_record_finding(c):
    return lambda by: actions.record_finding(
        unit=c.unit_a, by=by, summary="两条留言超期未回复。", found_on=dt.date(2026, 3, 2), at=TUESDAY
    )


@scenario("publish_exposure", event="exposure_published")
def setup_publish_exposure(c):
    n = next(_rosters)  # each a report of its own: the same one again within a day is refused as a repeat
    return lambda by: actions.publish_exposure(
        unit=c.unit_a, by=by, title=f"东门镇留言长期不回复（{n}）", body="……", outlet="罗城电视台", at=TUESDAY
    )


@scenario("withdraw_exposure", event="exposure_withdrawn")
def setup_withdraw_exposure(c):
    n = next(_rosters)
    exposure = actions.publish_exposure(
        unit=c.unit_a, by=c.county_office, title=f"录错的曝光（{n}）", body="……", outlet="罗城电视台", at=MONDAY
    )
    return lambda by: actions.withdraw_exposure(exposure=exposure, by=by, reason="重复录入。", at=TUESDAY)


@scenario("refer_for_accountability", event="accountability_referred")
def setup_refer_for_accountability(c):
    return lambda by: actions.refer_for_accountability(
        unit=c.unit_a, by=by, person="李四", reason="谎报办理结果。", referred_to="县纪委监委", at=TUESDAY
    )


@scenario("roster_file", event="roster_filed")
def setup_roster_file(c):
    handlers = [c.handler_a, c.handler_a2][: 1 + next(_rosters) % 2]
    return lambda by: roster_file(unit=c.unit_a, year=2026, leader=c.leader_a, handlers=handlers, by=by, at=TUESDAY)


class RoleMatrixTest(HandlingTestCase):
    def assert_only_allowed_roles(self, action):
        c = self.cast
        setup, event_kind = SCENARIOS[action]
        run = setup(c)
        for role in ROLES:
            user = getattr(c, role)
            with self.subTest(action=action, role=role):
                if role in ALLOWED[action]:
                    last_seq = Event.objects.order_by("seq").values_list("seq", flat=True).last() or 0
                    run(user)
                    new = Event.objects.filter(seq__gt=last_seq)
                    self.assertIn(event_kind, list(new.values_list("kind", flat=True)))
                    event = new.get(kind=event_kind)
                    self.assertEqual(event.actor, user)
                    self.assertEqual(event.actor_role, user.role if user else "anonymous")
                    run = setup(c)  # the step is taken: set up afresh
                else:
                    self.assertRefused(expected_refusal(action, role), run, user)

    def test_the_table_names_every_action(self):
        public = {
            name
            for name, function in inspect.getmembers(actions, inspect.isfunction)
            if function.__module__ == actions.__name__ and not name.startswith("_")
        }
        self.assertEqual(public | {"roster_file"}, set(ALLOWED))
        self.assertEqual(set(SCENARIOS), set(ALLOWED))
        self.assertEqual(set(ROLES), set(KIND))

    def test_who_may_submit(self):
        self.assert_only_allowed_roles("submit")

    def test_who_may_follow_up(self):
        self.assert_only_allowed_roles("follow_up")

    def test_who_may_rate(self):
        self.assert_only_allowed_roles("rate")

    def test_who_may_dispatch(self):
        self.assert_only_allowed_roles("dispatch")

    def test_who_may_reject_transfer(self):
        self.assert_only_allowed_roles("reject_transfer")

    def test_who_may_approve_extension(self):
        self.assert_only_allowed_roles("approve_extension")

    def test_who_may_reject_extension(self):
        self.assert_only_allowed_roles("reject_extension")

    def test_who_may_approve_long_cycle_closure(self):
        self.assert_only_allowed_roles("approve_long_cycle_closure")

    def test_who_may_reject_long_cycle_closure(self):
        self.assert_only_allowed_roles("reject_long_cycle_closure")

    def test_who_may_reopen(self):
        self.assert_only_allowed_roles("reopen")

    def test_who_may_reassign(self):
        self.assert_only_allowed_roles("reassign")

    def test_who_may_mark_and_unmark_spam(self):
        self.assert_only_allowed_roles("mark_spam")
        self.assert_only_allowed_roles("unmark_spam")

    def test_who_may_merge_dismiss_and_unmerge_duplicates(self):
        self.assert_only_allowed_roles("merge_duplicate")
        self.assert_only_allowed_roles("dismiss_duplicate")
        self.assert_only_allowed_roles("unmerge_duplicate")

    def test_who_may_uphold_an_answer(self):
        self.assert_only_allowed_roles("uphold_answer")

    def test_who_may_reopen_on_a_revisit(self):
        self.assert_only_allowed_roles("reopen_on_revisit")

    def test_who_may_answer_a_follow_up(self):
        self.assert_only_allowed_roles("answer_follow_up")

    def test_who_may_approve_a_reply(self):
        self.assert_only_allowed_roles("approve_reply")

    def test_who_may_return_a_reply(self):
        self.assert_only_allowed_roles("return_reply")

    def test_who_may_return_an_explanation(self):
        self.assert_only_allowed_roles("return_explanation")

    def test_who_may_withdraw_a_reply(self):
        self.assert_only_allowed_roles("withdraw_reply")

    def test_who_may_respond(self):
        self.assert_only_allowed_roles("respond")

    def test_who_may_reply(self):
        self.assert_only_allowed_roles("reply")

    def test_who_may_request_transfer(self):
        self.assert_only_allowed_roles("request_transfer")

    def test_who_may_request_extension(self):
        self.assert_only_allowed_roles("request_extension")

    def test_who_may_close(self):
        self.assert_only_allowed_roles("close")

    def test_who_may_request_long_cycle_closure(self):
        self.assert_only_allowed_roles("request_long_cycle_closure")

    def test_who_may_set_topic(self):
        self.assert_only_allowed_roles("set_topic")

    def test_who_may_set_category(self):
        self.assert_only_allowed_roles("set_category")

    def test_who_may_flag_for_supervision(self):
        self.assert_only_allowed_roles("flag_for_supervision")

    def test_who_may_order_written_explanation(self):
        self.assert_only_allowed_roles("order_written_explanation")

    def test_who_may_record_explanation(self):
        self.assert_only_allowed_roles("record_explanation")

    def test_who_may_record_finding(self):
        self.assert_only_allowed_roles("record_finding")

    def test_who_may_publish_exposure(self):
        self.assert_only_allowed_roles("publish_exposure")

    def test_who_may_withdraw_an_exposure(self):
        self.assert_only_allowed_roles("withdraw_exposure")

    def test_who_may_refer_for_accountability(self):
        self.assert_only_allowed_roles("refer_for_accountability")

    def test_who_may_file_the_roster(self):
        self.assert_only_allowed_roles("roster_file")

    def test_the_refusal_codes_read_as_the_policy_says(self):
        # The derivation above, spelled out for a few cases a reader might doubt.
        self.assertEqual(expected_refusal("close", "handler_a"), "forbidden_role")
        self.assertEqual(expected_refusal("close", "leader_b"), "not_your_unit")
        self.assertEqual(expected_refusal("respond", "handler_c"), "not_your_unit")
        self.assertEqual(expected_refusal("dispatch", "city_office"), "forbidden_role")
        self.assertEqual(expected_refusal("dispatch", "other_county_office"), "not_your_region")
        self.assertEqual(expected_refusal("record_finding", "other_county_office"), "not_your_region")
        self.assertEqual(expected_refusal("submit", "admin"), "forbidden_role")
        self.assertEqual(expected_refusal("rate", "admin"), "not_your_message")
