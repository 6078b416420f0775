"""Every key page runs as many queries with 1,000 messages as with 10: no page reads
a row per message, per unit or per reply (issue 12)."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from wenzheng.eventlog import chain
from wenzheng.handling import actions, derived
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase
from wenzheng.workdays import clock

# Anything above these with 10 messages is already a page that reads too much.
CEILING = 25


def grow(cast, total):
    """Messages of every kind until there are `total`: waiting for dispatch, open at a
    unit, replied, closed, at the other unit; seven in ten published."""
    done = Message.objects.count()
    for i in range(done, total):
        kind = i % 5
        consent = i % 10 < 7
        title = f"第{i}号留言：新街路灯不亮"
        if kind == 0:
            cast.submit(unit=None, consent=consent, title=title)
        elif kind == 1:
            cast.submit(consent=consent, title=title)
        elif kind == 2:
            cast.replied(consent=consent, title=title)
        elif kind == 3:
            message = cast.replied(consent=consent, title=title)
            actions.close(message=message, by=cast.leader_a, kind="answered")
        else:
            message = cast.submit(unit="b", consent=consent, title=title)
            actions.reply(message=message, by=cast.handler_b, text="已处理。")


@override_settings(WORKDAY_CALENDAR_CHECK_SECONDS=600)  # production looks once a second, not at every use
class FlatQueryCountTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        grow(cls.cast, 10)

    def pages(self):
        """(name, who reads it, path) of every key page."""
        published = Message.objects.filter(consent_to_publish=True, state="closed").order_by("pk").first()
        return [
            ("home", None, "/?region=luocheng"),
            ("board", None, "/messages/?region=luocheng"),
            ("board, last page", None, "/messages/?region=luocheng&page=9999"),
            ("board, filtered", None, f"/messages/?region=luocheng&unit={self.cast.unit_a.pk}&status=replied"),
            ("statistics", None, "/statistics/?region=luocheng"),
            ("message page", None, f"/messages/luocheng/{published.serial}/"),
            ("API list", None, "/api/v1/messages?region=luocheng"),
            ("Open311 list", None, "/open311/v2/requests.json?jurisdiction_id=luocheng"),
            ("unit inbox", self.cast.handler_a, "/work/unit/"),
            ("county dashboard", self.cast.county_office, "/work/county/luocheng/"),
            ("dispatch", self.cast.county_office, "/work/county/luocheng/dispatch/"),
            ("city overview", self.cast.city_office, "/work/city/hechi/"),
        ]

    def count(self, who, path):
        self.client.logout()
        if who is not None:
            self.client.force_login(who)
        clock.calendar()  # the kept calendar, read once per process, not per page
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        return len(queries), response

    def test_it_runs_as_many_queries_for_every_key_page_with_1000_messages_as_with_10(self):
        few = {}
        for name, who, path in self.pages():
            few[name], response = self.count(who, path)
            self.assertLessEqual(few[name], CEILING, name)

        # Each message's figures and search documents derived once, at the end, and
        # the chain's head written once, as the demo county is built: the same rows as
        # step by step (reports' test_tally, eventlog's test_chain).
        with derived.once(), chain.held():
            grow(self.cast, 1000)
        self.assertEqual(Message.objects.count(), 1000)
        for name, who, path in self.pages():
            self.client.logout()
            if who is not None:
                self.client.force_login(who)
            clock.calendar()
            with self.subTest(name), self.assertNumQueries(few[name]):
                response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)

        # The pages show the grown data, not an empty list that would be flat too.
        # (The public ones: answered, seven in ten published; 300 of the 1,000.)
        self.client.logout()
        board = self.client.get("/messages/?region=luocheng")
        self.assertContains(board, "第994号留言")
        self.assertContains(board, "共300条公开留言")
        api = self.client.get("/api/v1/messages?region=luocheng").json()
        self.assertEqual(api["count"], 300)
        self.client.force_login(self.cast.county_office)
        # Oldest first, 30 a page: the 30th waiting message was written after the first 10.
        self.assertContains(self.client.get("/work/county/luocheng/dispatch/"), "第145号留言")
