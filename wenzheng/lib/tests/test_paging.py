import datetime as dt

from django.test import SimpleTestCase

from wenzheng.lib.paging import Listing
from wenzheng.testing import CastTestCase, local


class PageNumbersTest(SimpleTestCase):
    def numbers(self, number, pages):
        return Listing([], number, pages, pages * 20, False, None, None, None).numbers()

    def test_the_first_the_last_and_two_either_side_with_gaps_between(self):
        self.assertEqual(self.numbers(1, 1), [])
        self.assertEqual(self.numbers(1, 2), [1, 2])
        self.assertEqual(self.numbers(1, 12), [1, 2, 3, None, 12])
        self.assertEqual(self.numbers(6, 12), [1, None, 4, 5, 6, 7, 8, None, 12])
        self.assertEqual(self.numbers(4, 12), [1, 2, 3, 4, 5, 6, None, 12])
        self.assertEqual(self.numbers(12, 12), [1, None, 10, 11, 12])
        self.assertEqual(Listing([], None, None, None, True, None, None, "x").numbers(), [])

    def test_a_phone_leaves_out_the_farthest_either_side_but_never_the_ends(self):
        def far(number, pages):
            return Listing([], number, pages, pages * 20, False, None, None, None).far_numbers

        self.assertEqual(far(6, 12), {4, 8})
        self.assertEqual(far(3, 12), {5})
        self.assertEqual(far(11, 12), {9})
        self.assertEqual(far(1, 2), set())
        self.assertEqual(Listing([], None, None, None, True, None, None, "x").far_numbers, set())

    def test_a_far_number_next_to_an_end_leaves_a_gap_in_its_place(self):
        listing = Listing([], 4, 7, 140, False, None, None, None)
        self.assertEqual(listing.numbers(), [1, 2, 3, 4, 5, 6, 7])
        self.assertEqual(listing.far_beside_ends, {2, 6})
        self.assertEqual(Listing([], 6, 12, 240, False, None, None, None).far_beside_ends, set())


class OutOfRangePagesTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for n in range(25):  # two pages of 20
            cls.cast.replied(at=local(2026, 3, 2, 9) + dt.timedelta(minutes=n), title=f"第{n:02d}条留言")

    def test_page_zero_negative_or_not_a_number_shows_page_one_with_a_note(self):
        for asked in ("0", "-1", "abc", "1e5", "2.0"):
            with self.subTest(page=asked):
                page = self.client.get("/messages/", {"page": asked}, follow=True)
                self.assertContains(page, "第1页，共2页")
                self.assertContains(page, f"没有第{asked}页，已显示第1页。")
                self.assertContains(page, "第24条留言")  # the newest, first

    def test_a_page_past_the_end_shows_the_last_with_a_note(self):
        # A link to page 13 kept while the list shrank to 12 pages (or a search's):
        # its reader wants the end of the list, not its start.
        for asked in ("3", "99", "99999999999999999999"):
            with self.subTest(page=asked):
                page = self.client.get("/messages/", {"page": asked}, follow=True)
                self.assertContains(page, "第2页，共2页")
                self.assertContains(page, f"没有第{asked[:12]}页，已显示最后一页（第2页）。")
                self.assertContains(page, "第00条留言")  # the oldest, last
                self.assertNotContains(page, "第24条留言")

    def test_the_pager_links_the_first_the_last_and_the_pages_near_this_one(self):
        page = self.client.get("/messages/", {"page": "2"})
        self.assertContains(page, '<span class="current" aria-current="page">2</span>', html=True)
        self.assertContains(page, '<a href="?page=1" aria-label="第1页">1</a>', html=True)

    def test_a_page_that_exists_is_shown_without_a_note(self):
        page = self.client.get("/messages/", {"page": "2"})
        self.assertContains(page, "第2页，共2页")
        self.assertNotContains(page, "已显示第1页")

    def test_staff_lists_do_the_same(self):
        self.client.force_login(self.cast.handler_a)
        page = self.client.get("/work/unit/", {"page": "0"}, follow=True)
        self.assertContains(page, "没有第0页，已显示第1页。")
