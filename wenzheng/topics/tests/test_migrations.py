"""Migration 0004: the decisions a suggestion held (one each) become RoutingDecision
rows, and 0005 marks them as the model's offers."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from wenzheng.handling import actions
from wenzheng.testing import Cast, ChainTransactionTestCase, local
from wenzheng.topics.models import RoutingDecision

BEFORE = [("topics", "0003_routing_suggestions")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


class DecisionMigrationTest(ChainTransactionTestCase):
    def tearDown(self):
        migrate(leaves())
        super().tearDown()

    def test_each_decision_held_by_a_suggestion_becomes_its_first_dispatch_decision(self):
        c = Cast()
        at = local(2026, 3, 2, 9)
        decided, waiting = c.submit(unit=None, at=at), c.submit(unit=None, at=at, title="还没交办")
        actions.dispatch(message=decided, by=c.county_office, unit=c.unit_b, at=at)
        apps = migrate(BEFORE)
        Suggestion = apps.get_model("topics", "RoutingSuggestion")
        common = {"model_version": "v1", "computed_at": at, "unit_id": c.unit_a.pk, "unit_confidence": 0.7}
        Suggestion.objects.create(
            message_id=decided.pk, decision="overridden", decided_by_id=c.county_office.pk, decided_at=at,
            chosen_unit_id=c.unit_b.pk, category_id=c.appeal.pk, **common,
        )  # fmt: skip
        Suggestion.objects.create(message_id=waiting.pk, **common)
        migrate(leaves())
        [decision] = RoutingDecision.objects.all()
        self.assertEqual(decision.suggestion.message_id, decided.pk)
        self.assertEqual(
            (decision.occasion, decision.decided_by, decision.offered_unit, decision.chosen_unit),
            ("dispatch", c.county_office, c.unit_a, c.unit_b),
        )
        self.assertEqual((decision.unit_decision, decision.unit_source), ("overridden", "model"))
        # The category offered against the message's own (a 咨询): overridden; no topic offered.
        self.assertEqual((decision.category_decision, decision.topic_decision), ("overridden", ""))
