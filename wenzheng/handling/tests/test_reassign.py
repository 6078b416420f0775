"""改派: the county office moves a wrongly dispatched message before the unit responds,
with a reason; the first unit's stages end as reassigned and count for nobody."""

from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import ExtensionRequest, Stage
from wenzheng.testing import local

from .helpers import HandlingTestCase

MONDAY = local(2026, 3, 2, 9)
WEDNESDAY = local(2026, 3, 4, 10)


class ReassignTest(HandlingTestCase):
    def test_the_first_units_stages_end_as_reassigned_and_the_new_units_start_now(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        pending = actions.request_extension(message=message, by=c.handler_a, days=2, reason="需勘查。", at=MONDAY)
        actions.reassign(message=message, by=c.county_office, unit=c.unit_b, reason="路灯归住建局管理。", at=WEDNESDAY)
        message.refresh_from_db()
        self.assertEqual((message.unit, message.state), (c.unit_b, "dispatched"))
        old = message.stages.filter(unit=c.unit_a)
        self.assertEqual(set(old.values_list("outcome", "completed_at")), {(Stage.Outcome.REASSIGNED, WEDNESDAY)})
        new = message.stages.filter(unit=c.unit_b, completed_at__isnull=True)
        self.assertEqual(
            sorted(new.values_list("kind", "started_at", "due_at")),
            [("reply", WEDNESDAY, local(2026, 3, 12)), ("response", WEDNESDAY, local(2026, 3, 6))],
        )
        pending.refresh_from_db()
        self.assertEqual((pending.status, pending.decision_note), ("lapsed", "留言已改派，原单位的延期申请随之失效。"))
        event = message.events.filter(kind=Event.Kind.REASSIGNED).get()
        said = {k: v for k, v in event.data.items() if k != "stages"}  # stage changes, for replay
        self.assertEqual((event.note, said), ("路灯归住建局管理。", {"to_unit": c.unit_b.pk, "from_unit": c.unit_a.pk}))
        self.assertEqual(ExtensionRequest.objects.filter(status="pending").count(), 0)

    def test_only_before_the_unit_responds(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        actions.respond(message=message, by=c.handler_a, at=MONDAY)
        self.assertRefused(
            "wrong_state", actions.reassign, message=message, by=c.county_office, unit=c.unit_b, reason="错派。"
        )

    def test_it_needs_another_unit_of_the_county_and_a_reason(self):
        c = self.cast
        message = c.submit(at=MONDAY)
        for unit, reason, code in (
            (c.unit_a, "错派。", "same_unit"),
            (c.unit_c, "错派。", "unit_outside_region"),
            (c.unit_b, "  ", "missing_text"),
        ):
            with self.subTest(code=code):
                self.assertRefused(
                    code, actions.reassign, message=message, by=c.county_office, unit=unit, reason=reason
                )
