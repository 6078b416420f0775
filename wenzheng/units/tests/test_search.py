"""A city's unit filter searches as one types through /units/search/ instead of
listing every unit; a county's stays a list."""

from unittest import mock

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase
from wenzheng.units.models import Unit


class UnitSearchTests(CastTestCase):
    def test_it_finds_the_units_of_the_region_whose_name_holds_the_text(self):
        response = self.client.get("/units/search/", {"region": "luocheng", "q": "东门"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {"results": [{"id": self.cast.unit_a.pk, "name": "东门镇", "county": "罗城仫佬族自治县",
                          "label": "东门镇"}], "more": False},
        )  # fmt: skip
        # A county's search never offers another county's unit.
        self.assertEqual(self.client.get("/units/search/", {"region": "luocheng", "q": "思恩"}).json()["results"], [])

    def test_a_city_offers_its_counties_units_named_with_their_county(self):
        found = self.client.get("/units/search/", {"region": "hechi", "q": " 镇 "}).json()["results"]
        self.assertEqual([u["label"] for u in found], ["东门镇（罗城仫佬族自治县）", "思恩镇（环江毛南族自治县）"])

    def test_it_answers_twenty_at_most_and_says_there_are_more(self):
        Unit.objects.bulk_create(
            Unit(region=self.cast.county, name=f"第{i:02d}村委会", kind="township", registered_on="2020-01-01")
            for i in range(30)
        )
        with self.assertNumQueries(2):
            data = self.client.get("/units/search/", {"region": "luocheng", "q": "村委会"}).json()
        self.assertEqual(len(data["results"]), 20)
        self.assertTrue(data["more"])
        self.assertEqual(data["results"][0]["name"], "第00村委会")

    def test_an_unknown_region_is_a_404(self):
        self.assertEqual(self.client.get("/units/search/", {"region": "nowhere", "q": "镇"}).status_code, 404)
        self.assertEqual(self.client.get("/units/search/").status_code, 404)


@mock.patch("wenzheng.units.forms.SEARCH_ABOVE", 2)  # the cast's city has 3 units: as a city of 10,000
class CityBoardFilterTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cast.replied(title="东门镇路灯")
        message = cls.cast.submit(unit="c", title="思恩镇水管")
        actions.reply(message=message, by=cls.cast.handler_c, text="已维修。")

    def test_the_city_board_has_a_search_box_not_a_list_of_units(self):
        page = self.client.get("/messages/", {"region": "hechi"}).content.decode()
        self.assertIn('data-unit-search="/units/search/?region=hechi"', page)
        self.assertIn('<datalist id="id_unit-units"></datalist>', page)
        self.assertNotIn("东门镇</option>", page)
        self.assertNotIn("思恩镇</option>", page)

    def test_the_city_board_names_each_messages_county_and_a_county_board_does_not(self):
        # Two counties number their messages alike (both have a 2026-000001).
        city = self.client.get("/messages/", {"region": "hechi"}).content.decode()
        self.assertIn('<span class="county">罗城仫佬族自治县</span>', city)
        self.assertIn('<span class="county">环江毛南族自治县</span>', city)
        county = self.client.get("/messages/", {"region": "luocheng"}).content.decode()
        self.assertNotIn('class="county"', county)

    def test_a_county_board_keeps_its_list(self):
        page = self.client.get("/messages/", {"region": "luocheng"}).content.decode()
        self.assertIn("data-unit-picker", page)
        self.assertIn(f'<option value="{self.cast.unit_a.pk}">东门镇</option>', page)

    def test_the_box_filters_by_the_name_it_offered_by_a_bare_name_or_by_id(self):
        for value in ("思恩镇（环江毛南族自治县）", "思恩镇", f"{self.cast.unit_c.pk}", " 思恩镇（环江毛南族自治县） "):
            page = self.client.get("/messages/", {"region": "hechi", "unit": value}).content.decode()
            self.assertIn("思恩镇水管", page, value)
            self.assertNotIn("东门镇路灯", page, value)
            self.assertIn('value="思恩镇（环江毛南族自治县）"', page, value)  # the box says what it filters by

    def test_a_name_that_is_no_unit_is_told_not_a_500(self):
        response = self.client.get("/messages/", {"region": "hechi", "unit": "不存在的局\x07"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "没有名为“不存在的局")
        self.assertContains(response, "东门镇路灯")  # the filter is left out, the board still lists

    def test_two_units_of_one_name_in_two_counties_ask_for_the_county(self):
        Unit.objects.create(region=self.cast.county, name="思恩镇", kind="township", registered_on="2020-01-01")
        response = self.client.get("/messages/", {"region": "hechi", "unit": "思恩镇"})
        self.assertContains(response, "有多个单位名为“思恩镇”，请选择带县名的一项。")
        page = self.client.get("/messages/", {"region": "hechi", "unit": "思恩镇（环江毛南族自治县）"})
        self.assertContains(page, "思恩镇水管")
        self.assertEqual(Message.objects.count(), 2)

    def test_the_api_still_filters_by_unit_id(self):
        data = self.client.get("/api/v1/messages", {"region": "hechi", "unit": self.cast.unit_c.pk}).json()
        self.assertEqual([m["title"] for m in data["results"]], ["思恩镇水管"])
