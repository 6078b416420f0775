"""`AnyOf`: `= ANY(…)` of a list bound as one array, of a subquery as an array read
once a statement (PostgreSQL)."""

from unittest import skipUnless

from django.db import connection
from django.db.models import F, Subquery

from wenzheng.handling.models import Message
from wenzheng.lib.lookups import AnyOf
from wenzheng.testing import CastTestCase
from wenzheng.units.models import Region


@skipUnless(connection.vendor == "postgresql", "PostgreSQL's = ANY")
class AnyOfTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.made = [c.submit(unit=unit).pk for unit in ("a", "b", "c")]

    def found(self, *conditions):
        return sorted(Message.objects.filter(*conditions).values_list("pk", flat=True))

    def test_of_a_list_it_binds_one_array(self):
        a, b, _ = self.made
        for ids, expected in (([a, b], [a, b]), ([b, 0, 2**63 - 1], [b]), ([], [])):
            with self.subTest(ids=ids):
                self.assertEqual(self.found(AnyOf(F("pk"), ids)), expected)
        sql, params = Message.objects.filter(AnyOf(F("pk"), [a, b])).query.sql_with_params()
        self.assertIn('"handling_message"."id" = ANY(%s)', sql)
        self.assertEqual(params, ([a, b],))

    def test_of_a_subquery_it_is_an_array_of_its_rows(self):
        c = self.cast
        counties = Region.objects.filter(parent=c.city).order_by().values("pk")
        self.assertEqual(self.found(AnyOf(F("region_id"), Subquery(counties))), self.made)
        one = Region.objects.filter(pk=c.other_county.pk).values("pk")
        self.assertEqual(self.found(AnyOf(F("region_id"), Subquery(one))), self.made[2:])
        self.assertEqual(self.found(AnyOf(F("region_id"), Subquery(Region.objects.none().values("pk")))), [])
        sql, _ = Message.objects.filter(AnyOf(F("region_id"), Subquery(counties))).query.sql_with_params()
        self.assertIn('"handling_message"."region_id" = ANY(ARRAY(SELECT', sql)
