"""The 网络问政办 is named by one rule: the region's full name in full, its level
alone where the place goes without saying (a notice to one of its units), by no
level on a city's pages, which speak of several."""

from django.test import SimpleTestCase

from wenzheng.units.models import Region


class OfficeNameTest(SimpleTestCase):
    def test_the_office_is_named_by_the_regions_full_name(self):
        self.assertEqual(Region(name="罗城仫佬族自治县", kind="county").office_name, "罗城仫佬族自治县网络问政办")
        self.assertEqual(Region(name="金城江区", kind="county").office_name, "金城江区网络问政办")
        self.assertEqual(Region(name="河池市", kind="city").office_name, "河池市网络问政办")

    def test_by_its_level_a_district_reads_qu_and_a_city_shi(self):
        levels = {
            ("罗城仫佬族自治县", "county"): "县网络问政办",
            ("金城江区", "county"): "区网络问政办",
            ("宜州市", "county"): "市网络问政办",  # a county-level city
            ("河池市", "city"): "市网络问政办",
            ("罗城", "county"): "县网络问政办",  # a name without its level: a county
            ("", "county"): "县网络问政办",
        }
        for (name, kind), expected in levels.items():
            with self.subTest(name=name):
                self.assertEqual(Region(name=name, kind=kind).office_by_level, expected)

    def test_a_regions_own_pages_say_ben_qu_for_a_district(self):
        self.assertEqual(Region(name="金城江区", kind="county").level, "区")
        self.assertEqual(Region(name="罗城仫佬族自治县", kind="county").level, "县")
        self.assertEqual(Region(name="河池市", kind="city").level, "市")

    def test_the_office_handling_a_citys_messages_is_named_by_no_level(self):
        # A city's pages speak of all its counties and districts: none of them is 市网络问政办.
        self.assertEqual(Region(name="河池市", kind="city").handling_office, "网络问政办")
        self.assertEqual(Region(name="金城江区", kind="county").handling_office, "区网络问政办")
        self.assertEqual(Region(name="罗城仫佬族自治县", kind="county").handling_office, "县网络问政办")
