"""Anonymous public pages come from the cache until an event of their region commits."""

from unittest import mock

from django.core.cache import cache
from django.test import RequestFactory, override_settings

from wenzheng.handling import actions
from wenzheng.lib import pagecache
from wenzheng.privacy import actions as privacy
from wenzheng.testing import CastTestCase, local


@override_settings(PUBLIC_PAGE_CACHE=True)
class PublicPageCacheTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.first = cls.cast.replied(at=local(2026, 3, 2, 9), title="新街路灯不亮")

    def setUp(self):
        # A server that has run a while holds a token for each region already; the
        # first request of a fresh cache only starts them (see PublicPageCache).
        cache.set_many({f"pages:token:{n}": "t0" for n in ("default", "hechi", "luocheng", "huanjiang")})

    def test_a_fresh_cache_starts_its_tokens_before_it_keeps_a_page(self):
        cache.clear()
        self.client.get("/exposures/")
        self.assertNotIn("X-Page-Cache", self.client.get("/exposures/"))
        self.assertEqual(self.client.get("/exposures/")["X-Page-Cache"], "hit")

    def step(self, fn, **kwargs):
        """A step as a server runs it: its transaction commits, so the tokens change."""
        with self.captureOnCommitCallbacks(execute=True):
            return fn(**kwargs)

    def test_it_serves_a_kept_page_with_an_etag_and_answers_304_while_unchanged(self):
        first = self.client.get("/messages/", {"region": "luocheng"})
        self.assertNotIn("X-Page-Cache", first)
        self.assertEqual(first["Cache-Control"], "public, no-cache")
        second = self.client.get("/messages/", {"region": "luocheng"})
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertEqual(second.content, first.content)
        self.assertEqual(second["ETag"], first["ETag"])
        # The security headers are added to a kept page as to a fresh one.
        self.assertIn("default-src", second["Content-Security-Policy"])
        unchanged = self.client.get("/messages/", {"region": "luocheng"}, headers={"If-None-Match": first["ETag"]})
        self.assertEqual(unchanged.status_code, 304)
        self.assertEqual(unchanged.content, b"")

    def test_a_reply_is_on_the_board_and_in_the_figures_at_once(self):
        c = self.cast
        self.client.get("/messages/", {"region": "luocheng"})
        self.client.get("/statistics/", {"region": "luocheng", "period": "2026Q1"})
        m = c.submit(at=local(2026, 3, 3, 9), title="水管漏水")
        self.step(actions.reply, message=m, by=c.handler_a, text="已维修。", at=local(2026, 3, 3, 10))
        board = self.client.get("/messages/", {"region": "luocheng"})
        self.assertNotIn("X-Page-Cache", board)
        self.assertContains(board, "水管漏水")
        stats = self.client.get("/statistics/", {"region": "luocheng", "period": "2026Q1"})
        self.assertContains(stats, "共收到网民留言总数2条")
        # The city's pages too, and the default region's (the city here).
        self.assertContains(self.client.get("/messages/"), "水管漏水")

    def test_a_message_withheld_by_review_leaves_every_kept_page_at_once(self):
        c = self.cast
        url = f"/messages/luocheng/{self.first.serial}/"
        for path in ("/messages/", url, "/api/v1/messages"):
            self.assertContains(self.client.get(path), "新街路灯不亮")
            self.assertEqual(self.client.get(path)["X-Page-Cache"], "hit")
        self.step(privacy.withhold, message=self.first, by=c.county_office, reason="含有他人隐私")
        self.assertNotContains(self.client.get("/messages/"), "新街路灯不亮")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertNotContains(self.client.get("/api/v1/messages"), "新街路灯不亮")

    def test_while_one_request_makes_a_page_again_the_others_get_the_previous_copy(self):
        c = self.cast
        self.client.get("/messages/", {"region": "luocheng"})
        m = c.submit(at=local(2026, 3, 3, 9), title="水管漏水")
        self.step(actions.reply, message=m, by=c.handler_a, text="已维修。", at=local(2026, 3, 3, 10))
        # Another worker has begun making this page: this request does not make it too.
        key = pagecache.page_key(RequestFactory().get("/messages/", {"region": "luocheng"}))
        cache.add(key + ":making", 1)
        stale = self.client.get("/messages/", {"region": "luocheng"})
        self.assertEqual(stale["X-Page-Cache"], "stale")
        self.assertNotContains(stale, "水管漏水")
        # Once it is made (the lock gone), the new page is answered.
        cache.delete(key + ":making")
        fresh = self.client.get("/messages/", {"region": "luocheng"})
        self.assertNotIn("X-Page-Cache", fresh)
        self.assertContains(fresh, "水管漏水")
        self.assertIsNone(cache.get(key + ":making"))
        self.assertEqual(self.client.get("/messages/", {"region": "luocheng"})["X-Page-Cache"], "hit")

    def test_a_page_older_than_max_age_is_made_again(self):
        self.client.get("/exposures/")
        self.assertEqual(self.client.get("/exposures/")["X-Page-Cache"], "hit")
        later = pagecache.time.time() + pagecache.MAX_AGE + 1
        with mock.patch.object(pagecache.time, "time", return_value=later):
            self.assertNotIn("X-Page-Cache", self.client.get("/exposures/"))
            self.assertEqual(self.client.get("/exposures/")["X-Page-Cache"], "hit")

    def test_after_a_deploy_no_page_links_the_old_stylesheet(self):
        with mock.patch.object(pagecache.staticfiles_storage, "manifest_hash", "release-1", create=True):
            self.client.get("/exposures/")
            self.assertEqual(self.client.get("/exposures/")["X-Page-Cache"], "hit")
        with mock.patch.object(pagecache.staticfiles_storage, "manifest_hash", "release-2", create=True):
            self.assertNotIn("X-Page-Cache", self.client.get("/exposures/"))
            self.assertEqual(self.client.get("/exposures/")["X-Page-Cache"], "hit")

    def test_an_event_of_another_county_leaves_this_countys_pages_kept(self):
        c = self.cast
        self.client.get("/messages/", {"region": "luocheng"})
        self.step(c.submit, unit="c", at=local(2026, 3, 3, 9))
        self.assertEqual(self.client.get("/messages/", {"region": "luocheng"})["X-Page-Cache"], "hit")
        self.assertNotIn("X-Page-Cache", self.client.get("/messages/", {"region": "hechi"}))

    def test_a_run_of_changes_renewed_once_renews_every_region_it_touched_once(self):
        c = self.cast
        self.client.get("/messages/", {"region": "luocheng"})
        self.client.get("/messages/", {"region": "huanjiang"})
        with self.captureOnCommitCallbacks(execute=True) as renewals, pagecache.renewed_once():
            for unit in ("a", "b", "c"):  # c is of the other county
                c.submit(unit=unit, at=local(2026, 3, 3, 9))
        self.assertEqual(len(renewals), 1)
        self.assertNotIn("X-Page-Cache", self.client.get("/messages/", {"region": "luocheng"}))
        self.assertNotIn("X-Page-Cache", self.client.get("/messages/", {"region": "huanjiang"}))

    def test_a_run_of_changes_that_fails_renews_nothing(self):
        with self.captureOnCommitCallbacks() as renewals, self.assertRaises(ValueError), pagecache.renewed_once():
            self.cast.submit(at=local(2026, 3, 3, 9))
            raise ValueError
        self.assertEqual(renewals, [])

    def test_the_whole_query_string_is_part_of_the_key(self):
        self.client.get("/messages/", {"region": "luocheng"})
        other = self.client.get("/messages/", {"region": "luocheng", "q": "路灯"})
        self.assertNotIn("X-Page-Cache", other)
        fragment = self.client.get("/messages/", {"region": "luocheng"}, headers={"HX-Request": "true"})
        self.assertNotIn("X-Page-Cache", fragment)
        self.assertNotContains(fragment, "<html")

    def test_signed_in_people_and_waiting_flash_messages_never_get_a_kept_page(self):
        self.client.get("/messages/")
        self.client.cookies["messages"] = "x"
        self.assertNotIn("X-Page-Cache", self.client.get("/messages/"))
        del self.client.cookies["messages"]
        self.client.force_login(self.cast.citizen)
        mine = self.client.get("/messages/")
        self.assertNotIn("X-Page-Cache", mine)
        self.assertNotIn("ETag", mine)
        self.assertContains(mine, "citizen（网民）")

    def test_forms_with_a_csrf_token_are_never_kept(self):
        self.client.get("/post/", {"county": "luocheng"})
        self.assertNotIn("X-Page-Cache", self.client.get("/post/", {"county": "luocheng"}))


@override_settings(PUBLIC_PAGE_CACHE=True)
class FirstMakerTests(CastTestCase):
    """A page nobody has kept yet (a new day, a new release) is made once, not once per
    request that arrives while it is being made."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cast.replied(at=local(2026, 3, 2, 9), title="新街路灯不亮")

    def setUp(self):
        cache.set_many({f"pages:token:{n}": "t0" for n in ("default", "hechi", "luocheng", "huanjiang")})
        self.key = pagecache.page_key(RequestFactory().get("/exposures/"))

    def test_a_request_waits_for_the_page_another_is_making_and_is_answered_it(self):
        # Another worker holds the right to make /exposures/ and keeps it while this
        # request waits: the copy it keeps is what this request gets, its view never runs.
        cache.add(self.key + ":making", 1)
        made = (("t0",), b"<p>made by the other worker</p>", "text/html; charset=utf-8", '"e1"', pagecache.time.time())

        def the_other_worker_finishes(seconds):
            cache.set(self.key, made)
            cache.delete(self.key + ":making")

        with (
            mock.patch.object(pagecache.time, "sleep", side_effect=the_other_worker_finishes) as slept,
            mock.patch.object(pagecache.PublicPageCache, "_make", side_effect=AssertionError("made twice")),
        ):
            answer = self.client.get("/exposures/")
        self.assertEqual(slept.call_count, 1)
        self.assertEqual(answer["X-Page-Cache"], "waited")
        self.assertEqual(answer.content, made[1])
        self.assertEqual(answer["ETag"], '"e1"')

    def test_when_the_maker_keeps_nothing_the_waiting_request_makes_the_page_itself(self):
        cache.add(self.key + ":making", 1)
        # The other worker's page was not kept (say, it set a cookie): it lets go.
        with mock.patch.object(pagecache.time, "sleep", side_effect=lambda s: cache.delete(self.key + ":making")):
            answer = self.client.get("/exposures/")
        self.assertNotIn("X-Page-Cache", answer)
        self.assertContains(answer, "曝光")
        self.assertEqual(self.client.get("/exposures/")["X-Page-Cache"], "hit")

    def test_a_slow_maker_is_waited_for_two_seconds_at_most(self):
        cache.add(self.key + ":making", 1)
        clock = iter(range(0, 1000, 1))  # each look at the clock, a second later
        with (
            mock.patch.object(pagecache.time, "monotonic", side_effect=lambda: next(clock)),
            mock.patch.object(pagecache.time, "sleep") as slept,
        ):
            answer = self.client.get("/exposures/")
        self.assertLessEqual(slept.call_count, pagecache.WAIT_SECONDS)
        self.assertNotIn("X-Page-Cache", answer)
        self.assertContains(answer, "曝光")
        # It did not take the slow maker's lock from it.
        self.assertEqual(cache.get(self.key + ":making"), 1)

    def test_the_first_request_takes_the_lock_while_it_makes_the_page_and_lets_go_after(self):
        seen = []
        real = pagecache.PublicPageCache._make

        def making(middleware, request, key, names, tokens):
            seen.append(cache.get(key + ":making"))
            return real(middleware, request, key, names, tokens)

        with mock.patch.object(pagecache.PublicPageCache, "_make", making):
            self.client.get("/exposures/")
        self.assertEqual(seen, [1])
        self.assertIsNone(cache.get(self.key + ":making"))
        self.assertEqual(self.client.get("/exposures/")["X-Page-Cache"], "hit")
