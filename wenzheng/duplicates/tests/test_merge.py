"""并单: the county office merges a duplicate into the message it repeats, or finds it
no duplicate; merged messages are answered together, count once in a unit's figures
and all as received, and replay from the events."""

from wenzheng.accounts.policy import ActionRefused
from wenzheng.duplicates.models import Flag
from wenzheng.evaluation import facts
from wenzheng.eventlog import replay
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage
from wenzheng.notifications.models import Notice
from wenzheng.reports import figures, periods, tally
from wenzheng.testing import CastTestCase

from .helpers import LAMP, LAMP_AGAIN, LATER, MONDAY, TUESDAY, WATER, write

S = Message.State
Q1 = periods.parse("2026Q1")
MARCH = periods.parse("2026-03")


class MergeTests(CastTestCase):
    def setUp(self):
        c = self.cast
        self.main = write(c, LAMP, unit=c.unit_a, phone="13900000001")
        self.dup = write(c, LAMP_AGAIN, unit=c.unit_b, phone="13900000002", at=TUESDAY, name="王五")

    def merge(self, message=None, into=None, by=None, at=TUESDAY):
        return actions.merge_duplicate(
            message=message or self.dup, into=into or self.main, by=by or self.cast.county_office,
            reason="同一路段的路灯。", at=at,
        )  # fmt: skip

    def test_it_merges_stops_the_clocks_and_closes_the_flag(self):
        message = self.merge()
        self.assertEqual((message.state, message.merged_into_id), (S.MERGED, self.main.pk))
        self.assertEqual(message.serial, self.dup.serial)
        self.assertEqual(message.citizen_name, "王五")
        stages = {(s.kind, s.outcome, s.completed_at) for s in message.stages.all()}
        self.assertEqual(stages, {("response", "merged", TUESDAY), ("reply", "merged", TUESDAY)})
        event = message.events.latest("seq")
        self.assertEqual(
            (event.kind, event.note, event.data["into"], event.data["from_state"]),
            ("merged", "同一路段的路灯。", self.main.pk, "dispatched"),
        )
        flag = Flag.objects.get(message=message)
        self.assertEqual(
            (flag.state, flag.decided_by, flag.note), ("merged", self.cast.county_office, "同一路段的路灯。")
        )
        # It leaves the second unit's inbox: nothing is open there any more.
        self.assertFalse(Stage.objects.filter(unit=self.cast.unit_b, completed_at__isnull=True).exists())

    def test_only_the_county_office_of_the_county_merges(self):
        c = self.cast
        for who in (c.handler_a, c.leader_b, c.city_office, c.other_county_office, c.citizen):
            with self.assertRaises(ActionRefused, msg=who):
                self.merge(by=who)
        self.assertEqual(Message.objects.get(pk=self.dup.pk).state, S.DISPATCHED)
        self.assertEqual(self.merge(by=c.admin).state, S.MERGED)

    def test_it_refuses_across_counties_into_itself_into_a_closed_one_and_once_answered(self):
        c = self.cast
        elsewhere = write(c, LAMP, region=c.other_county, phone="13900000003")
        with self.assertRaises(ActionRefused) as refused:
            self.merge(into=elsewhere)
        self.assertEqual(refused.exception.code, "merge_across_counties")
        with self.assertRaises(ActionRefused) as refused:
            self.merge(into=self.dup)
        self.assertEqual(refused.exception.code, "merge_into_itself")
        actions.reply(message=self.main, by=c.handler_a, text="已修复。", at=TUESDAY)
        actions.close(message=self.main, by=c.leader_a, kind="solved", at=TUESDAY)
        with self.assertRaises(ActionRefused) as refused:
            self.merge()
        self.assertEqual(refused.exception.code, "merge_into_closed")
        answered = write(c, WATER, unit=c.unit_b, phone="13900000004")
        actions.reply(message=answered, by=c.handler_b, text="已恢复供水。", at=TUESDAY)
        other = write(c, WATER, unit=c.unit_b, phone="13900000005")
        with self.assertRaises(ActionRefused) as refused:
            self.merge(message=answered, into=other)
        self.assertEqual(refused.exception.code, "wrong_state")
        # Reopened after 回访 (办理中 again): answered once, public, and not merged away.
        answered.refresh_from_db()
        kind = answered.category.closure_kinds()[0]
        actions.close(message=answered, by=c.leader_b, kind=kind, at=TUESDAY)
        actions.reopen(message=answered, by=c.county_office, reason="核实未修复。")
        answered.refresh_from_db()
        self.assertEqual(answered.state, S.RESPONDED)
        with self.assertRaises(ActionRefused) as refused:
            self.merge(message=answered, into=other)
        self.assertEqual(refused.exception.code, "merge_answered")
        self.assertEqual(Message.objects.filter(state=S.MERGED).count(), 0)

    def test_merging_into_a_merged_message_merges_into_its_main_and_carries_what_was_merged(self):
        c = self.cast
        third = write(c, LAMP, phone="13900000007", at=TUESDAY)
        self.merge()
        # Into the merged one: it lands on the main message.
        actions.merge_duplicate(message=third, into=self.dup, by=c.county_office, reason="同一问题", at=TUESDAY)
        self.assertEqual(Message.objects.get(pk=third.pk).merged_into_id, self.main.pk)
        # The main message itself merged into an older one: its merged ones move along.
        oldest = write(c, LAMP, phone="13900000008", at=MONDAY)
        actions.merge_duplicate(message=self.main, into=oldest, by=c.county_office, reason="更早的一条", at=LATER)
        self.assertEqual(
            set(Message.objects.filter(merged_into=oldest).values_list("pk", flat=True)),
            {self.main.pk, self.dup.pk, third.pk},
        )
        carried = Event.objects.filter(message=self.dup, kind="merged").latest("seq")
        self.assertEqual((carried.data["carried_by"], carried.data["from_state"]), (self.main.pk, "dispatched"))
        self.assertEqual(replay.replay().differences, [])

    def test_the_main_messages_reply_and_closure_reach_every_merged_citizen(self):
        c = self.cast
        # Now, not in the past: steps long past notify nobody.
        main = write(c, LAMP, unit=c.unit_a, phone="13900000011", at=None)
        dup = write(c, LAMP_AGAIN, phone="13900000012", at=None)
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题")
        actions.reply(message=main, by=c.handler_a, text="已安排维修，本周修复。")
        actions.close(message=main, by=c.leader_a, kind="solved")
        told = Notice.objects.get(message=dup, kind="merged", to_citizen=True).text
        # One SMS: which message answers theirs, the page of the link says.
        self.assertEqual(told, f"留言{dup.serial}已合并办理，查询码{dup.tracking_code}")
        for m in (main, dup):
            kinds = set(Notice.objects.filter(message=m, to_citizen=True).values_list("kind", flat=True))
            self.assertEqual(kinds, {"answered", "closed"} | ({"merged"} if m == dup else set()), m.serial)
            text = Notice.objects.filter(message=m, kind="closed").get().text
            self.assertIn(m.serial, text)
            self.assertIn(m.tracking_code, text)

    def test_a_follow_up_answered_reaches_only_the_citizen_who_asked(self):
        # A trial: each merged citizen was told "your follow-up was answered".
        c = self.cast
        main = write(c, LAMP, unit=c.unit_a, by=c.citizen, phone="13900000011", at=None)
        dup = write(c, LAMP_AGAIN, phone="13900000012", at=None)
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题")
        actions.reply(message=main, by=c.handler_a, text="已安排维修，本周修复。")
        asked = actions.follow_up(message=main, who=actions.Citizen(user=c.citizen), text="何时修好？")
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五前。")
        answered = Notice.objects.filter(to_citizen=True, kind="answered", text__contains="追问")
        self.assertEqual(list(answered.values_list("message", flat=True)), [main.pk])

    def test_the_merged_citizens_own_page_shows_the_main_answer(self):
        c = self.cast
        dup = write(c, LAMP_AGAIN, by=c.other_citizen, phone="13900000012", at=TUESDAY)
        actions.merge_duplicate(message=dup, into=self.main, by=c.county_office, reason="同一问题", at=TUESDAY)
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修，本周修复。", at=TUESDAY)
        actions.close(message=self.main, by=c.leader_a, kind="solved", at=LATER)
        self.client.force_login(c.other_citizen)
        page = self.client.get(f"/messages/{c.county.code}/{dup.serial}/")
        self.assertContains(page, f"您的留言已与留言 {self.main.serial} 合并办理（并单）")
        self.assertContains(page, "已安排维修，本周修复。")
        self.assertContains(page, "已办结。办结方式：已解决")
        self.assertContains(page, dup.serial)

    def test_dismissing_closes_the_flag_with_its_reason(self):
        c = self.cast
        with self.assertRaises(ActionRefused):
            actions.dismiss_duplicate(message=self.dup, by=c.county_office, reason=" ", at=TUESDAY)
        flag = actions.dismiss_duplicate(message=self.dup, by=c.county_office, reason="不同路灯", at=TUESDAY)
        self.assertEqual((flag.state, flag.note, flag.decided_at), ("dismissed", "不同路灯", TUESDAY))
        self.assertEqual(self.dup.events.latest("seq").kind, "duplicate_dismissed")
        with self.assertRaises(ActionRefused) as refused:
            actions.dismiss_duplicate(message=self.dup, by=c.county_office, reason="再来", at=TUESDAY)
        self.assertEqual(refused.exception.code, "no_open_flag")
        with self.assertRaises(ActionRefused):
            actions.dismiss_duplicate(message=self.dup, by=c.other_county_office, reason="x", at=TUESDAY)

    def test_unmerging_restarts_the_clocks_after_a_reply_too_but_not_once_the_main_is_closed(self):
        c = self.cast
        self.merge()
        back = actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="并错了", at=LATER)
        self.assertEqual((back.state, back.merged_into_id), (S.DISPATCHED, None))
        open_stages = back.stages.filter(completed_at__isnull=True)
        self.assertEqual({(s.kind, s.started_at) for s in open_stages}, {("response", LATER), ("reply", LATER)})
        # Merged into a message already answered (a mistyped serial): the answer was
        # written to another citizen about another matter, and the merge is undone.
        actions.reply(message=self.main, by=c.handler_a, text="已修复。", at=LATER)
        self.merge(at=LATER)
        back = actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="编号输错")  # now: notices
        self.assertEqual((back.state, back.merged_into_id), (S.DISPATCHED, None))
        self.assertFalse(back.replies.exists())
        citizen = Notice.objects.filter(message=back, kind="merged", to_citizen=True).latest("pk")
        self.assertEqual(citizen.text, f"留言{back.serial}已撤销合并办理，查询码{back.tracking_code}")
        main_unit = Notice.objects.filter(message=back, kind="moved", recipient__unit=c.unit_a)
        self.assertEqual({n.recipient for n in main_unit}, {c.handler_a, c.handler_a2})
        self.assertTrue(all("不再由本单位合并答复" in n.text for n in main_unit))
        self.assertTrue(Notice.objects.filter(message=back, kind="arrived", recipient__unit=c.unit_b).exists())
        # Closed, the main message closes the case of those merged into it.
        self.merge(at=LATER)
        actions.close(message=self.main, by=c.leader_a, kind="solved", at=LATER)
        with self.assertRaises(ActionRefused) as refused:
            actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="并错了", at=LATER)
        self.assertEqual(refused.exception.code, "unmerge_closed")
        self.assertEqual(replay.replay().differences, [])

    def test_a_main_message_with_merged_ones_cannot_be_marked_as_spam(self):
        self.merge()
        with self.assertRaises(ActionRefused) as refused:
            actions.mark_spam(message=self.main, by=self.cast.county_office, reason="广告", at=LATER)
        self.assertEqual(refused.exception.code, "has_merged")

    def test_replay_catches_a_merge_changed_by_hand(self):
        self.merge()
        self.assertEqual(replay.replay().differences, [])
        Message.objects.filter(pk=self.dup.pk).update(merged_into=None, state=S.DISPATCHED)
        found = "\n".join(map(str, replay.replay().differences))
        self.assertIn(f"handling_message #{self.dup.pk} merged_into_id", found)


class CountingRuleTests(CastTestCase):
    """并单 counting rule (README, "Counting merged messages"): every merged message
    counts as received; a unit's figures and rates count the main message once; a
    merged message is replied and closed when its main message is; its clocks count
    for nobody."""

    def setUp(self):
        c = self.cast
        self.main = write(c, LAMP, unit=c.unit_a, phone="13900000001")
        # Two copies sent to the other unit, left there past their deadlines (late).
        self.dups = [write(c, LAMP_AGAIN, unit=c.unit_b, phone=f"1390000001{i}") for i in range(2)]
        for d in self.dups:
            actions.merge_duplicate(message=d, into=self.main, by=c.county_office, reason="同一问题", at=LATER)
        actions.reply(message=self.main, by=c.handler_a, text="已修复。", at=TUESDAY)
        actions.close(message=self.main, by=c.leader_a, kind="solved", at=TUESDAY)

    def test_all_count_as_received_and_as_answered_with_their_main(self):
        result = figures.compute(self.cast.county, Q1, now=LATER)
        self.assertEqual((result.received, result.replied, result.closed), (3, 3, 3))
        self.assertEqual((result.reply_rate, result.closure_rate), ("100%", "100%"))

    def test_a_units_figures_count_the_main_message_once(self):
        units = {u.unit: u for u in figures.per_unit(self.cast.county, Q1, now=LATER)}
        a, b = units[self.cast.unit_a], units[self.cast.unit_b]
        self.assertEqual((a.received, a.replied, a.closed), (1, 1, 1))
        self.assertEqual((b.received, b.replied, b.closed), (0, 0, 0))

    def test_the_kept_figures_agree_with_the_full_count(self):
        for period in (Q1, MARCH):
            self.assertEqual(tally.check(self.cast.county, period, now=LATER), [])
            self.assertEqual(tally.check(self.cast.city, period, now=LATER), [])
        kept = tally.figures(self.cast.county, MARCH, now=LATER)
        self.assertEqual((kept.received, kept.replied, kept.closed), (3, 3, 3))

    def test_a_merge_wipes_out_no_lateness(self):
        """The two copies had run past both deadlines at unit B when they were merged:
        they count against B, late (DOMAIN.md, "Counting rules": no path through the
        side steps pays). The main message counts once, for A."""
        window = facts.Window.of(Q1, LATER)
        b = facts.collect(self.cast.county, window).of(self.cast.unit_b.pk)
        self.assertEqual((b["response.due"], b.get("response.on_time", 0)), (2, 0))
        self.assertEqual((b["reply.due"], b.get("reply.on_time", 0)), (2, 0))
        outcomes = set(Stage.objects.filter(message__in=self.dups).values_list("outcome", flat=True))
        self.assertEqual(outcomes, {Stage.Outcome.LATE})
        a = facts.collect(self.cast.county, window).of(self.cast.unit_a.pk)
        self.assertEqual((a["reply.due"], a["reply.on_time"]), (1, 1))

    def test_clocks_still_running_at_the_merge_count_for_nobody(self):
        c = self.cast
        main = write(c, WATER, unit=c.unit_a, phone="13900000018", at=TUESDAY)
        timely = write(c, WATER, unit=c.unit_b, phone="13900000019", at=TUESDAY)
        actions.respond(message=timely, by=c.handler_b, at=TUESDAY)  # on time
        actions.merge_duplicate(message=timely, into=main, by=c.county_office, reason="同一问题", at=TUESDAY)
        outcomes = dict(timely.stages.values_list("kind", "outcome"))
        self.assertEqual(outcomes, {"response": Stage.Outcome.ON_TIME, "reply": Stage.Outcome.MERGED})
        window = facts.Window.of(Q1, LATER)
        b = facts.collect(self.cast.county, window).of(self.cast.unit_b.pk)
        self.assertEqual((b["response.due"], b["reply.due"]), (2, 2))  # the two late copies alone
        self.assertEqual(replay.replay().differences, [])


class DrillDownTests(CastTestCase):
    def test_the_units_drill_down_page_explains_the_rule_with_its_own_merges(self):
        from wenzheng.evaluation import runs
        from wenzheng.evaluation.models import Scheme

        c = self.cast
        main = write(c, LAMP, unit=c.unit_a, phone="13900000001")
        for i in range(2):
            dup = write(c, LAMP_AGAIN, unit=c.unit_b, phone=f"1390000002{i}", at=TUESDAY)
            actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题", at=TUESDAY)
        scheme = Scheme.objects.latest_version("default")
        run = runs.run_evaluation(scheme=scheme, region=c.county, period=Q1, now=LATER)
        self.client.force_login(c.county_office)
        page = self.client.get(f"/evaluation/runs/{run.pk}/units/{c.unit_a.pk}/")
        self.assertContains(page, "并单计数规则")
        self.assertContains(page, "本期有2条留言并入本单位办理的留言，随主留言统一答复；有0条")
        page = self.client.get(f"/evaluation/runs/{run.pk}/units/{c.unit_b.pk}/")
        self.assertContains(page, "有2条曾交本单位办理的留言并入其他单位的留言，除并单前已超期的环节外不计入本单位")
