"""A search typed without spaces (路灯维修) that finds nothing as typed is searched as
its words (路灯 维修), on every page with a search box, and the page says so."""

from django.test import SimpleTestCase

from wenzheng.search import words
from wenzheng.search.text import parse
from wenzheng.testing import CastTestCase

from .test_pages import post


class SplitTest(SimpleTestCase):
    def split(self, typed):
        return words.split(parse(typed))

    def test_long_terms_are_split_into_their_words(self):
        for typed, terms in (
            ("路灯维修", ("路灯", "维修")),
            ("垃圾清运", ("垃圾", "清运")),  # one word to the dictionary, two pairs
            ("修路灯", ("修", "路灯")),  # a single character narrows, beside a word
            ("城关镇自来水停水", ("城关镇", "自来水", "停水")),
            ("G318国道塌方", ("g318", "国道", "塌方")),
            ("张三路灯", ("张三", "路灯")),  # a name it does not know, guessed whole
            ("路灯 噪音扰民", ("路灯", "噪音", "扰民")),  # a short term kept as it is
            ("路燈維修", ("路灯", "维修")),  # folded first: traditional typed
            ("路灯坏了", ("路灯", "坏")),  # a particle says nothing of the subject
            ("“路灯维修”", ("路灯", "维修")),  # quoted whole
        ):
            with self.subTest(typed=typed):
                split = self.split(typed)
                self.assertEqual(split.terms, terms)
                self.assertEqual(split.text, " ".join(terms))
                self.assertEqual(split.instead_of, typed.strip("“”"))
                self.assertEqual(split.quoted, "".join(f"“{t}”" for t in terms))

    def test_nothing_to_split_is_none(self):
        for typed in (
            "路灯",  # two characters
            "路灯 维修",  # already words
            "派出所",  # one word
            "13846354811",  # a number
            "张三丰",  # a name the dictionary keeps whole
            "的了吗",  # single characters alone are not searched
        ):
            with self.subTest(typed=typed):
                self.assertIsNone(self.split(typed))

    def test_a_split_into_more_words_than_a_query_may_hold_is_none(self):
        self.assertIsNone(self.split("路灯维修垃圾清运噪音扰民道路破损停水停电低保申请"))


class WordsOnThePagesTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.light = post(c, "新街路灯不亮", "东门镇新街路段的路灯已经坏了两个星期，请尽快维修。")

    def test_the_board_searches_the_words_and_says_so(self):
        page = self.client.get("/messages/", {"q": "路灯维修"})
        self.assertContains(page, "没有找到含有“路灯维修”的留言，以下是同时含有“路灯”“维修”的留言。")
        self.assertContains(page, "找到1条同时含有“路灯”“维修”的公开留言")
        self.assertContains(page, "新街<mark>路灯</mark>不亮", html=False)
        self.assertContains(page, "请尽快<mark>维修</mark>", html=False)
        self.assertContains(page, 'value="路灯维修"', msg_prefix="the box keeps what was typed")

    def test_words_that_find_nothing_either_are_said_to_have_been_tried(self):
        page = self.client.get("/messages/", {"q": "路灯保险"})
        self.assertContains(page, "没有找到含有“路灯保险”的留言，也没有同时含有“路灯”“保险”的留言。")
        self.assertContains(page, "找到0条含有“路灯保险”的公开留言")

    def test_quotes_around_the_query_are_not_quoted_again(self):
        page = self.client.get("/messages/", {"q": "“路灯维修”"})
        self.assertContains(page, "没有找到含有“路灯维修”的留言，以下是同时含有“路灯”“维修”的留言。")

    def test_what_is_found_as_typed_is_not_split(self):
        post(self.cast, "路灯维修进度", "请问路灯维修到哪一步了？")
        page = self.client.get("/messages/", {"q": "路灯维修"})
        self.assertContains(page, "找到1条含有“路灯维修”的公开留言")
        self.assertNotContains(page, "没有找到")
        self.assertNotContains(page, "新街路灯不亮")

    def test_the_words_are_searched_within_the_filters(self):
        page = self.client.get("/messages/", {"q": "路灯维修", "category": self.cast.appeal.pk})
        self.assertContains(page, "找到0条含有“路灯维修”")
        self.assertNotContains(page, "新街路灯不亮")

    def test_the_public_never_finds_a_contact_through_the_words(self):
        # 张三 is the citizen's name (staff may search it), 路灯 is in the text: the
        # public's words are searched in the public text alone.
        page = self.client.get("/messages/", {"q": "张三路灯"})
        self.assertNotContains(page, "新街路灯不亮")
        self.client.force_login(self.cast.county_office)
        page = self.client.get("/work/county/luocheng/messages/", {"q": "张三路灯"})
        self.assertContains(page, "以下是同时含有“张三”“路灯”的留言。")
        self.assertContains(page, "新街<mark>路灯</mark>不亮", html=False)

    def test_the_staff_pages_search_the_words_and_say_so(self):
        c = self.cast
        waiting = post(c, "小区停车", "小区门口停车太难了，请规划车位。", unit=None, reply=None)
        for who, url, params, title in (
            (c.handler_a, "/work/unit/", {"tab": "all", "q": "路灯维修"}, "新街<mark>路灯</mark>不亮"),
            (c.county_office, "/work/county/luocheng/messages/", {"q": "路灯维修"}, "新街<mark>路灯</mark>不亮"),
            (c.city_office, "/work/city/hechi/messages/", {"q": "路灯维修"}, "新街<mark>路灯</mark>不亮"),
            (c.county_office, "/work/county/luocheng/dispatch/", {"q": "停车规划"}, "小区<mark>停车</mark>"),
        ):
            with self.subTest(url=url):
                self.client.force_login(who)
                page = self.client.get(url, params)
                self.assertContains(page, f"没有找到含有“{params['q']}”的留言，以下是同时含有")
                self.assertContains(page, title, html=False)
        self.assertTrue(waiting.pk)

    def test_every_tab_of_the_inbox_searches_what_the_whole_inbox_would(self):
        # 路灯维修 finds nothing in 待办 either way; the words find the replied one:
        # the tabs count it under 已回复 and 全部, and 待办 says so rather than 0 everywhere.
        self.client.force_login(self.cast.handler_a)
        page = self.client.get("/work/unit/", {"tab": "todo", "q": "路灯维修"}).content.decode()
        self.assertIn("以下是同时含有“路灯”“维修”的留言。", page)
        self.assertIn('已回复<span class="count">（1）</span>', page)
        self.assertIn('全部<span class="count">（1）</span>', page)
        self.assertIn("待办中没有同时含有“路灯”“维修”的留言。", page)

    def test_the_api_searches_as_typed(self):
        found = self.client.get("/api/v1/messages", {"q": "路灯维修"}).json()
        self.assertEqual(found["count"], 0)
        found = self.client.get("/api/v1/messages", {"q": "路灯 维修"}).json()
        self.assertEqual(found["count"], 1)
