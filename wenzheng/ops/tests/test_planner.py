"""SQLite's planner statistics are measured when they are missing or a quarter off
(after a migration that remade the messages table, or as the table grows), by the
worker and after `migrate`; never on a small database, never on PostgreSQL."""

from unittest import mock, skipUnless

from django.db import connection

from wenzheng.handling.models import Message
from wenzheng.ops import planner, worker
from wenzheng.ops.work import PlannerStatisticsWork
from wenzheng.search import index
from wenzheng.testing import CastTestCase


def statistics_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'handling_message'")
        return cursor.fetchone()[0]


@skipUnless(connection.vendor == "sqlite", "PostgreSQL keeps its own statistics")
@mock.patch.object(planner, "MINIMUM_ROWS", 4)
class SqliteStatisticsTest(CastTestCase):
    def setUp(self):
        for title in ("路灯一", "路灯二", "路灯三", "路灯四", "路灯五"):
            self.cast.submit(title=title)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # sqlite_stat1 exists from here on
            cursor.execute("DELETE FROM sqlite_stat1")  # as after a migration remade the table
        # The worker's kind is one object per process: what an earlier test measured is forgotten.
        for kind in worker.kinds():
            if isinstance(kind, PlannerStatisticsWork):
                kind.measured_at = None

    def test_the_search_indexs_own_tables_are_left_unmeasured(self):
        """Measured small, FTS5's tables made every insert into a growing index read
        them through (planner.forget_word_index_statistics)."""
        planner.analyze()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl GLOB 'search_fts_*'")
            self.assertEqual(cursor.fetchone()[0], 0)
            cursor.execute("ANALYZE")  # as a script would, behind the worker's back
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl GLOB 'search_fts_*'")
            self.assertGreater(cursor.fetchone()[0], 0)
            index.rebuild(from_scratch=True)
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl GLOB 'search_fts_*'")
            self.assertEqual(cursor.fetchone()[0], 0)
        self.assertGreater(statistics_rows(), 0)

    def test_the_worker_measures_missing_statistics_once(self):
        self.assertTrue(planner.stale())
        self.assertEqual(worker.run_pass(only=["planner-statistics"]), 1)
        self.assertGreater(statistics_rows(), 0)
        self.assertEqual(planner.measured_rows(), Message.objects.count())
        self.assertEqual(worker.run_pass(only=["planner-statistics"]), 0)

    def test_ids_with_gaps_are_measured_once_not_in_an_endless_pass(self):
        # MAX(id) far above the rows counted (ids skipped): still "stale" after ANALYZE.
        passes = iter(range(20))
        size = self.max_id() * 10
        with mock.patch.object(planner, "size", return_value=size) as sized:
            done = worker.run_pass(only=["planner-statistics"], stopping=lambda: next(passes, None) is None)
            self.assertEqual(done, 1)
            self.assertTrue(planner.stale())
            sized.return_value = size + size // 4  # a few more messages: not yet
            self.assertEqual(worker.run_pass(only=["planner-statistics"]), 0)
            sized.return_value = size + size // 4 + 1  # a quarter more: measured again
            self.assertEqual(
                worker.run_pass(only=["planner-statistics"], stopping=lambda: next(passes, None) is None), 1
            )

    def test_a_partial_index_does_not_stand_for_the_table(self):
        self.cast.replied(title="路灯六")  # published: in the partial indexes of published messages
        planner.analyze()
        with connection.cursor() as cursor:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'handling_message'")
            counts = [int(stat.split()[0]) for (stat,) in cursor.fetchall()]
        self.assertLess(min(counts), max(counts))  # the published-messages index holds fewer
        self.assertEqual(planner.measured_rows(), max(counts))

    def test_a_table_a_quarter_bigger_is_measured_again(self):
        planner.analyze()
        for title in ("路灯六", "路灯七"):
            self.cast.submit(title=title)
        self.assertTrue(planner.stale())  # 7 or more messages against the 5 or more measured

    def test_migrate_measures_them_when_it_applied_something(self):
        planner.after_migrate(None, using="default", plan=[])
        self.assertEqual(statistics_rows(), 0)  # nothing migrated: nothing remade
        planner.after_migrate(None, using="default", plan=[("a migration", False)])
        self.assertGreater(statistics_rows(), 0)

    def test_a_small_database_is_left_alone(self):
        with mock.patch.object(planner, "MINIMUM_ROWS", 10_000):
            self.assertFalse(planner.stale())
            self.assertEqual(worker.run_pass(only=["planner-statistics"]), 0)

    def max_id(self):
        with connection.cursor() as cursor:
            cursor.execute('SELECT MAX("id") FROM "handling_message"')
            return cursor.fetchone()[0]


@skipUnless(connection.vendor == "postgresql", "SQLite's own test above")
class PostgresStatisticsTest(CastTestCase):
    def test_nothing_to_do(self):
        self.assertFalse(planner.stale())
        self.assertFalse(planner.analyze())
