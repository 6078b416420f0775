"""The calendar recount and the steps on the messages whose deadlines it counts again,
at the same moment, from separate connections on PostgreSQL (SQLite has one writer
at a time). A step locks its message and then its stages; the recount locked a batch
of stages alone, and then the event each change appends waited for the message
(its foreign key takes a share of the message's row lock): each waited on the other,
and PostgreSQL aborted one with "deadlock detected" (a unit's reply, the office's
decision on an extension). The recount locks the batch's messages first, in
ascending id order as every step that locks several does."""

import datetime as dt
from unittest import skipUnless

from django.db import connection

from wenzheng.accounts.policy import ActionRefused
from wenzheng.eventlog import chain, replay
from wenzheng.handling import actions
from wenzheng.handling.deadlines import recompute_open_deadlines, rejudge_fallback_stages
from wenzheng.handling.models import ExtensionRequest, Message, Stage
from wenzheng.testing import Cast, ChainTransactionTestCase, collide, local
from wenzheng.workdays.models import CalendarDay


@skipUnless(connection.vendor == "postgresql", "row locks: PostgreSQL")
class RecountAndDecisionTest(ChainTransactionTestCase):
    """Two messages of 2026-12-31 replied late on 2027-01-08 by the weekdays-only guess
    (due at the end of 01-07), each with its extension asked in time and waiting;
    01-01 entered as a holiday makes both replies in time, and the recount lapses
    both requests."""

    def setUp(self):
        c = self.cast = Cast()
        self.requests = []
        for _ in range(2):
            m = c.submit(at=local(2026, 12, 31, 9))
            self.requests.append(
                actions.request_extension(message=m, by=c.handler_a, days=3, reason="需核实。", at=local(2027, 1, 5, 9))
            )
            actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2027, 1, 8, 10))
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")

    def test_the_office_approves_while_the_recount_lapses_the_request(self):
        """The recount, holding both replies' stages, waits for the first request (held
        elsewhere); the office approves the second meanwhile. Let go, the recount
        lapses both, and the approval finds its request lapsed."""
        c = self.cast
        first, second = self.requests
        (_, recount_error), (_, approval_error) = collide(
            ExtensionRequest.objects.filter(pk=first.pk),
            lambda: rejudge_fallback_stages(by=c.admin, at=local(2027, 1, 11, 9)),
            lambda: actions.approve_extension(request=second, by=c.county_office, at=local(2027, 1, 11, 9, 30)),
        )
        self.assertIsNone(recount_error)
        self.assertIsInstance(approval_error, ActionRefused)
        self.assertEqual(approval_error.code, "already_decided")
        self.assertEqual(set(ExtensionRequest.objects.values_list("status", flat=True)), {"lapsed"})
        self.assertEqual(
            set(Stage.objects.filter(kind="reply").values_list("outcome", flat=True)), {Stage.Outcome.ON_TIME}
        )
        self.assertEqual(replay.replay().differences, [])
        self.assertIsNone(chain.verify()[1])


@skipUnless(connection.vendor == "postgresql", "row locks: PostgreSQL")
class RecountAndReplyTest(ChainTransactionTestCase):
    """Two messages of 2026-12-31, open, their deadlines in 2027 counted by the
    weekdays-only guess; 01-01 entered as a holiday moves every one of them."""

    def setUp(self):
        c = self.cast = Cast()
        self.first, self.second = c.submit(at=local(2026, 12, 31, 9)), c.submit(at=local(2026, 12, 31, 9))
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")

    def test_the_unit_replies_while_the_recount_moves_the_deadlines(self):
        """The recount waits for the first message (held elsewhere); the unit replies
        to the second meanwhile. Both are done: the reply in time, the first
        message's deadlines moved."""
        c = self.cast
        (moved, recount_error), (_, reply_error) = collide(
            Message.objects.filter(pk=self.first.pk),
            lambda: recompute_open_deadlines(by=c.admin, at=local(2027, 1, 4, 9)),
            lambda: actions.reply(message=self.second, by=c.handler_a, text="已处理。", at=local(2027, 1, 4, 9, 30)),
        )
        self.assertEqual((recount_error, reply_error), (None, None))
        self.assertEqual(self.second.stages.get(kind="reply").outcome, Stage.Outcome.ON_TIME)
        # 01-04 to 01-08 the five working days: due at 24:00 on 01-08.
        self.assertEqual(self.first.stages.get(kind="reply").due_at, local(2027, 1, 9))
        self.assertGreaterEqual(moved, 2)
        self.assertEqual(replay.replay().differences, [])
        self.assertIsNone(chain.verify()[1])
