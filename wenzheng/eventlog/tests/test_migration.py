"""The one-time move of a county's existing, keyless, single chain to keyed chains per
county (migration 0003): verified first, re-chained in order, recorded."""

from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from wenzheng.eventlog import chain, hashing, replay, triggers
from wenzheng.eventlog.models import ChainHead, Event
from wenzheng.testing import Cast, ChainTransactionTestCase, local

BEFORE = [("eventlog", "0002_append_only_triggers")]
AFTER = [("eventlog", "0005_chains_per_region_keyed")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


class ChainMigrationTest(ChainTransactionTestCase):
    def setUp(self):
        self.cast = Cast()

    def tearDown(self):
        migrate(executor_leaves())
        super().tearDown()

    def _legacy_chain(self, *, break_at=None):
        """Roster events of two counties in one keyless chain, as version 0002 wrote them."""
        c = self.cast
        rows, prev = [], hashing.GENESIS_HASH
        units = [c.unit_a, c.unit_c, c.unit_b]
        for seq, unit in enumerate(units, start=1):
            at = local(2026, 1, 5 + seq, 9)
            data = {"year": 2026, "leader": None, "handlers": []}
            digest = hashing.legacy_hash(
                seq=seq, at=at, kind="roster_filed", actor=c.county_office.pk, actor_role="county_office",
                message=None, unit=unit.pk, note="", data=data, prev_hash=prev,
            )  # fmt: skip
            if seq == break_at:
                digest = "f" * 64
            rows.append((seq, at, unit.pk, prev, digest))
            prev = digest
        with connection.cursor() as cursor:
            for seq, at, unit, prev_hash, digest in rows:
                cursor.execute(
                    "INSERT INTO eventlog_event (seq, at, kind, actor_id, actor_role, unit_id, note, data, prev_hash,"
                    " hash) VALUES (%s, %s, 'roster_filed', %s, 'county_office', %s, '', %s, %s, %s)",
                    [seq, at, self.cast.county_office.pk, unit, '{"year": 2026, "leader": null, "handlers": []}',
                     prev_hash, digest],
                )  # fmt: skip
            cursor.execute("INSERT INTO eventlog_chainhead (id, last_seq, last_hash) VALUES (1, 3, %s)", [prev])
        return prev

    def test_a_keyless_chain_becomes_keyed_chains_per_county(self):
        migrate(BEFORE)
        legacy_head = self._legacy_chain()
        migrate(AFTER)
        heads = {h.region.code: h for h in ChainHead.objects.select_related("region")}
        self.assertEqual(sorted(heads), ["huanjiang", "luocheng"])
        luocheng = list(Event.objects.filter(chain=heads["luocheng"]).order_by("seq"))
        self.assertEqual(
            [(e.seq, e.kind, e.version, e.unit_id) for e in luocheng],
            [
                (1, "roster_filed", 1, self.cast.unit_a.pk),
                (2, "roster_filed", 1, self.cast.unit_b.pk),
                (3, "chain_migrated", 2, None),
            ],
        )
        self.assertEqual(luocheng[2].data["legacy_head"], [3, legacy_head])
        self.assertEqual(luocheng[2].data["events"], 2)
        self.assertEqual(chain.verify(), (5, None))
        # Replay counts the old events it cannot rebuild from, and finds nothing wrong.
        report = replay.replay()
        self.assertEqual((report.legacy_events, [str(d) for d in report.differences]), (3, []))
        self.assertEqual(luocheng[2].data["legacy_rows"]["units_rosterfiling"], 0)
        # Still append-only afterwards (on SQLite the table was rebuilt).
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            Event.objects.filter(pk=luocheng[0].pk).update(note="x")

    def test_a_broken_keyless_chain_stops_the_migration(self):
        migrate(BEFORE)
        self._legacy_chain(break_at=2)
        with self.assertRaisesMessage(Exception, "broken at event #2"):
            migrate(AFTER)
        with triggers.suspended(connection), connection.cursor() as cursor:
            cursor.execute("DELETE FROM eventlog_event")
            cursor.execute("DELETE FROM eventlog_chainhead")


def executor_leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
