"""What the administrator types when bringing a county on: a region in its place, a
name once, and nothing invisible in names (a newcomer's trial: a county put under
another county, a second 罗城仫佬族自治县, a zero-width space making a second unit)."""

import datetime as dt
from types import SimpleNamespace

from django.contrib.admin import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from wenzheng.accounts.groups import OFFICE_GROUP
from wenzheng.accounts.models import Role, User
from wenzheng.testing import CastTestCase
from wenzheng.topics.models import Topic
from wenzheng.units.models import Region, Unit


class RegionAndUnitTest(CastTestCase):
    def refused(self, instance, field):
        with self.assertRaises(ValidationError) as raised:
            instance.full_clean()
        return raised.exception.message_dict[field][0]

    def test_a_county_stands_under_a_city_only(self):
        county = Region(name="天峨县", code="tiane", kind="county", parent=self.cast.county)
        self.assertEqual(self.refused(county, "parent"), "县（区）的上级须是市。")
        self.client.force_login(self.cast.admin)
        page = self.client.post(
            "/admin/units/region/add/",
            {"name": "天峨县", "code": "tiane", "kind": "county", "parent": self.cast.county.pk},
        )
        self.assertContains(page, "县（区）的上级须是市。")
        self.assertFalse(Region.objects.filter(code="tiane").exists())

    def test_a_code_typed_full_width_is_the_code_meant(self):
        self.client.force_login(self.cast.admin)
        form = {"name": "天峨县", "kind": "county", "parent": self.cast.city.pk}
        page = self.client.post("/admin/units/region/add/", {**form, "code": "天峨"})
        self.assertContains(page, "代码只能由英文字母、数字、下划线或连字符组成，如 luocheng。")
        self.assertFalse(Region.objects.filter(name="天峨县").exists())
        self.client.post("/admin/units/region/add/", {**form, "code": " ｔｉａｎｅ１ "})
        self.assertEqual(Region.objects.get(name="天峨县").code, "tiane1")

    def test_two_counties_of_a_city_do_not_share_a_name(self):
        twin = Region(name=f"{self.cast.county.name}\u200b", code="twin", kind="county", parent=self.cast.city)
        self.assertEqual(self.refused(twin, "name"), f"已有名为“{self.cast.county.name}”的县（区）。")
        self.cast.county.full_clean()  # itself is no twin

    def test_a_units_name_is_kept_without_what_nobody_sees(self):
        unit = Unit(region=self.cast.county, name=f" {self.cast.unit_a.name}\u200b ", kind="township",
                    registered_on=dt.date(2026, 1, 1))  # fmt: skip
        self.assertEqual(self.refused(unit, "__all__"), "同一县（区）内已有同名单位。")
        unit.name = "天峨县\u202e水利局\u200b  办公室"
        unit.full_clean()
        self.assertEqual(unit.name, "天峨县水利局 办公室")

    def test_a_registration_years_ahead_is_a_typo(self):
        unit = Unit(region=self.cast.county, name="县新单位", kind="department", registered_on=dt.date(2099, 1, 1))
        self.assertEqual(self.refused(unit, "registered_on"), "实名上网日期不能晚于一年以后，请检查年份。")

    def test_an_office_belongs_to_a_region_of_its_level(self):
        county_office = User(username="x1", role=Role.COUNTY_OFFICE, region=self.cast.city, password="x")
        self.assertEqual(self.refused(county_office, "region"), "县级网络问政办须属于一个县（区）。")
        city_office = User(username="x2", role=Role.CITY_OFFICE, region=self.cast.county, password="x")
        self.assertEqual(self.refused(city_office, "region"), "市网络问政办须属于一个市。")
        named = User(username="x3", role=Role.CITIZEN, display_name="张\u202e三\u200b", password="x")
        named.full_clean()
        self.assertEqual(named.display_name, "张三")


class BringingACountyOnTest(CastTestCase):
    def test_a_county_added_in_the_admin_starts_with_the_default_topic_tree(self):
        self.client.force_login(self.cast.admin)
        page = self.client.post(
            "/admin/units/region/add/",
            {"name": "天峨县", "code": "tiane", "kind": "county", "parent": self.cast.city.pk},
        )
        self.assertEqual(page.status_code, 302)
        tiane = Region.objects.get(code="tiane")
        self.assertTrue(Topic.objects.filter(region=tiane, code="010101").exists())

    def test_an_account_made_an_office_in_the_admin_is_given_the_admin(self):
        account = User.objects.create_user(
            "tiane_office", password="x", role=Role.COUNTY_OFFICE, region=self.cast.county
        )
        request = RequestFactory().post("/")
        request.user = self.cast.admin
        site._registry[User].save_model(request, account, SimpleNamespace(changed_data=["role", "region"]), True)
        account.refresh_from_db()
        self.assertTrue(account.is_staff)
        self.assertTrue(account.groups.filter(name=OFFICE_GROUP).exists())


class OfficeGroupTest(CastTestCase):
    def test_migrating_gives_an_existing_office_group_what_this_version_lets_it_do(self):
        # The county's sign-off setting came with change_region: offices made before it
        # would never have had it.
        from django.contrib.auth.models import Group
        from django.core.management import call_command

        group, _ = Group.objects.get_or_create(name=OFFICE_GROUP)
        group.permissions.clear()
        call_command("migrate", verbosity=0)
        self.assertTrue(group.permissions.filter(codename="change_region").exists())
        self.assertFalse(group.permissions.filter(codename="add_region").exists())
