"""A city's messages: those of its counties, and on PostgreSQL its counties read once
a statement (an array), not joined again under every message a search looks up."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase
from wenzheng.units.models import Region, Unit


class InCityTest(CastTestCase):
    def test_it_holds_the_messages_of_the_citys_counties_and_no_others(self):
        c = self.cast
        elsewhere = Region.objects.create(name="柳州市", code="liuzhou", kind=Region.Kind.CITY)
        county = Region.objects.create(name="融水苗族自治县", code="rongshui", kind="county", parent=elsewhere)
        unit = Unit.objects.create(region=county, name="融水镇", kind="township", registered_on="2020-01-01")
        in_county = {c.submit(unit="a").pk, c.submit(unit="b").pk}
        here = in_county | {c.submit(unit="c").pk}  # unit c: the city's other county
        there = c.submit(unit="a")
        Message.objects.filter(pk=there.pk).update(unit=unit, region=county)
        for city in (c.city, c.city.pk):
            with self.subTest(city=city):
                found = set(Message.objects.in_city(city).values_list("pk", flat=True))
                self.assertEqual(found, here)
                joined = Message.objects.filter(region__parent=c.city)  # the join it replaces on PostgreSQL
                self.assertEqual(found, set(joined.values_list("pk", flat=True)))
                # Composed as any filter: inside another query's subquery too.
                inside = Message.objects.filter(pk__in=Message.objects.in_city(city).values("pk"))
                inside = inside.exclude(unit=c.unit_c)
                self.assertEqual(set(inside.values_list("pk", flat=True)), in_county)
        self.assertEqual(set(Message.objects.in_city(elsewhere).values_list("pk", flat=True)), {there.pk})

    def test_its_form_on_each_database(self):
        # PostgreSQL: the counties an array read once a statement, no join.
        with CaptureQueriesContext(connection) as queries:
            list(Message.objects.published().in_city(self.cast.city).values_list("pk", flat=True)[:1])
        (sql,) = [q["sql"] for q in queries]
        if connection.vendor == "postgresql":
            self.assertIn('"handling_message"."region_id" = ANY(ARRAY(SELECT', sql)
            self.assertNotIn("JOIN", sql)
        else:  # kept off the region index (the unary +): message_published_recent reads them in order
            self.assertIn('+"handling_message"."region_id" IN (SELECT', sql)
