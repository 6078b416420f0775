import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenzheng.units import services
from wenzheng.units.models import Unit

from .base import MONDAY, NOW, WorkspaceTestCase

URL = "/work/county/luocheng/units/"


@time_machine.travel(NOW, tick=False)
class CountyUnitsTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        services.roster_file(
            unit=cast.unit_a,
            year=2026,
            leader=cast.leader_a,
            handlers=[cast.handler_a, cast.handler_a2],
            by=cast.leader_a,
            at=MONDAY,
        )
        services.roster_file(
            unit=cast.unit_b, year=2026, leader=cast.leader_b, handlers=[cast.handler_b], by=cast.leader_b, at=MONDAY
        )
        cast.submit(at=MONDAY, title="超期")
        cast.submit(at=NOW, title="未超期")
        cast.replied(at=MONDAY, title="已回复")
        cls.new_unit = Unit.objects.create(
            region=cast.county, name="四把镇", kind="township", registered_on=dt.date(2026, 2, 1)
        )

    def test_it_is_for_the_county_office(self):
        self.assertAccess(URL, allowed={"county_office", "admin"}, hidden={"other_county_office"})

    def test_it_shows_each_unit_with_its_roster_and_counts(self):
        self.as_("county_office")
        response = self.client.get(URL)
        rows = {u.name: u for u in response.context["units"]}
        self.assertEqual((rows["东门镇"].open_count, rows["东门镇"].overdue_count), (3, 1))
        self.assertEqual((rows["县住房和城乡建设局"].open_count, rows["县住房和城乡建设局"].overdue_count), (0, 0))
        self.assertContains(response, "实名上网单位与2026年度名单")
        self.assertContains(response, "2026-02-01")
        content = response.content.decode()
        row = content[content.index('<th scope="row">东门镇') :]
        row = row[: row.index("</tr>")]
        self.assertIn('<span class="badge ok">完整</span>', row)
        self.assertIn('<span class="badge bad">1</span>', row)
        self.assertContains(response, '<span class="badge bad">不完整</span>', html=True)
        self.assertContains(response, '<span class="badge warn">未上报</span>', html=True)
        self.assertNotContains(response, "思恩镇")

    def test_it_links_to_the_admin_for_units_calendar_and_deadline_rules(self):
        self.as_("county_office")
        response = self.client.get(URL)
        self.assertContains(response, 'href="/admin/units/unit/"')
        self.assertContains(response, 'href="/admin/workdays/calendarday/"')
        self.assertContains(response, 'href="/admin/handling/category/"')
        self.assertContains(response, f'href="/admin/units/unit/{self.cast.unit_a.pk}/change/"')
        # The county's own sign-off setting (审核后公开), where it is changed.
        self.assertContains(
            response, f'href="/admin/units/region/{self.cast.county.pk}/change/">回复审核：全县未开启</a>'
        )

    def test_it_reads_in_a_fixed_number_of_queries(self):
        self.as_("county_office")
        with CaptureQueriesContext(connection) as few:
            self.client.get(URL)
        for i in range(3):
            Unit.objects.create(
                region=self.cast.county, name=f"新单位{i}", kind="department", registered_on=dt.date(2026, 1, 1)
            )
        with CaptureQueriesContext(connection) as many:
            self.client.get(URL)
        self.assertEqual(len(many), len(few))
