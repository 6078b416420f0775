import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wenzheng.handling import actions
from wenzheng.testing import local

from .base import MONDAY, NOW, WorkspaceTestCase

UNIT_STAFF = {"handler_a", "leader_a", "handler_b", "leader_b", "handler_c"}


@time_machine.travel(NOW, tick=False)
class InboxTests(WorkspaceTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        # Not acknowledged since Monday: the response limit ran out at 24:00 on Tuesday.
        cls.late = cast.submit(at=MONDAY, title="路灯坏了两周")
        # Arrived this morning: to acknowledge by 24:00 tomorrow.
        cls.fresh = cast.submit(at=local(2026, 3, 4, 9, 0), title="垃圾清运不及时")
        # Acknowledged on Monday: to reply by 24:00 next Monday (Thu, Fri, Mon left).
        cls.responded = cast.submit(at=MONDAY, title="农贸市场占道经营")
        actions.respond(message=cls.responded, by=cast.handler_a, at=MONDAY)
        cls.replied = cast.replied(at=MONDAY, title="医保报销咨询")
        cls.closed = cast.replied(at=MONDAY, title="低保申请流程")
        actions.close(message=cls.closed, by=cast.leader_a, kind="answered", at=MONDAY)
        cls.elsewhere = cast.submit(unit="b", at=MONDAY, title="小区物业纠纷")

    def test_it_is_for_unit_staff(self):
        self.assertAccess("/work/unit/", allowed=UNIT_STAFF)

    def test_it_lists_what_the_unit_owes_nearest_deadline_first(self):
        self.as_("handler_a")
        response = self.client.get("/work/unit/")
        rows = [m.pk for m in response.context["rows"]]
        self.assertEqual(rows, [self.late.pk, self.fresh.pk, self.responded.pk])
        self.assertNotContains(response, "小区物业纠纷")
        self.assertNotContains(response, "医保报销咨询")

    def test_it_marks_overdue_and_due_soon_in_words_with_working_days_left(self):
        self.as_("handler_a")
        response = self.client.get("/work/unit/")
        content = response.content.decode()
        self.assertContains(response, '<span class="badge bad">已超期</span>', count=1, html=True)
        self.assertContains(response, '<span class="badge warn">即将到期</span>', count=1, html=True)
        self.assertIn("回应期限3月3日24时，已超过1个工作日", content)
        self.assertIn("回应期限3月5日24时，剩余1个工作日", content)
        self.assertIn("回复期限3月9日24时，剩余3个工作日", content)
        # The row order follows the deadlines.
        self.assertLess(content.index("路灯坏了两周"), content.index("垃圾清运不及时"))
        self.assertLess(content.index("垃圾清运不及时"), content.index("农贸市场占道经营"))

    def test_it_marks_a_message_reopened_and_a_reply_sent_back(self):
        c = self.cast
        redo = c.replied(at=MONDAY, title="重办的留言")
        actions.close(message=redo, by=c.leader_a, kind="answered", at=local(2026, 3, 2, 12))
        actions.reopen(message=redo, by=c.county_office, reason="答复未解决问题。", at=local(2026, 3, 3, 9))
        c.unit_a.reply_signoff = True
        c.unit_a.save(update_fields=["reply_signoff"])
        rewrite = c.submit(at=MONDAY, title="回复被退回的留言")
        actions.reply(message=rewrite, by=c.handler_a, text="已处理。", at=local(2026, 3, 3, 10))
        actions.return_reply(
            draft=rewrite.drafts.get(), by=c.leader_a, note="请写明处理时间。", at=local(2026, 3, 3, 11)
        )
        self.as_("handler_a")
        response = self.client.get("/work/unit/")
        rows = {m.title: m for m in response.context["rows"]}
        self.assertTrue(rows["重办的留言"].replied_before)
        self.assertEqual(rows["回复被退回的留言"].last_draft, "returned")
        self.assertContains(response, '<span class="badge bad">重办</span>', count=1, html=True)
        self.assertContains(response, '<span class="badge warn">回复被退回修改</span>', count=1, html=True)

    def test_its_tabs_filter_by_state_and_show_counts(self):
        self.as_("leader_a")
        for tab, shown, hidden in [
            ("replied", "医保报销咨询", "低保申请流程"),
            ("closed", "低保申请流程", "医保报销咨询"),
            ("all", "低保申请流程", "小区物业纠纷"),
        ]:
            with self.subTest(tab=tab):
                response = self.client.get("/work/unit/", {"tab": tab})
                self.assertContains(response, shown)
                self.assertNotContains(response, hidden)
        response = self.client.get("/work/unit/", {"tab": "closed"})
        self.assertContains(
            response,
            '<a href="/work/unit/?tab=closed" hx-get="/work/unit/?tab=closed" aria-current="page">'
            '已办结<span class="count">（1）</span></a>',
            html=True,
        )
        # The leader's 待办 holds the replied message too: it waits for the leader's closure.
        self.assertContains(response, '待办<span class="count">（4）</span>', html=True)
        todo = self.client.get("/work/unit/", {"tab": "todo"})  # and says so beside it
        self.assertContains(todo, '<span class="badge info">已回复，待办结</span>', count=1)
        self.assertContains(response, '全部<span class="count">（5）</span>', html=True)
        self.as_("handler_a")
        response = self.client.get("/work/unit/", {"tab": "todo"})
        self.assertContains(response, '待办<span class="count">（3）</span>', html=True)
        self.assertNotContains(response, "医保报销咨询")

    def test_htmx_gets_only_the_list_and_caches_keep_the_two_apart(self):
        self.as_("handler_a")
        response = self.client.get("/work/unit/", {"tab": "all"}, headers={"HX-Request": "true"})
        self.assertNotContains(response, "<html")
        self.assertContains(response, "低保申请流程")
        self.assertTemplateUsed(response, "workspace/_inbox.html")
        self.assertTemplateNotUsed(response, "workspace/inbox.html")
        self.assertIn("HX-Request", response["Vary"])
        # A history restore after a cache miss wants the whole page back.
        restore = self.client.get(
            "/work/unit/", {"tab": "all"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        self.assertContains(restore, "<html")

    def test_its_tabs_work_without_javascript(self):
        self.as_("handler_a")
        response = self.client.get("/work/unit/", {"tab": "closed"})
        self.assertContains(response, "<html")
        self.assertContains(response, 'href="/work/unit/?tab=closed"')

    def test_it_reads_a_page_in_the_same_number_of_queries_however_many_rows(self):
        self.as_("handler_a")
        with CaptureQueriesContext(connection) as few:
            self.client.get("/work/unit/", {"tab": "all"})
        for i in range(6):
            self.cast.submit(at=MONDAY, title=f"更多留言{i}")
        with CaptureQueriesContext(connection) as many:
            response = self.client.get("/work/unit/", {"tab": "all"})
        self.assertEqual(len(response.context["rows"]), 11)
        self.assertEqual(len(many), len(few), [q["sql"] for q in many.captured_queries])

    def test_it_pages_long_lists(self):
        for i in range(20):
            self.cast.submit(at=MONDAY, title=f"批量留言{i:02d}")
        self.as_("handler_a")
        first = self.client.get("/work/unit/")
        self.assertContains(first, "第1页，共2页")
        self.assertContains(first, 'href="?tab=todo&amp;page=2"')
        second = self.client.get("/work/unit/", {"tab": "todo", "page": 2})
        self.assertEqual(len(second.context["rows"]), 3)

    def test_it_shows_a_deadline_counted_without_an_official_calendar_loudly(self):
        # 2027's holidays are not entered: a reply due in January 2027 is an estimate.
        at = local(2026, 12, 30, 9, 0)
        with time_machine.travel(at, tick=False):
            self.cast.submit(at=at, title="跨年留言")
            actions.respond(message=self.cast.unit_a.messages.get(title="跨年留言"), by=self.cast.handler_a, at=at)
            self.as_("handler_a")
            response = self.client.get("/work/unit/")
        self.assertContains(response, "2027年的节假日安排尚未录入，期限暂按周一至周五计算，录入后将重新核定。")

    def test_an_empty_tab_says_so(self):
        self.as_("handler_b")
        response = self.client.get("/work/unit/", {"tab": "closed"})
        self.assertContains(response, "没有已办结的留言。")
