"""What the handling tests share: a way to prove that a refused action changed
nothing at all. (The fast test password hasher is set for every test in conftest.py.)"""

from django.apps import apps

from wenzheng.accounts.policy import ActionRefused
from wenzheng.testing import CastTestCase

# Every table an action may write. A refusal must leave each exactly as it was.
WRITTEN_TABLES = [
    "handling.Message",
    "handling.Stage",
    "handling.Reply",
    "handling.FollowUp",
    "handling.ExtensionRequest",
    "handling.ReplyDraft",
    "handling.Revisit",
    "handling.SerialCounter",
    "handling.Category",
    "eventlog.Event",
    "eventlog.ChainHead",
    "supervision.WrittenExplanationOrder",
    "supervision.SupervisionFinding",
    "supervision.Exposure",
    "supervision.AccountabilityReferral",
    "units.RosterFiling",
    "units.RosterMember",
    "units.Unit",
    "notifications.Notice",
    "notifications.Delivery",
]


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table an action may write, in primary-key order."""
    rows = {}
    for label in WRITTEN_TABLES:
        model = apps.get_model(label)
        rows[label] = list(model.objects.order_by("pk").values_list())
    order_messages = apps.get_model("supervision.WrittenExplanationOrder").messages.through
    rows["order_messages"] = list(order_messages.objects.order_by("pk").values_list())
    return rows


class HandlingTestCase(CastTestCase):
    def assertRefused(self, code, action, *args, **kwargs):
        """`action(*args, **kwargs)` raises ActionRefused with `code` and a reason for
        the person, and leaves the database exactly as it found it."""
        before = snapshot()
        with self.assertRaises(ActionRefused) as caught:
            action(*args, **kwargs)
        self.assertEqual(caught.exception.code, code, caught.exception.reason)
        self.assertTrue(caught.exception.reason.strip(), "a refusal must say why")
        after = snapshot()
        for table in before:
            self.assertEqual(after[table], before[table], f"a refused action changed {table}")
        return caught.exception
