"""The search box on every page that lists messages: the public board, the unit's
inbox, the county's and the city's 留言查询, the dispatch queue, the API and the
exports."""

import re
from unittest import mock

from wenzheng.api.tests.helpers import ApiTestCase
from wenzheng.handling import actions
from wenzheng.lib import paging
from wenzheng.public import views as public_views
from wenzheng.search import text as search_text
from wenzheng.testing import CastTestCase, local
from wenzheng.workspace.views import search as search_views


def post(cast, title, body, *, unit="a", consent=True, reply="已安排处理。", category=None, at=None):
    """A message with its own body, replied (so published, if consented) unless
    `reply` is None."""
    to = {"a": cast.unit_a, "b": cast.unit_b, None: None}[unit]
    m = actions.submit(
        by=cast.citizen, category=category or cast.consultation, unit=to, region=cast.county, title=title,
        body=body, name="张三", phone="13800000000", consent_to_publish=consent, at=at,
    )  # fmt: skip
    if reply is not None:
        staff = cast.handler_a if unit == "a" else cast.handler_b
        actions.reply(message=m, by=staff, text=reply, at=at)
    return m


class BoardSearchTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.light = post(c, "新街路燈不亮", "东门镇新街路段的路灯已经坏了两个星期，请尽快维修。")
        cls.water = post(c, "停水三天", "城北社区停水三天了。", category=c.appeal)
        cls.private = post(c, "路灯还没修", "上次说的路灯还没修。", consent=False)

    def test_it_finds_and_highlights_a_two_character_word_on_the_public_board(self):
        page = self.client.get("/messages/", {"q": "路灯"})
        self.assertContains(page, "找到1条含有“路灯”的公开留言")
        self.assertContains(page, "新街<mark>路燈</mark>不亮", html=False)
        self.assertContains(page, "东门镇新街路段的<mark>路灯</mark>已经坏了", html=False)
        self.assertNotContains(page, "停水三天")
        self.assertNotContains(page, "路灯还没修", msg_prefix="not consented to publication")

    def test_the_count_names_each_word_of_a_query_of_several(self):
        # 含有“路灯 维修” would read as the phrase; the words are found apart.
        page = self.client.get("/messages/", {"q": "路燈  維修"})
        self.assertContains(page, "找到1条同时含有“路灯”“维修”的公开留言")
        # One word is named as typed; as searched where more was typed and left out.
        self.assertContains(self.client.get("/messages/", {"q": "路燈"}), "找到1条含有“路燈”的公开留言")
        for typed in ("路灯😀", "<路灯>", "路灯！"):
            with self.subTest(typed=typed):
                self.assertContains(self.client.get("/messages/", {"q": typed}), "找到1条含有“路灯”的公开留言")

    def test_the_search_combines_with_the_filters_and_is_a_link(self):
        page = self.client.get("/messages/", {"q": "维修", "category": self.cast.appeal.pk})
        self.assertContains(page, "找到0条")
        page = self.client.get("/messages/", {"q": "维修", "category": self.cast.consultation.pk, "order": "newest"})
        self.assertContains(page, "找到1条")
        self.assertContains(page, 'value="维修"')

    def test_the_home_page_has_the_boards_search_box(self):
        page = self.client.get("/")
        self.assertContains(page, '<form method="get" action="/messages/" class="home-search"', html=False)
        self.assertContains(page, 'name="q"')
        self.assertNotContains(page, 'name="region"')
        page = self.client.get("/", {"region": self.cast.county.code})
        self.assertContains(page, f'<input type="hidden" name="region" value="{self.cast.county.code}">', html=True)
        # The board keeps the region for the next search, as its links do.
        page = self.client.get("/messages/", {"region": self.cast.county.code, "q": "路灯"})
        self.assertContains(page, f'<input type="hidden" name="region" value="{self.cast.county.code}">', html=True)
        self.assertNotContains(self.client.get("/messages/", {"q": "路灯"}), 'name="region"')

    def test_a_query_of_punctuation_only_is_explained(self):
        page = self.client.get("/messages/", {"q": "？？"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "请输入要搜索的字词")

    def test_a_query_too_long_is_said_once_and_the_boxes_take_no_more(self):
        page = self.client.get("/messages/", {"q": "路" * 300})
        self.assertContains(page, "<li>搜索词不能超过100个字（现有300个字）。</li>", html=False)
        self.assertNotContains(page, "搜索：")
        self.assertContains(page, "以下是未按这些条件筛选的留言。")
        # Every box that sends to this search stops at its limit as it is typed.
        for url in ("/messages/", "/"):
            box = re.search(r'<input type="search"[^>]*name="q"[^>]*>', self.client.get(url).content.decode())[0]
            self.assertIn('maxlength="100"', box, url)
        # The search itself says it in the same words (the API's filter, read without the form).
        with self.assertRaisesMessage(search_text.BadQuery, "搜索词不能超过100个字（现有101个字）。"):
            search_text.parse("路" * 101)

    def test_highlighting_escapes_what_citizens_wrote(self):
        post(self.cast, "<script>路灯</script>", "路灯")
        page = self.client.get("/messages/", {"q": "路灯"})
        self.assertContains(page, "&lt;script&gt;<mark>路灯</mark>&lt;/script&gt;", html=False)
        self.assertNotContains(page, "<script>路灯", html=False)

    def test_a_search_by_serial_number_marks_it(self):
        page = self.client.get("/messages/", {"q": self.light.serial})
        self.assertContains(page, "找到1条")
        year, number = self.light.serial.split("-")
        self.assertContains(page, f"<span><mark>{year}</mark>-<mark>{number}</mark></span>", html=False)

    def test_the_public_never_finds_a_message_by_its_citizens_phone(self):
        page = self.client.get("/messages/", {"q": "13800000000"})
        self.assertContains(page, "找到0条")


class SearchCountsAndPagesTest(CastTestCase):
    """A search's matches are counted no further than the board counts its messages
    (paging.COUNT_LIMIT, "超过N条"); by date they page on "before this one" past the
    numbers, by relevance through the best SEARCH_RESULTS_SHOWN."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lights = [post(cls.cast, f"路灯不亮{i}号", "路灯坏了。") for i in range(5)]

    def read_all(self, url, params, pages):
        """Follow the page's own links to the end: the titles in order."""
        import re

        titles, page = [], self.client.get(url, params)
        for _ in range(pages):
            titles += re.findall(r"路灯</mark>不亮(\d)号", page.content.decode())
            link = re.search(r'href="\?([^"]*(?:page|before)=[^"]*)">(?:下一页|更早的留言)', page.content.decode())
            if link is None:
                return titles
            page = self.client.get(f"{url}?{link.group(1).replace('&amp;', '&')}")
        self.fail("the links did not end")

    def test_the_board_counts_a_search_as_far_as_the_bound(self):
        with mock.patch.object(paging, "COUNT_LIMIT", 3):
            page = self.client.get("/messages/", {"q": "路灯"})
            self.assertContains(page, "找到超过3条含有“路灯”的公开留言")
            page = self.client.get("/messages/", {"q": "路灯", "order": "newest"})
            self.assertContains(page, "找到超过3条含有“路灯”的公开留言")
            self.assertNotContains(page, "按相关程度", msg_prefix="the newest first are not a ranking")
        page = self.client.get("/messages/", {"q": "路灯"})
        self.assertContains(page, "找到5条含有“路灯”的公开留言")

    def test_by_date_the_pages_go_on_before_the_last_and_reach_every_match(self):
        newest_first = [str(i) for i in range(4, -1, -1)]
        with mock.patch.object(paging, "COUNT_LIMIT", 3), mock.patch.object(public_views, "PAGE_SIZE", 2):
            self.assertEqual(self.read_all("/messages/", {"q": "路灯", "order": "newest"}, 10), newest_first)
            self.client.force_login(self.cast.county_office)
            with mock.patch.object(search_views, "PAGE_SIZE", 2):
                url = "/work/county/luocheng/messages/"
                self.assertEqual(self.read_all(url, {"q": "路灯", "order": "newest"}, 10), newest_first)
                page = self.client.get(url, {"q": "路灯"})
                self.assertContains(page, "找到超过3条含有“路灯”的留言")

    def test_the_ranking_note_is_shown_for_a_ranking_only(self):
        note = "按相关程度列出前3条"
        with mock.patch.object(public_views, "SEARCH_RESULTS_SHOWN", 3):
            self.assertContains(self.client.get("/messages/", {"q": "路灯"}), note)
            self.assertNotContains(self.client.get("/messages/", {"q": "路灯", "order": "newest"}), "按相关程度")
        self.client.force_login(self.cast.county_office)
        with mock.patch.object(search_views, "SEARCH_RESULTS_SHOWN", 3):
            url = "/work/county/luocheng/messages/"
            self.assertContains(self.client.get(url, {"q": "路灯"}), note)
            self.assertNotContains(self.client.get(url, {"q": "路灯", "order": "newest"}), "按相关程度")

    def test_by_relevance_the_pages_are_numbered_through_the_best_shown(self):
        with (
            mock.patch.object(public_views, "PAGE_SIZE", 2),
            mock.patch.object(public_views, "SEARCH_RESULTS_SHOWN", 3),
        ):
            page = self.client.get("/messages/", {"q": "路灯"})
            self.assertContains(page, "找到5条含有“路灯”的公开留言。按相关程度列出前3条")
            self.assertEqual(len(self.read_all("/messages/", {"q": "路灯"}, 10)), 3)
            self.assertEqual(
                self.client.get("/messages/", {"q": "路灯", "before": "2026-01-01T00:00:00+08:00~9"}).status_code, 404
            )


class StaffSearchTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.mine = post(c, "低保申请咨询", "请问低保怎么申请？", reply=None)
        cls.other = post(c, "低保资格", "低保资格如何认定？", unit="b", reply=None)
        cls.pending = post(c, "拆迁补偿标准", "拆迁补偿按什么标准？", unit=None, reply=None)

    def test_the_inbox_tabs_count_what_the_search_finds_in_each(self):
        c = self.cast
        post(c, "低保已经答复", "低保的事已答复。")  # replied: 已回复, not 待办
        post(c, "路灯不亮", "路灯坏了。", reply=None)
        self.client.force_login(c.handler_a)
        page = self.client.get("/work/unit/", {"tab": "todo"}).content.decode()
        self.assertIn('待办<span class="count">（2）</span>', page)
        page = self.client.get("/work/unit/", {"tab": "todo", "q": "低保"}).content.decode()
        self.assertIn('待办<span class="count">（1）</span>', page)
        self.assertIn('已回复<span class="count">（1）</span>', page)
        self.assertIn('全部<span class="count">（2）</span>', page)

    def test_the_unit_searches_its_own_inbox_only(self):
        self.client.force_login(self.cast.handler_a)
        page = self.client.get("/work/unit/", {"tab": "all", "q": "低保"})
        self.assertContains(page, "<mark>低保</mark>申请咨询", html=False)
        self.assertNotContains(page, "低保资格")
        for phone in ("13800000000", "+86 138 0000 0000"):
            page = self.client.get("/work/unit/", {"tab": "all", "q": phone})
            self.assertContains(page, "低保申请咨询", msg_prefix="staff may search the contact fields")
            self.assertContains(page, "搜索词出现在联系电话", msg_prefix="the row says where (not the value)")
        page = self.client.get("/work/unit/", {"tab": "all", "q": "张三 低保"})
        self.assertContains(page, "<mark>低保</mark>申请咨询", html=False)
        self.assertContains(page, "搜索词出现在留言人姓名")
        # A query too long is said in the board's words, not Django's.
        page = self.client.get("/work/unit/", {"tab": "all", "q": "低" * 101})
        self.assertContains(page, "搜索词不能超过100个字（现有101个字）。")
        page = self.client.get("/work/unit/", {"tab": "all", "q": self.mine.serial})
        self.assertContains(page, "<mark>{}</mark>-<mark>{}</mark>".format(*self.mine.serial.split("-")), html=False)
        self.assertNotContains(page, "搜索词出现在", msg_prefix="the serial is in the row, marked")
        page = self.client.get("/work/unit/", {"tab": "all", "q": "低保"})
        self.assertNotContains(page, "搜索词出现在")

    def test_the_inbox_and_the_dispatch_queue_rank_a_search_or_list_it_newest_first(self):
        import re

        c = self.cast
        for unit, who, url in (
            (("a", c.handler_a, "/work/unit/")),
            (None, c.county_office, "/work/county/luocheng/dispatch/"),
        ):
            # Oldest first: the body only, the title, the body only. The list's own
            # order (the nearest deadline, or the oldest waiting) is this one.
            body = "小区门口停车难，请规划车位。"
            post(c, "停车难0", body, unit=unit, reply=None, at=local(2026, 3, 2, 9))
            post(c, "车位规划建议", "请规划车位。", unit=unit, reply=None, at=local(2026, 3, 3, 9))
            post(c, "停车难2", body, unit=unit, reply=None, at=local(2026, 3, 4, 9))
            self.client.force_login(who)

            def listed(url=url, **params):
                page = self.client.get(url, {"tab": "all", "q": "车位", **params}).content.decode()
                # The rows' titles (the queue's are headings after the serial).
                row = r'(?:<th scope="row">|<h2 id="q-\d+">)<a href="/work/messages/\d+/">(?:\d{4}-\d{6} )?'
                titles = re.findall(row + r"([^<]*(?:<mark>[^<]*</mark>[^<]*)?)</a>", page)
                return [t.replace("<mark>", "").replace("</mark>", "") for t in titles]

            with self.subTest(url=url):
                self.assertEqual(listed(), ["车位规划建议", "停车难2", "停车难0"])
                self.assertEqual(listed(order="newest"), ["停车难2", "车位规划建议", "停车难0"])
                self.assertContains(self.client.get(url, {"q": "车位"}), '<option value="newest">')

    def test_the_county_office_searches_every_message_of_its_county_in_every_state(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get("/work/county/luocheng/messages/", {"q": "低保"})
        self.assertContains(page, "找到2条")
        page = self.client.get("/work/county/luocheng/messages/", {"q": "拆迁", "status": "pending_dispatch"})
        self.assertContains(page, "<mark>拆迁</mark>补偿标准", html=False)
        page = self.client.get("/work/county/luocheng/dispatch/", {"q": "拆迁"})
        self.assertContains(page, "<mark>拆迁</mark>补偿标准", html=False)
        page = self.client.get("/work/county/luocheng/dispatch/", {"q": "低保"})
        # Not "no message waits", which would read as if the queue were empty.
        self.assertContains(page, "待交办和退单的留言中没有含有“低保”的。")
        self.assertContains(page, "查看全部待交办的留言")
        self.assertNotContains(page, "没有待交办的留言。")

    def test_the_long_cycle_explanation_is_highlighted_as_read(self):
        c = self.cast
        m = post(c, "道路破损", "东门路坑洼很多。")
        actions.request_long_cycle_closure(
            message=m, by=c.leader_a, explanation="需列入明年市政改造计划，进度请问13912345678。"
        )
        for who, url, phone in (
            (c.county_office, "/work/county/luocheng/messages/", "13912345678"),
            (c.city_office, "/work/city/hechi/messages/", "139****5678"),
        ):
            with self.subTest(who=who.username):
                self.client.force_login(who)
                page = self.client.get(url, {"q": "市政改造"})
                self.assertContains(page, "需列入明年<mark>市政改造</mark>计划", html=False)
                self.assertContains(page, phone)
        self.assertNotContains(page, "13912345678")

    def test_the_city_office_searches_the_masked_texts(self):
        c = self.cast
        m = post(c, "噪音扰民", "楼下夜宵店噪音很大，我的电话13912345678。", reply=None)
        self.client.force_login(c.city_office)
        page = self.client.get("/work/city/hechi/messages/", {"q": "噪音"})
        self.assertContains(page, "<mark>噪音</mark>扰民", html=False)
        self.assertContains(page, "139****5678")
        self.assertNotContains(page, "13912345678")
        page = self.client.get("/work/city/hechi/messages/", {"q": "13912345678"})
        self.assertContains(page, "找到0条")
        page = self.client.get("/work/city/hechi/messages/", {"q": f"{m.serial} 张三"})
        self.assertContains(page, "找到0条", msg_prefix="the city office does not search the contact fields")
        page = self.client.get("/work/city/hechi/messages/", {"q": f"{m.serial} 噪音"})
        self.assertContains(page, "<mark>{}</mark>-<mark>{}</mark>".format(*m.serial.split("-")), html=False)
        self.assertNotContains(page, "搜索词出现在", msg_prefix="nor is told of them")
        page = self.client.get("/work/city/hechi/messages/", {"q": "张三"})
        self.assertContains(page, "找到0条")
        self.assertTrue(m.pk)

    def test_another_county_office_finds_nothing_of_this_county(self):
        self.client.force_login(self.cast.other_county_office)
        page = self.client.get("/work/county/huanjiang/messages/", {"q": "低保"})
        self.assertContains(page, "找到0条")
        self.assertEqual(self.client.get("/work/county/luocheng/messages/").status_code, 404)


class ApiSearchTest(ApiTestCase):
    def test_the_api_searches_with_the_boards_filters(self):
        c = self.cast
        light = post(c, "路灯不亮", "路灯不亮。")
        post(c, "停水", "停水了。")
        found = self.get("anonymous", "/api/v1/messages", q="路灯").json()
        self.assertEqual([r["serial"] for r in found["results"]], [light.serial])
        self.assertEqual(self.get("anonymous", "/api/v1/messages", q="13800000000").json()["count"], 0)
        self.assertEqual(self.get("county_office", "/api/v1/my/messages", q="13800000000").json()["count"], 2)
        self.assertEqual(self.get("city_office", "/api/v1/my/messages", q="13800000000").json()["count"], 0)
        bad = self.get("anonymous", "/api/v1/messages", q="！！")
        self.assertEqual(bad.status_code, 422)

    def test_following_the_links_returns_every_match_exactly_once_in_either_order(self):
        c = self.cast
        at = [local(2026, 3, d, 9) for d in range(2, 9)]
        # The oldest has the word in its title: first by relevance, last by date.
        lights = [post(c, "路灯坏了" if i == 0 else "出行不便", "晚上路灯不亮。", at=t) for i, t in enumerate(at)]
        post(c, "停水", "停水了。")
        expected = sorted(m.serial for m in lights)
        for role, path in (("anonymous", "/api/v1/messages"), ("county_office", "/api/v1/my/messages")):
            with self.subTest(role=role, order="relevance"):
                seen, params = [], {"q": "路灯", "page_size": 2}
                while True:
                    got = self.get(role, path, **params).json()
                    self.assertIsNone(got["next_before"], "a ranked page gives no date cursor")
                    seen += [r["serial"] for r in got["results"]]
                    if got["next_page"] is None:
                        break
                    params["page"] = got["next_page"]
                self.assertEqual(seen[0], lights[0].serial)
                self.assertEqual(sorted(seen), expected)
                refused = self.get(role, path, q="路灯", before=paging.cursor(lights[3]))
                self.assertEqual(refused.status_code, 422)
                self.assertEqual(refused.json()["code"], "before_with_relevance")
            with self.subTest(role=role, order="newest"):
                seen, params = [], {"q": "路灯", "order": "newest", "page_size": 2}
                while True:
                    got = self.get(role, path, **params).json()
                    seen += [r["serial"] for r in got["results"]]
                    if got["next_before"] is None or not got["results"]:
                        break
                    params = {"q": "路灯", "order": "newest", "page_size": 2, "before": got["next_before"]}
                self.assertEqual(seen, [m.serial for m in reversed(lights)])

    def test_the_export_takes_the_search(self):
        c = self.cast
        post(c, "路灯不亮", "路灯不亮。")
        post(c, "停水", "停水了。")
        self.client.force_login(c.county_office)
        out = b"".join(
            self.client.get("/bulk/export/messages.csv", {"region": "luocheng", "q": "停水"}).streaming_content
        )
        self.assertIn("停水".encode(), out)
        self.assertNotIn("路灯不亮".encode(), out)
