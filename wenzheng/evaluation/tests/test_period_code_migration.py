"""Migration evaluation 0010: runs and bulletins stored with a period as typed take
its one code, so that a period typed another way is not published again."""

import datetime as dt

from django.utils import timezone

from wenzheng.testing import Cast, ChainTransactionTestCase
from wenzheng.topics.tests.test_migrations import leaves, migrate

BEFORE = [("evaluation", "0009_bulletin_scheme")]


class PeriodCodeMigrationTest(ChainTransactionTestCase):
    def tearDown(self):
        migrate(leaves())
        super().tearDown()

    def test_codes_typed_as_dates_become_the_periods_code(self):
        c = Cast()
        apps = migrate(BEFORE)
        Bulletin = apps.get_model("evaluation", "PublishedBulletin")
        at = timezone.now()
        typed = Bulletin.objects.create(
            region_id=c.county.pk,
            period_code="2026-01-01..2026-03-31",
            published_at=at,
            published_by_id=c.county_office.pk,
        )
        # The same quarter published twice before: the second keeps its address.
        Bulletin.objects.create(
            region_id=c.other_county.pk, period_code="2026Q1", published_at=at, published_by_id=c.other_county_office.pk
        )
        twice = Bulletin.objects.create(
            region_id=c.other_county.pk,
            period_code="2026-01-01..2026-03-31",
            published_at=at + dt.timedelta(minutes=1),
            published_by_id=c.other_county_office.pk,
        )
        odd = Bulletin.objects.create(
            region_id=c.county.pk,
            period_code="2026-01-01..2026-02-15",
            published_at=at,
            published_by_id=c.county_office.pk,
        )
        apps = migrate(leaves())
        codes = dict(apps.get_model("evaluation", "PublishedBulletin").objects.values_list("pk", "period_code"))
        self.assertEqual(
            (codes[typed.pk], codes[twice.pk], codes[odd.pk]),
            ("2026Q1", "2026-01-01..2026-03-31", "2026-01-01..2026-02-15"),
        )
