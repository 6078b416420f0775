"""The demo county as tests read it: built once, at one moment, for every test that
needs the whole county (a minute to build, two on PostgreSQL)."""

import io

from django.core.management import call_command

from wenzheng.testing import ClassDataTestCase, local
from wenzheng.units.models import Region

# The figures the issues quote were counted on the demo county as built on 30 November.
NOW = local(2026, 11, 30, 12)


class DemoCountyTestCase(ClassDataTestCase):
    """The demo county built at NOW; `output` is what loaddemo printed. Tests of other
    apps that read the whole county are mixed into one class of this
    (wenzheng.demo.tests.test_loaddemo.DemoCountyTest), so it is built once per run;
    the suite runs it first (conftest.py), so that one worker runs it whole."""

    run_first = True

    @classmethod
    def setUpTestData(cls):
        out = io.StringIO()
        call_command("loaddemo", "--demo", "--now", NOW.isoformat(), stdout=out)
        cls.output = out.getvalue()
        cls.county = Region.objects.get(code="luocheng")
