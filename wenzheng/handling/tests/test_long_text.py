"""A long message is shown folded after its first few hundred characters, every
character still on the page (a 10,000-character message put the reply and the rating
screens below it on a phone)."""

from django.test import SimpleTestCase

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.handling.templatetags.texts import HEAD, LONG, split
from wenzheng.testing import CastTestCase


class SplitTest(SimpleTestCase):
    def test_a_short_text_is_whole_and_a_long_one_ends_a_sentence(self):
        self.assertEqual(split("路灯不亮。"), ("路灯不亮。", ""))
        self.assertEqual(split("字" * LONG), ("字" * LONG, ""))
        text = "路灯不亮，" * 90 + "请尽快修理。" + "字" * 2000
        head, rest = split(text)
        self.assertTrue(head.endswith("请尽快修理。"), head[-10:])
        self.assertEqual(head + rest, text)
        head, rest = split("字" * 3000)  # no sentence end: cut where it must
        self.assertEqual((len(head), head + rest), (HEAD, "字" * 3000))


class FoldedOnThePagesTest(CastTestCase):
    def test_the_board_the_tracking_page_and_the_inbox_fold_it(self):
        c = self.cast
        body = "东门镇新街路灯不亮。" * 299 + "东门镇新街路灯不\r\n。"  # 3,000 as read (a break is one)
        message = c.submit()
        Message.objects.filter(pk=message.pk).update(body=body)
        actions.reply(message=message, by=c.handler_a, text="已安排维修人员处理。")
        for who, url in [
            (None, f"/messages/luocheng/{message.serial}/"),
            (c.handler_a, f"/work/messages/{message.pk}/"),
        ]:
            with self.subTest(url=url):
                self.client.logout()
                if who:
                    self.client.force_login(who)
                page = self.client.get(url)
                self.assertContains(page, "展开全文（共3000字）")
                self.assertContains(page, '<span class="when-open">收起</span>')
                self.assertContains(page, "东门镇新街路灯不亮。", count=299)
        short = c.submit()
        self.client.force_login(c.handler_a)
        self.assertNotContains(self.client.get(f"/work/messages/{short.pk}/"), "展开全文")
