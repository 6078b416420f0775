"""The workspace's reads agree with the domain's own definitions they stand in for."""

import datetime as dt

import time_machine

from wenzheng.handling import actions
from wenzheng.supervision.models import WrittenExplanationOrder
from wenzheng.testing import local
from wenzheng.workdays import clock

from .. import selectors
from .base import MONDAY, NOW, WorkspaceTestCase


class CountdownTests(WorkspaceTestCase):
    def test_it_counts_working_days_left_as_the_clock_does(self):
        # Around the 2026 Spring Festival (holidays 15–23 February, make-up Saturdays
        # 14 and 28 February) and across the year end.
        dues = [local(2026, 2, d) for d in range(10, 29)] + [local(2026, 3, 3), local(2027, 1, 5)]
        for at in (local(2026, 2, 13, 9), local(2026, 2, 24, 9), local(2026, 12, 30, 9)):
            countdown = selectors.Countdown(dues, at=at)
            for due in dues:
                with self.subTest(at=at, due=due):
                    self.assertEqual(countdown.days_left(due), clock.working_days_left(due, at=at))

    def test_due_soon_is_one_working_day_or_less_and_overdue_is_past_the_deadline(self):
        message = self.cast.submit(at=MONDAY)
        response = message.stages.get(kind="response")  # due 24:00 Tuesday 3 March
        self.assertTrue(selectors.Countdown([response.due_at], at=MONDAY).deadline(response).due_soon)
        at_midnight = selectors.Countdown([response.due_at], at=local(2026, 3, 4)).deadline(response)
        self.assertTrue(at_midnight.overdue)
        self.assertFalse(at_midnight.due_soon)
        self.assertEqual(at_midnight.last_day, dt.date(2026, 3, 3))
        reply = message.stages.get(kind="reply")  # due 24:00 Monday 9 March
        self.assertFalse(selectors.Countdown([reply.due_at], at=MONDAY).deadline(reply).due_soon)


class BacklogStatusTests(WorkspaceTestCase):
    def test_it_agrees_with_the_orders_own_rule(self):
        cast = self.cast
        replied_in_time = cast.submit(at=MONDAY)
        replied_late = cast.submit(at=MONDAY)
        never = cast.submit(at=MONDAY)
        at_the_deadline = cast.submit(at=MONDAY)
        deadline = local(2026, 3, 7)
        orders = [
            actions.order_written_explanation(
                unit=cast.unit_a, by=cast.county_office, reason=f"{i}", messages=ms, backlog_deadline=deadline, at=NOW
            )
            for i, ms in enumerate(
                [[replied_in_time], [replied_late], [never], [replied_in_time, never], [], [at_the_deadline]]
            )
        ]
        actions.reply(message=replied_in_time, by=cast.handler_a, text="按期", at=local(2026, 3, 5))
        actions.reply(message=replied_late, by=cast.handler_a, text="逾期", at=local(2026, 3, 9))
        # 24:00 on the 6th is missed by a reply at 00:00 on the 7th.
        actions.reply(message=at_the_deadline, by=cast.handler_a, text="零点", at=deadline)
        for at in (local(2026, 3, 5, 12), local(2026, 3, 10)):
            with time_machine.travel(at, tick=False):
                found = selectors.with_backlog_status(WrittenExplanationOrder.objects.all(), at=at)
                for order in found:
                    with self.subTest(at=at, order=order.reason):
                        self.assertEqual(order.cleared, order.backlog_cleared_in_time(at=at))
        self.assertEqual(len(orders), 6)
