"""A county's published contacts change: the public never finds a message by a number
it can no longer read on it, not even before the worker has refreshed the index."""

from unittest import mock

from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.ops.worker import run_pass
from wenzheng.privacy import actions as privacy
from wenzheng.privacy.masking import mask
from wenzheng.search import contacts
from wenzheng.search.models import Audience, ContactRefresh, SearchDocument
from wenzheng.search.text import parse
from wenzheng.testing import CastTestCase, executed

HOTLINE = "0778-8123456"


def found(query, audience=Audience.PUBLIC):
    messages = Message.objects.all()
    return set(messages.search(parse(query), audience=audience).values_list("pk", flat=True))


def refresh():
    return run_pass(only=["search-contacts"])


class ContactRemovedTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.contact = privacy.add_public_contact(region=c.county, by=c.county_office, value=HOTLINE, label="东门镇")
        refresh()
        # The hotline as units write it: with its area code and a dash, without the
        # area code, with spaces, in full-width digits.
        self.replies = {}
        for text in (
            "请拨打0778-8123456咨询。",
            "请拨打东门镇电话8123456咨询。",
            "请拨打0778 812 3456咨询。",
            "请拨打０７７８－８１２３４５６咨询。",
        ):
            m = c.submit(title="路灯不亮")
            actions.reply(message=m, by=c.handler_a, text=text)
            self.replies[text] = m.pk
        self.other = c.replied(title="路灯不亮")
        self.everything = {*self.replies.values(), self.other.pk}

    def public_texts(self, audience=Audience.PUBLIC):
        return " ".join(
            SearchDocument.objects.filter(audience=audience, message_id__in=self.replies.values()).values_list(
                "answers", flat=True
            )
        )

    def test_while_listed_the_public_finds_the_messages_by_the_hotline(self):
        self.assertEqual(found("8123456"), {self.replies["请拨打0778-8123456咨询。"], *self._written_whole()})
        self.assertIn("8123456", self.public_texts())

    def _written_whole(self):
        return {self.replies["请拨打东门镇电话8123456咨询。"], self.replies["请拨打０７７８－８１２３４５６咨询。"]}

    def test_once_removed_no_public_search_finds_a_message_by_it_even_before_the_worker_ran(self):
        c = self.cast
        privacy.remove_public_contact(contact=self.contact, by=c.county_office)
        queued = ContactRefresh.objects.get(change="removed")
        self.assertEqual(queued.state, "queued")
        for query in ("8123456", "0778", "812", "3456 路灯", "电话8123456"):
            with self.subTest(query=query):
                self.assertEqual(found(query), set())
                self.assertEqual(found(query, Audience.MASKED), set(), "the city office reads it masked too")
        # Words are found as before, and staff find the number as written.
        self.assertEqual(found("路灯"), self.everything)
        self.assertEqual(
            found("8123456", Audience.STAFF), {self.replies["请拨打0778-8123456咨询。"], *self._written_whole()}
        )

        self.assertEqual(refresh(), 1)
        queued.refresh_from_db()
        self.assertEqual((queued.state, queued.refreshed), ("done", 4 * 2))  # public and masked, four messages
        self.assertNotIn("8123456", self.public_texts())
        self.assertNotIn("812 3456", self.public_texts())
        self.assertNotIn("8123456", self.public_texts(Audience.MASKED))
        self.assertIn("0778-*****56", self.public_texts())
        self.assertEqual(found("8123456"), set())
        self.assertEqual(found("路灯"), self.everything)
        # Nothing is withheld any more: the masked form is found as the public reads it.
        self.assertEqual(
            found("0778"),
            {
                self.replies["请拨打0778-8123456咨询。"],
                self.replies["请拨打０７７８－８１２３４５６咨询。"],
                self.replies["请拨打0778 812 3456咨询。"],
            },
        )

    def test_words_alone_never_read_the_removals_and_a_number_in_numerals_is_withheld(self):
        c = self.cast
        privacy.remove_public_contact(contact=self.contact, by=c.county_office)
        table = ContactRefresh._meta.db_table
        with executed() as read:
            self.assertEqual(found("路灯"), self.everything)
            self.assertIsNone(contacts.withheld(parse("路灯 维修")))
        self.assertFalse([sql for sql, _ in read if table in sql])
        # Any letter, digit or Chinese numeral reads them: the number spelled out too.
        for query in ("八一二三四五六", "路灯 3456", "东门镇 abc"):
            with self.subTest(query=query), executed() as read:
                contacts.withheld(parse(query))
                self.assertTrue([sql for sql, _ in read if table in sql])
        self.assertIsNotNone(contacts.withheld(parse("八一二三四五六")))
        self.assertIsNotNone(contacts.withheld(parse("路灯 3456")))
        # Every character a removal can withhold by is among those that read them.
        for value in ("07788123456", "info@county.gov.cn"):
            self.assertLessEqual(contacts._characters(value), contacts.CONTACT_CHARACTERS)

    def test_the_worker_goes_a_committed_batch_at_a_time_and_withholds_only_what_it_has_not_passed(self):
        c = self.cast
        privacy.remove_public_contact(contact=self.contact, by=c.county_office)
        job = contacts.claim()
        first = min(self.replies.values())
        with mock.patch.object(contacts, "BATCH", 1):
            # The messages of the cast's setUp come first: walk up to the first reply.
            while job.after < first:
                contacts.refresh_batch(job)
        self.assertEqual(ContactRefresh.objects.get(pk=job.pk).after, first)
        self.assertNotIn("8123456", SearchDocument.objects.get(message_id=first, audience="public").answers)
        # Still withheld: the messages not passed; those passed are found as masked.
        self.assertEqual(found("0778"), {first})
        self.assertEqual(found("8123456"), set())
        contacts.run(job)
        self.assertEqual(ContactRefresh.objects.get(pk=job.pk).state, "done")
        self.assertEqual(found("8123456"), set())
        self.assertEqual(len(found("0778")), 3)

    def test_a_failed_batch_leaves_the_refresh_queued_and_withholding(self):
        c = self.cast
        privacy.remove_public_contact(contact=self.contact, by=c.county_office)
        with mock.patch.object(contacts.index, "update", side_effect=RuntimeError("disk full")):
            self.assertEqual(refresh(), 1)  # logged by the worker
        job = ContactRefresh.objects.get(change="removed")
        self.assertEqual((job.state, job.refreshed), ("queued", 0))
        self.assertEqual(found("8123456"), set())
        refresh()
        self.assertEqual(ContactRefresh.objects.get(pk=job.pk).state, "done")

    def test_another_county_is_not_held_back(self):
        c = self.cast
        privacy.add_public_contact(region=c.other_county, by=c.other_county_office, value=HOTLINE, label="思恩镇")
        theirs = actions.submit(
            by=c.other_citizen, category=c.consultation, unit=c.unit_c, title="路灯", body="请拨打0778-8123456。",
            name="李四", phone="13900000000", consent_to_publish=True,
        )  # fmt: skip
        actions.reply(message=theirs, by=c.handler_c, text="已修。")
        refresh()
        privacy.remove_public_contact(contact=self.contact, by=c.county_office)
        self.assertEqual(found("8123456"), {theirs.pk})


class ContactAddedTest(CastTestCase):
    def test_a_number_added_to_the_list_is_found_once_the_worker_refreshed(self):
        c = self.cast
        m = c.submit(title="办证咨询")
        actions.reply(message=m, by=c.handler_a, text="请拨打13977776666或发邮件到 DongMen@Example.com 咨询。")
        self.assertEqual(found("13977776666"), set())
        self.assertEqual(found("dongmen"), set())
        privacy.add_public_contact(region=c.county, by=c.county_office, value="139 7777 6666", label="东门镇")
        privacy.add_public_contact(region=c.county, by=c.county_office, value="dongmen@example.com", label="东门镇")
        self.assertEqual(found("13977776666"), set(), "until the worker has been")
        self.assertEqual(refresh(), 2)
        self.assertEqual(found("13977776666"), {m.pk})
        self.assertEqual(found("dongmen example"), {m.pk})
        self.assertEqual(ContactRefresh.objects.filter(state="done").count(), 2)


class PatternTest(CastTestCase):
    def test_it_matches_every_way_the_masker_reads_the_number_and_a_landline_by_its_local_part(self):
        import re

        mobile, landline = contacts.pattern("13977776666"), contacts.pattern("07788123456")
        for text in (
            "13977776666",
            "139-7777-6666",
            "139 7777 6666",
            "+86 139 7777 6666",
            "一三九七七七七六六六六",
            "１３９７７７７６６６６",
            # Every spelling the masker reads (the refresh once missed them: a number
            # taken off the list stayed readable in documents written so).
            "139 - 7777 - 6666",
            "139\n   7777\n   6666",
            "(139) 7777 - 6666",
            "١٣٩٧٧٧٧٦٦٦٦",
            "❶❸❾❼❼❼❼❻❻❻❻",
            "壹叁玖柒柒柒柒陆陆陆陆",
        ):
            with self.subTest(text=text):
                self.assertTrue(re.search(mobile, text))
                self.assertIn("****", mask(text))  # and the masker reads it as a number
        for text in ("8123456", "812-3456", "(0778)8123456", "0778—8123456"):
            with self.subTest(text=text):
                self.assertTrue(re.search(landline, text))
        self.assertFalse(re.search(mobile, "13977770000"))
        email = contacts.email_pattern("lcxzwfw@163.com")
        for text in ("lcxzwfw@163.com", "LCXZWFW@163。com"):
            with self.subTest(text=text):
                self.assertTrue(re.search(email, text, re.I))
