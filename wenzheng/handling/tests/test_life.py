"""A message's whole life through the actions, with the events it leaves."""

from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message, Stage
from wenzheng.testing import CastTestCase, local


class LifeTest(CastTestCase):
    def test_a_consultation_from_submission_to_rating(self):
        c = self.cast
        m = c.submit(unit=None, at=local(2026, 3, 2, 9))
        self.assertEqual(m.serial, "2026-000001")
        self.assertEqual(m.state, Message.State.PENDING_DISPATCH)
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_a, at=local(2026, 3, 2, 10))
        actions.respond(message=m, by=c.handler_a, at=local(2026, 3, 2, 15))
        actions.reply(message=m, by=c.handler_a, text="已处理。", at=local(2026, 3, 4, 11))
        actions.close(message=m, by=c.leader_a, kind="answered", at=local(2026, 3, 4, 12))
        actions.rate(message=m, who=actions.Citizen(user=c.citizen), rating="satisfied", at=local(2026, 3, 5, 9))
        m.refresh_from_db()
        self.assertEqual(m.state, Message.State.CLOSED)
        self.assertEqual(m.rating, "satisfied")
        outcomes = dict(m.stages.values_list("kind", "outcome"))
        self.assertEqual(outcomes, {Stage.Kind.RESPONSE: "on_time", Stage.Kind.REPLY: "on_time"})
        kinds = list(m.events.values_list("kind", flat=True))
        self.assertEqual(kinds, ["submitted", "dispatched", "responded", "replied", "closed", "rated"])
        self.assertEqual(chain.verify(), (6, None))
        self.assertEqual(Event.objects.get(kind="closed").actor_role, "leader")
