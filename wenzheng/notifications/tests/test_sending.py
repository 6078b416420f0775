"""Sending: each delivery by its channel, retried with backoff, failed for the office
to see after the last try, never sent twice, and never to someone who said no."""

import datetime as dt

from django.core import mail
from django.test import override_settings

from wenzheng.handling import actions
from wenzheng.notifications import sending, sms
from wenzheng.notifications.models import Delivery, Notice, Preference
from wenzheng.testing import CastTestCase, local

from .helpers import at, send, start_sweeping, sweep

NOW = local(2026, 3, 4, 10)


class Flaky(sms.BaseBackend):
    """A gateway that fails `failures` times, then accepts."""

    failures = 0
    permanent = False
    tried: list = []

    def send(self, phone, text):
        Flaky.tried.append(phone)
        if len(Flaky.tried) <= Flaky.failures:
            raise sms.GatewayError("网关繁忙", permanent=Flaky.permanent)
        return "sid-1"


class SendingTest(CastTestCase):
    def setUp(self):
        sms.outbox.clear()
        Flaky.tried, Flaky.failures, Flaky.permanent = [], 0, False
        c = self.cast
        c.handler_a.phone, c.handler_a.email = "13900000001", "handler_a@dongmen.gov.cn"
        c.handler_a.save()

    def arrive(self, **kwargs):
        with at(NOW):
            return self.cast.submit(**kwargs)

    def test_the_worker_sends_by_sms_and_e_mail(self):
        message = self.arrive()
        self.assertEqual(send(NOW), 2)
        self.assertEqual(
            sms.outbox, [("13900000001", f"网民给本单位的新留言{message.serial}（咨询），请在1个工作日内签收。")]
        )
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.to, ["handler_a@dongmen.gov.cn"])
        self.assertEqual(email.subject, "【罗城仫佬族自治县网络问政】新留言")
        self.assertIn(f"http://127.0.0.1:8000/work/messages/{message.pk}/", email.body)
        self.assertIn("通知设置：http://127.0.0.1:8000/notices/settings/", email.body)
        self.assertEqual(set(Delivery.objects.values_list("state", "attempts")), {("sent", 1)})
        self.assertEqual(send(NOW), 0)  # each once

    def test_a_citizens_e_mail_can_be_unsubscribed_in_one_click(self):
        message = self.arrive(email="zhang@example.com")
        with at(NOW):
            actions.reply(message=message, by=self.cast.handler_a, text="已修好。")
        send(NOW)
        citizen = next(m for m in mail.outbox if m.to == ["zhang@example.com"])
        url = f"http://127.0.0.1:8000/t/{message.tracking_code}/unsubscribe/"
        self.assertEqual(citizen.extra_headers["List-Unsubscribe"], f"<{url}>")
        self.assertEqual(citizen.extra_headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertIn(f"http://127.0.0.1:8000/t/{message.tracking_code}", citizen.body)
        self.assertIn(f"请打开以下链接，按“退订”：{url}", citizen.body)

    def test_a_notice_links_to_the_address_of_the_server_that_sends_it(self):
        # A tester's trial: queued while SITE_URL was http://127.0.0.1:8000 and sent by
        # a server with another, the SMS and the e-mail led to 127.0.0.1.
        with override_settings(SITE_URL="http://127.0.0.1:8000"):
            message = self.arrive(email="zhang@example.com")
            with at(NOW):
                actions.reply(message=message, by=self.cast.handler_a, text="已修好。")
        code = message.tracking_code
        with override_settings(SITE_URL="https://wz.lc.cn"):
            send(NOW)
        self.assertIn(
            ("13800000000", f"留言{message.serial}已答复，查询码{code}，https://wz.lc.cn/t/{code}"), sms.outbox
        )
        citizen = next(m for m in mail.outbox if m.to == ["zhang@example.com"])
        staff = next(m for m in mail.outbox if m.to == ["handler_a@dongmen.gov.cn"])
        self.assertIn(f"https://wz.lc.cn/t/{code}\n", citizen.body)
        self.assertIn(f"https://wz.lc.cn/work/messages/{message.pk}/", staff.body)
        for sent in [*(text for _phone, text in sms.outbox), citizen.body, staff.body]:
            self.assertNotIn("127.0.0.1", sent)

    def test_the_citizens_e_mail_names_their_message_by_its_public_title_and_links_once(self):
        message = self.arrive(email="zhang@example.com", title="张三家门口路灯不亮")
        with at(NOW):
            actions.reply(message=message, by=self.cast.handler_a, text="已修好。")
        send(NOW)
        body = next(m for m in mail.outbox if m.to == ["zhang@example.com"]).body
        link = f"http://127.0.0.1:8000/t/{message.tracking_code}"
        self.assertEqual(body.splitlines()[:5], [f"留言{message.serial}已答复，查询码{message.tracking_code}", "",
                                                  "留言标题：张*家门口路灯不亮", "", link])  # fmt: skip
        self.assertEqual(body.count(f"{link}\n"), 1)  # and the unsubscribe link, /t/…/unsubscribe/
        self.assertNotIn("张三", body)  # masked as the board shows it: an e-mail may reach others

    # Short enough for the 37 characters of the words, the link and a notice's id of up
    # to six digits (PostgreSQL's ids do not start again with each test).
    @override_settings(SITE_URL="http://w.cn", SMS_SIGNATURE="")
    def test_a_staff_sms_links_through_its_notice_where_one_sms_holds_it(self):
        message = self.arrive()
        notice = Notice.objects.get(recipient=self.cast.handler_a)
        send(NOW)
        words = f"网民给本单位的新留言{message.serial}（咨询），请在1个工作日内签收。"
        self.assertEqual(sms.outbox, [("13900000001", f"{words}，http://w.cn/notices/{notice.pk}/open/")])
        self.assertLessEqual(len(sms.outbox[0][1]), 70)
        # Opened, it marks the notice read and goes on to the message.
        self.client.force_login(self.cast.handler_a)
        self.assertRedirects(self.client.get(f"/notices/{notice.pk}/open/"), f"/work/messages/{message.pk}/")
        # With the gateway's signature it would be two SMS: the words alone.
        sms.outbox.clear()
        Delivery.objects.filter(channel="sms").update(state="queued")
        with self.settings(SMS_SIGNATURE="【罗城网络问政】"):
            send(NOW)
        self.assertEqual(sms.outbox, [("13900000001", f"【罗城网络问政】{words}")])

    def test_notices_queued_with_an_address_in_their_words_lose_it_to_the_sending_servers(self):
        # Queued by a release that wrote the address into the words (migration 0010).
        from importlib import import_module

        from django.apps import apps

        migration = import_module("wenzheng.notifications.migrations.0010_notice_words_without_address")
        message = self.arrive(email="zhang@example.com")
        with at(NOW):
            actions.reply(message=message, by=self.cast.handler_a, text="已修好。")
        code = message.tracking_code
        old = f"留言{message.serial}已答复，查询码{code}，http://127.0.0.1:8000/t/{code}"
        waiting = Notice.objects.get(to_citizen=True)
        Notice.objects.filter(pk=waiting.pk).update(text=old)
        Delivery.objects.filter(notice=waiting, channel="email").update(state="sent")  # sent as it was: kept so
        migration.words_only(apps, None)
        waiting.refresh_from_db()
        self.assertEqual(waiting.text, f"留言{message.serial}已答复，查询码{code}")
        with override_settings(SITE_URL="https://wz.lc.cn"):
            send(NOW)
        self.assertIn(
            ("13800000000", f"留言{message.serial}已答复，查询码{code}，https://wz.lc.cn/t/{code}"), sms.outbox
        )
        # Undone, the words carry an address again, as the release before wants them.
        migration.with_address(apps, None)
        Delivery.objects.filter(notice=waiting).update(state="queued")
        migration.with_address(apps, None)  # once only
        waiting.refresh_from_db()
        self.assertEqual(waiting.text, old)

    @override_settings(SMS_BACKEND="wenzheng.notifications.tests.test_sending.Flaky", NOTICE_RETRY_SECONDS=60)
    def test_a_failed_send_is_retried_with_backoff_and_shown_as_failed_after_the_last_try(self):
        Flaky.failures = 99
        Preference.objects.create(user=self.cast.handler_a, email=False)
        self.arrive()
        delivery = Delivery.objects.get()
        t = NOW
        for attempt, wait in enumerate([60, 240, 960, 3840], start=1):
            send(t)
            delivery.refresh_from_db()
            self.assertEqual((delivery.state, delivery.attempts), ("queued", attempt))
            self.assertEqual(delivery.next_attempt_at, t + dt.timedelta(seconds=wait))
            self.assertEqual(send(t + dt.timedelta(seconds=wait - 1)), 0)  # not yet
            t += dt.timedelta(seconds=wait)
        send(t)
        delivery.refresh_from_db()
        self.assertEqual((delivery.state, delivery.attempts), ("failed", 5))
        self.assertIn("网关繁忙", delivery.error)
        self.assertEqual(len(Flaky.tried), 5)
        # The county office sees it, and may send it again.
        self.client.force_login(self.cast.county_office)
        page = self.client.get("/work/county/luocheng/notices/")
        self.assertContains(page, "139****0001")
        self.assertContains(page, "网关繁忙")
        self.assertContains(self.client.get("/work/county/luocheng/"), "通知发送失败")
        with at(t):
            self.client.post(f"/work/county/luocheng/notices/{delivery.pk}/retry/")
        Flaky.failures = 0
        Flaky.tried = []
        send(t)
        delivery.refresh_from_db()
        self.assertEqual(delivery.state, "sent")
        self.assertNotContains(self.client.get("/work/county/luocheng/notices/"), "139****0001")

    @override_settings(SMS_BACKEND="wenzheng.notifications.tests.test_sending.Flaky")
    def test_a_refused_number_fails_at_once(self):
        Flaky.failures, Flaky.permanent = 99, True
        Preference.objects.create(user=self.cast.handler_a, email=False)
        self.arrive()
        send(NOW)
        self.assertEqual(Delivery.objects.get().state, "failed")
        self.assertEqual(len(Flaky.tried), 1)

    def test_a_send_cut_off_by_a_killed_worker_is_not_sent_again(self):
        self.arrive()
        Delivery.objects.update(state="sending", heartbeat_at=NOW)
        self.assertEqual(send(NOW + dt.timedelta(seconds=299)), 0)
        self.assertEqual(set(Delivery.objects.values_list("state", flat=True)), {"sending"})
        self.assertEqual(send(NOW + dt.timedelta(seconds=301)), 0)
        self.assertEqual(set(Delivery.objects.values_list("state", flat=True)), {"failed"})
        self.assertEqual(sms.outbox, [])
        self.assertIn("为免重复发送", Delivery.objects.first().error)

    def test_a_channel_turned_off_before_sending_stops_what_is_queued(self):
        self.arrive()
        Preference.objects.create(user=self.cast.handler_a, sms=False)
        send(NOW)
        self.assertEqual(dict(Delivery.objects.values_list("channel", "state")), {"email": "sent", "sms": "skipped"})
        self.assertEqual(sms.outbox, [])

    def test_a_daily_digest_gathers_the_days_notices_into_one(self):
        Preference.objects.create(user=self.cast.handler_a, sms=False, daily_digest=True)
        start_sweeping(NOW)
        first = self.arrive(title="路灯")
        with at(NOW + dt.timedelta(hours=2)):
            self.cast.submit(title="井盖")
        send(NOW + dt.timedelta(hours=3))
        self.assertEqual(mail.outbox, [])  # held for the digest
        sweep(local(2026, 3, 4, 17, 0, 5))
        digest = Notice.objects.get(kind=Notice.Kind.DAILY_DIGEST)
        self.assertEqual(digest.recipient, self.cast.handler_a)
        self.assertIsNotNone(digest.read_at)  # the bell showed each already
        self.assertEqual(
            digest.text,
            f"今日共有2条通知，请登录查看。第一条：网民给本单位的新留言{first.serial}（咨询），请在1个工作日内签收。",
        )
        self.assertEqual(set(Delivery.objects.exclude(notice=digest).values_list("state", flat=True)), {"digested"})
        send(local(2026, 3, 4, 17, 1))
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].subject, "【罗城仫佬族自治县网络问政】每日汇总")
        self.assertEqual(mail.outbox[0].body.count("· 网民给本单位的新留言"), 2)
        # The next day's digest does not repeat them.
        sweep(local(2026, 3, 5, 17, 0, 5))
        self.assertEqual(Notice.objects.filter(kind=Notice.Kind.DAILY_DIGEST).count(), 1)

    def test_backoff_grows_fourfold(self):
        with self.settings(NOTICE_RETRY_SECONDS=60):
            self.assertEqual([sending.backoff(n).total_seconds() for n in (1, 2, 3)], [60, 240, 960])
