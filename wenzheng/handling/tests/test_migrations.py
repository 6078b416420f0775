"""Migration handling 0016: extension requests ended by the message's own course,
written as refused by whoever caused the end, become lapsed and decided by nobody;
an office's refusal stays a refusal."""

from wenzheng.handling import actions
from wenzheng.handling.models import ExtensionRequest
from wenzheng.testing import Cast, ChainTransactionTestCase, local
from wenzheng.topics.tests.test_migrations import leaves, migrate

BEFORE = [("handling", "0015_form_kind_longer")]


class LapsedMigrationTest(ChainTransactionTestCase):
    def tearDown(self):
        migrate(leaves())
        super().tearDown()

    def test_a_lapse_written_as_a_refusal_becomes_a_lapse(self):
        c = Cast()
        at = local(2026, 3, 2, 9)
        ended = actions.request_extension(message=c.submit(at=at), by=c.handler_a, days=3, reason="需协调。", at=at)
        refused = actions.request_extension(message=c.submit(at=at), by=c.handler_a, days=3, reason="需协调。", at=at)
        actions.reject_extension(request=refused, by=c.county_office, reason="理由不足。", at=at)
        # As 0015's code wrote a lapse: refused by the one whose step ended it.
        ExtensionRequest.objects.filter(pk=ended.pk).update(
            status="rejected", decided_by=c.leader_a, decided_at=at, decision_note="留言已回复，延期申请随之失效。"
        )
        migrate(BEFORE)
        migrate(leaves())
        ended.refresh_from_db()
        refused.refresh_from_db()
        self.assertEqual((ended.status, ended.decided_by), ("lapsed", None))
        self.assertEqual((refused.status, refused.decided_by), ("rejected", c.county_office))
