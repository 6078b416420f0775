"""The topic tree in the admin: each county office keeps its own, the city reads."""

from wenzheng.accounts.groups import make_office_staff
from wenzheng.testing import CastTestCase
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic


class TopicAdminTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        for office in (c.county_office, c.other_county_office, c.city_office):
            make_office_staff(office)
        catalogue.load(c.county, "代码,名称\n010000,城乡建设\n010100,市政设施\n")
        catalogue.load(c.other_county, "代码,名称\n010000,环江城建\n")

    def test_a_county_office_sees_and_edits_its_own_tree_only(self):
        c = self.cast
        self.client.force_login(c.county_office)
        listed = {t.name for t in self.client.get("/admin/topics/topic/").context["cl"].result_list}
        self.assertEqual(listed, {"城乡建设", "市政设施"})
        foreign = Topic.objects.get(region=c.other_county)
        self.assertEqual(self.client.get(f"/admin/topics/topic/{foreign.pk}/change/").status_code, 302)
        major = Topic.objects.get(region=c.county, code="010000")
        response = self.client.post(
            "/admin/topics/topic/add/",
            {
                "region": c.county.pk,
                "code": "010200",
                "name": "住房",
                "level": 2,
                "parent": major.pk,
                "active": "on",
                "units": [c.unit_b.pk],
            },
        )
        self.assertEqual(response.status_code, 302)
        made = Topic.objects.get(region=c.county, code="010200")
        self.assertEqual(list(made.units.all()), [c.unit_b])
        # A code that does not fit its level is refused with the reason.
        response = self.client.post(
            "/admin/topics/topic/add/",
            {"region": c.county.pk, "code": "010201", "name": "错", "level": 2, "parent": major.pk, "active": "on"},
        )
        self.assertContains(response, "代码010201表示小类，与层级不符")
        # Another county's unit cannot be named.
        response = self.client.post(
            "/admin/topics/topic/add/",
            {
                "region": c.county.pk,
                "code": "010300",
                "name": "城管",
                "level": 2,
                "parent": major.pk,
                "units": [c.unit_c.pk],
            },
        )
        self.assertContains(response, "选择一个有效的选项")
        self.assertFalse(Topic.objects.filter(code="010300").exists())

    def test_the_city_office_reads_every_countys_tree(self):
        self.client.force_login(self.cast.city_office)
        listed = {t.name for t in self.client.get("/admin/topics/topic/").context["cl"].result_list}
        self.assertEqual(listed, {"城乡建设", "市政设施", "环江城建"})
        major = Topic.objects.get(region=self.cast.county, code="010000")
        response = self.client.post(f"/admin/topics/topic/{major.pk}/change/", {"name": "改名"})
        self.assertEqual(response.status_code, 403)
