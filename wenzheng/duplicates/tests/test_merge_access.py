"""After a merge (并单) the unit now handling the message is the main message's
(DOMAIN.md, "Personal data"): the unit the merged message had been given to can no
longer open it or read its citizen's details, anywhere; the main message's unit,
whose reply answers that citizen, can. Both units are told. Undoing the merge gives
the message back. Found by an audit: the old unit kept the page with the contact
block, the print view, its inbox row, the export, the API, the files and a search by
the citizen's phone."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from wenzheng.accounts.policy import ActionRefused, contact_visible, may_see_contact
from wenzheng.api.models import ApiToken
from wenzheng.attachments import files
from wenzheng.attachments.testing import phone_photo
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.notifications.models import Notice
from wenzheng.testing import CastTestCase

from .helpers import LAMP, LAMP_AGAIN

PHONE = "13912345678"


class MergedAwayTests(CastTestCase):
    def setUp(self):
        c = self.cast
        now = timezone.now()  # steps long past notify nobody
        self.main = actions.submit(
            by=None, category=c.appeal, unit=c.unit_a, title=LAMP[0], body=LAMP[1], name="李四", phone="13900000001",
            consent_to_publish=True, at=now,
        )  # fmt: skip
        self.dup = actions.submit(
            by=None, category=c.appeal, unit=c.unit_b, title=LAMP_AGAIN[0], body=LAMP_AGAIN[1],
            name="王五", phone=PHONE, consent_to_publish=True, at=now,
            attachments=files.read_all([phone_photo()], allow_pdf=False),
        )  # fmt: skip

    def merge(self):
        actions.merge_duplicate(message=self.dup, into=self.main, by=self.cast.county_office, reason="同一路段的路灯。")

    def opens(self, user, url):
        self.client.force_login(user)
        return self.client.get(url).status_code

    def test_the_unit_it_was_given_to_loses_it_and_the_main_messages_unit_gains_it(self):
        c = self.cast
        page, printed = f"/work/messages/{self.dup.pk}/", f"/work/messages/{self.dup.pk}/print/"
        photo = reverse("attachments:file", args=[self.dup.attachments.get().pk])
        for who in (c.handler_b, c.leader_b):
            self.assertEqual(self.opens(who, page), 200)
        self.assertEqual(self.opens(c.handler_a, page), 404)
        self.merge()
        dup = Message.objects.get(pk=self.dup.pk)
        for who in (c.handler_b, c.leader_b):
            with self.subTest(who=who.username):
                self.assertFalse(Message.objects.visible_to(who).filter(pk=dup.pk).exists())
                self.assertFalse(Message.objects.filter(contact_visible(who), pk=dup.pk).exists())
                self.assertFalse(may_see_contact(who, dup))
                for url in (page, printed, photo):
                    self.assertEqual(self.opens(who, url), 404, url)
        for who in (c.handler_a, c.leader_a):
            with self.subTest(who=who.username):
                self.assertTrue(may_see_contact(who, dup))
                self.assertTrue(Message.objects.filter(contact_visible(who), pk=dup.pk).exists())
                self.client.force_login(who)
                response = self.client.get(page)
                self.assertContains(response, PHONE)  # its citizen's contact: the reply answers them too
                self.assertEqual(self.client.get(photo).status_code, 200)
        # The main message's page links to it, for its unit as for the office.
        self.client.force_login(c.handler_a)
        self.assertContains(self.client.get(f"/work/messages/{self.main.pk}/"), f'href="{page}"')
        # Nothing else changed hands: the other units, the other county, the city.
        self.assertEqual(self.opens(c.handler_c, page), 404)
        self.assertEqual(self.opens(c.other_county_office, page), 404)
        self.assertFalse(may_see_contact(c.city_office, dup))

    def test_the_old_units_inbox_export_api_and_search_no_longer_find_it(self):
        c = self.cast
        self.merge()
        self.client.force_login(c.handler_b)
        inbox = self.client.get("/work/unit/", {"tab": "all"})
        self.assertNotContains(inbox, self.dup.serial)
        found = self.client.get("/work/unit/", {"tab": "all", "q": PHONE})
        self.assertNotContains(found, self.dup.serial)
        export = b"".join(self.client.get("/bulk/export/messages.csv").streaming_content).decode("utf-8-sig")
        self.assertNotIn(self.dup.serial, export)
        self.assertNotIn(PHONE, export)
        token = ApiToken.issue(user=c.handler_b, name="测试")[1]
        api = f"/api/v1/my/messages/{c.county.code}/{self.dup.serial}"
        self.assertEqual(self.client.get(api, headers={"Authorization": f"Bearer {token}"}).status_code, 404)
        listed = self.client.get(
            "/api/v1/my/messages", {"region": c.county.code}, headers={"Authorization": f"Bearer {token}"}
        )
        self.assertNotIn(self.dup.serial, {r["serial"] for r in listed.json()["results"]})
        # The main message's unit reads it through the API with its citizen.
        token_a = ApiToken.issue(user=c.handler_a, name="测试")[1]
        read = self.client.get(api, headers={"Authorization": f"Bearer {token_a}"})
        self.assertEqual(read.json()["citizen"]["phone"], PHONE)

    def test_both_units_are_told(self):
        c = self.cast
        self.merge()
        moved = Notice.objects.filter(kind=Notice.Kind.MOVED, message=self.dup)
        self.assertEqual(set(moved.values_list("recipient__username", flat=True)), {"handler_b", "leader_b"})
        self.assertEqual(
            moved.first().text,
            f"留言{self.dup.serial}已由县网络问政办并入{c.unit_a.name}的留言{self.main.serial}（并单），本单位无需再办理。",
        )
        self.assertEqual(moved.first().link, reverse("workspace:inbox"))
        here = Notice.objects.filter(kind=Notice.Kind.MERGED, recipient__isnull=False)
        self.assertEqual(set(here.values_list("recipient__username", flat=True)), {"handler_a", "handler_a2"})
        self.assertEqual(
            here.first().text,
            f"留言{self.dup.serial}已并入本单位的留言{self.main.serial}（并单），请在答复中一并回应，答复和办结将同时送达该留言网民。",
        )
        self.assertEqual(here.first().link, reverse("workspace:message", args=[self.main.pk]))

    def test_a_merge_within_one_unit_tells_it_once_and_takes_nothing_away(self):
        c = self.cast
        dup = actions.submit(
            by=None, category=c.appeal, unit=c.unit_a, title=LAMP_AGAIN[0], body=LAMP_AGAIN[1],
            name="赵六", phone=PHONE, consent_to_publish=True,
        )  # fmt: skip
        actions.merge_duplicate(message=dup, into=self.main, by=c.county_office, reason="同一问题")
        self.assertFalse(Notice.objects.filter(kind=Notice.Kind.MOVED).exists())
        self.assertEqual(Notice.objects.filter(kind=Notice.Kind.MERGED, recipient=c.handler_a).count(), 1)
        self.assertEqual(self.opens(c.handler_a, f"/work/messages/{dup.pk}/"), 200)

    def test_undoing_the_merge_gives_it_back_and_says_so(self):
        c = self.cast
        self.merge()
        actions.unmerge_duplicate(message=self.dup, by=c.county_office, reason="并错了")
        dup = Message.objects.get(pk=self.dup.pk)
        self.assertTrue(may_see_contact(c.handler_b, dup))
        self.assertFalse(may_see_contact(c.handler_a, dup))
        self.assertEqual(self.opens(c.handler_b, f"/work/messages/{dup.pk}/"), 200)
        self.assertEqual(self.opens(c.handler_a, f"/work/messages/{dup.pk}/"), 404)
        back = Notice.objects.filter(kind=Notice.Kind.ARRIVED, message=dup, text__contains="并单已撤销")
        self.assertEqual(set(back.values_list("recipient__username", flat=True)), {"handler_b", "leader_b"})
        self.assertEqual(back.first().text, f"留言{dup.serial}的并单已撤销，请继续办理，办理期限从今天起重新计算。")

    def test_merged_into_a_message_not_yet_dispatched_no_unit_handles_it(self):
        c = self.cast
        pending = actions.submit(
            by=None, category=c.appeal, unit=None, region=c.county, title=LAMP[0], body=LAMP[1], name="孙七",
            phone="13900000009", consent_to_publish=True,
        )  # fmt: skip
        actions.merge_duplicate(message=self.dup, into=pending, by=c.county_office, reason="同一问题")
        dup = Message.objects.get(pk=self.dup.pk)
        for who in (c.handler_a, c.handler_b, c.leader_b):
            self.assertFalse(may_see_contact(who, dup), who.username)
            self.assertFalse(Message.objects.visible_to(who).filter(pk=dup.pk).exists(), who.username)
        self.assertTrue(may_see_contact(c.county_office, dup))
        moved = Notice.objects.get(kind=Notice.Kind.MOVED, recipient=c.leader_b)
        self.assertIn(f"并入留言{pending.serial}（并单），由主留言统一答复，本单位无需再办理。", moved.text)
        # Once the main message is dispatched, its unit handles both.
        actions.dispatch(message=pending, by=c.county_office, unit=c.unit_a)
        self.assertTrue(may_see_contact(c.handler_a, dup))

    def test_an_order_names_it_masked_to_the_old_unit_and_no_new_order_may(self):
        c = self.cast
        title = f"王五{PHONE}路灯坏了"
        Message.objects.filter(pk=self.dup.pk).update(title=title)
        deadline = timezone.now() + dt.timedelta(days=3)
        actions.order_written_explanation(
            unit=c.unit_b, by=c.county_office, reason="积压未回复。", messages=[self.dup], backlog_deadline=deadline
        )
        self.client.force_login(c.leader_b)
        self.assertContains(self.client.get("/work/unit/orders/"), title)
        self.merge()
        page = self.client.get("/work/unit/orders/")
        self.assertNotContains(page, PHONE)
        self.assertNotContains(page, f'href="/work/messages/{self.dup.pk}/"')  # no link to a page it may not open
        self.assertContains(page, self.dup.serial)
        with self.assertRaises(ActionRefused) as refused:
            actions.order_written_explanation(
                unit=c.unit_b, by=c.county_office, reason="再次责成。", messages=[self.dup], backlog_deadline=deadline
            )
        self.assertEqual(refused.exception.code, "message_not_of_unit")

    def test_a_unit_given_a_main_message_hears_of_those_merged_into_it(self):
        c = self.cast
        self.merge()
        # The main message reassigned: its new unit handles the merged one too, and is told.
        actions.reassign(message=self.main, by=c.county_office, unit=c.unit_b, reason="属住建局职责。")
        arrived = Notice.objects.get(kind=Notice.Kind.ARRIVED, message=self.main, recipient=c.handler_b)
        self.assertIn("另有1条留言已并入，答复和办结将同时送达这些网民。", arrived.text)
        self.assertTrue(may_see_contact(c.handler_b, Message.objects.get(pk=self.dup.pk)))

    def test_a_main_message_merged_on_brings_its_merged_ones_and_says_so(self):
        c = self.cast
        self.merge()  # dup (unit b) into main (unit a)
        third = actions.submit(
            by=None, category=c.appeal, unit=c.unit_b, title=LAMP[0], body=LAMP[1], name="周八",
            phone="13900000010", consent_to_publish=True,
        )  # fmt: skip
        actions.merge_duplicate(message=self.main, into=third, by=c.county_office, reason="更早反映的同一问题")
        told = Notice.objects.get(kind=Notice.Kind.MERGED, message=self.main, recipient=c.handler_b).text
        self.assertIn(f"留言{self.main.serial}及并入它的1条留言已并入本单位的留言{third.serial}（并单）", told)
        dup = Message.objects.get(pk=self.dup.pk)
        self.assertTrue(may_see_contact(c.handler_b, dup))
        self.assertFalse(may_see_contact(c.handler_a, dup))
