"""Whole lives of messages, through the screens every role uses.

1. A citizen posts → the county dispatches → a handler responds and replies → the
   leader closes → the citizen rates.
2. An appeal closed by long-cycle approval of the city.
3. A message goes overdue and leads to a written-explanation order.
"""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.supervision.models import WrittenExplanationOrder
from wenzheng.workdays import clock

from .base import BrowserTestCase


class MessageLivesTest(BrowserTestCase):
    def as_user(self, username, *, phone=False):
        page = self.new_page(phone=phone)
        page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" of irreversible steps
        self.sign_in(page, username)
        return page

    def open_step(self, page, title):
        """Open a step's panel (some are open already: a click would close them)."""
        panel = page.locator("details.action", has=page.locator("summary", has_text=title)).first
        if panel.get_attribute("open") is None:
            panel.locator("summary").click()

    def test_a_consultation_from_the_citizen_to_the_rating(self):
        # The citizen posts from a phone, leaving the unit to the county office.
        citizen = self.as_user("citizen", phone=True)
        citizen.goto("/post/?county=luocheng")
        citizen.get_by_label("留言类别").select_option(label="咨询")
        citizen.get_by_role("textbox", name="标题", exact=True).fill("新农合缴费时间咨询")
        citizen.get_by_role("textbox", name="留言内容", exact=True).fill("请问2027年度城乡居民医保什么时候开始缴费？")
        citizen.get_by_role("textbox", name="姓名", exact=True).fill("王五")
        citizen.get_by_role("textbox", name="联系电话", exact=True).fill("13700000000")
        citizen.get_by_label("同意在网络问政专区公开").check()
        citizen.get_by_role("button", name="提交留言").click()
        expect(citizen.get_by_text("县网络问政办将尽快交办")).to_be_visible()
        message = Message.objects.get(title="新农合缴费时间咨询")

        # The county office dispatches it to 东门镇.
        office = self.as_user("county_office")
        office.goto("/work/county/luocheng/dispatch/")
        expect(office.get_by_role("heading", name=f"{message.serial} 新农合缴费时间咨询")).to_be_visible()
        self.shot(office, "county-dispatch-queue")
        office.get_by_label("交办单位").select_option(label="东门镇")
        office.get_by_role("button", name="交办", exact=True).click()
        expect(office.get_by_text("没有待交办的留言")).to_be_visible()

        # The handler finds it at the top of the inbox, responds and replies.
        handler = self.as_user("handler_a")
        handler.goto("/work/unit/")
        expect(handler.get_by_role("link", name="新农合缴费时间咨询")).to_be_visible()
        self.shot(handler, "unit-inbox")
        handler.get_by_role("link", name="新农合缴费时间咨询").click()
        self.open_step(handler, "签收")
        handler.get_by_role("button", name="签收", exact=True).click()
        expect(handler.get_by_text("已签收留言")).to_be_visible()
        self.open_step(handler, "回复")
        handler.get_by_label("回复内容").fill(
            "2027年度城乡居民医保集中缴费期为2026年9月至12月，可通过微信或村委会代收缴费。"
        )
        handler.get_by_role("button", name="发布回复").click()
        expect(handler.get_by_text("答复以本单位名义公开")).to_be_visible()
        self.shot(handler, "unit-message-replied")

        # The leader closes it as answered.
        leader = self.as_user("leader_a")
        leader.goto(f"/work/messages/{message.pk}/")
        self.open_step(leader, "办结")
        leader.get_by_label("办结方式").select_option(label="已答复（咨询、建议类）")
        leader.get_by_role("button", name="办结", exact=True).click()
        expect(leader.get_by_text("已办结").first).to_be_visible()

        # The citizen reads the answer under the unit's name and rates it.
        citizen.goto("/me/")
        citizen.get_by_role("link", name="新农合缴费时间咨询").click()
        expect(citizen.get_by_role("heading", name="东门镇 答复", exact=False)).to_be_visible()
        citizen.get_by_label("满意", exact=True).check()
        citizen.get_by_role("button", name="提交评价").click()
        expect(citizen.get_by_text("感谢您的评价")).to_be_visible()
        self.shot(citizen, "citizen-message-rated")
        message.refresh_from_db()
        self.assertEqual((message.state, message.rating), ("closed", "satisfied"))
        self.assertEqual(list(message.stages.values_list("outcome", flat=True)), ["on_time", "on_time"])

        # And the public sees it, without the citizen's name or phone.
        public = self.new_page()
        public.goto(f"/messages/luocheng/{message.serial}/")
        expect(public.get_by_text("可通过微信或村委会代收缴费")).to_be_visible()
        expect(public.get_by_text("王五")).to_have_count(0)
        expect(public.get_by_text("13700000000")).to_have_count(0)
        self.shot(public, "public-message")

    def test_an_appeal_closed_by_long_cycle_approval(self):
        c = self.cast
        message = c.submit(category=c.appeal, title="村里饮水工程迟迟未建")
        actions.reply(message=message, by=c.handler_a, text="饮水工程已列入明年计划，资金到位后动工。")

        leader = self.as_user("leader_a")
        leader.goto(f"/work/messages/{message.pk}/")
        self.open_step(leader, "申请长周期办结")
        leader.get_by_label("长周期办结说明").fill("工程需市级立项和专项资金，预计2027年底完工，已向网民答复解释。")
        leader.get_by_role("button", name="提交审批").click()
        expect(leader.get_by_text("长周期办结待审批").first).to_be_visible()

        city = self.as_user("city_office")
        city.goto("/work/city/hechi/approvals/")
        expect(city.get_by_text("村里饮水工程迟迟未建")).to_be_visible()
        self.shot(city, "city-approvals")
        city.get_by_label("审批意见").fill("同意按长周期办结，请跟踪工程进度。")
        city.get_by_role("button", name="同意", exact=True).click()
        expect(city.get_by_text("村里饮水工程迟迟未建")).to_have_count(0)
        message.refresh_from_db()
        self.assertEqual((message.state, message.closure_kind), ("closed", "long_cycle"))

        public = self.new_page(phone=True)
        public.goto(f"/messages/luocheng/{message.serial}/")
        expect(public.get_by_text("解决周期长或解决不了，经领导小组同意")).to_be_visible()

    def test_an_overdue_message_leads_to_a_written_explanation(self):
        c = self.cast
        now = timezone.now()
        message = c.submit(category=c.appeal, title="小区污水外溢无人管", at=now - dt.timedelta(days=20))
        self.assertTrue(Message.objects.overdue(at=now).filter(pk=message.pk).exists())

        handler = self.as_user("handler_a")
        handler.goto("/work/unit/")
        expect(handler.get_by_text("已超期").first).to_be_visible()

        office = self.as_user("county_office")
        office.goto("/work/county/luocheng/supervision/")
        expect(office.get_by_role("link", name="小区污水外溢无人管")).to_be_visible()
        self.shot(office, "county-supervision")
        office.get_by_role("link", name="责成书面说明").first.click()
        office.get_by_label("责成事由").fill("东门镇回应、回复网民留言迟延，请作出书面说明并限期梳理回复。")
        deadline = clock.local_date(now) + dt.timedelta(days=7)
        office.get_by_label("限期梳理回复截止日期").fill(deadline.isoformat())
        expect(office.get_by_label(message.serial, exact=False)).to_be_checked()
        office.get_by_role("button", name="责成书面说明").click()
        expect(office.get_by_text("书面说明").first).to_be_visible()
        order = WrittenExplanationOrder.objects.get(unit=c.unit_a)
        self.assertEqual(list(order.messages.all()), [message])
        self.assertEqual(order.backlog_deadline, clock.local_midnight(deadline + dt.timedelta(days=1)))

        leader = self.as_user("leader_a")
        leader.goto("/work/unit/orders/")
        expect(leader.get_by_text("尚未提交书面说明").first).to_be_visible()
        self.open_step(leader, "提交书面说明")
        leader.get_by_label("书面说明内容").fill("因人员调整未及时签收，已落实专人负责，本周内全部回复。")
        leader.get_by_role("button", name="提交").click()
        expect(leader.get_by_text("因人员调整未及时签收").first).to_be_visible()
        self.shot(leader, "unit-orders")
        order.refresh_from_db()
        self.assertIsNotNone(order.explanation_received_at)
