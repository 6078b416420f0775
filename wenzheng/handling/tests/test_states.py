"""Which steps a message's state allows, closure by category, the citizen's own steps
(follow-up, rating, passcode access) and what a submission must carry."""

import datetime as dt

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import FollowUp, Message, Reply, Stage
from wenzheng.testing import local
from wenzheng.units.models import Unit

from .helpers import HandlingTestCase

S = Message.State
MONDAY = local(2026, 3, 2, 9)
TUESDAY = local(2026, 3, 3, 10)


def in_state(c, state, *, category=None):
    """A message of `c.citizen` to unit_a (unless pending dispatch), put in `state`."""
    category = category or c.consultation
    if state == S.PENDING_DISPATCH:
        return c.submit(unit=None, at=MONDAY, category=category)
    m = c.submit(at=MONDAY, category=category)
    if state == S.SPAM:
        actions.mark_spam(message=m, by=c.county_office, reason="同一号码一小时内重复提交。", at=MONDAY)
    if state == S.MERGED:
        main = c.submit(at=MONDAY, category=category)
        actions.merge_duplicate(message=m, into=main, by=c.county_office, reason="同一问题。", at=MONDAY)
    if state == S.RESPONDED:
        actions.respond(message=m, by=c.handler_a, at=MONDAY)
    elif state == S.TRANSFER_REQUESTED:
        actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇管理。", at=MONDAY)
    elif state in (S.REPLIED, S.CLOSURE_PENDING, S.CLOSED):
        actions.reply(message=m, by=c.handler_a, text="已安排维修。", at=MONDAY)
        if state == S.CLOSURE_PENDING:
            actions.request_long_cycle_closure(message=m, by=c.leader_a, explanation="需两年完成。", at=MONDAY)
        elif state == S.CLOSED:
            actions.close(message=m, by=c.leader_a, kind="answered", at=MONDAY)
    m.refresh_from_db()
    assert m.state == state, (m.state, state)
    return m


def an_open_one(m):
    """Another message that may take duplicates (并单)."""
    return Message.objects.filter(state__in=S.may_take_merged()).exclude(pk=m.pk).order_by("pk").first()


# Each message step, the states it may be taken in, and the step taken by a role
# that is allowed it (so that only the state can stand in the way).
STEPS = {
    "dispatch": (
        {S.PENDING_DISPATCH, S.TRANSFER_REQUESTED},
        lambda c, m: actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=TUESDAY),
    ),
    "reject_transfer": (
        {S.TRANSFER_REQUESTED},
        lambda c, m: actions.reject_transfer(message=m, by=c.county_office, reason="属本镇管理。", at=TUESDAY),
    ),
    "approve_long_cycle_closure": (
        {S.CLOSURE_PENDING},
        lambda c, m: actions.approve_long_cycle_closure(message=m, by=c.county_office, at=TUESDAY),
    ),
    "reject_long_cycle_closure": (
        {S.CLOSURE_PENDING},
        lambda c, m: actions.reject_long_cycle_closure(
            message=m, by=c.county_office, reason="可先行处理。", at=TUESDAY
        ),
    ),
    "reopen": (
        {S.CLOSED},
        lambda c, m: actions.reopen(message=m, by=c.county_office, reason="仍未修好。", at=TUESDAY),
    ),
    "respond": (
        # And while a hand-back waits (the message in_state hands back before 签收).
        {S.DISPATCHED, S.TRANSFER_REQUESTED},
        lambda c, m: actions.respond(message=m, by=c.handler_a, at=TUESDAY),
    ),
    "reply": (
        # Once replied (or closed), a further reply is added beside the first.
        {S.DISPATCHED, S.RESPONDED, S.REPLIED, S.CLOSED},
        lambda c, m: actions.reply(message=m, by=c.handler_a, text="补充答复。", at=TUESDAY),
    ),
    "request_transfer": (
        {S.DISPATCHED, S.RESPONDED},
        lambda c, m: actions.request_transfer(message=m, by=c.handler_a, reason="不属本镇。", at=TUESDAY),
    ),
    "request_extension": (
        {S.DISPATCHED, S.RESPONDED},
        lambda c, m: actions.request_extension(message=m, by=c.handler_a, days=2, reason="需协调。", at=TUESDAY),
    ),
    "close": (
        {S.REPLIED},
        lambda c, m: actions.close(message=m, by=c.leader_a, kind="answered", at=TUESDAY),
    ),
    "request_long_cycle_closure": (
        {S.REPLIED},
        lambda c, m: actions.request_long_cycle_closure(message=m, by=c.leader_a, explanation="需两年。", at=TUESDAY),
    ),
    "follow_up": (
        set(S.answered()),
        lambda c, m: actions.follow_up(message=m, who=actions.Citizen(user=c.citizen), text="何时修好？", at=TUESDAY),
    ),
    "rate": (
        set(S.answered()),
        lambda c, m: actions.rate(message=m, who=actions.Citizen(user=c.citizen), rating="satisfied", at=TUESDAY),
    ),
    "mark_spam": (
        set(S.may_be_spam()),
        lambda c, m: actions.mark_spam(message=m, by=c.county_office, reason="广告。", at=TUESDAY),
    ),
    "unmark_spam": (
        {S.SPAM},
        lambda c, m: actions.unmark_spam(message=m, by=c.county_office, reason="误标。", at=TUESDAY),
    ),
    "merge_duplicate": (
        set(S.may_be_merged()),
        lambda c, m: actions.merge_duplicate(
            message=m, into=an_open_one(m), by=c.county_office, reason="同", at=TUESDAY
        ),
    ),
    "unmerge_duplicate": (
        {S.MERGED},
        lambda c, m: actions.unmerge_duplicate(message=m, by=c.county_office, reason="并错了。", at=TUESDAY),
    ),
    "set_category": (
        # Before any answer (a reply is judged under its category's rules).
        set(actions.CATEGORY_STATES),
        lambda c, m: actions.set_category(message=m, by=c.county_office, category=c.appeal, at=TUESDAY),
    ),
    "flag_for_supervision": (
        set(S.with_unit()),
        lambda c, m: actions.flag_for_supervision(message=m, by=c.county_office, note="请加快。", at=TUESDAY),
    ),
}
# A message waiting for dispatch has no unit, so no unit's staff holds it: the unit's
# steps refuse it as someone else's before its state is even looked at.
UNIT_STEPS = {"respond", "reply", "request_transfer", "request_extension", "close", "request_long_cycle_closure"}
# A merged message's citizen (并单) follows up and rates the main message's answer: the
# main message in_state makes is not answered, and that is the reason given.
MAIN_ANSWER_STEPS = {"follow_up", "rate"}


class StateTest(HandlingTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.messages = {state: in_state(cls.cast, state) for state in S.values}

    def test_every_step_is_refused_in_the_wrong_state_and_changes_nothing(self):
        c = self.cast
        for step, (allowed, take) in STEPS.items():
            for state in set(S.values) - allowed:
                message = self.messages[state]
                code = "not_your_unit" if state == S.PENDING_DISPATCH and step in UNIT_STEPS else "wrong_state"
                if state == S.MERGED and step in MAIN_ANSWER_STEPS:
                    code = "main_not_answered"
                with self.subTest(step=step, state=state):
                    refusal = self.assertRefused(code, take, c, message)
                    if code == "wrong_state":
                        # The reason names the state the message is in.
                        self.assertIn(S(state).label, refusal.reason)

    def test_every_step_is_taken_in_each_state_it_allows(self):
        c = self.cast
        for step, (allowed, take) in STEPS.items():
            for state in allowed:
                with self.subTest(step=step, state=state):
                    message = in_state(c, state)
                    events = Event.objects.count()
                    take(c, message)
                    self.assertGreater(Event.objects.count(), events)

    def test_the_table_covers_every_state(self):
        self.assertEqual(set(self.messages), set(S.values))


class ExtensionDecisionStateTest(HandlingTestCase):
    def test_it_rejects_deciding_an_extension_twice(self):
        c = self.cast
        m = c.submit(at=MONDAY)
        request = actions.request_extension(message=m, by=c.handler_a, days=2, reason="需协调。", at=MONDAY)
        actions.approve_extension(request=request, by=c.county_office, at=TUESDAY)
        self.assertRefused("already_decided", actions.approve_extension, request=request, by=c.county_office)
        self.assertRefused("already_decided", actions.reject_extension, request=request, by=c.county_office, reason="x")

    def test_it_rejects_approving_an_extension_once_the_message_is_replied(self):
        c = self.cast
        m = c.submit(at=MONDAY)
        request = actions.request_extension(message=m, by=c.handler_a, days=2, reason="需协调。", at=MONDAY)
        actions.reply(message=m, by=c.handler_a, text="已修好。", at=MONDAY)
        # The reply ended the request (it has nothing left to extend).
        self.assertRefused(
            "already_decided", actions.approve_extension, request=request, by=c.county_office, at=TUESDAY
        )
        request.refresh_from_db()
        self.assertEqual(request.status, "lapsed")
        self.assertEqual(m.stages.get(kind="reply").extension_days, 0)


class ClosureTest(HandlingTestCase):
    """建议/咨询 close as answered; 诉求 as solved or explained; long-cycle only with
    the leadership group's approval."""

    def assert_closes(self, category, kind):
        c = self.cast
        m = c.replied(at=MONDAY, category=category)
        actions.close(message=m, by=c.leader_a, kind=kind, at=TUESDAY)
        m.refresh_from_db()
        self.assertEqual((m.state, m.closure_kind, m.closed_at), (S.CLOSED, kind, TUESDAY))
        self.assertEqual(m.events.latest("seq").data["closure_kind"], kind)

    def test_consultations_and_suggestions_close_as_answered(self):
        self.assert_closes(self.cast.consultation, "answered")
        self.assert_closes(self.cast.suggestion, "answered")

    def test_appeals_close_as_solved_or_explained(self):
        self.assert_closes(self.cast.appeal, "solved")
        self.assert_closes(self.cast.appeal, "explained")

    def test_it_rejects_a_closure_kind_the_category_does_not_allow(self):
        c = self.cast
        refused = {
            c.consultation: ["solved", "explained", "long_cycle", "whatever"],
            c.suggestion: ["solved", "explained", "long_cycle"],
            c.appeal: ["answered", "long_cycle", ""],
        }
        for category, kinds in refused.items():
            m = c.replied(at=MONDAY, category=category)
            for kind in kinds:
                with self.subTest(category=category.code, kind=kind):
                    refusal = self.assertRefused("bad_closure_kind", actions.close, message=m, by=c.leader_a, kind=kind)
                    self.assertIn(category.name, refusal.reason)

    def test_a_long_cycle_closure_needs_the_leadership_groups_approval(self):
        c = self.cast
        m = c.replied(at=MONDAY, category=c.appeal)
        actions.request_long_cycle_closure(message=m, by=c.leader_a, explanation="涉及规划调整，需两年。", at=MONDAY)
        m.refresh_from_db()
        self.assertEqual((m.state, m.closure_kind, m.closed_at), (S.CLOSURE_PENDING, "", None))
        self.assertEqual(m.closure_explanation, "涉及规划调整，需两年。")
        actions.approve_long_cycle_closure(message=m, by=c.city_office, at=TUESDAY)
        m.refresh_from_db()
        self.assertEqual((m.state, m.closure_kind, m.closed_at), (S.CLOSED, "long_cycle", TUESDAY))
        approved = m.events.get(kind="long_cycle_approved")
        self.assertEqual(approved.data["level"], "city_office")

    def test_it_rejects_a_long_cycle_request_without_an_explanation(self):
        c = self.cast
        m = c.replied(at=MONDAY, category=c.appeal)
        self.assertRefused(
            "missing_text", actions.request_long_cycle_closure, message=m, by=c.leader_a, explanation=" "
        )

    def test_a_rejected_long_cycle_closure_reopens_the_message_for_a_new_reply(self):
        c = self.cast
        m = c.replied(at=MONDAY, category=c.appeal)
        actions.request_long_cycle_closure(message=m, by=c.leader_a, explanation="需两年。", at=MONDAY)
        actions.reject_long_cycle_closure(message=m, by=c.county_office, reason="可以先修补。", at=TUESDAY)
        m.refresh_from_db()
        self.assertEqual((m.state, m.closure_kind, m.closed_at), (S.RESPONDED, "", None))
        reply_stage = m.open_stage(Stage.Kind.REPLY)
        self.assertEqual(reply_stage.started_at, TUESDAY)
        self.assertEqual(reply_stage.due_at, local(2026, 3, 11))  # 5 working days after Tuesday 03-03
        kinds = list(m.events.order_by("seq").values_list("kind", flat=True))
        self.assertEqual(kinds[-2:], ["long_cycle_rejected", "reopened"])

    def test_a_reopened_message_is_replied_and_closed_again(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        actions.close(message=m, by=c.leader_a, kind="answered", at=MONDAY)
        actions.reopen(message=m, by=c.county_office, reason="网民反映仍未修好。", at=TUESDAY)
        m.refresh_from_db()
        self.assertEqual((m.state, m.closed_at, m.closure_kind), (S.RESPONDED, None, ""))
        actions.reply(message=m, by=c.handler_a, text="已重新维修。", at=TUESDAY)
        actions.close(message=m, by=c.leader_a, kind="answered", at=TUESDAY)
        m.refresh_from_db()
        self.assertEqual(m.state, S.CLOSED)
        self.assertEqual(m.stages.filter(kind="reply").count(), 2)
        self.assertFalse(m.stages.filter(completed_at__isnull=True).exists())

    def test_it_rejects_a_reopening_without_a_reason(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        actions.close(message=m, by=c.leader_a, kind="answered", at=MONDAY)
        self.assertRefused("missing_text", actions.reopen, message=m, by=c.county_office, reason="")


class CitizenStepsTest(HandlingTestCase):
    def test_a_citizen_rates_once(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        me = actions.Citizen(user=c.citizen)
        actions.rate(message=m, who=me, rating="basically_satisfied", at=TUESDAY)
        m.refresh_from_db()
        self.assertEqual((m.rating, m.rated_at), ("basically_satisfied", TUESDAY))
        self.assertRefused("already_rated", actions.rate, message=m, who=me, rating="dissatisfied")
        m.refresh_from_db()
        self.assertEqual(m.rating, "basically_satisfied")

    def test_it_rejects_a_rating_that_is_not_one_of_the_three(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        for rating in ("", "excellent", "满意"):
            with self.subTest(rating=rating):
                self.assertRefused(
                    "bad_rating", actions.rate, message=m, who=actions.Citizen(user=c.citizen), rating=rating
                )

    def test_a_closed_message_can_still_be_rated_and_a_reopening_keeps_the_rating(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        actions.close(message=m, by=c.leader_a, kind="answered", at=MONDAY)
        actions.rate(
            message=m, who=actions.Citizen(user=c.citizen), rating="dissatisfied", reason="还是没修好。", at=TUESDAY
        )
        actions.reopen(message=m, by=c.county_office, reason="网民不满意。", at=TUESDAY)
        m.refresh_from_db()
        self.assertEqual(m.rating, "dissatisfied")

    def test_a_follow_up_comes_only_after_a_reply_and_is_answered_beside_it(self):
        c = self.cast
        m = c.submit(at=MONDAY)
        me = actions.Citizen(user=c.citizen)
        self.assertRefused("wrong_state", actions.follow_up, message=m, who=me, text="何时修？")
        actions.reply(message=m, by=c.handler_a, text="已安排。", at=MONDAY)
        item = actions.follow_up(message=m, who=me, text="何时修？", at=TUESDAY)
        self.assertEqual((item.text, item.at), ("何时修？", TUESDAY))
        stages = list(m.stages.values_list("pk", "completed_at", "outcome"))
        actions.reply(message=m, by=c.handler_a, text="本周五前修好。", at=TUESDAY)
        # The answer to the follow-up is a further reply; the deadlines are not touched.
        self.assertEqual(list(m.stages.values_list("pk", "completed_at", "outcome")), stages)
        self.assertEqual(m.replies.count(), 2)
        self.assertEqual(m.events.latest("seq").data["outcome"], "supplement")

    def test_it_rejects_an_empty_follow_up(self):
        c = self.cast
        m = c.replied(at=MONDAY)
        self.assertRefused("missing_text", actions.follow_up, message=m, who=actions.Citizen(user=c.citizen), text=" ")


class PasscodeTest(HandlingTestCase):
    """Someone without an account holds the tracking code and the passcode issued
    once at submission."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.message = cls.cast.submit(by=None, at=MONDAY)
        cls.passcode = cls.message.issued_passcode
        actions.reply(message=cls.message, by=cls.cast.handler_a, text="已安排。", at=MONDAY)

    def test_the_passcode_is_shown_once_and_stored_only_hashed(self):
        self.assertTrue(self.passcode)
        stored = Message.objects.get(pk=self.message.pk)
        self.assertIsNone(stored.citizen)
        self.assertNotIn(self.passcode, stored.passcode_hash)
        self.assertFalse(hasattr(stored, "issued_passcode"))

    def test_the_right_passcode_lets_the_citizen_follow_up_and_rate(self):
        who = actions.Citizen(passcode=self.passcode)
        actions.follow_up(message=self.message, who=who, text="何时修好？", at=TUESDAY)
        actions.rate(message=self.message, who=who, rating="satisfied", at=TUESDAY)
        self.assertEqual(FollowUp.objects.get(message=self.message).text, "何时修好？")
        self.assertEqual(Message.objects.get(pk=self.message.pk).rating, "satisfied")
        rated = Event.objects.get(kind="rated")
        self.assertEqual((rated.actor, rated.actor_role), (None, "anonymous"))

    def test_a_passcode_typed_in_lower_case_with_spaces_still_works(self):
        who = actions.Citizen(passcode=f" {self.passcode.lower()} ")
        actions.rate(message=self.message, who=who, rating="satisfied", at=TUESDAY)
        self.assertEqual(Message.objects.get(pk=self.message.pk).rating, "satisfied")

    def test_it_rejects_a_wrong_or_missing_passcode(self):
        other = self.cast.replied(by=None, at=MONDAY)
        for passcode in ("", "WRONG123", self.passcode[:-1], other.issued_passcode):
            with self.subTest(passcode=passcode):
                self.assertRefused(
                    "not_your_message",
                    actions.rate,
                    message=self.message,
                    who=actions.Citizen(passcode=passcode),
                    rating="satisfied",
                )

    def test_it_rejects_a_signed_in_citizen_who_did_not_write_the_message(self):
        c = self.cast
        for user in (c.citizen, c.other_citizen):
            with self.subTest(user=user.username):
                self.assertRefused(
                    "not_your_message",
                    actions.follow_up,
                    message=self.message,
                    who=actions.Citizen(user=user),
                    text="?",
                )
        mine = c.replied(at=MONDAY)
        self.assertRefused(
            "not_your_message", actions.follow_up, message=mine, who=actions.Citizen(user=c.other_citizen), text="?"
        )

    def test_a_signed_in_citizens_message_also_opens_with_its_passcode(self):
        c = self.cast
        mine = c.submit(at=MONDAY)
        actions.reply(message=mine, by=c.handler_a, text="已安排。", at=MONDAY)
        actions.follow_up(message=mine, who=actions.Citizen(passcode=mine.issued_passcode), text="谢谢。", at=TUESDAY)
        self.assertEqual(mine.follow_ups.count(), 1)


class SubmissionTest(HandlingTestCase):
    def submission(self, **changes):
        c = self.cast
        fields = {
            "by": c.citizen,
            "category": c.appeal,
            "unit": c.unit_a,
            "title": "路灯不亮",
            "body": "新街路灯坏了两个星期。",
            "name": "张三",
            "phone": "13800000000",
            "consent_to_publish": True,
            "at": MONDAY,
        }
        return fields | changes

    def test_a_message_to_a_unit_is_dispatched_with_its_clocks_running(self):
        m = actions.submit(**self.submission(title="  路灯不亮  ", email=" a@b.cn "))
        m.refresh_from_db()
        self.assertEqual(
            (m.state, m.unit, m.region, m.serial), (S.DISPATCHED, self.cast.unit_a, self.cast.county, "2026-000001")
        )
        self.assertEqual(
            (m.title, m.citizen_email, m.citizen, m.submitted_at), ("路灯不亮", "a@b.cn", self.cast.citizen, MONDAY)
        )
        self.assertEqual(sorted(m.stages.values_list("kind", flat=True)), ["reply", "response"])
        self.assertEqual(list(m.events.values_list("kind", flat=True)), ["submitted"])

    def test_a_message_without_a_unit_waits_for_dispatch_with_no_clock_running(self):
        m = actions.submit(**self.submission(unit=None, region=self.cast.county))
        m.refresh_from_db()
        self.assertEqual((m.state, m.unit, m.region), (S.PENDING_DISPATCH, None, self.cast.county))
        self.assertFalse(m.stages.exists())
        self.assertEqual(list(m.events.values_list("kind", flat=True)), ["submitted"])

    def test_it_rejects_empty_or_blank_text(self):
        for field, code in [
            ("title", "missing_text"),
            ("body", "missing_text"),
            ("name", "missing_text"),
            ("phone", "missing_text"),
        ]:
            for value in ("", "   ", None):
                with self.subTest(field=field, value=value):
                    self.assertRefused(code, actions.submit, **self.submission(**{field: value}))

    def test_it_rejects_text_that_is_too_long(self):
        for field, length in [("title", 101), ("name", 51), ("body", 20_001)]:
            with self.subTest(field=field):
                self.assertRefused("text_too_long", actions.submit, **self.submission(**{field: "字" * length}))

    def test_it_rejects_a_bad_phone_number(self):
        # Arabic-Indic digits pass str.isdigit() but are no phone number here; nor are
        # six digits padded out with spaces.
        # A mobile one digit short or long is a typing slip, not a number to call.
        for phone in ("abc", "138-0000-000x", "123456", "1 2 3 4 5 6", "١٣٨٠٠٠٠٠٠٠٠", "1380000000", "138000000001"):
            with self.subTest(phone=phone):
                self.assertRefused("bad_phone", actions.submit, **self.submission(phone=phone))

    def test_it_accepts_landline_and_mobile_numbers_in_one_written_form(self):
        for phone, stored in [
            ("0778-8212345", "0778-8212345"), ("13800000000", "13800000000"), ("2234567", "2234567"),
            ("138 0000 0000", "13800000000"), ("+86 138 0013 8000", "13800138000"), ("+8613800000000", "13800000000"),
            ("138-0013-8000", "13800138000"), ("(0778) 821 2345", "0778-8212345"),
        ]:  # fmt: skip
            with self.subTest(phone=phone):
                self.assertEqual(actions.submit(**self.submission(phone=phone)).citizen_phone, stored)

    def test_full_width_digits_are_stored_as_plain_digits(self):
        m = actions.submit(**self.submission(phone="０７７８－８２１２３４５"))
        m.refresh_from_db()
        self.assertEqual(m.citizen_phone, "0778-8212345")

    def test_it_rejects_a_unit_in_another_county(self):
        c = self.cast
        self.assertRefused("unit_outside_region", actions.submit, **self.submission(unit=c.unit_c, region=c.county))

    def test_a_unit_alone_names_its_county(self):
        c = self.cast
        m = actions.submit(**self.submission(unit=c.unit_c, region=None))
        self.assertEqual((m.region, m.serial), (c.other_county, "2026-000001"))

    def test_it_rejects_a_message_with_no_county(self):
        c = self.cast
        self.assertRefused("no_county", actions.submit, **self.submission(unit=None, region=None))
        self.assertRefused("no_county", actions.submit, **self.submission(unit=None, region=c.city))

    def test_it_rejects_a_unit_not_yet_registered_on_the_day(self):
        c = self.cast
        new = Unit.objects.create(
            region=c.county, name="县数据局", kind="department", registered_on=dt.date(2026, 4, 1)
        )
        self.assertRefused("unit_inactive", actions.submit, **self.submission(unit=new, at=local(2026, 3, 31, 23, 59)))
        # 00:30 on 04-01 in 罗城 is still 03-31 in UTC: the county's date decides.
        m = actions.submit(**self.submission(unit=new, at=local(2026, 4, 1, 0, 30)))
        self.assertEqual(m.unit, new)

    def test_it_rejects_a_unit_deactivated_on_the_day(self):
        c = self.cast
        gone = Unit.objects.create(
            region=c.county,
            name="县撤并局",
            kind="department",
            registered_on=dt.date(2020, 1, 1),
            deactivated_on=dt.date(2026, 3, 2),
        )
        self.assertRefused("unit_inactive", actions.submit, **self.submission(unit=gone, at=local(2026, 3, 2, 0, 5)))
        self.assertRefused("unit_inactive", actions.submit, **self.submission(unit=gone, at=local(2026, 6, 1, 9)))
        # An import of a message from before the unit was wound up is accepted.
        m = actions.submit(**self.submission(unit=gone, at=local(2026, 3, 1, 23, 55)))
        self.assertEqual(m.unit, gone)

    def test_it_rejects_dispatch_to_a_unit_not_registered_on_the_day(self):
        c = self.cast
        m = actions.submit(**self.submission(unit=None, region=c.county))
        later = Unit.objects.create(
            region=c.county, name="县数据局", kind="department", registered_on=dt.date(2026, 4, 1)
        )
        gone = Unit.objects.create(
            region=c.county,
            name="县撤并局",
            kind="department",
            registered_on=dt.date(2020, 1, 1),
            deactivated_on=MONDAY.date(),
        )
        for unit in (later, gone):
            with self.subTest(unit=unit.name):
                self.assertRefused(
                    "unit_inactive", actions.dispatch, message=m, by=c.county_office, unit=unit, at=TUESDAY
                )

    def test_it_rejects_a_staff_account_as_the_citizen(self):
        c = self.cast
        for user in (c.handler_a, c.leader_b, c.county_office, c.city_office, c.admin):
            with self.subTest(user=user.username):
                self.assertRefused("forbidden_role", actions.submit, **self.submission(by=user))

    def test_an_anonymous_message_has_no_account_but_a_passcode(self):
        m = actions.submit(**self.submission(by=None))
        self.assertIsNone(m.citizen)
        self.assertTrue(m.issued_passcode)
        self.assertEqual(Event.objects.get(kind="submitted").actor_role, "anonymous")

    def test_it_rejects_naive_times(self):
        with self.assertRaises(ValueError):
            actions.submit(**self.submission(at=dt.datetime(2026, 3, 2, 9)))  # noqa: DTZ001
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Reply.objects.exists())
