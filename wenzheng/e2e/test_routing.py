"""The dispatch queue's routing suggestions, in a real browser: a new message arrives
unassigned, the queue suggests a unit, and the office accepts it in bulk with two
others, each going to its own suggested unit."""

import shutil
import tempfile

from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.topics import catalogue, routing
from wenzheng.topics.models import RoutingDecision, RoutingSuggestion

from .base import BrowserTestCase

LAMPS = ["路灯不亮", "路灯坏了", "街灯熄灭", "路灯闪烁", "巷口路灯不亮", "路灯杆倾斜"]
HOUSES = ["楼顶漏水", "墙体开裂", "物业推诿", "房屋质量", "物业乱收费", "屋面渗水"]


class RoutingSuggestionTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        override = override_settings(ROUTER_DIR=directory)
        override.enable()
        self.addCleanup(override.disable)
        cast = self.cast
        catalogue.load_default(cast.county)
        # History: answered messages of 东门镇 (street lights) and 住建局 (housing).
        for i in range(24):
            lamp = i % 2 == 0
            words = (LAMPS if lamp else HOUSES)[i // 2 % 6]
            m = self.post(words, f"{words}，请尽快处理，第{i}次反映。", unit="a" if lamp else "b")
            actions.reply(message=m, by=cast.handler_a if lamp else cast.handler_b, text="已处理。")
        call_command("train_router", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def post(self, title, body, *, unit=None):
        message = self.cast.submit(unit=unit, title=title)
        Message.objects.filter(pk=message.pk).update(body=body)
        message.body = body
        return message

    def test_the_office_accepts_three_suggestions_at_once(self):
        cast = self.cast
        waiting = [
            self.post("新街路灯不亮", "新街的路灯晚上不亮，出行不便。"),
            self.post("楼顶漏水", "我家楼顶漏水，物业推诿不管。"),
            self.post("巷子路灯坏了", "巷口的路灯坏了一周。"),
        ]
        page = self.new_page()
        self.sign_in(page, "county_office")
        page.goto("/work/county/luocheng/dispatch/")
        for m in waiting:
            card = page.locator("article", has=page.get_by_role("heading", name=f"{m.serial} {m.title}"))
            expect(card.get_by_text("智能分拨建议")).to_be_visible()
            card.get_by_label(f"选中{m.serial}批量交办").check()
        expect(page.get_by_role("button", name="采纳：交办东门镇")).to_have_count(2)
        self.shot(page, "county-dispatch-suggestions")
        page.get_by_role("button", name="选中的留言按智能分拨建议交办").click()
        expect(page.get_by_text("已采纳3条留言的分拨建议")).to_be_visible()
        expect(page.get_by_text("没有待交办的留言")).to_be_visible()
        units = [Message.objects.get(pk=m.pk).unit for m in waiting]
        self.assertEqual(units, [cast.unit_a, cast.unit_b, cast.unit_a])
        self.assertEqual(RoutingDecision.objects.filter(unit_decision="accepted").count(), 3)

    def test_an_unsure_suggestion_is_a_hint_and_the_unit_is_chosen_in_the_form(self):
        """Found by a tester on a phone: "采纳：交办兼爱乡", a big button, for another
        township guessed at 6%; one tap dispatched it."""
        cast = self.cast
        waiting = self.post("新街路灯不亮", "新街的路灯晚上不亮，出行不便。")
        routing.suggest([waiting])
        RoutingSuggestion.objects.filter(message=waiting).update(
            unit=cast.unit_b, unit_confidence=0.06, other_units=[[cast.unit_a.pk, 0.05]]
        )
        page = self.new_page(phone=True)
        self.sign_in(page, "county_office")
        page.goto("/work/county/luocheng/dispatch/")
        card = page.locator("article", has=page.get_by_role("heading", name=f"{waiting.serial} {waiting.title}"))
        expect(card.get_by_text("把握较低，请核对后再交办")).to_be_visible()
        expect(card.get_by_role("button", name=f"采纳：交办{cast.unit_b.name}")).to_have_count(0)
        expect(page.get_by_role("button", name="选中的留言按智能分拨建议交办")).to_have_count(0)
        pick = card.get_by_role("button", name=f"在交办表单中选择{cast.unit_b.name}")
        self.shot(page, "county-dispatch-unsure-suggestion")
        pick.click()
        unit = card.locator(f"#id_dispatch-{waiting.pk}-unit")
        expect(unit).to_have_value(str(cast.unit_b.pk))
        expect(unit).to_be_focused()
        self.assertEqual(Message.objects.get(pk=waiting.pk).state, "pending_dispatch")  # nothing sent
        card.get_by_role("button", name="交办", exact=True).click()
        expect(page.get_by_text("没有待交办的留言")).to_be_visible()
        self.assertEqual(Message.objects.get(pk=waiting.pk).unit, cast.unit_b)
