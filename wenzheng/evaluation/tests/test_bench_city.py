"""The benchmarks' city (bench/evaluation.py builds it; bench/pages.py and
bench/unit_access.py measure on it) loads on the schema as it stands, and its
hand-written floor counts what the evaluation counts.

The loader writes rows straight into the tables, naming every column it fills: a
NOT NULL column added to a model without a database default breaks it, and nothing
said so until someone built a city at a million messages (it happened twice). Here a
small city is built in the test database, on both backends."""

import io
import sys
from argparse import Namespace

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from wenzheng.evaluation import facts
from wenzheng.eventlog import chain
from wenzheng.handling.models import Message, Stage
from wenzheng.reports import periods
from wenzheng.testing import ChainTransactionTestCase
from wenzheng.units.models import Region


def _bench():
    path = str(settings.BASE_DIR / "bench")
    if path not in sys.path:
        sys.path.insert(0, path)
    import evaluation

    return evaluation


class BenchCityTest(ChainTransactionTestCase):
    def test_a_small_city_loads_and_its_floor_counts_what_the_evaluation_counts(self):
        bench = _bench()
        loader = bench.Loader(connection)
        try:
            bench.build(Namespace(units=40, messages=600, seed=2026), loader)
        except Exception:
            loader.restore()  # the indexes it dropped, for the tests after this one
            raise
        self.assertEqual(Message.objects.count(), 600)
        self.assertTrue(Stage.objects.exists())

        city = Region.objects.get(code="bench-city")
        window = facts.Window.of(periods.parse(str(bench.YEAR)), bench._aware(bench.NOW))
        totals = bench.check_floor_agrees(bench.floor(connection, city, window), facts.collect(city, window))
        self.assertGreater(totals["due"], 600)  # every message's response and reply stages
        self.assertGreater(totals["rated"], 0)

        # Its events are the product's: keyed chains that verify, and a replay that
        # rebuilds the records from them.
        checked, broken = chain.verify()
        self.assertIsNone(broken)
        self.assertGreater(checked, 600)
        out = io.StringIO()
        call_command("verify_events", replay=True, stdout=out)
        self.assertIn("checked against", out.getvalue())
