"""The loop that closes: a citizen is dissatisfied, and is heard.

A citizen rates a reply 不满意 with a reason; the unit's inbox and the county office's
回访 queue show it; the office sends the message back (重办); the unit replies again;
the worker sends the citizen an SMS (file backend) whose link leads back to it.
"""

import json
import re
import tempfile
from pathlib import Path

from django.test import override_settings
from playwright.sync_api import expect

from wenzheng.handling.models import Message, Revisit
from wenzheng.ops import worker

from .base import BrowserTestCase


def open_step(page, title):
    """Open a step's panel on the message page (the first is open already)."""
    panel = page.locator("details.action", has=page.locator("summary", has_text=title)).first
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()


class DissatisfactionTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.sms = Path(tempfile.mkdtemp())
        self.mail = Path(tempfile.mkdtemp())
        settings = override_settings(
            SMS_BACKEND="wenzheng.notifications.sms.FileBackend",
            SMS_FILE_PATH=str(self.sms),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail),
        )
        settings.enable()
        self.addCleanup(settings.disable)

    def as_user(self, username, *, phone=False):
        page = self.new_page(phone=phone)
        page.on("dialog", lambda dialog: dialog.accept())
        self.sign_in(page, username)
        return page

    def sms_to(self, number) -> list[str]:
        lines = [json.loads(line) for f in self.sms.glob("sms-*.jsonl") for line in f.read_text().splitlines()]
        return [line["text"] for line in lines if line["to"] == number]

    def test_a_dissatisfied_citizen_is_heard_and_answered_again(self):
        c = self.cast
        message = c.replied(title="新街路灯坏了两周", email="zhangsan@example.com")
        worker.run_pass(only=["notices"])  # the first answer's SMS and e-mail go out
        self.assertEqual(len(self.sms_to("13800000000")), 1)

        # The citizen, on a phone, is not satisfied and says why.
        citizen = self.as_user("citizen", phone=True)
        citizen.goto(f"/messages/luocheng/{message.serial}/")
        citizen.get_by_label("不满意", exact=True).check()
        citizen.get_by_role("button", name="提交评价").click()
        # Said at the top, where the page opens, and by the field, screens below.
        expect(citizen.get_by_text("评价没有提交：选择“不满意”时，请写明不满意的理由。")).to_be_in_viewport()
        expect(citizen.locator(".errorlist").get_by_text("选择“不满意”时，请写明不满意的理由。")).to_be_visible()
        citizen.get_by_label("不满意", exact=True).check()
        citizen.get_by_label("不满意的理由").fill("答复说已安排维修，可路灯到现在还是不亮，晚上孩子放学很危险。")
        citizen.get_by_role("button", name="提交评价").click()
        expect(citizen.get_by_text("感谢您的评价，县网络问政办将回访核实。")).to_be_visible()
        expect(citizen.get_by_text("处理结果会在这里告诉您")).to_be_visible()
        self.shot(citizen, "citizen-dissatisfied")
        revisit = Revisit.objects.get()
        self.assertEqual(revisit.reason, "答复说已安排维修，可路灯到现在还是不亮，晚上孩子放学很危险。")

        # The unit sees it as work in its inbox.
        handler = self.as_user("handler_a")
        handler.goto("/work/unit/")
        handler.get_by_role("link", name=re.compile("^不满意")).click()
        expect(handler.get_by_role("link", name="新街路灯坏了两周")).to_be_visible()
        expect(handler.get_by_text("网民不满意")).to_be_visible()
        self.shot(handler, "unit-inbox-dissatisfied")

        # The county office finds it in its 回访 queue, with the reason, and reopens.
        office = self.as_user("county_office")
        office.goto("/work/county/luocheng/")
        office.get_by_role("link", name=re.compile("回访待处理")).click()
        expect(office.get_by_text("可路灯到现在还是不亮")).to_be_visible()
        self.shot(office, "county-revisits")
        office.get_by_label("处理意见").fill("经电话核实，路灯仍未修复，答复不属实，退回重办。")
        office.get_by_role("button", name="退回重办").click()
        expect(office.get_by_text("没有待处理的回访")).to_be_visible()
        message.refresh_from_db()
        self.assertEqual(message.state, "responded")

        # The unit replies again.
        handler.goto("/work/unit/")
        handler.get_by_role("link", name="新街路灯坏了两周").click()
        open_step(handler, "回复")
        handler.get_by_label("回复内容").fill("经核实，原维修未到位。已于今日更换路灯控制箱，新街路灯已全部恢复照明。")
        handler.get_by_role("button", name="发布回复").click()
        expect(handler.get_by_text("答复以本单位名义公开")).to_be_visible()
        self.assertEqual(Message.objects.get(pk=message.pk).state, "replied")

        # The worker sends the citizen the news, with a link and the tracking code.
        worker.run_pass(only=["notices"])
        texts = self.sms_to("13800000000")
        code = message.tracking_code
        # The first answer, the office's 回访 decision, the new answer.
        self.assertEqual(len(texts), 3)
        self.assertEqual(texts[1], f"留言{message.serial}经回访退回重办，查询码{code}，http://127.0.0.1:8000/t/{code}")
        self.assertEqual(texts[-1], f"留言{message.serial}已答复，查询码{code}，http://127.0.0.1:8000/t/{code}")
        mails = "".join(f.read_text() for f in self.mail.glob("*.log"))
        self.assertEqual(mails.count("To: zhangsan@example.com"), 3)

        # The link leads the citizen, signed in, straight back to the message (it asked
        # for the passcode their account already proves).
        citizen.goto(f"/t/{code}")
        expect(citizen).to_have_url(f"{self.live_server_url}/messages/luocheng/{message.serial}/")
        expect(citizen.get_by_text("已于今日更换路灯控制箱")).to_be_visible()
        self.shot(citizen, "citizen-notice-link")


class SignoffAndOfficeScreensTest(BrowserTestCase):
    """The sign-off path, the bell, the quarter's proposals and bulk dispatch, on the
    screens people use (each checked at a phone's width)."""

    def as_user(self, username, *, phone=False):
        page = self.new_page(phone=phone)
        page.on("dialog", lambda dialog: dialog.accept())
        self.sign_in(page, username)
        return page

    def test_a_handlers_reply_waits_for_the_leader_who_is_told_by_the_bell(self):
        c = self.cast
        c.unit_a.reply_signoff = True
        c.unit_a.save()
        message = c.submit(title="村道路灯损坏")

        handler = self.as_user("handler_a")
        handler.goto(f"/work/messages/{message.pk}/")
        open_step(handler, "回复")
        handler.get_by_label("回复内容").fill("已安排电工本周内维修。")
        handler.get_by_role("button", name="提交分管领导审核").click()
        expect(handler.get_by_text("待本单位分管领导审核后公开")).to_be_visible()

        leader = self.as_user("leader_a", phone=True)
        leader.goto("/work/unit/")
        leader.get_by_role("button", name=re.compile("菜单")).click()
        leader.get_by_role("link", name=re.compile("^通知")).click()
        expect(leader.get_by_text(f"handler_a提交了留言{message.serial}的回复，待您审核后公开。")).to_be_visible()
        self.shot(leader, "notices")
        leader.get_by_role("link", name=re.compile("待您审核后公开")).click()
        expect(leader.get_by_text("待分管领导审核的回复")).to_be_visible()
        self.shot(leader, "unit-message-signoff")
        leader.get_by_role("button", name="审核通过并公开").click()
        expect(leader.get_by_text("回复已审核通过，以本单位名义公开。")).to_be_visible()
        self.assertEqual(Message.objects.get(pk=message.pk).replies.get().text, "已安排电工本周内维修。")

    def test_the_office_confirms_a_proposal_and_dispatches_in_bulk(self):
        import datetime as dt

        from django.utils import timezone

        from wenzheng.reports import periods
        from wenzheng.supervision.models import ExplanationProposal
        from wenzheng.workdays import clock

        c = self.cast
        this = periods.quarter_of(clock.local_date(timezone.now()))
        last = periods.quarter_of(this.first_day - dt.timedelta(days=1))
        c.submit(title="上季度超时的留言", at=last.start + dt.timedelta(days=3, hours=10))
        waiting = [c.submit(unit=None, title=f"待交办{n}") for n in range(2)]

        office = self.as_user("county_office")
        office.goto("/work/county/luocheng/proposals/")
        office.get_by_role("button", name=re.compile("生成建议")).click()
        expect(office.get_by_text("回应超时1条，回复超时1条。")).to_be_visible()
        self.shot(office, "county-proposals")
        office.get_by_role("button", name="确认责成").click()
        expect(office.get_by_text("已责成东门镇作出书面说明。")).to_be_visible()
        self.assertEqual(ExplanationProposal.objects.get().state, "confirmed")

        office.goto("/work/county/luocheng/dispatch/")
        for m in waiting:
            office.get_by_label(f"选中{m.serial}批量交办").check()
        office.get_by_label("输入单位名称筛选").first.fill("住建局")
        expect(office.get_by_label("批量交办给")).to_have_value(str(c.unit_b.pk))
        office.get_by_role("button", name="交办选中的留言").click()
        expect(office.get_by_text("已将2条留言交办县住房和城乡建设局")).to_be_visible()
        self.assertEqual({m.unit for m in Message.objects.filter(pk__in=[w.pk for w in waiting])}, {c.unit_b})
