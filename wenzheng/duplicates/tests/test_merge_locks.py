"""并单 and the steps on a merged message at the same moment, from separate connections
on PostgreSQL (SQLite has one writer at a time for the whole file): none waits on
another in a circle, which PostgreSQL would end by aborting one of them with
"deadlock detected".

A step on a merged message locks it and its main message (a follow-up, a rating, an
answer to the follow-up and its sign-off, a 重办 on its 回访, 撤销并单); a merge locks
both messages, the main message's main, and the messages merged into the one it
merges (they move along). Every such step takes its message locks in ascending id
order, as the search index's batches do (search.index.refresh).

Each test makes the collision certain rather than likely (wenzheng.testing.collide):
a third connection holds one message's lock, both steps are started and seen
waiting, and the lock is let go; the first step queued gets it first."""

from unittest import skipUnless

from django.db import connection

from wenzheng.accounts.policy import ActionRefused
from wenzheng.eventlog import chain, replay
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Revisit
from wenzheng.search import index as search_index
from wenzheng.testing import Cast, ChainTransactionTestCase, collide

from .helpers import LAMP, LAMP_AGAIN, LAMP_NORTH, MONDAY, TUESDAY, write

S = Message.State
LATER = TUESDAY.replace(day=5)


@skipUnless(connection.vendor == "postgresql", "row locks: PostgreSQL")
class MergeLockOrderTest(ChainTransactionTestCase):
    """The main message is unit A's, written first (the lower id); the duplicate,
    another citizen's, was sent to unit B and merged into it."""

    def setUp(self):
        c = self.cast = Cast()
        self.main = write(c, LAMP, unit=c.unit_a, by=c.citizen, phone="13900000001")
        self.dup = write(c, LAMP_AGAIN, unit=c.unit_b, by=c.other_citizen, phone="13900000002", name="王五")
        actions.merge_duplicate(message=self.dup, into=self.main, by=c.county_office, reason="同一路段。", at=TUESDAY)
        self.assertLess(self.main.pk, self.dup.pk)
        self.me = actions.Citizen(user=c.other_citizen)

    def collide(self, held, *works):
        return collide(Message.objects.filter(pk=held.pk), *works)

    def assertReplays(self):
        self.assertEqual(replay.replay().differences, [])
        self.assertIsNone(chain.verify()[1])

    def test_a_follow_up_on_the_merged_message_and_a_second_merge_of_the_same_pair(self):
        """The office merges the pair again from a page loaded before the first merge
        (refused: it is merged already) while the duplicate's citizen follows up."""
        c = self.cast
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修，本周修复。", at=TUESDAY)
        (asked, asking_error), (_, merging_error) = self.collide(
            self.dup,
            lambda: actions.follow_up(message=self.dup, who=self.me, text="路口那盏也坏了吗？", at=LATER),
            lambda: actions.merge_duplicate(
                message=self.dup, into=self.main, by=c.county_office, reason="同一路段。", at=LATER
            ),
        )
        self.assertIsNone(asking_error)
        self.assertEqual(asked.message_id, self.dup.pk)
        self.assertIsInstance(merging_error, ActionRefused)
        self.assertEqual(merging_error.code, "wrong_state")
        self.assertReplays()

    def test_a_follow_up_and_the_merge_undone_at_once(self):
        """Not a circle even before the order was one: both lock the duplicate and
        then its main message. The follow-up comes first; the undoing ends its 回访."""
        c = self.cast
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修，本周修复。", at=TUESDAY)
        (asked, asking_error), (undone, undoing_error) = self.collide(
            self.dup,
            lambda: actions.follow_up(message=self.dup, who=self.me, text="路口那盏也坏了吗？", at=LATER),
            lambda: actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。", at=LATER),
        )
        self.assertEqual((asking_error, undoing_error), (None, None))
        self.assertEqual(undone.state, S.DISPATCHED)
        self.assertEqual(Revisit.objects.get(follow_up=asked).state, Revisit.State.REOPENED)
        self.assertReplays()

    def test_a_merge_undone_while_its_main_message_is_merged_into_another(self):
        """The main message is merged into a third, carrying the duplicate along, while
        another member of the office undoes the duplicate's merge: either order is a
        sound outcome, and both steps are taken."""
        c = self.cast
        north = write(c, LAMP_NORTH, unit=c.unit_a, phone="13900000003", at=MONDAY)
        (undone, undoing_error), (merged, merging_error) = self.collide(
            self.dup,
            lambda: actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="不是同一路段。", at=LATER),
            lambda: actions.merge_duplicate(
                message=self.main, into=north, by=c.county_office, reason="同一条路。", at=LATER
            ),
        )
        self.assertEqual((undoing_error, merging_error), (None, None))
        self.assertEqual((undone.state, undone.merged_into_id), (S.DISPATCHED, None))
        self.assertEqual((merged.state, merged.merged_into_id), (S.MERGED, north.pk))
        self.assertFalse(Message.objects.filter(merged_into=self.main).exists())
        self.assertReplays()

    def test_a_follow_up_read_before_a_merge_that_commits_first_follows_the_merge(self):
        """The follow-up read its message unmerged (and unanswered: on its own, it would
        be refused), and so was to lock it alone; the merge took the lock first and
        committed: the follow-up gives its lock back, locks the pair, and asks about
        the main message's answer."""
        c = self.cast
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修，本周修复。", at=TUESDAY)
        again = write(c, LAMP_AGAIN, unit=c.unit_b, by=c.other_citizen, phone="13900000002", name="王五")
        (merged, merging_error), (asked, asking_error) = self.collide(
            again,
            lambda: actions.merge_duplicate(
                message=again, into=self.main, by=c.county_office, reason="同一路段。", at=LATER
            ),
            lambda: actions.follow_up(message=again, who=self.me, text="路口那盏也坏了吗？", at=LATER),
        )
        self.assertEqual((merging_error, asking_error), (None, None))
        self.assertEqual(merged.merged_into_id, self.main.pk)
        self.assertEqual((asked.message_id, asked.revisit.unit), (again.pk, c.unit_a))
        self.assertEqual(again.events.get(kind=Event.Kind.FOLLOWED_UP).data["main"], self.main.pk)
        self.assertReplays()

    def test_a_rating_of_the_merged_message_while_the_search_rewrites_both(self):
        """The search's refresh locks its batch in ascending id order (the main
        message first) while the duplicate's citizen rates the main message's answer."""
        c = self.cast
        actions.reply(message=self.main, by=c.handler_a, text="已安排维修，本周修复。", at=TUESDAY)
        (rated, rating_error), (_, refresh_error) = self.collide(
            self.dup,
            lambda: actions.rate(message=self.dup, who=self.me, rating="satisfied", at=LATER),
            lambda: search_index.refresh([self.main.pk, self.dup.pk]),
        )
        self.assertEqual((rating_error, refresh_error), (None, None))
        self.assertEqual(rated.rating, "satisfied")
        self.assertReplays()
