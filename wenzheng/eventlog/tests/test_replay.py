"""`verify_events --replay`: what the scores read, rebuilt from the events alone. An
untouched database agrees with its events; each edit made in the database behind the
application's back is named by table, row and field."""

import datetime as dt
import io

from django.core.management import CommandError, call_command
from django.db import connection

from wenzheng.evaluation import bulletin_import
from wenzheng.evaluation.tests.test_bulletin_import import GOOD, workbook
from wenzheng.eventlog import replay, triggers
from wenzheng.eventlog.models import ChainHead, Event
from wenzheng.handling import actions
from wenzheng.handling.deadlines import recompute_open_deadlines
from wenzheng.handling.models import Message, Stage
from wenzheng.testing import CastTestCase, local
from wenzheng.units.models import RosterFiling
from wenzheng.units.services import roster_file


def sql(statement, *params):
    with triggers.suspended(connection), connection.cursor() as cursor:
        cursor.execute(statement, params)


def differences() -> list[str]:
    return [str(d) for d in replay.replay().differences]


class ReplayTest(CastTestCase):
    """A quarter with a step of every kind: its rows and its events agree."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        office = c.county_office
        roster_file(unit=c.unit_a, year=2026, leader=c.leader_a, handlers=[c.handler_a], by=c.leader_a,
                    at=local(2026, 1, 6, 9))  # fmt: skip
        cls.roster = roster_file(
            unit=c.unit_a, year=2026, leader=c.leader_a, handlers=[c.handler_a, c.handler_a2], by=c.leader_a,
            at=local(2026, 1, 20, 9),
        )  # fmt: skip
        # Answered late, closed, rated, reopened, answered again, closed.
        cls.late = c.submit(category=c.appeal, at=local(2026, 3, 2, 9))
        actions.respond(message=cls.late, by=c.handler_a, at=local(2026, 3, 4, 9))
        actions.reply(message=cls.late, by=c.handler_a, text="答复。", at=local(2026, 3, 12, 9))
        actions.close(message=cls.late, by=c.leader_a, kind="solved", at=local(2026, 3, 12, 10))
        actions.rate(message=cls.late, who=actions.Citizen(user=c.citizen), rating="dissatisfied",
                     reason="没有解决。", at=local(2026, 3, 13, 9))  # fmt: skip
        actions.reopen(message=cls.late, by=office, reason="未解决。", at=local(2026, 3, 16, 9))
        actions.reply(message=cls.late, by=c.handler_a, text="再次答复。", at=local(2026, 3, 17, 9))
        actions.close(message=cls.late, by=c.leader_a, kind="explained", at=local(2026, 3, 17, 10))
        # Handed back by B, rejected once, handed back again, dispatched to A; extended.
        moved = c.submit(unit="b", at=local(2026, 3, 2, 9))
        actions.request_transfer(message=moved, by=c.handler_b, reason="不属本单位。", at=local(2026, 3, 2, 10))
        actions.reject_transfer(message=moved, by=office, reason="属于。", at=local(2026, 3, 2, 11))
        actions.request_transfer(message=moved, by=c.handler_b, reason="确不属于。", at=local(2026, 3, 2, 12))
        actions.dispatch(message=moved, by=office, unit=c.unit_a, note="转东门镇。", at=local(2026, 3, 2, 14))
        request = actions.request_extension(message=moved, by=c.handler_a, days=3, reason="核实。",
                                            at=local(2026, 3, 3, 9))  # fmt: skip
        actions.approve_extension(request=request, by=office, at=local(2026, 3, 3, 10))
        actions.flag_for_supervision(message=moved, by=office, note="请加快。", at=local(2026, 3, 4, 9))
        # Long-cycle: asked, refused (reopened), asked again, approved.
        long = c.submit(category=c.suggestion, at=local(2026, 3, 2, 9))
        actions.reply(message=long, by=c.handler_a, text="需长期规划。", at=local(2026, 3, 3, 9))
        actions.request_long_cycle_closure(message=long, by=c.leader_a, explanation="纳入规划。",
                                           at=local(2026, 3, 3, 10))  # fmt: skip
        actions.reject_long_cycle_closure(message=long, by=office, reason="说明不清。", at=local(2026, 3, 4, 9))
        actions.reply(message=long, by=c.handler_a, text="补充说明。", at=local(2026, 3, 5, 9))
        actions.request_long_cycle_closure(message=long, by=c.leader_a, explanation="明年实施。",
                                           at=local(2026, 3, 5, 10))  # fmt: skip
        actions.approve_long_cycle_closure(message=long, by=c.city_office, at=local(2026, 3, 6, 9))
        asked = actions.follow_up(message=long, who=actions.Citizen(user=c.citizen), text="何时？",
                                  at=local(2026, 3, 7, 9))  # fmt: skip
        # The follow-up answered through sign-off: drafted, returned, drafted again and
        # taken back by its author, drafted once more, approved.
        c.unit_a.reply_signoff = True
        c.unit_a.save(update_fields=["reply_signoff"])
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="明年。", at=local(2026, 3, 9, 9))
        actions.return_reply(draft=draft, by=c.leader_a, note="写具体。", at=local(2026, 3, 9, 10))
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="明年。", at=local(2026, 3, 9, 10, 30))
        actions.withdraw_reply(draft=draft, by=c.handler_a, at=local(2026, 3, 9, 10, 40))
        draft = actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="明年三月。", at=local(2026, 3, 9, 11))
        actions.approve_reply(draft=draft, by=c.leader_a, at=local(2026, 3, 9, 12))
        actions.uphold_answer(revisit=long.revisits.get(), by=office, note="答复清楚。", at=local(2026, 3, 10, 9))
        # Dispatched to the wrong unit, reassigned before it responded.
        wrong = c.submit(unit="b", at=local(2026, 3, 11, 9))
        actions.reassign(message=wrong, by=office, unit=c.unit_a, reason="属东门镇。", at=local(2026, 3, 12, 9))
        actions.reply(message=wrong, by=c.handler_a, text="已处理。", at=local(2026, 3, 12, 15))
        # Its category corrected at dispatch, and another's on its own.
        recategorised = c.submit(unit=None, at=local(2026, 3, 13, 9))
        actions.dispatch(message=recategorised, by=office, unit=c.unit_b, category=c.appeal, at=local(2026, 3, 13, 10))
        actions.set_category(message=recategorised, by=office, category=c.suggestion, at=local(2026, 3, 13, 11))
        # Waiting for dispatch; and an open one whose deadline the calendar moves.
        cls.waiting = c.submit(unit=None, at=local(2026, 3, 20, 9))
        cls.open = c.submit(at=local(2026, 3, 25, 9))
        # Supervision records, and a city bulletin imported.
        order = actions.order_written_explanation(
            unit=c.unit_a, by=office, reason="迟延。", messages=[cls.late], backlog_deadline=local(2026, 3, 30),
            at=local(2026, 3, 20, 9),
        )  # fmt: skip
        actions.record_explanation(order=order, by=c.leader_a, text="已整改。", at=local(2026, 3, 23, 9))
        actions.record_finding(unit=c.unit_a, by=office, summary="超期。", found_on=dt.date(2026, 3, 10),
                               message=cls.late, at=local(2026, 3, 10, 9))  # fmt: skip
        actions.publish_exposure(unit=c.unit_b, by=office, title="曝光", body="……", outlet="县融媒体中心",
                                 at=local(2026, 3, 11, 9))  # fmt: skip
        twice = actions.publish_exposure(unit=c.unit_b, by=office, title="录错的曝光", body="……", outlet="县融媒体中心",
                                         at=local(2026, 3, 11, 10))  # fmt: skip
        actions.withdraw_exposure(exposure=twice, by=office, reason="重复录入。", at=local(2026, 3, 11, 11))
        actions.refer_for_accountability(unit=c.unit_a, by=office, person="某某", reason="谎报。",
                                         referred_to="县纪委监委", at=local(2026, 3, 12, 9))  # fmt: skip
        report = bulletin_import.import_file(
            workbook(GOOD), file_name="通报.xlsx", region=c.county, by=office, at=local(2026, 4, 10, 9)
        )
        assert report.ok, report.problems
        c.submit(unit="c", at=local(2026, 3, 2, 9))  # the other county's chain

    def test_every_kind_of_event_says_how_it_is_replayed(self):
        self.assertEqual(replay.unregistered(), [])

    def test_an_untouched_database_agrees_with_its_events(self):
        report = replay.replay()
        self.assertEqual([str(d) for d in report.differences], [])
        self.assertEqual(report.chains, 2)
        self.assertEqual(report.messages, Message.objects.count())
        self.assertEqual(report.events, Event.objects.count())
        out = io.StringIO()
        call_command("verify_events", replay=True, stdout=out)
        self.assertIn("Replay: every row agrees with its events.", out.getvalue())

    def test_a_calendar_recount_replays_too(self):
        from wenzheng.workdays.models import CalendarDay

        CalendarDay.objects.create(date=dt.date(2026, 3, 27), kind="holiday", name="补休")
        self.assertEqual(recompute_open_deadlines(by=None, at=local(2026, 3, 26, 9)), 1)
        self.assertEqual(differences(), [])

    def test_a_late_reply_judged_again_by_an_extension_approved_after_it_replays_too(self):
        c = self.cast
        m = c.submit(at=local(2026, 3, 2, 9))  # reply due at the end of Monday 9 March
        asked = actions.request_extension(message=m, by=c.handler_a, days=3, reason="核实。", at=local(2026, 3, 4, 9))
        # The leader's reply is published at once (东门镇 signs off its handlers' here).
        actions.reply(message=m, by=c.leader_a, text="已处理。", at=local(2026, 3, 11, 9))
        actions.approve_extension(request=asked, by=c.county_office, at=local(2026, 3, 12, 9))
        self.assertEqual(m.stages.get(kind="reply").outcome, "on_time")
        self.assertEqual(differences(), [])

    def test_it_names_a_stage_outcome_flipped_in_the_database(self):
        """Issue 10: flipping a stage from late to on time passed, and moved a unit's score."""
        stage = Stage.objects.get(message=self.late, kind="response")
        self.assertEqual(stage.outcome, "late")
        sql("UPDATE handling_stage SET outcome = 'on_time' WHERE id = %s", stage.pk)
        self.assertEqual(
            differences(),
            [f"handling_stage #{stage.pk} outcome: the database has 'on_time', the events say 'late'"],
        )
        with self.assertRaisesMessage(CommandError, f"handling_stage #{stage.pk} outcome"):
            call_command("verify_events", replay=True, stdout=io.StringIO())

    def test_it_names_a_message_closed_by_hand(self):
        sql(
            "UPDATE handling_message SET state = 'closed', closure_kind = 'answered', closed_at = %s WHERE id = %s",
            local(2026, 3, 30, 9),
            self.open.pk,
        )
        found = differences()
        self.assertIn(
            f"handling_message #{self.open.pk} state: the database has 'closed', the events say 'dispatched'", found
        )
        self.assertIn(
            f"handling_message #{self.open.pk} closure_kind: the database has 'answered', the events say ''", found
        )
        self.assertEqual(len(found), 3)

    def test_it_names_a_message_made_public_by_hand(self):
        # Answered decides what the board shows (handling.models.PUBLISHED): set in the
        # database without a reply, it is named.
        sql("UPDATE handling_message SET answered = %s WHERE id = %s", True, self.open.pk)
        self.assertEqual(
            differences(), [f"handling_message #{self.open.pk} answered: the database has True, the events say False"]
        )

    def test_it_names_a_roster_edited_or_backdated_in_the_database(self):
        """Issue 10: backdating a filing turned staffing 0 → 10 with no trace."""
        sql("UPDATE units_rosterfiling SET filed_at = %s WHERE id = %s", local(2025, 12, 1), self.roster.pk)
        sql("DELETE FROM units_rostermember WHERE filing_id = %s AND position = 'leader'", self.roster.pk)
        found = differences()
        self.assertEqual(len(found), 2)
        self.assertTrue(found[0].startswith(f"units_rosterfiling #{self.roster.pk} filed_at: the database has"))
        self.assertTrue(found[1].startswith(f"units_rosterfiling #{self.roster.pk} members: the database has ["))

    def test_it_names_rows_with_no_event_and_rows_gone(self):
        c = self.cast
        filing = RosterFiling.objects.create(unit=c.unit_b, year=2026, version=1, filed_at=local(2026, 1, 5),
                                             filed_by=c.county_office)  # fmt: skip
        stage = Stage.objects.get(message=self.open, kind="reply")
        sql("DELETE FROM handling_stage WHERE id = %s", stage.pk)
        self.assertEqual(
            differences(),
            [
                f"units_rosterfiling #{filing.pk}: in the database, but no event made it",
                f"handling_stage #{stage.pk}: missing from the database, though its events made it",
            ],
        )

    def test_it_names_what_a_cut_tail_leaves_behind(self):
        """Issue 10: deleting the last events and rewriting the head passed `verify_events`;
        the rows those events made no longer agree."""
        head = ChainHead.objects.get(region=self.cast.county)
        last = Event.objects.filter(chain=head).order_by("-seq")[:4]
        keep = Event.objects.filter(chain=head, seq=last[3].seq - 1).get()
        sql("DELETE FROM eventlog_event WHERE chain_id = %s AND seq >= %s", head.pk, last[3].seq)
        ChainHead.objects.filter(pk=head.pk).update(last_seq=keep.seq, last_hash=keep.hash)
        found = differences()
        self.assertTrue(found)
        self.assertTrue(all(": in the database, but no event made it" in d for d in found), found)
        self.assertTrue(any(d.startswith("evaluation_bulletinrow #") for d in found), found)
