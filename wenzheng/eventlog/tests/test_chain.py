"""The event log refuses edits in the database itself, and the chain shows any edit
made behind the triggers' back."""

import io
from itertools import pairwise

from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from wenzheng.eventlog import chain, triggers
from wenzheng.eventlog.models import GENESIS_HASH, Event
from wenzheng.handling import actions
from wenzheng.testing import CastTestCase, local


class EventLogTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.message = c.submit(at=local(2026, 3, 2, 9))
        actions.respond(message=self.message, by=c.handler_a, at=local(2026, 3, 2, 10))
        actions.reply(message=self.message, by=c.handler_a, text="已处理。", at=local(2026, 3, 3, 10))

    def test_each_event_carries_the_hash_of_the_one_before(self):
        events = list(Event.objects.order_by("seq"))
        self.assertEqual([e.seq for e in events], [1, 2, 3])
        self.assertEqual(events[0].prev_hash, GENESIS_HASH)
        for before, after in pairwise(events):
            self.assertEqual(after.prev_hash, before.hash)
        self.assertEqual(chain.verify(), (3, None))

    def test_the_database_refuses_update_through_the_orm(self):
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            Event.objects.filter(seq=2).update(note="改过")
        self.assertEqual(Event.objects.get(seq=2).note, "")

    def test_the_database_refuses_delete_through_the_orm(self):
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            Event.objects.filter(seq=3).delete()
        self.assertEqual(Event.objects.count(), 3)

    def test_the_database_refuses_raw_sql(self):
        for sql in ("UPDATE eventlog_event SET note = 'x'", "DELETE FROM eventlog_event"):
            with self.subTest(sql=sql), self.assertRaises(DatabaseError), transaction.atomic():
                connection.cursor().execute(sql)
        self.assertEqual(chain.verify(), (3, None))

    def test_verify_names_the_first_edited_event(self):
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("UPDATE eventlog_event SET note = 'tampered' WHERE seq = 2")
        checked, broken = chain.verify()
        self.assertEqual(checked, 1)
        self.assertEqual(broken.seq, 2)
        self.assertIn("edited after it was written", str(broken))

    def test_verify_notices_a_deleted_event(self):
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM eventlog_event WHERE seq = 2")
        checked, broken = chain.verify()
        self.assertEqual((checked, broken.seq), (1, 2))
        self.assertIn("missing", broken.reason)

    def test_verify_notices_a_rehashed_forgery(self):
        """Rewriting an event and its own hash still breaks the next link."""
        with triggers.suspended(connection):
            forged = Event.objects.get(seq=2)
            forged.note = "forged"
            forged.hash = forged.compute_hash()
            Event.objects.filter(seq=2).update(note=forged.note, hash=forged.hash)
        checked, broken = chain.verify()
        self.assertEqual((checked, broken.seq), (2, 3))
        self.assertIn("prev_hash", broken.reason)

    def test_verify_notices_a_truncated_tail(self):
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM eventlog_event WHERE seq = 3")
        checked, broken = chain.verify()
        self.assertEqual(checked, 2)
        self.assertIsNone(broken.seq)
        self.assertIn("records 3 events", str(broken))

    def test_the_command_reports_an_intact_chain(self):
        out = io.StringIO()
        call_command("verify_events", stdout=out)
        self.assertIn("3 events verified", out.getvalue())

    def test_the_command_fails_naming_the_broken_link(self):
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("UPDATE eventlog_event SET actor_role = 'county_office' WHERE seq = 3")
        with self.assertRaisesMessage(CommandError, "BROKEN at event #3"):
            call_command("verify_events", stdout=io.StringIO())

    def test_appending_outside_a_transaction_is_a_programming_error(self):
        with self.assertRaisesMessage(RuntimeError, "inside the transaction"):
            # TestCase wraps each test in a transaction; leave it for this check.
            connection.in_atomic_block, saved = False, connection.in_atomic_block
            try:
                chain.append(kind="submitted", at=local(2026, 3, 2), actor=None, actor_role="anonymous")
            finally:
                connection.in_atomic_block = saved

    def test_a_refused_action_leaves_no_event(self):
        with self.assertRaises(actions.ActionRefused):
            actions.close(message=self.message, by=self.cast.handler_a, kind="answered")
        self.assertEqual(Event.objects.count(), 3)
