"""A new message that repeats an open one is flagged on arrival, with its candidates
and their similarity, through the index (never a scan)."""

import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenzheng.bulk.tests.helpers import HEADER, run_import, xlsx
from wenzheng.duplicates import index
from wenzheng.duplicates.models import Flag, Key
from wenzheng.handling import actions
from wenzheng.testing import CastTestCase

from .helpers import LAMP, LAMP_AGAIN, LAMP_NORTH, MONDAY, TUESDAY, WATER, write


class FlaggingTests(CastTestCase):
    def test_it_flags_a_reworded_copy_from_another_citizen(self):
        c = self.cast
        first = write(c, LAMP, phone="13900000001")
        again = write(c, LAMP_AGAIN, phone="13900000002", at=TUESDAY)
        flag = Flag.objects.get(message=again)
        self.assertEqual(flag.state, "open")
        self.assertEqual([x["id"] for x in flag.candidates], [first.pk])
        self.assertFalse(flag.candidates[0]["same_citizen"])
        self.assertTrue(0.4 <= flag.similarity <= 1)
        self.assertFalse(Flag.objects.filter(message=first).exists())

    def test_it_never_flags_the_same_words_about_another_place(self):
        c = self.cast
        write(c, LAMP)
        north = write(c, LAMP_NORTH, phone="13900000002", at=TUESDAY)
        self.assertFalse(Flag.objects.filter(message=north).exists())

    def test_the_same_citizen_by_phone_writing_again_is_flagged_at_a_lower_bar(self):
        c = self.cast
        first = write(c, LAMP, phone="13900000009")
        # Reworded so far that another citizen's text would not be flagged.
        text = ("路灯还没修", "城南路中段路灯坏了快两个星期，晚上一片漆黑，到现在还没人来修。")
        again = write(c, text, phone="139 0000 0009", at=TUESDAY)
        flag = Flag.objects.get(message=again)
        self.assertEqual(flag.candidates[0]["id"], first.pk)
        self.assertTrue(flag.candidates[0]["same_citizen"])
        self.assertLess(flag.similarity, 0.4)
        other = write(c, text, phone="13900000010", at=TUESDAY, name="王五")
        self.assertNotIn(first.pk, [x["id"] for x in Flag.objects.get(message=other).candidates if x["same_citizen"]])

    def test_the_same_account_writing_about_something_else_is_not_flagged(self):
        c = self.cast
        write(c, LAMP, by=c.citizen)
        water = write(c, WATER, by=c.citizen, phone="13900000005", at=TUESDAY)
        self.assertFalse(Flag.objects.filter(message=water).exists())

    def test_closed_merged_and_other_county_messages_are_no_candidates(self):
        c = self.cast
        closed = write(c, LAMP, unit=c.unit_a)
        actions.reply(message=closed, by=c.handler_a, text="已修复。", at=MONDAY)
        actions.close(message=closed, by=c.leader_a, kind="solved", at=MONDAY)
        write(c, LAMP, region=c.other_county, phone="13900000003")
        again = write(c, LAMP_AGAIN, phone="13900000002", at=TUESDAY)
        self.assertFalse(Flag.objects.filter(message=again).exists())

    def test_every_message_is_indexed_on_arrival_and_the_search_uses_the_index(self):
        c = self.cast
        first = write(c, LAMP)
        self.assertEqual(Key.objects.filter(message=first).count(), 20 + 1)  # bands + phone
        with CaptureQueriesContext(connection) as queries:
            found = index.candidates(first)  # itself excluded
        self.assertEqual(found, [])
        searched = [q["sql"] for q in queries.captured_queries if "duplicates_key" in q["sql"]]
        self.assertEqual(len(searched), 1)
        self.assertIn("key IN", searched[0])
        if connection.vendor == "sqlite":
            # Read through the (region, key, message) index, never the whole table.
            sql, params = index.sharing_sql(first, [1, 2])
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = " ".join(str(r) for r in cursor.fetchall())
            self.assertIn("duplicate_key_lookup", plan)
            self.assertNotIn("SCAN", plan)

    def test_imported_history_is_indexed_but_not_flagged_and_new_messages_meet_it(self):
        c = self.cast
        row = ["X1", "李四", LAMP[0], "2026-02-20 10:00", LAMP[1], "东门镇", "诉求"]
        run_import(c, xlsx([row], header=HEADER))
        imported = c.unit_a.messages.get()
        self.assertTrue(Key.objects.filter(message=imported).exists())
        self.assertFalse(Flag.objects.exists())
        again = write(c, LAMP_AGAIN, phone="13900000002", at=TUESDAY)
        self.assertEqual(Flag.objects.get(message=again).candidates[0]["id"], imported.pk)

    def test_only_open_messages_are_in_the_index_whatever_steps_they_go_through(self):
        c = self.cast
        m = write(c, LAMP, unit=c.unit_a)
        actions.reply(message=m, by=c.handler_a, text="已修复。", at=TUESDAY)
        self.assertTrue(Key.objects.filter(message=m).exists())  # replied: still open
        actions.close(message=m, by=c.leader_a, kind="solved", at=TUESDAY)
        self.assertFalse(Key.objects.filter(message=m).exists())
        actions.reopen(message=m, by=c.county_office, reason="没修好", at=TUESDAY)
        self.assertEqual(Key.objects.filter(message=m).count(), 21)
        actions.mark_spam(message=m, by=c.county_office, reason="广告", at=TUESDAY)
        self.assertFalse(Key.objects.filter(message=m).exists())
        actions.unmark_spam(message=m, by=c.county_office, reason="误标", at=TUESDAY)
        self.assertEqual(Key.objects.filter(message=m).count(), 21)
        # Merged and unmerged: one never answered (an answered one is not merged away).
        main = write(c, LAMP_AGAIN, unit=c.unit_b, phone="13900000002", at=TUESDAY)
        dup = write(c, LAMP, unit=c.unit_a, phone="13900000003", at=TUESDAY)
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题", at=TUESDAY)
        self.assertFalse(Key.objects.filter(message=dup).exists())
        actions.unmerge_duplicate(message=dup, by=c.county_office, reason="并错了", at=TUESDAY)
        self.assertEqual(Key.objects.filter(message=dup).count(), 21)

    def test_the_command_rebuilds_the_index(self):
        c = self.cast
        first = write(c, LAMP)
        keys = sorted(Key.objects.filter(message=first).values_list("key", flat=True))
        Key.objects.all().delete()
        out = io.StringIO()
        call_command("rebuild_duplicate_index", stdout=out)
        self.assertEqual(sorted(Key.objects.filter(message=first).values_list("key", flat=True)), keys)
        self.assertIn("Indexed 1 messages", out.getvalue())
