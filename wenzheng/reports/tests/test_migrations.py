"""Migration 0006: the kept figures of messages whose follow-up answer was counted as
their reply are counted again."""

from unittest import mock

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Min

from wenzheng.handling import actions
from wenzheng.handling.models import Reply
from wenzheng.reports import periods, tally
from wenzheng.testing import Cast, ChainTransactionTestCase, local

BEFORE = [("reports", "0005_alter_regiontally_options_alter_unittally_options")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


ANSWERS = tally._answers


def answers_as_before(ids):
    """`tally._answers` as it read replies before: every one, a follow-up's answer too."""
    _first_replies, events = ANSWERS(ids)
    first_replies = dict(
        Reply.objects.filter(message_id__in=list(ids))
        .values("message_id")
        .annotate(at=Min("at"))
        .values_list("message_id", "at")
    )
    return first_replies, events


class RecountMigrationTest(ChainTransactionTestCase):
    def tearDown(self):
        migrate(leaves())
        super().tearDown()

    def test_a_follow_up_answer_kept_as_a_reply_is_counted_again(self):
        c = Cast()
        main = c.submit(at=local(2026, 3, 2, 9))
        dup = c.submit(unit="b", by="other_citizen", at=local(2026, 3, 2, 10))
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题", at=local(2026, 3, 2, 11))
        actions.reply(message=main, by=c.handler_a, text="答复。", at=local(2026, 3, 3, 9))
        asked = actions.follow_up(
            message=dup, who=actions.Citizen(user=c.other_citizen), text="何时修？", at=local(2026, 3, 4, 9)
        )
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=local(2026, 3, 5, 9))
        actions.unmerge_duplicate(message=dup, by=c.county_office, reason="并错了", at=local(2026, 3, 6, 9))
        q1, now = periods.parse("2026Q1"), local(2026, 3, 20, 9)
        # The kept figures as the code before counted them: the merged-off message replied.
        with mock.patch.object(tally, "_answers", answers_as_before), transaction.atomic():
            tally.sync_many([dup.pk])
        self.assertEqual(tally.figures(c.county, q1, now=now).replied, 2)
        self.assertNotEqual(tally.check(c.county, q1, now=now), [])
        migrate(BEFORE)
        migrate(leaves())
        self.assertEqual(tally.figures(c.county, q1, now=now).replied, 1)
        self.assertEqual(tally.check(c.county, q1, now=now), [])
