"""The public lists read published messages through their partial indexes."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from wenzheng.handling.models import PUBLISHED_STATES, Message


class PublishedPlanTest(TestCase):
    def test_every_state_but_spam_and_merged_may_be_public(self):
        # Public once answered (Message.answered), in whatever state a reopening leaves.
        self.assertEqual(set(PUBLISHED_STATES), set(Message.State.values) - {"spam", "merged"})

    @skipUnless(connection.vendor == "sqlite", "SQLite's planner and bound parameters")
    def test_each_list_can_read_its_partial_index(self):
        # Which index the planner picks depends on the tables' statistics; whether it
        # may pick a partial index at all depends on the WHERE clause. INDEXED BY makes
        # SQLite use the named index or fail with "no query solution".
        lists = {
            "message_published_recent": Message.objects.published(),
            "message_published_region": Message.objects.published().filter(region_id=1),
        }
        for index, found in lists.items():
            with self.subTest(index=index):
                sql, params = found.order_by("-submitted_at", "-pk")[:20].query.sql_with_params()
                sql = sql.replace('FROM "handling_message"', f'FROM "handling_message" INDEXED BY "{index}"', 1)
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    self.assertEqual(cursor.fetchall(), [])
