"""The evaluation's pages and refusals name a district's offices as 区、市网络问政办,
not 县、市网络问政办; the demo's county still reads 县、市网络问政办; a refusal to
publish names the offices that may by their full names (the one refused may be
another county's 县网络问政办)."""

from wenzheng.accounts.policy import ActionRefused
from wenzheng.evaluation import publication, runs
from wenzheng.evaluation.models import Scheme
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, District, local

Q1 = periods.parse("2026Q1")


class DistrictEvaluationTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.district = District(cls.cast)

    def refusal(self, user, url="/evaluation/") -> str:
        self.client.force_login(user)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 403)
        return response.context["exception"]

    def test_a_districts_handler_is_told_whose_pages_they_are(self):
        self.assertEqual(self.refusal(self.district.handler), "绩效考评页面仅供区、市网络问政办使用。")
        self.assertEqual(self.refusal(self.cast.handler_a), "绩效考评页面仅供县、市网络问政办使用。")
        # A citizen of no one county, on a city's several: by no level.
        self.assertEqual(self.refusal(self.cast.citizen), "绩效考评页面仅供网络问政办使用。")

    def test_the_scheme_pages_name_the_readers_offices(self):
        self.client.force_login(self.district.office)
        page = self.client.get("/evaluation/schemes/")
        self.assertContains(page, "区、市网络问政办修改或导入的方案属于本区域")
        self.assertNotContains(page, "县、市网络问政办")
        shared = Scheme.objects.latest_version("default")
        detail = self.client.get(f"/evaluation/schemes/{shared.pk}/")
        self.assertContains(detail, "区、市网络问政办修改后另存为本区域的新版本")
        self.client.force_login(self.cast.county_office)
        self.assertContains(self.client.get("/evaluation/schemes/"), "县、市网络问政办修改或导入的方案属于本区域")

    def test_a_refusal_to_publish_names_the_offices_in_full(self):
        d = self.district
        run = runs.run_evaluation(
            scheme=Scheme.objects.latest_version("default"), region=d.region, period=Q1, now=local(2026, 6, 1)
        )
        with self.assertRaisesMessage(ActionRefused, "只有金城江区网络问政办或河池市网络问政办可以发布。"):
            publication.publish_results(run=run, by=self.cast.county_office)
