"""A citizen unsubscribes (退订) and hears nothing more about the message."""

from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from wenzheng.handling import actions
from wenzheng.notifications import sms
from wenzheng.notifications.models import CitizenOptOut, Delivery, Notice
from wenzheng.testing import CastTestCase, local

from .helpers import at, send

NOW = local(2026, 3, 4, 10)


class UnsubscribeTest(CastTestCase):
    def setUp(self):
        sms.outbox.clear()
        c = self.cast
        with at(NOW):
            self.message = c.submit(by=None, email="zhang@example.com")
            actions.reply(message=self.message, by=c.handler_a, text="已安排维修。")
        self.url = f"/t/{self.message.tracking_code}"

    def test_the_link_in_a_notice_shows_the_state_but_not_the_message(self):
        page = self.client.get(self.url)
        self.assertContains(page, f"留言 {self.message.serial}")
        self.assertContains(page, "当前状态为“已回复”")
        self.assertNotContains(page, "路灯已经坏了")  # the text needs the passcode
        self.assertContains(page, f'href="/track/?code={self.message.tracking_code}"')
        self.assertContains(self.client.get(f"/track/?code={self.message.tracking_code}"), self.message.tracking_code)
        self.assertEqual(self.client.get("/t/NOSUCHCODE").status_code, 404)

    def test_the_link_takes_the_signed_in_citizen_straight_to_their_message(self):
        # A tester's trial: a citizen signed in to the account they wrote from was
        # asked for the passcode by the link in their SMS.
        c = self.cast
        with at(NOW):
            mine = c.replied()
        link = f"/t/{mine.tracking_code}"
        page = self.client.get(link)
        self.assertContains(page, f'href="/accounts/login/?next=%2Ft%2F{mine.tracking_code}"')  # a way in
        self.assertContains(page, "登录查看留言和答复")
        self.client.force_login(c.citizen)
        self.assertRedirects(self.client.get(link), f"/messages/luocheng/{mine.serial}/")
        self.assertContains(self.client.get(f"/messages/luocheng/{mine.serial}/"), "路灯已经坏了")
        # Someone else signed in is no owner: the page as before, without the sign-in.
        self.client.force_login(c.other_citizen)
        page = self.client.get(link)
        self.assertContains(page, f"留言 {mine.serial}")
        self.assertNotContains(page, "登录查看留言和答复")
        # A message written without an account has no account to sign in to.
        self.client.logout()
        self.assertNotContains(self.client.get(self.url), "登录查看留言和答复")

    def test_the_link_of_a_merged_message_names_the_message_that_answers_it(self):
        c = self.cast
        with at(NOW):
            merged = c.submit(by=None)
            actions.merge_duplicate(message=merged, into=self.message, by=c.county_office, reason="同一路段。")
        page = self.client.get(f"/t/{merged.tracking_code}")
        self.assertContains(page, f"这条留言已与反映同一问题的留言{self.message.serial}合并办理（并单）")

    @override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "track": (4, 600)})
    def test_codes_guessed_one_after_another_stop_at_the_tracking_pages_limit(self):
        # An unknown code said 404 and a real one its state, as often as asked.
        guesser = Client(REMOTE_ADDR="203.0.113.9")
        for n in range(4):
            self.assertEqual(guesser.get(f"/t/NOSUCH{n:04d}").status_code, 404)
        refused = guesser.get("/t/NOSUCH0005")
        self.assertContains(refused, "查询办理情况过于频繁", status_code=429)
        self.assertEqual(guesser.get(self.url).status_code, 429, "a right guess now tells nothing")
        self.assertEqual(guesser.post(f"{self.url}/unsubscribe/").status_code, 429)
        self.assertFalse(CitizenOptOut.objects.filter(message=self.message).exists())
        # The citizen following their own link, however often, is never counted.
        citizen = Client(REMOTE_ADDR="198.51.100.7")
        for _ in range(6):
            self.assertContains(citizen.get(self.url), "当前状态为")
        self.assertEqual(citizen.get("/t/NOSUCHCODE").status_code, 404)

    def test_a_citizen_unsubscribes_and_hears_nothing_more(self):
        queued = Delivery.objects.filter(notice__to_citizen=True)
        self.assertEqual(sorted(queued.values_list("channel", "state")), [("email", "queued"), ("sms", "queued")])
        page = self.client.post(f"{self.url}/unsubscribe/")
        self.assertContains(page, "已退订")
        self.assertTrue(CitizenOptOut.objects.filter(message=self.message).exists())
        # What was waiting is not sent…
        self.assertEqual(set(queued.values_list("state", flat=True)), {"skipped"})
        with at(NOW):
            actions.close(message=self.message, by=self.cast.leader_a, kind="answered")
        # …and the closure is not sent either: a notice without any way out.
        closed = Notice.objects.get(kind=Notice.Kind.CLOSED)
        self.assertFalse(closed.deliveries.exists())
        send(NOW)
        self.assertEqual(sms.outbox, [])
        self.assertFalse([m for m in mail.outbox if "zhang@example.com" in m.to])
        # The staff still hear of their own work.
        self.assertTrue(Notice.objects.filter(recipient=self.cast.handler_a).exists())
        # Twice is the same as once.
        self.client.post(f"{self.url}/unsubscribe/")
        self.assertEqual(CitizenOptOut.objects.count(), 1)

    def test_a_mail_program_unsubscribes_in_one_post_without_a_form(self):
        strict = Client(enforce_csrf_checks=True)
        response = strict.post(f"{self.url}/unsubscribe/", {"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(CitizenOptOut.objects.filter(message=self.message).exists())

    def test_a_get_does_not_unsubscribe(self):
        # Link previews and scanners fetch links: only a POST stops the notices.
        # Opened from the e-mail's link, the page with the button (it answered 405).
        page = self.client.get(f"{self.url}/unsubscribe/")
        self.assertContains(page, "退订：不再接收这条留言的通知")
        self.assertFalse(CitizenOptOut.objects.exists())

    def test_the_citizens_own_page_says_how_to_stop_and_that_it_stopped(self):
        c = self.cast
        with at(NOW):
            mine = c.replied()
        self.client.force_login(c.citizen)
        page = self.client.get(f"/messages/luocheng/{mine.serial}/")
        self.assertContains(page, "可以退订")
        self.client.post(f"/t/{mine.tracking_code}/unsubscribe/")
        self.assertContains(self.client.get(f"/messages/luocheng/{mine.serial}/"), "您已退订这条留言的短信和邮件通知")
