"""The recount after a calendar change commits a batch at a time: a city's 112,000
open stages are never held in one write transaction, and a recount that stops half
way keeps what it did (the next one does the rest)."""

from unittest import mock

from django.db import connection

from wenzheng.handling import deadlines
from wenzheng.handling.models import Stage
from wenzheng.testing import Cast, ChainTransactionTestCase, local
from wenzheng.workdays import clock
from wenzheng.workdays.models import CalendarDay, CalendarYear


class RecountBatchTests(ChainTransactionTestCase):
    def setUp(self):
        self.cast = Cast()
        # Five messages, each with two open stages (ten, pk order: response, reply);
        # 2027 is not entered, so the replies are due on 2027-01-07 by weekdays.
        self.messages = [self.cast.submit(at=local(2026, 12, 30, 10), title=f"第{i}条") for i in range(5)]
        self.replies = [m.stages.get(kind=Stage.Kind.REPLY) for m in self.messages]
        self.assertEqual({r.due_at for r in self.replies}, {local(2027, 1, 7)})
        CalendarDay.objects.create(date="2027-01-01", kind="holiday", name="元旦")
        CalendarYear.objects.create(year=2027, source="国务院办公厅通知")
        clock.forget_calendar()

    def due(self):
        return [Stage.objects.get(pk=r.pk).due_at for r in self.replies]

    def test_each_batch_is_committed_before_the_next_and_a_failure_keeps_the_ones_done(self):
        seen = []
        real = deadlines._recompute

        def third_fails(ids, **kwargs):
            if len(seen) == 2:
                raise RuntimeError("the worker was stopped")
            return real(ids, **kwargs)

        def on_batch():
            seen.append(connection.in_atomic_block)  # nothing left open between batches

        with (
            mock.patch.object(deadlines, "BATCH", 4),
            mock.patch.object(deadlines, "_recompute", side_effect=third_fails),
            self.assertRaises(RuntimeError),
        ):
            deadlines.recompute_open_deadlines(by=None, at=local(2026, 12, 31, 9), on_batch=on_batch)

        self.assertEqual(seen, [False, False])
        # Stages 1–8 (four messages) were recounted and stay so; the fifth was not reached.
        self.assertEqual(self.due(), [local(2027, 1, 8)] * 4 + [local(2027, 1, 7)])

        with mock.patch.object(deadlines, "BATCH", 4):
            moved = deadlines.recompute_open_deadlines(by=None, at=local(2026, 12, 31, 9))
        self.assertEqual(moved, 1)
        self.assertEqual(self.due(), [local(2027, 1, 8)] * 5)
