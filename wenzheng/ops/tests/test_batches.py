"""Batched background work (a deadline recount, a contact refresh, the derivation of
every search document) and a batch that kills its worker (ops.batches): taken again
twice, then a row at a time, and the row that kills it alone skipped, listed and done
again on demand, while the rest of the work goes on."""

import datetime as dt
import io
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wenzheng.bulk.tests.helpers import good_row
from wenzheng.handling import actions, deadlines
from wenzheng.handling.models import DeadlineRecount, Stage
from wenzheng.ops import batches
from wenzheng.ops.apps import skipped_rows
from wenzheng.ops.models import SkippedRow
from wenzheng.ops.worker import run_pass
from wenzheng.privacy import actions as privacy
from wenzheng.search import contacts, derivation, index
from wenzheng.search.models import Audience, ContactRefresh, Derivation, SearchDocument
from wenzheng.testing import CastTestCase, local
from wenzheng.workdays import clock
from wenzheng.workdays.models import CalendarDay, CalendarYear

from .test_worker import queue_import


class Killed(BaseException):
    """What the worker's death looks like from inside: nothing catches it, nothing
    after it runs (the transaction in hand is rolled back by the database)."""


def quiet(model, **filters):
    """As the dead worker leaves its item: its heartbeat older than WORK_STALE_AFTER."""
    model.objects.filter(**filters).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))


class RecountTest(CastTestCase):
    def setUp(self):
        c = self.cast
        # Five messages, two open stages each (pk order: response, reply); 2027 not
        # entered, so the replies are due 2027-01-07 by weekdays, the 8th once it is.
        self.messages = [c.submit(at=local(2026, 12, 30, 10), title=f"第{i}条") for i in range(5)]
        self.replies = [m.stages.get(kind=Stage.Kind.REPLY) for m in self.messages]
        CalendarDay.objects.create(date="2027-01-01", kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
        clock.forget_calendar()
        self.recount = DeadlineRecount.objects.create(requested_at=timezone.now())
        self.poison = self.replies[2].pk  # in the second batch of four
        self.real = deadlines._recompute
        patches = [
            mock.patch.object(deadlines, "BATCH", 4),
            mock.patch.object(deadlines, "_recompute", side_effect=self.recompute),
        ]
        for p in patches:
            p.start()
            self.addCleanup(p.stop)

    def recompute(self, ids, **kwargs):
        if self.poison in ids:
            raise Killed
        return self.real(ids, **kwargs)

    def due(self):
        return [Stage.objects.get(pk=r.pk).due_at for r in self.replies]

    def dies(self):
        with self.assertRaises(Killed):
            run_pass(only=["deadlines"])
        quiet(DeadlineRecount)

    def test_a_stage_that_kills_the_worker_is_skipped_listed_and_done_again_on_demand(self):
        for _ in range(batches.MAX_ATTEMPTS):
            self.dies()
        recount = DeadlineRecount.objects.get()
        # The first batch stays done; the second was begun three times.
        self.assertEqual((recount.state, recount.attempts, recount.moved), ("running", 3, 2))
        self.assertEqual(self.due()[:2], [local(2027, 1, 8)] * 2)
        with self.assertLogs("wenzheng.ops.batches", "ERROR") as logs:
            self.dies()  # its stages one at a time: the poisonous one kills it again
        self.assertIn(f"{self.replies[1].pk + 1} to {self.replies[3].pk}", logs.output[0])
        self.assertEqual(DeadlineRecount.objects.get().after, self.poison - 1)  # the response before it done
        self.dies()
        self.dies()
        self.assertFalse(SkippedRow.objects.exists())

        with self.assertLogs("wenzheng.ops.batches", "ERROR") as logs:
            self.assertEqual(run_pass(only=["deadlines"]), 1)
        self.assertIn(f"row {self.poison} skipped", logs.output[0])
        recount = DeadlineRecount.objects.get()
        self.assertEqual((recount.state, recount.moved, recount.isolating_to), ("done", 4, None))
        self.assertEqual(self.due(), [local(2027, 1, 8)] * 2 + [local(2027, 1, 7)] + [local(2027, 1, 8)] * 2)
        skipped = SkippedRow.objects.get()
        self.assertEqual((skipped.work, skipped.row_id, skipped.retried_at), ("deadlines", self.poison, None))
        self.assertIn(f"#{recount.pk}", skipped.item)
        (warning,) = skipped_rows(None)
        self.assertIn(f"{skipped.pk} (deadlines row {self.poison})", warning.msg)

        # The operator mends the cause and does it again.
        self.poison = None
        call_command("retry_skipped", "--all", stdout=io.StringIO())
        self.assertEqual(self.due(), [local(2027, 1, 8)] * 5)
        self.assertIsNotNone(SkippedRow.objects.get().retried_at)
        self.assertEqual(skipped_rows(None), [])

    def test_a_retry_that_fails_again_leaves_the_row_listed(self):
        skipped = SkippedRow.objects.create(work="deadlines", item="x", row_id=self.poison, skipped_at=timezone.now())
        self.poison = None
        with (
            mock.patch.object(deadlines, "_rejudge", side_effect=RuntimeError("boom")),
            self.assertRaisesMessage(CommandError, "1 of 1 skipped row(s) failed again"),
        ):
            call_command("retry_skipped", str(skipped.pk), stdout=io.StringIO(), stderr=io.StringIO())
        self.assertIsNone(SkippedRow.objects.get().retried_at)
        self.assertEqual(self.due()[2], local(2027, 1, 7))  # rolled back with it

    def test_a_run_whose_worker_died_goes_on_from_its_last_batch(self):
        self.dies()
        self.poison = None
        with mock.patch.object(deadlines, "_recompute", side_effect=self.recompute) as recompute:
            run_pass(only=["deadlines"])
        self.assertEqual(recompute.call_args_list[0].args[0][0], self.replies[1].pk + 1)
        recount = DeadlineRecount.objects.get()
        self.assertEqual((recount.state, recount.moved, recount.walk), ("done", 5, "fallback"))
        self.assertEqual(self.due(), [local(2027, 1, 8)] * 5)

    def test_an_ordinary_recount_writes_its_progress_in_its_batches_own_update(self):
        self.poison = None
        with CaptureQueriesContext(connection) as queries:
            run_pass(only=["deadlines"])
        table = DeadlineRecount._meta.db_table
        updates = [q["sql"] for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
        # The claim, three batches of open stages (4, 4, 2), the move to the second
        # walk, and the end.
        self.assertEqual(len(updates), 6)
        recount = DeadlineRecount.objects.get()
        self.assertEqual((recount.state, recount.moved, recount.attempts), ("done", 5, 1))
        self.assertFalse(SkippedRow.objects.exists())


class ContactRefreshTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.contact = privacy.add_public_contact(region=c.county, by=c.county_office, value="0778-8123456", label="镇")
        run_pass(only=["search-contacts"])
        self.messages = []
        for i in range(5):
            m = c.submit(title=f"路灯不亮{i}")
            actions.reply(message=m, by=c.handler_a, text="请拨打0778-8123456咨询。")
            self.messages.append(m.pk)
        self.poison = self.messages[3]
        self.real = contacts._holding
        patches = [
            mock.patch.object(contacts, "BATCH", 2),
            mock.patch.object(contacts, "_holding", side_effect=self.holding),
        ]
        for p in patches:
            p.start()
            self.addCleanup(p.stop)

    def holding(self, refresh, first, last):
        if first <= self.poison <= last:
            raise Killed
        return self.real(refresh, first, last)

    def public(self, pk):
        return SearchDocument.objects.filter(message_id=pk).exclude(audience=Audience.STAFF)

    def test_a_message_that_kills_the_worker_is_skipped_unfound_by_the_public_and_the_rest_refreshed(self):
        privacy.remove_public_contact(contact=self.contact, by=self.cast.county_office)
        for _ in range(2 * batches.MAX_ATTEMPTS):
            with self.assertRaises(Killed):
                run_pass(only=["search-contacts"])
            quiet(ContactRefresh)
        with self.assertLogs("wenzheng.ops.batches", "ERROR"):
            self.assertEqual(run_pass(only=["search-contacts"]), 1)
        refresh = ContactRefresh.objects.get(change="removed")
        self.assertEqual((refresh.state, refresh.after), ("done", self.messages[-1]))
        self.assertEqual(SkippedRow.objects.get().row_id, self.poison)
        # Its documents may still hold the removed number: the public does not find
        # it at all until it is done again; the others were refreshed.
        self.assertFalse(self.public(self.poison).exists())
        self.assertNotIn("8123456", " ".join(self.public(self.messages[4]).values_list("answers", flat=True)))

        self.poison = None
        call_command("retry_skipped", str(SkippedRow.objects.get().pk), stdout=io.StringIO())
        self.assertEqual(self.public(self.messages[3]).count(), 2)
        self.assertNotIn("8123456", " ".join(self.public(self.messages[3]).values_list("answers", flat=True)))


class DerivationTest(CastTestCase):
    def setUp(self):
        self.messages = [self.cast.replied(title=f"路灯不亮{i}").pk for i in range(5)]
        Derivation.objects.update(version=0)
        self.poison = self.messages[2]
        self.real = index.update
        patches = [
            mock.patch.object(index, "BATCH", 2),
            mock.patch.object(index, "update", side_effect=self.update),
        ]
        for p in patches:
            p.start()
            self.addCleanup(p.stop)

    def update(self, ids, **kwargs):
        if self.poison in ids:
            raise Killed
        return self.real(ids, **kwargs)

    def test_a_dead_batch_waits_and_the_work_after_it_runs_meanwhile(self):
        # Taken again at once by the restarted worker, it killed it again before any
        # kind of work after it (imports, notices) had run.
        with self.assertRaises(Killed):
            run_pass(only=["search-derivation"])  # the first batch done, the second kills it
        job = queue_import(self.cast, [good_row("1")])
        run_pass(only=["search-derivation", "imports"])
        job.refresh_from_db()
        self.assertEqual(job.state, "done")
        self.assertEqual(Derivation.objects.get().attempts, 1)  # not taken again yet

    def test_a_message_that_kills_the_worker_is_skipped_and_the_derivation_finishes(self):
        for _ in range(2 * batches.MAX_ATTEMPTS):
            with self.assertRaises(Killed):
                run_pass(only=["search-derivation"])
            quiet(Derivation)
        with self.assertLogs("wenzheng.ops.batches", "ERROR") as logs:
            run_pass(only=["search-derivation"])
        self.assertIn(f"search-derivation: derivation 1: row {self.poison} skipped", logs.output[0])
        self.assertFalse(derivation.pending())
        self.assertEqual(SkippedRow.objects.get().row_id, self.poison)
        self.assertFalse(SearchDocument.objects.filter(message_id=self.poison).exclude(audience="staff").exists())

        self.poison = None
        call_command("retry_skipped", "--all", stdout=io.StringIO())
        self.assertEqual(SearchDocument.objects.filter(message_id=self.messages[2]).count(), 3)

    def test_an_ordinary_batch_writes_the_row_twice_its_claim_and_its_commit(self):
        self.poison = None
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(run_pass(only=["search-derivation"]), 4)  # three batches and the end
        table = Derivation._meta.db_table
        updates = [q["sql"] for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
        self.assertEqual(len(updates), 4 + 3 + 1)  # four claims, three commits, the version recorded
        self.assertFalse(derivation.pending())
        self.assertFalse(SkippedRow.objects.exists())
