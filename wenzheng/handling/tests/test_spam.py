"""垃圾留言: the county office marks a message as spam; its clocks stop and it leaves
every figure (the bulletin's, the statistics, the evaluation's facts, the ratings,
the reminders), the unit's inbox and the public pages; the mark can be undone."""

from django.db.models import Q

from wenzheng.evaluation import facts
from wenzheng.eventlog import replay
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage
from wenzheng.notifications import timers
from wenzheng.reports import figures, periods
from wenzheng.security.models import AuditRecord
from wenzheng.testing import CastTestCase, local

MONDAY = local(2026, 3, 2, 9)
TUESDAY = local(2026, 3, 3, 9)
LATER = local(2026, 3, 20, 9)  # every deadline of Monday's messages has passed
Q1 = periods.parse("2026Q1")
S = Message.State


class SpamTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.real = c.replied(at=MONDAY)
        self.flood = [c.submit(at=MONDAY, title=f"刷单{i}") for i in range(3)]

    def mark(self, message, at=TUESDAY):
        return actions.mark_spam(
            message=message, by=self.cast.county_office, reason="同一地址一小时内提交上百条。", at=at
        )

    def test_it_stops_the_clocks_and_records_why(self):
        message = self.mark(self.flood[0])
        self.assertEqual(message.state, S.SPAM)
        stages = message.stages.all()
        self.assertEqual({(s.kind, s.outcome, s.completed_at) for s in stages}, {
            ("response", "spam", TUESDAY), ("reply", "spam", TUESDAY),
        })  # fmt: skip
        event = message.events.latest("seq")
        self.assertEqual(
            (event.kind, event.note, event.data["from_state"]),
            ("spam_marked", "同一地址一小时内提交上百条。", "dispatched"),
        )
        audit = AuditRecord.objects.get(kind="spam_marked")
        self.assertEqual(
            (audit.user, audit.region, audit.detail["message"]),
            (self.cast.county_office, self.cast.county, message.serial),
        )

    def test_it_leaves_the_bulletins_figures(self):
        before = figures.compute(self.cast.county, Q1, now=LATER)
        self.assertEqual((before.received, before.replied), (4, 1))
        for message in self.flood:
            self.mark(message)
        after = figures.compute(self.cast.county, Q1, now=LATER)
        self.assertEqual((after.received, after.replied, after.reply_rate), (1, 1, "100%"))
        unit = next(u for u in figures.per_unit(self.cast.county, Q1, now=LATER) if u.unit == self.cast.unit_a)
        self.assertEqual((unit.received, unit.replied), (1, 1))

    def test_it_leaves_the_evaluations_facts_even_for_stages_already_late(self):
        window = facts.Window.of(Q1, LATER)
        before = facts.collect(self.cast.county, window).of(self.cast.unit_a.pk)
        self.assertEqual((before["response.due"], before["response.on_time"]), (4, 1))
        for message in self.flood:
            self.mark(message, at=LATER)  # marked after their deadlines passed: they were late
        after = facts.collect(self.cast.county, window).of(self.cast.unit_a.pk)
        self.assertEqual((after["response.due"], after["response.on_time"]), (1, 1))
        self.assertEqual((after["reply.due"], after["reply.on_time"]), (1, 1))

    def test_it_leaves_the_ratings(self):
        actions.rate(
            message=self.real,
            who=actions.Citizen(user=self.cast.citizen),
            rating="dissatisfied",
            reason="没修",
            at=TUESDAY,
        )
        window = facts.Window.of(Q1, LATER)
        self.assertEqual(facts.collect(self.cast.county, window).of(self.cast.unit_a.pk)["rating.rated"], 1)
        self.mark(self.real)
        self.assertNotIn("rating.rated", facts.collect(self.cast.county, window).of(self.cast.unit_a.pk))

    def test_no_reminder_is_due_for_it(self):
        self.mark(self.flood[0])
        open_stages = Stage.objects.filter(message=self.flood[0], completed_at__isnull=True)
        self.assertFalse(open_stages.exists())
        self.assertFalse(timers.open_stages(Q(due_at__isnull=False)).filter(message=self.flood[0]).exists())

    def test_it_leaves_the_public_pages_and_refuses_every_step(self):
        self.mark(self.real)
        self.assertFalse(Message.objects.published().filter(pk=self.real.pk).exists())
        response = self.client.get(f"/messages/luocheng/{self.real.serial}/")
        self.assertEqual(response.status_code, 404)
        with self.assertRaises(actions.ActionRefused) as refused:
            actions.reply(message=self.real, by=self.cast.handler_a, text="补充答复。")
        self.assertEqual(refused.exception.code, "wrong_state")

    def test_unmarking_restores_it_and_starts_the_stopped_clocks_afresh(self):
        message = self.mark(self.flood[0])
        actions.unmark_spam(message=message, by=self.cast.county_office, reason="核实为真实诉求。", at=LATER)
        message.refresh_from_db()
        self.assertEqual(message.state, S.DISPATCHED)
        fresh = message.stages.filter(completed_at__isnull=True)
        self.assertEqual({(s.kind, s.started_at) for s in fresh}, {("response", LATER), ("reply", LATER)})
        self.assertEqual(figures.compute(self.cast.county, Q1, now=LATER).received, 4)

    def test_a_mark_undone_wipes_out_no_lateness_that_happened(self):
        c = self.cast
        message = self.flood[0]  # 2 March: its deadlines, 3 and 9 March, pass unanswered
        window = facts.Window.of(Q1, local(2026, 6, 1))
        self.mark(message, at=local(2026, 3, 11, 9))
        late = message.stages.all()
        self.assertEqual({(s.kind, s.outcome) for s in late}, {("response", "late"), ("reply", "late")})
        # While marked, it counts for nobody, late or not.
        self.assertEqual(facts.collect(c.county, window).of(c.unit_a.pk)["response.due"], 3)
        actions.unmark_spam(message=message, by=c.county_office, reason="核实为真实诉求。", at=local(2026, 3, 11, 10))
        actions.reply(message=message, by=c.handler_a, text="已处理。", at=local(2026, 3, 12, 9))
        found = facts.collect(c.county, window).of(c.unit_a.pk)
        # Counted again, late as it was (the real message alone on time): a mark and
        # its undoing do not pay.
        self.assertEqual((found["response.due"], found["response.on_time"]), (4, 1))
        self.assertEqual((found["reply.due"], found["reply.on_time"]), (4, 1))

    def test_a_mark_at_the_deadline_itself_keeps_the_lateness_and_a_hand_back_in_time_none(self):
        c = self.cast
        at_deadline = self.flood[0]
        due = at_deadline.stages.get(kind="response").due_at
        self.mark(at_deadline, at=due)  # as a response at that instant: late
        self.assertEqual(at_deadline.stages.get(kind="response").outcome, "late")
        handed_back = self.flood[1]
        actions.request_transfer(message=handed_back, by=c.handler_a, reason="不归本镇。", at=MONDAY)
        self.mark(handed_back, at=LATER)  # the office's delay is not the unit's lateness
        self.assertEqual(set(handed_back.stages.values_list("outcome", flat=True)), {"spam"})

    def test_only_the_office_over_it_may_mark_and_never_after_closure(self):
        c = self.cast
        for who in (c.handler_a, c.leader_a, c.city_office, c.other_county_office, c.citizen):
            with self.subTest(who=who.username), self.assertRaises(actions.ActionRefused):
                actions.mark_spam(message=self.flood[0], by=who, reason="x")
        closed = c.replied(at=MONDAY)
        actions.close(message=closed, by=c.leader_a, kind="answered", at=TUESDAY)
        with self.assertRaises(actions.ActionRefused) as refused:
            self.mark(closed)
        self.assertEqual(refused.exception.code, "wrong_state")

    def test_replay_rebuilds_the_mark_and_its_undoing(self):
        self.mark(self.flood[0])
        self.mark(self.flood[1])
        actions.unmark_spam(message=self.flood[1], by=self.cast.county_office, reason="误标。", at=LATER)
        report = replay.replay()
        self.assertEqual(report.differences, [])
        # A spam mark undone by hand in the database is caught.
        Message.objects.filter(pk=self.flood[0].pk).update(state=S.DISPATCHED)
        report = replay.replay()
        self.assertIn(f"handling_message #{self.flood[0].pk} state", "\n".join(map(str, report.differences)))

    def test_the_office_marks_it_on_the_message_page(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(f"/work/messages/{self.flood[0].pk}/")
        self.assertContains(page, "标记为垃圾留言")
        response = self.client.post(
            f"/work/messages/{self.flood[0].pk}/spam/", {f"spam-{self.flood[0].pk}-reason": "广告。"}, follow=True
        )
        self.assertContains(response, "已标记为垃圾留言")
        self.assertEqual(Message.objects.get(pk=self.flood[0].pk).state, S.SPAM)
        self.assertTrue(Event.objects.filter(kind="spam_marked", message=self.flood[0]).exists())
