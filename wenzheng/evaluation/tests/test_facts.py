"""The facts the evaluation counts, on the hand-built first quarter (fixtures.py)."""

from wenzheng.evaluation import facts
from wenzheng.handling import actions
from wenzheng.handling.models import Stage
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local

from .fixtures import A_FACTS, B_FACTS, build_q1, without_fingerprints

Q1_PERIOD = periods.parse("2026Q1")
Q1 = facts.Window.of(Q1_PERIOD, local(2026, 6, 1))


class FactsTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = build_q1(cls.cast)

    def collect(self, window=Q1):
        return facts.collect(self.cast.county, window)

    def test_the_counts_match_the_hand_worked_quarter(self):
        found = self.collect()
        self.assertEqual(without_fingerprints(found.of(self.cast.unit_a.pk)), A_FACTS)
        self.assertEqual(without_fingerprints(found.of(self.cast.unit_b.pk)), B_FACTS)

    def test_units_and_categories(self):
        found = self.collect()
        self.assertEqual(
            found.units,
            [(self.cast.unit_a.pk, "东门镇", "township"), (self.cast.unit_b.pk, "县住房和城乡建设局", "department")],
        )
        self.assertEqual(found.categories, {"consultation": "咨询", "suggestion": "建议", "appeal": "诉求"})

    def test_the_count_takes_a_fixed_number_of_queries(self):
        # The rosters: their filings, members, and the members' accounts and changes.
        with self.assertNumQueries(12):
            self.collect()

    def test_a_stage_counts_in_the_period_it_fell_due(self):
        # m5's reply fell due on 2 April and m4's acknowledgement at 24:00 on 31 March,
        # the instant Q1 ends: both belong to Q2.
        q2 = facts.Window.of(periods.parse("2026Q2"), local(2026, 7, 1))
        counted = facts.counted_stages(q2).filter(unit=self.cast.unit_a)
        self.assertEqual(
            {(s.message_id, s.kind) for s in counted},
            {
                (self.m["m4"].pk, "response"),
                (self.m["m4"].pk, "reply"),
                (self.m["m5"].pk, "reply"),
                (self.m["m9"].pk, "reply"),  # the reply asked for by the reopening on 3 April
            },
        )

    def test_while_the_quarter_runs_only_what_is_due_counts(self):
        # At 10:00 on 5 March: m1, m7, m8, m9, m11 answered on time; m2, m3, m10, m12?
        # m2/m3/m10's acknowledgements fell due at 24:00 on 3 March, unanswered: late.
        window = facts.Window.of(periods.parse("2026Q1"), local(2026, 3, 5, 10))
        a = self.collect(window).of(self.cast.unit_a.pk)
        self.assertEqual((a["response.due"], a["response.on_time"]), (8, 5))
        # Replies due by then: none but those already given (m1, m7, m8, m9); m11's was given on 12 March.
        self.assertEqual((a["reply.due"], a["reply.on_time"]), (4, 4))

    def test_the_evidence_lists_the_rows_behind_each_count(self):
        a = self.cast.unit_a
        replies = facts.stage_evidence(a, Q1, Stage.Kind.REPLY)
        self.assertEqual(len(replies), A_FACTS["reply.due"])
        self.assertEqual(sum(c.on_time for c in replies), A_FACTS["reply.on_time"])
        met = {c.message.pk for c in replies if c.met}
        self.assertEqual(met, {self.m[k].pk for k in ("m1", "m9", "m10")})
        # m8 once, with both its reply stages; m3 closed, but replied late.
        m8 = next(c for c in replies if c.message.pk == self.m["m8"].pk)
        self.assertEqual([s.outcome for s in m8.stages], ["on_time", ""])  # still open at its deadline: late
        self.assertFalse(m8.on_time)
        m3 = next(c for c in replies if c.message.pk == self.m["m3"].pk)
        self.assertEqual((m3.closed, m3.long_cycle, m3.on_time, m3.met), (True, False, False, False))
        m10 = next(c for c in replies if c.message.pk == self.m["m10"].pk)
        self.assertEqual((m10.closed, m10.long_cycle, m10.on_time, m10.met), (True, True, False, True))
        self.assertEqual(facts.rating_evidence(a, Q1).count(), 3)
        evidence = facts.deduction_evidence(a, Q1)
        self.assertEqual(evidence["backlog_missed"], [self.m["missed"]])
        self.assertEqual(evidence["written_criticism"], [self.m["criticism"]])
        self.assertEqual(evidence["adverse_finding"], [self.m["adverse"]])
        self.assertEqual(evidence["exposure"], [self.m["exposure"]])
        self.assertEqual(len(evidence["explanation_ordered"]), 3)
        self.assertTrue(facts.roster_evidence(a, Q1))

    def test_an_exposure_withdrawn_counts_for_nothing(self):
        a = self.cast.unit_a
        before = self.collect().by_unit[a.pk]["deduct.exposure"]
        actions.withdraw_exposure(exposure=self.m["exposure"], by=self.cast.county_office, reason="重复录入。")
        self.assertEqual(self.collect().by_unit[a.pk].get("deduct.exposure", 0), before - 1)
        self.assertEqual(facts.deduction_evidence(a, Q1)["exposure"], [])

    def test_backlog_missed_agrees_with_the_order_itself(self):
        at = local(2026, 6, 1)
        for key in ("missed", "cleared"):
            order = self.m[key]
            counted = facts.backlog_missed(Q1).filter(pk=order.pk).exists()
            self.assertEqual(counted, order.backlog_cleared_in_time(at=at) is False, key)

    def test_units_not_yet_registered_or_already_gone_are_not_evaluated(self):
        from wenzheng.units.models import Unit

        c = self.cast
        Unit.objects.create(region=c.county, name="新单位", kind="department", registered_on=local(2026, 4, 2).date())
        Unit.objects.create(
            region=c.county,
            name="旧单位",
            kind="department",
            registered_on=local(2019, 1, 1).date(),
            deactivated_on=local(2025, 12, 1).date(),
        )
        Unit.objects.create(
            region=c.county,
            name="一月停用",
            kind="department",
            registered_on=local(2019, 1, 1).date(),
            deactivated_on=local(2026, 1, 20).date(),
        )
        names = [name for _, name, _ in self.collect().units]
        self.assertEqual(names, ["东门镇", "县住房和城乡建设局", "一月停用"])

    def test_a_closure_undone_before_the_cutoff_does_not_count(self):
        c = self.cast
        m = c.replied(at=local(2026, 3, 16, 9))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 16, 10))
        before = self.collect().of(c.unit_a.pk)["closure.consultation.met"]
        actions.reopen(message=m, by=c.county_office, reason="未解决。", at=local(2026, 3, 17, 9))
        after = self.collect().of(c.unit_a.pk)
        self.assertEqual(after["closure.consultation.met"], before - 1)

    def test_facts_are_plain_integers_on_every_database(self):
        # PostgreSQL sums ids as numeric and SQLite as integer; the digest must not care.
        for unit_facts in self.collect().by_unit.values():
            for key, value in unit_facts.items():
                self.assertIs(type(value), str if key == "deduct.bulletin_points" else int, key)


class ReassignedStagesTest(CastTestCase):
    """改派: the first unit's stages end as "reassigned" and count for nobody, however
    late the move came (DOMAIN.md); the receiving unit's count as any other."""

    def test_a_reassigned_message_counts_only_for_the_unit_it_was_moved_to(self):
        c = self.cast
        build_q1(c)
        before = facts.collect(c.county, Q1)
        moved = c.submit(at=local(2026, 3, 2, 9), title="错派的留言")
        # Moved on 10 March: unit A's deadlines (3 and 9 March) had passed unanswered.
        actions.reassign(
            message=moved, by=c.county_office, unit=c.unit_b, reason="属住建局职责。", at=local(2026, 3, 10, 9)
        )
        actions.reply(message=moved, by=c.handler_b, text="已处理。", at=local(2026, 3, 10, 15))
        a_stages = Stage.objects.filter(message=moved, unit=c.unit_a)
        self.assertEqual(set(a_stages.values_list("outcome", flat=True)), {Stage.Outcome.REASSIGNED})
        after = facts.collect(c.county, Q1)
        self.assertEqual(without_fingerprints(after.of(c.unit_a.pk)), A_FACTS)
        b_before, b_after = before.of(c.unit_b.pk), after.of(c.unit_b.pk)
        for kind in ("response", "reply"):
            self.assertEqual(b_after[f"{kind}.due"], b_before[f"{kind}.due"] + 1)
            self.assertEqual(b_after[f"{kind}.on_time"], b_before[f"{kind}.on_time"] + 1)
        self.assertNotIn(moved.pk, {s.message.pk for s in facts.stage_evidence(c.unit_a, Q1, "reply")})


class RosterFactsTest(CastTestCase):
    def test_the_version_in_force_at_the_cut_off_counts(self):
        from wenzheng.units.services import roster_file

        c = self.cast

        def file(handlers, at):
            roster_file(unit=c.unit_a, year=2026, leader=c.leader_a, handlers=handlers, by=c.leader_a, at=at)

        file([c.handler_a], local(2026, 1, 10, 9))
        file([c.handler_a, c.handler_a2], local(2026, 4, 10, 9))  # corrected in the second quarter
        q1 = facts.collect(c.county, Q1).of(c.unit_a.pk)
        self.assertEqual((q1["roster.filed"], q1["roster.leaders"], q1["roster.handlers"]), (1, 1, 1))
        year = facts.collect(c.county, facts.Window.of(periods.parse("2026"), local(2026, 12, 1))).of(c.unit_a.pk)
        self.assertEqual((year["roster.filed"], year["roster.leaders"], year["roster.handlers"]), (1, 1, 2))
        self.assertEqual(facts.roster_evidence(c.unit_a, Q1).version, 1)

    def test_a_person_counts_as_their_account_was_at_the_cut_off(self):
        """A roster names people: one whose account was stopped, moved to another
        unit or given another role before the cut-off no longer counts for it (the
        newcomer found a leader deactivated and a handler moved to 东门镇 still
        counted, 10 of 10 points, one person in two units); a change after the
        cut-off leaves the period as it was."""
        from wenzheng.accounts.models import User
        from wenzheng.accounts.staff import record_change
        from wenzheng.units.services import roster_file

        c = self.cast
        roster_file(unit=c.unit_a, year=2026, leader=c.leader_a, handlers=[c.handler_a, c.handler_a2],
                    by=c.county_office, at=local(2026, 1, 10, 9))  # fmt: skip

        def change(user, at, **fields):
            user = User.objects.get(pk=user.pk)
            for name, value in fields.items():
                setattr(user, name, value)
            record_change(user, by=c.admin, at=at)
            user.save()

        def counted(window=Q1):
            found = facts.collect(c.county, window).of(c.unit_a.pk)
            return found.get("roster.leaders", 0), found.get("roster.handlers", 0)

        self.assertEqual(counted(), (1, 2))
        change(c.leader_a, local(2026, 4, 2, 9), is_active=False)  # after Q1's cut-off
        self.assertEqual(counted(), (1, 2))
        change(c.handler_a2, local(2026, 3, 2, 9), unit=c.unit_b)  # before it: 东门镇 no longer has them
        self.assertEqual(counted(), (1, 1))
        evidence = {m.user_id: m.not_counted for m in facts.roster_evidence(c.unit_a, Q1).shown_members}
        self.assertEqual(evidence, {c.leader_a.pk: "", c.handler_a.pk: "", c.handler_a2.pk: "已调离本单位"})
        year = facts.Window.of(periods.parse("2026"), local(2026, 12, 1))
        self.assertEqual(counted(year), (0, 1))  # the leader stopped in April, before the year's cut-off
        evidence = {m.user_id: m.not_counted for m in facts.roster_evidence(c.unit_a, year).shown_members}
        self.assertEqual(evidence[c.leader_a.pk], "账号已停用")


class ClosureInForceTest(CastTestCase):
    def test_an_old_long_cycle_approval_does_not_cover_a_later_closure(self):
        """Issue 10: a rejected closure was rewarded. A long-cycle closure approved,
        then reopened (the closure rejected) and closed again as explained after a
        late reply, is not closed by the criterion: the approval no longer stands."""
        c = self.cast
        m = c.submit(category=c.appeal, at=local(2026, 3, 2, 9))
        actions.reply(message=m, by=c.handler_a, text="需长期解决。", at=local(2026, 3, 3, 9))
        actions.request_long_cycle_closure(message=m, by=c.leader_a, explanation="纳入规划。", at=local(2026, 3, 3, 10))
        actions.approve_long_cycle_closure(message=m, by=c.county_office, at=local(2026, 3, 4, 9))
        a = facts.collect(c.county, Q1).of(c.unit_a.pk)
        self.assertEqual((a["closure.appeal.due"], a["closure.appeal.met"]), (1, 1))
        actions.reopen(message=m, by=c.county_office, reason="群众反映未落实。", at=local(2026, 3, 5, 9))
        actions.reply(message=m, by=c.handler_a, text="再次答复。", at=local(2026, 3, 20, 9))  # late
        actions.close(message=m, by=c.leader_a, kind="explained", at=local(2026, 3, 20, 10))
        a = facts.collect(c.county, Q1).of(c.unit_a.pk)
        self.assertEqual((a["closure.appeal.due"], a.get("closure.appeal.met", 0)), (1, 0))
        [counted] = facts.stage_evidence(c.unit_a, Q1, "reply")
        self.assertEqual((counted.closed, counted.long_cycle, counted.on_time), (True, False, False))


class RatedAgainTest(CastTestCase):
    """A message reopened after a 不满意 and answered again is rated again: it counts
    once, by the rating that stood at each cut-off; the 不满意 stands until then, so
    a reopening alone pays nothing (DOMAIN.md, "Counting rules")."""

    def test_each_period_counts_the_rating_that_stood_at_its_cut_off(self):
        c = self.cast
        me = actions.Citizen(user=c.citizen)
        m = c.replied(at=local(2026, 3, 2, 9))
        actions.rate(message=m, who=me, rating="dissatisfied", reason="没修。", at=local(2026, 3, 3, 9))
        first = m.events.get(kind="rated")
        revisit = m.revisits.get()
        actions.reopen_on_revisit(revisit=revisit, by=c.county_office, reason="答复不实。", at=local(2026, 3, 4, 9))
        actions.reply(message=m, by=c.handler_a, text="已修好。", at=local(2026, 3, 30, 9))

        def counted(period):
            window = facts.Window.of(periods.parse(period), local(2026, 12, 31, 9))
            found = facts.collect(c.county, window).of(c.unit_a.pk)
            rows = [(e.message_id, e.given_rating, e.seq) for e in facts.rating_evidence(c.unit_a, window)]
            return found.get("rating.rated", 0), found.get("rating.satisfied", 0), rows

        # Reopened and answered, not yet rated again: the 不满意 still counts.
        self.assertEqual(counted("2026Q1"), (1, 0, [(m.pk, "dissatisfied", first.seq)]))
        actions.rate(message=m, who=me, rating="satisfied", at=local(2026, 4, 2, 9))
        again = m.events.filter(kind="rated").latest("seq")
        # The first quarter's figures do not change; the second counts the new rating;
        # the year counts the message once, by its latest rating.
        self.assertEqual(counted("2026Q1"), (1, 0, [(m.pk, "dissatisfied", first.seq)]))
        self.assertEqual(counted("2026Q2"), (1, 1, [(m.pk, "satisfied", again.seq)]))
        self.assertEqual(counted("2026"), (1, 1, [(m.pk, "satisfied", again.seq)]))

    def test_a_dissatisfied_answer_stays_its_units_when_the_message_moves_on(self):
        c = self.cast
        me = actions.Citizen(user=c.citizen)
        m = c.replied(at=local(2026, 3, 2, 9))
        actions.rate(message=m, who=me, rating="dissatisfied", reason="没修。", at=local(2026, 3, 3, 9))
        actions.reopen_on_revisit(
            revisit=m.revisits.get(), by=c.county_office, reason="不归镇里。", at=local(2026, 3, 4, 9)
        )
        actions.request_transfer(message=m, by=c.handler_a, reason="属住建局职责。", at=local(2026, 3, 4, 10))
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_b, note="转住建局。", at=local(2026, 3, 4, 11))
        actions.reply(message=m, by=c.handler_b, text="已修好。", at=local(2026, 3, 5, 9))

        def counted(unit):
            found = facts.collect(c.county, Q1).of(unit.pk)
            return found.get("rating.rated", 0), found.get("rating.satisfied", 0)

        self.assertEqual((counted(c.unit_a), counted(c.unit_b)), ((1, 0), (0, 0)))
        actions.rate(message=m, who=me, rating="satisfied", at=local(2026, 3, 6, 9))
        # Each unit's answer by its own rating: A's 不满意 stands, B's answer is 满意.
        self.assertEqual((counted(c.unit_a), counted(c.unit_b)), ((1, 0), (1, 1)))


class ExtensionUndecidedTest(CastTestCase):
    """An extension asked for in time and still waiting for the office at the cut-off
    is neither late nor on time there (a trial's suspicion, confirmed: counted late at
    the cut-off, it left the quarter once an approval after it moved the deadline on)."""

    def setUp(self):
        c = self.cast
        self.m = c.submit(at=local(2026, 3, 20, 9))  # reply due 27 March
        actions.respond(message=self.m, by=c.handler_a, at=local(2026, 3, 20, 10))
        self.asked = actions.request_extension(
            message=self.m, by=c.handler_a, days=5, reason="需现场核实。", at=local(2026, 3, 26, 9)
        )

    def reply_counted(self, period, now=None):
        window = facts.Window.of(periods.parse(period), now or local(2026, 7, 1))
        found = facts.collect(self.cast.county, window).of(self.cast.unit_a.pk)
        return found.get("reply.due", 0), found.get("reply.on_time", 0)

    def test_waiting_at_the_cut_off_it_is_not_counted_and_approved_it_counts_where_it_then_falls(self):
        c = self.cast
        self.assertEqual(self.reply_counted("2026Q1", now=local(2026, 4, 1, 9)), (0, 0))
        actions.approve_extension(request=self.asked, by=c.county_office, at=local(2026, 4, 2, 9))  # due 3 April
        actions.reply(message=self.m, by=c.handler_a, text="已处理。", at=local(2026, 4, 3, 9))
        self.assertEqual((self.reply_counted("2026Q1"), self.reply_counted("2026Q2")), ((0, 0), (1, 1)))

    def test_refused_after_the_cut_off_it_is_late_where_it_fell_due(self):
        c = self.cast
        actions.reject_extension(request=self.asked, by=c.county_office, reason="期限已够。", at=local(2026, 4, 2, 9))
        self.assertEqual(self.reply_counted("2026Q1"), (1, 0))

    # Replied late while the request waits: it waits still (handling.actions._publish),
    # and the reply is judged when the office decides.

    def test_replied_late_after_the_cut_off_it_is_not_counted_and_approved_it_is_on_time(self):
        c = self.cast
        actions.reply(message=self.m, by=c.handler_a, text="已处理。", at=local(2026, 4, 1, 9))
        self.assertEqual(self.reply_counted("2026Q1", now=local(2026, 4, 2, 8)), (0, 0))
        actions.approve_extension(request=self.asked, by=c.county_office, at=local(2026, 4, 2, 9))  # due 3 April
        self.assertEqual((self.reply_counted("2026Q1"), self.reply_counted("2026Q2")), ((0, 0), (1, 1)))

    def test_replied_late_before_the_cut_off_it_is_not_counted_while_the_request_waits(self):
        c = self.cast
        actions.reply(message=self.m, by=c.handler_a, text="已处理。", at=local(2026, 3, 30, 9))
        self.assertEqual(self.reply_counted("2026Q1", now=local(2026, 4, 1, 9)), (0, 0))
        self.assertEqual(self.reply_counted("2026Q1"), (0, 0), "still undecided in July")
        actions.approve_extension(request=self.asked, by=c.county_office, at=local(2026, 4, 2, 9))
        self.assertEqual(self.reply_counted("2026Q1"), (1, 1))

    def test_replied_late_before_the_cut_off_and_refused_it_is_late(self):
        c = self.cast
        actions.reply(message=self.m, by=c.handler_a, text="已处理。", at=local(2026, 3, 30, 9))
        actions.reject_extension(request=self.asked, by=c.county_office, reason="期限已够。", at=local(2026, 4, 2, 9))
        self.assertEqual(self.reply_counted("2026Q1"), (1, 0))

    def test_replied_late_then_reopened_and_transferred_the_request_still_decides_the_first_reply(self):
        # The transfer ends the reopened stage (for nobody) and its own request; the
        # request about the first reply waited on: it lapsed with the move, and the
        # reply counted late although the office never decided.
        c = self.cast
        actions.reply(message=self.m, by=c.handler_a, text="已处理。", at=local(2026, 3, 30, 9))
        actions.close(message=self.m, by=c.leader_a, kind="answered", at=local(2026, 3, 30, 10))
        actions.reopen(message=self.m, by=c.county_office, reason="未答清楚。", at=local(2026, 3, 31, 9))
        actions.request_transfer(message=self.m, by=c.handler_a, reason="属住建局。", at=local(2026, 3, 31, 10))
        actions.dispatch(message=self.m, by=c.county_office, unit=c.unit_b, note="转。", at=local(2026, 4, 1, 9))
        self.assertEqual(self.reply_counted("2026Q1"), (0, 0), "still the office's to decide")
        actions.approve_extension(request=self.asked, by=c.county_office, at=local(2026, 4, 2, 9))
        self.assertEqual(self.reply_counted("2026Q1"), (1, 1))


class HandBackUndecidedTest(CastTestCase):
    """A hand-back (退单) asked for before the deadline and still waiting for the
    office at the cut-off is neither late nor on time there: accepted, it counts for
    nobody; refused, it is the unit's again, its reply's deadline moved back by the
    working days the hand-back waited (the unit could not reply meanwhile)."""

    def setUp(self):
        c = self.cast
        self.m = c.submit(at=local(2026, 3, 20, 9))  # reply due 27 March
        actions.respond(message=self.m, by=c.handler_a, at=local(2026, 3, 20, 10))
        actions.request_transfer(message=self.m, by=c.handler_a, reason="属住建局。", at=local(2026, 3, 20, 11))

    def reply_due(self, now):
        return (
            facts.collect(self.cast.county, facts.Window.of(Q1_PERIOD, now)).of(self.cast.unit_a.pk).get("reply.due", 0)
        )

    def test_waiting_at_the_cut_off_it_is_not_counted_late(self):
        self.assertEqual(self.reply_due(local(2026, 4, 1, 9)), 0)
        actions.dispatch(
            message=self.m, by=self.cast.county_office, unit=self.cast.unit_b, note="转。", at=local(2026, 4, 2, 9)
        )
        self.assertEqual(self.reply_due(local(2026, 6, 1)), 0)

    def reply_counted(self, period):
        found = facts.collect(self.cast.county, facts.Window.of(periods.parse(period), local(2026, 7, 1)))
        found = found.of(self.cast.unit_a.pk)
        return found.get("reply.due", 0), found.get("reply.on_time", 0)

    def test_refused_after_the_cut_off_it_is_the_units_again_due_where_its_moved_deadline_falls(self):
        c = self.cast
        # Asked on Friday 20 March with five working days left (due 27 March); refused
        # on Thursday 2 April, eight whole working days between: due eight working
        # days after the 27th (清明 4–6 April between), 24:00 on 9 April, in the
        # second quarter.
        actions.reject_transfer(message=self.m, by=c.county_office, reason="属镇里职责。", at=local(2026, 4, 2, 9))
        stage = self.m.stages.get(kind="reply")
        self.assertEqual((stage.held_days, stage.due_at), (8, local(2026, 4, 10)))
        actions.reply(message=self.m, by=c.handler_a, text="已处理。", at=local(2026, 4, 3, 9))
        self.assertEqual((self.reply_counted("2026Q1"), self.reply_counted("2026Q2")), ((0, 0), (1, 1)))

    def test_refused_it_is_late_past_its_moved_deadline(self):
        c = self.cast
        actions.reject_transfer(message=self.m, by=c.county_office, reason="属镇里职责。", at=local(2026, 4, 2, 9))
        actions.reply(message=self.m, by=c.handler_a, text="已处理。", at=local(2026, 4, 13, 9))
        self.assertEqual(self.reply_counted("2026Q2"), (1, 0))
