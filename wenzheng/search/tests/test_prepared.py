"""PostgreSQL: the search's reading statement is prepared and planned once for every
query of its shape, and the statement itself says whether the word index is asked
(how common the query's tokens are, by PostgreSQL's statistics): a plan made for
no query in particular cannot choose it."""

from unittest import mock, skipUnless

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.search import engines
from wenzheng.search.models import Audience
from wenzheng.search.text import parse
from wenzheng.testing import CastTestCase, executed

on_postgres = connection.vendor == "postgresql"


def reading_statements(statements):
    return [sql for sql, _ in statements if sql.startswith("WITH d AS MATERIALIZED")]


def prepared_statements(like: str) -> list[tuple[str, int, int]]:
    """The statements prepared on this connection whose text is LIKE `like`, as
    (statement, generic plans, custom plans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            [like],
        )
        return cursor.fetchall()


@skipUnless(on_postgres, "PostgreSQL's documents-first window")
class PreparedReadTest(CastTestCase):
    def setUp(self):
        self.addCleanup(engines.forget)

    def search(self, text, messages=None):
        messages = Message.objects.published() if messages is None else messages
        return list(messages.search(parse(text), audience=Audience.PUBLIC).values_list("pk", flat=True))

    @skipUnless(settings.DB_PREPARE_THRESHOLD, "prepared statements turned off (DB_PREPARE_THRESHOLD=0)")
    def test_the_reading_statement_is_prepared_and_planned_once_for_every_word(self):
        c = self.cast
        cover, water = c.replied(title="北门井盖松动"), c.replied(title="小区停水三天")
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            self.assertEqual(cursor.fetchone(), ("force_generic_plan",))
        self.assertEqual(connection.connection.prepare_threshold, settings.DB_PREPARE_THRESHOLD)
        # Prepared on its first run, not after DB_PREPARE_THRESHOLD runs (psycopg's
        # rule): a new connection's first searches are not planned afresh.
        self.assertEqual(self.search("井盖"), [cover.pk])
        ((_, generic, custom),) = prepared_statements("WITH d AS MATERIALIZED%")
        self.assertEqual((generic, custom), (1, 0))
        # Different words of the same shape (one term of two characters, the whole
        # board): one statement.
        for i in range(settings.DB_PREPARE_THRESHOLD + 3):
            with self.subTest(i=i):
                self.assertEqual(self.search("井盖"), [cover.pk])
                self.assertEqual(self.search("停水"), [water.pk])
                self.assertEqual(self.search("噪音"), [])
        prepared = prepared_statements("WITH d AS MATERIALIZED%")
        self.assertEqual(len(prepared), 1, "one shape, one statement")
        ((_, generic, custom),) = prepared
        self.assertGreaterEqual(generic, 3 * 3)
        self.assertEqual(custom, 0)

    def test_with_prepared_statements_turned_off_nothing_is_prepared(self):
        # DB_PREPARE_THRESHOLD=0 (a pooler that cannot keep them): psycopg's None.
        c = self.cast
        cover = c.replied(title="北门井盖松动")
        raw = connection.connection
        saved, raw.prepare_threshold = raw.prepare_threshold, None
        self.addCleanup(setattr, raw, "prepare_threshold", saved)
        board = Message.objects.published().in_city(c.city)
        for _ in range(3):
            self.assertEqual(self.search("井盖"), [cover.pk])
            self.assertEqual(self.search("井盖", board), [cover.pk])
        self.assertEqual(prepared_statements("%"), [])

    def test_a_common_query_is_read_walking_down_the_ids_and_finds_the_same(self):
        c = self.cast
        made = [c.replied(title=f"第{i}号路灯不亮") for i in range(6)]
        expected = sorted(m.pk for m in made)
        for walk in (False, True):
            with self.subTest(walk=walk), mock.patch.object(engines, "common", return_value=walk):
                with executed() as statements:
                    self.assertEqual(sorted(self.search("路灯")), expected)
                (read,) = reading_statements(statements)
                self.assertEqual("ts_match_vq(grams" in read, walk)
                self.assertEqual("grams @@" in read, not walk)
                # The bounds and the audience written in: the band indexes' conditions.
                self.assertIn("audience = 'public'", read)
                self.assertRegex(read, r"message_id >= \d+ AND message_id < \d+")

    def test_how_common_a_query_is_comes_from_the_statistics_of_the_word_index(self):
        c = self.cast
        # Every text holds 路灯 (the cast's), one in ten 井盖.
        for i in range(40):
            c.replied(title="北门井盖松动" if i % 10 == 0 else f"小区停水{i}天")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchdocument")
        shares, floor = engines.token_shares("default")
        self.assertGreater(shares["路灯"], 0.9)
        self.assertLess(shares.get("井盖", floor), 0.15)
        self.assertTrue(engines.common("default", parse("路灯"), None))
        self.assertTrue(engines.common("default", parse("路灯 停水"), None))
        self.assertFalse(engines.common("default", parse("北门井盖"), None), "a term: its rarest bigram")
        self.assertFalse(engines.common("default", parse("路灯 井盖"), None), "two terms: one rare")
        self.assertFalse(engines.common("default", parse("噪音"), None), "not among the commonest")
        # Read once a while, not on every search.
        with CaptureQueriesContext(connection) as queries:
            engines.common("default", parse("路灯"), None)
        self.assertEqual(len(queries), 0)

    def test_the_estimate(self):
        shares = {"路灯": 0.5, "灯不": 0.3, "不亮": 0.4, "维修": 0.2, "修": 0.4, "~r1": 0.5, "~u7": 0.01, "~u8": 0.02}
        with mock.patch.object(engines, "token_shares", return_value=(shares, 0.001)):
            cases = {
                "路灯": 0.5,
                "路灯不亮": 0.3,  # the rarest bigram of one term
                "路灯 维修": 0.1,  # terms independent
                "井盖": 0.001,
            }
            for text, estimate in cases.items():
                with self.subTest(text), mock.patch.object(engines, "WALK_SHARE", estimate):
                    self.assertTrue(engines.common("default", parse(text), None))
                with self.subTest(text), mock.patch.object(engines, "WALK_SHARE", estimate * 1.01):
                    self.assertFalse(engines.common("default", parse(text), None))
            with mock.patch.object(engines, "WALK_SHARE", 0.25):
                # A single character counts where the grams hold characters (the
                # word index is asked for it), as a term does: 0.5 × 0.4.
                self.assertTrue(engines.common("default", parse("路灯 修"), None))
                self.assertFalse(engines.common("default", parse("路灯 修"), None, characters=True))
                self.assertTrue(engines.common("default", parse("路灯 修"), None, characters=False))
            with mock.patch.object(engines, "WALK_SHARE", 0.15):
                self.assertTrue(engines.common("default", parse("路灯"), "('~r1')"))  # 0.25
                self.assertFalse(engines.common("default", parse("路灯"), "('~r1') & ('~u7' | '~u8')"))  # 0.0075
        with mock.patch.object(engines, "token_shares", return_value=({}, 0.0)):
            self.assertFalse(engines.common("default", parse("路灯"), None), "no statistics yet: the index")


@skipUnless(on_postgres, "PostgreSQL's documents-first window")
class CityBoardReadTest(CastTestCase):
    """The city board's search: each document's message looked up in scope against
    the city's counties read once (not joined again under every lookup), and the
    page read with the window's ids bound as one array, in the window's order."""

    def setUp(self):
        self.addCleanup(engines.forget)

    def test_the_lookups_and_the_page(self):
        c = self.cast
        made = []
        for i in range(24):  # in both counties; 路灯 in every body, in one title in three
            m = c.submit(title="出行不便" if i % 3 else "路灯坏了", unit="ac"[i % 2])
            actions.reply(message=m, by=c.handler_a if i % 2 == 0 else c.handler_c, text="已安排维修。")
            made.append(m)
        board = Message.objects.published().in_city(c.city)
        ranked = board.search(parse("路灯"), audience=Audience.PUBLIC)
        with executed() as statements:
            page = list(ranked.values_list("pk", flat=True)[:20])
        (read,) = reading_statements(statements)
        self.assertIn('"handling_message"."region_id" = ANY(ARRAY(SELECT', read)
        self.assertNotIn("JOIN", read.split("LEFT JOIN LATERAL", 1)[1])
        (params,) = [params for sql, params in statements if sql.startswith('SELECT "handling_message"."id"')]
        self.assertEqual([p for p in params if isinstance(p, list)], [page, page], "the ids, and their order")
        self.assertLess(len(params), 20)
        # What the page holds: the titles first (newest first among them), then the rest.
        titled = [m.pk for m in reversed(made) if m.title == "路灯坏了"]
        self.assertEqual(page[: len(titled)], titled)
        self.assertEqual(sorted(page + list(ranked.values_list("pk", flat=True)[20:])), sorted(m.pk for m in made))

    @skipUnless(settings.DB_PREPARE_THRESHOLD, "prepared statements turned off (DB_PREPARE_THRESHOLD=0)")
    def test_the_page_read_by_its_ids_is_prepared_once_for_every_query(self):
        c = self.cast
        cover, water = c.replied(title="北门井盖松动"), c.replied(title="小区停水三天")
        board = Message.objects.published().in_city(c.city).select_related("unit").prefetch_related("stages")
        for i in range(settings.DB_PREPARE_THRESHOLD + 3):
            for word, expected in (("井盖", cover), ("停水", water)):
                with self.subTest(i=i, word=word):
                    with CaptureQueriesContext(connection) as queries:
                        (found,) = board.search(parse(word), audience=Audience.PUBLIC)[:20]
                        # Read with its unit, its stages prefetched once.
                        unit, stages = found.unit, list(found.stages.all())
                    self.assertEqual(found, expected)
                    self.assertEqual((unit, stages), (expected.unit, list(expected.stages.all())))
                    # (Django logs a prepared statement's SQL as None: psycopg does not
                    # send it again.)
                    self.assertEqual(len([q for q in queries if "handling_stage" in (q["sql"] or "")]), 1)
                    if i:  # what the first search read of the index is remembered
                        self.assertEqual(len(queries), 3, "the window, the page, its stages")
                    if i == 0 and word == "井盖":  # prepared on its first run
                        self.assertEqual([p[1:] for p in prepared_statements("%array_position(%")], [(1, 0)])
        prepared = prepared_statements("%array_position(%")
        self.assertEqual(len(prepared), 1, "one statement for both words")
        ((statement, generic, custom),) = prepared
        self.assertIn("= ANY($", statement)
        self.assertGreaterEqual(generic, 3 * 2)
        self.assertEqual(custom, 0)
        # Prefetches and every other statement are bound on the client as before.
        self.assertEqual(connection.connection.cursor_factory.__name__, "Cursor")
        self.assertEqual(prepared_statements("%handling_stage%"), [])

    def test_a_page_that_groups_is_read_bound_on_the_client_and_counts_right(self):
        c = self.cast
        cover = c.replied(title="北门井盖松动")
        actions.reply(message=cover, by=c.handler_a, text="已派人查看。")
        board = Message.objects.published().in_city(c.city).annotate(answers=Count("replies")).order_by()
        for _ in range(settings.DB_PREPARE_THRESHOLD + 2):
            (found,) = board.search(parse("井盖"), audience=Audience.PUBLIC)[:20]
            self.assertEqual((found, found.answers), (cover, cover.replies.count()))
        self.assertGreater(cover.replies.count(), 1)
        self.assertEqual(prepared_statements("%array_position(%"), [])
