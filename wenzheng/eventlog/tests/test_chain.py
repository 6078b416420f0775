"""The event log refuses edits in the database itself; each county's chain shows any
edit made behind the triggers' back, cannot be re-hashed without the key, and a
printed anchor shows a cut tail."""

import hashlib
import io
from itertools import pairwise

from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from wenzheng.eventlog import chain, hashing, triggers
from wenzheng.eventlog.models import GENESIS_HASH, ChainHead, Event
from wenzheng.handling import actions
from wenzheng.testing import CastTestCase, local


def sql(statement, *params):
    with triggers.suspended(connection), connection.cursor() as cursor:
        cursor.execute(statement, params)


class EventLogTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.message = c.submit(at=local(2026, 3, 2, 9))
        actions.respond(message=self.message, by=c.handler_a, at=local(2026, 3, 2, 10))
        actions.reply(message=self.message, by=c.handler_a, text="已处理。", at=local(2026, 3, 3, 10))
        self.head = ChainHead.objects.get(region=c.county)

    def test_each_event_carries_the_keyed_hash_of_the_one_before(self):
        events = list(Event.objects.order_by("seq"))
        self.assertEqual([e.seq for e in events], [1, 2, 3])
        self.assertEqual({e.chain_id for e in events}, {self.head.pk})
        self.assertEqual(events[0].prev_hash, GENESIS_HASH)
        for before, after in pairwise(events):
            self.assertEqual(after.prev_hash, before.hash)
        # An HMAC with the configured key, not a bare SHA-256 anyone can recompute.
        self.assertEqual(events[1].hash, hashing.sign(hashing.current_key(), events[1].payload()))
        self.assertNotEqual(events[1].hash, hashlib.sha256(events[1].payload()).hexdigest())
        self.assertEqual((self.head.last_seq, self.head.last_hash), (3, events[2].hash))
        self.assertEqual(self.head.key_id, hashing.key_id(hashing.current_key()))
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
        for statement in ("UPDATE eventlog_event SET note = 'x'", "DELETE FROM eventlog_event"):
            with self.subTest(sql=statement), self.assertRaises(DatabaseError), transaction.atomic():
                connection.cursor().execute(statement)
        self.assertEqual(chain.verify(), (3, None))

    def test_verify_names_the_first_edited_event(self):
        sql("UPDATE eventlog_event SET note = 'tampered' WHERE seq = 2")
        checked, broken = chain.verify()
        self.assertEqual((checked, broken.chain, broken.seq), (1, "luocheng", 2))
        self.assertIn("edited after it was written", str(broken))

    def test_verify_notices_a_deleted_event(self):
        sql("DELETE FROM eventlog_event WHERE seq = 2")
        checked, broken = chain.verify()
        self.assertEqual((checked, broken.seq), (1, 2))
        self.assertIn("missing", broken.reason)

    def test_rehashing_an_edit_without_the_key_does_not_verify(self):
        """Issue 10: recomputing the (keyless) hashes after an edit passed. Rewriting
        the edited event and every hash after it, and the head, as one would without
        the key (plain SHA-256, or an HMAC with a guessed key), still fails."""
        for name, forge in (
            ("sha256", lambda body: hashlib.sha256(body).hexdigest()),
            ("a guessed key", lambda body: hashing.sign(b"wenzheng", body)),
        ):
            with self.subTest(name), transaction.atomic():
                sid = transaction.savepoint()
                self._rewrite_from(2, forge)
                checked, broken = chain.verify()
                self.assertEqual((checked, broken.seq), (1, 2))
                self.assertIn("edited after it was written", broken.reason)
                transaction.savepoint_rollback(sid)

    def test_rehashing_with_the_key_is_caught_by_a_printed_anchor(self):
        """Whoever holds the key can rewrite the chain so that it verifies again; the
        anchor printed before (on a bulletin, a run) no longer matches."""
        printed = str(chain.anchors(self.cast.county)[0])
        self._rewrite_from(2, lambda body: hashing.sign(hashing.current_key(), body))
        self.assertIsNone(chain.verify()[1])
        problem = chain.check_anchor(printed)
        self.assertIn("no longer has the anchored hash", problem)

    def _rewrite_from(self, seq, sign):
        """Edit event `seq`'s note and recompute its hash and every later one."""
        events = list(Event.objects.filter(chain=self.head).order_by("seq"))
        prev = events[seq - 2].hash
        with triggers.suspended(connection):
            for event in events[seq - 1 :]:
                if event.seq == seq:
                    event.note = "forged"
                event.prev_hash = prev
                event.hash = prev = sign(event.payload())
                Event.objects.filter(pk=event.pk).update(note=event.note, prev_hash=event.prev_hash, hash=event.hash)
            ChainHead.objects.filter(pk=self.head.pk).update(last_hash=prev)

    def test_a_cut_tail_with_its_head_rewritten_verifies_but_the_anchor_catches_it(self):
        """Issue 10: deleting the last events and rewriting the chain head passed."""
        printed = str(chain.anchors(self.cast.county)[0])
        second = Event.objects.get(seq=2)
        sql("DELETE FROM eventlog_event WHERE seq = 3")
        ChainHead.objects.filter(pk=self.head.pk).update(last_seq=2, last_hash=second.hash)
        self.assertEqual(chain.verify(), (2, None))
        problem = chain.check_anchor(printed)
        self.assertIn("event #3 is gone; the chain now ends at #2", problem)
        with self.assertRaisesMessage(CommandError, "the tail was cut"):
            call_command("verify_events", anchor=[printed], stdout=io.StringIO())
        # The short form (SEQ:HASH) says so too.
        self.assertIn("cut or rewritten", chain.check_anchor(printed.split(":", 1)[1]))

    def test_verify_notices_a_truncated_tail_when_the_head_was_left(self):
        sql("DELETE FROM eventlog_event WHERE seq = 3")
        checked, broken = chain.verify()
        self.assertEqual(checked, 2)
        self.assertIsNone(broken.seq)
        self.assertIn("records 3 events", str(broken))

    def test_an_untouched_anchor_checks(self):
        printed = chain.anchors(self.cast.county)[0]
        self.assertEqual((printed.chain, printed.seq), ("luocheng", 3))
        self.assertIsNone(chain.check_anchor(str(printed)))
        self.assertIsNone(chain.check_anchor(f"{printed.seq}:{printed.hash}"))
        out = io.StringIO()
        call_command("verify_events", anchor=[str(printed)], stdout=out)
        self.assertIn(f"Anchor {printed}: present, as printed.", out.getvalue())

    def test_it_explains_a_malformed_anchor(self):
        self.assertIn("is not an anchor", chain.check_anchor("luocheng:3"))
        self.assertIn("no event chain named", chain.check_anchor("nowhere:1:" + "a" * 64))

    def test_the_command_reports_every_chain(self):
        out = io.StringIO()
        call_command("verify_events", stdout=out)
        self.assertIn(f"luocheng: 3 events, head #3 {self.head.last_hash}", out.getvalue())
        self.assertIn("3 events verified", out.getvalue())

    def test_the_command_fails_naming_the_broken_link(self):
        sql("UPDATE eventlog_event SET actor_role = 'county_office' WHERE seq = 3")
        with self.assertRaisesMessage(CommandError, "BROKEN at luocheng chain, event #3"):
            call_command("verify_events", stdout=io.StringIO())

    def test_a_server_with_another_key_refuses_to_append_and_to_verify(self):
        with override_settings(EVENT_CHAIN_KEY="another-key-" + "x" * 40):
            with self.assertRaisesMessage(ImproperlyConfigured, "is not the key the event chain"):
                actions.respond(message=self.cast.submit(at=local(2026, 3, 4, 9)), by=self.cast.handler_a)
            _, broken = chain.verify()
            self.assertIn("written with another key", broken.reason)
            with self.assertRaisesMessage(CommandError, "Set EVENT_CHAIN_KEY_FILE to the key the log was written with"):
                call_command("verify_events", stdout=io.StringIO())
        self.assertEqual(Event.objects.count(), 3)

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


class ChainPerCountyTest(CastTestCase):
    def test_each_county_has_its_own_chain_and_a_city_anchors_them_all(self):
        c = self.cast
        c.submit(at=local(2026, 3, 2, 9))
        c.submit(unit="c", at=local(2026, 3, 2, 10))
        c.submit(at=local(2026, 3, 2, 11))
        by_chain = dict(ChainHead.objects.values_list("region__code", "last_seq").order_by("region__code"))
        self.assertEqual(by_chain, {"huanjiang": 1, "luocheng": 2})
        self.assertEqual(
            list(Event.objects.order_by("pk").values_list("chain__region__code", "seq")),
            [("luocheng", 1), ("huanjiang", 1), ("luocheng", 2)],
        )
        anchors = chain.anchors(c.city)
        self.assertEqual([(a.chain, a.seq) for a in anchors], [("hechi", 0), ("huanjiang", 1), ("luocheng", 2)])
        self.assertEqual(anchors[0].hash, GENESIS_HASH)
        for anchor in anchors[1:]:
            self.assertIsNone(chain.check_anchor(str(anchor)))
        self.assertEqual(chain.verify(), (3, None))

    def test_an_event_cannot_be_moved_into_another_countys_chain(self):
        c = self.cast
        c.submit(at=local(2026, 3, 2, 9))
        c.submit(unit="c", at=local(2026, 3, 2, 10))
        other = ChainHead.objects.get(region=c.other_county)
        sql("DELETE FROM eventlog_event WHERE chain_id = %s", other.pk)
        moved = Event.objects.get(chain__region=c.county)
        sql("UPDATE eventlog_event SET chain_id = %s WHERE id = %s", other.pk, moved.pk)
        ChainHead.objects.filter(pk=other.pk).update(last_seq=1, last_hash=moved.hash)
        ChainHead.objects.filter(region=c.county).update(last_seq=0, last_hash=GENESIS_HASH)
        _, broken = chain.verify()
        self.assertEqual(broken.chain, "huanjiang")
        self.assertIn("edited after it was written", broken.reason)


class ChainKeyCheckTest(CastTestCase):
    def test_the_deploy_check_warns_of_a_weak_key(self):
        from django.core import checks

        for key, warned in (("short", True), ("insecure-development-chain-key", True), ("k" * 40, False)):
            with self.subTest(key=key), override_settings(EVENT_CHAIN_KEY=key):
                found = [m.id for m in checks.run_checks(include_deployment_checks=True)]
                self.assertEqual("eventlog.W001" in found, warned)


class HeldRunTest(CastTestCase):
    """chain.held(): a long run of appends (the demo county's) writes each head row once."""

    def submit(self, hour, **kwargs):
        return self.cast.submit(at=local(2026, 3, 2, hour), **kwargs)

    def head_updates(self, queries) -> int:
        return sum(q["sql"].startswith('UPDATE "eventlog_chainhead"') for q in queries)

    def test_a_run_writes_each_head_once_and_leaves_the_chains_as_step_by_step(self):
        self.submit(8)
        with CaptureQueriesContext(connection) as run, chain.held():
            for hour in range(9, 14):
                self.submit(hour)
            self.submit(14, unit="c")
            self.assertEqual(ChainHead.objects.get(region=self.cast.county).last_seq, 1, "not written yet")
        self.assertEqual(self.head_updates(run.captured_queries), 2, "one for each county's chain")
        heads = dict(ChainHead.objects.values_list("region__code", "last_seq"))
        self.assertEqual(heads, {"luocheng": 6, "huanjiang": 1})
        self.assertEqual(chain.verify(), (7, None))
        self.submit(15)  # and a step after the run goes on from its end
        self.assertEqual(chain.verify(), (8, None))

    def test_an_anchor_taken_inside_a_run_names_its_last_event(self):
        with chain.held():
            self.submit(9)
            self.submit(10)
            anchor = chain.anchors(self.cast.county)[0]
            self.submit(11)
        last = Event.objects.get(seq=2)
        self.assertEqual((anchor.seq, anchor.hash), (2, last.hash))
        self.assertIsNone(chain.check_anchor(str(anchor)))
        self.assertEqual(chain.verify(), (3, None))

    def test_a_savepoint_rolled_back_inside_a_run_takes_only_its_own_events(self):
        with chain.held():
            self.submit(9)
            with self.assertRaises(ZeroDivisionError), transaction.atomic():
                self.submit(10)
                self.submit(11)
                1 / 0  # noqa: B018
            self.submit(12)
        self.assertEqual(list(Event.objects.values_list("seq", flat=True)), [1, 2])
        self.assertEqual(Event.objects.get(seq=2).at, local(2026, 3, 2, 12))
        self.assertEqual(chain.verify(), (2, None))

    def test_a_failed_run_leaves_no_event_and_the_heads_as_they_were(self):
        self.submit(8)
        before = list(ChainHead.objects.values_list("pk", "last_seq", "last_hash"))
        with self.assertRaises(ZeroDivisionError), chain.held():
            self.submit(9)
            self.submit(10, unit="c")
            1 / 0  # noqa: B018
        self.assertEqual(list(ChainHead.objects.values_list("pk", "last_seq", "last_hash")), before)
        self.assertEqual(Event.objects.count(), 1)
        self.assertEqual(chain.verify(), (1, None))

    def test_a_tail_cut_before_a_run_still_shows(self):
        self.submit(8)
        self.submit(9)
        sql("DELETE FROM eventlog_event WHERE seq = 2")
        with chain.held():
            self.submit(10)  # goes after the head's #2, as a step alone would
        self.assertEqual(list(Event.objects.values_list("seq", flat=True)), [1, 3])
        _, broken = chain.verify()
        self.assertEqual((broken.seq, broken.reason), (2, "missing; the next event found is #3"))
