"""Every notice fits one SMS (70 characters) with the longest values it can get."""

import datetime as dt

from django.core.checks import Warning
from django.test import SimpleTestCase, override_settings

from wenzheng.notifications import checks, texts

SERIAL = "2026-999999"
LONG_DAY = dt.date(2026, 12, 31)
LONG_NAME = "县" * 60  # a unit's name may be 60 characters
LONG_TEXT = "字" * 2000
OFFICE = "县网络问政办"
CODE = "K7M2P9QX4R"


class TextsTest(SimpleTestCase):
    def test_every_notice_fits_one_sms(self):
        rendered = {
            "arrived": texts.arrived(serial=SERIAL, category="咨询类投诉求助举报", days=15, how="transferred"),
            "arrived_direct": texts.arrived(serial=SERIAL, category="咨询类投诉求助举报", days=15, how="direct"),
            "due_soon": texts.due_soon(count=9999, serial=SERIAL, stage="回复", last_day=LONG_DAY),
            "overdue": texts.overdue(count=9999, serial=SERIAL, stage="回复", last_day=LONG_DAY),
            "office_overdue": texts.office_overdue(count=99999, days=30, first_serial=SERIAL),
            "backlog_passed": texts.backlog_passed(unit=LONG_NAME, last_day=LONG_DAY, unanswered=9999),
            "dissatisfied": texts.dissatisfied(serial=SERIAL, unit=LONG_NAME),
            "dissatisfied_merged": texts.dissatisfied(serial=SERIAL, unit=LONG_NAME, main=SERIAL),
            "followed_up": texts.followed_up(serial=SERIAL),
            "signoff": texts.signoff(serial=SERIAL, author="名" * 50),
            "signoff_merged": texts.signoff(serial=SERIAL, author="名" * 50, follow_up=True, main=SERIAL),
            "returned": texts.returned(serial=SERIAL, note=LONG_TEXT),
            "superseded": texts.superseded(serial=SERIAL),
            "unmerged_draft": texts.unmerged_draft(serial=SERIAL),
            "moved_draft": texts.moved_draft(serial=SERIAL, main=SERIAL),
            "merged_draft": texts.merged_draft(serial=SERIAL, main=SERIAL),
            "spam_draft": texts.spam_draft(serial=SERIAL),
            "dissatisfied_unit": texts.dissatisfied_unit(serial=SERIAL, main=SERIAL, office=OFFICE),
            "merged_away": texts.merged_away(serial=SERIAL, main=SERIAL, to_unit=LONG_NAME, office=OFFICE),
            "spam_marked": texts.spam_marked(serial=SERIAL, reason=LONG_TEXT, office=OFFICE),
            "explanation_returned": texts.explanation_returned(note=LONG_TEXT, office=OFFICE),
            "reopened": texts.reopened(serial=SERIAL, days=30),
            "extension_approved": texts.extension_approved(serial=SERIAL, last_day=LONG_DAY, reply_outcome="on_time"),
            "extension_approved_earlier": texts.extension_approved(
                serial=SERIAL, last_day=LONG_DAY, reply_outcome="on_time", earlier=True
            ),
            "extension_rejected": texts.extension_rejected(serial=SERIAL, reason=LONG_TEXT, reply_outcome="late"),
            "ordered": texts.ordered(last_day=LONG_DAY, office=OFFICE),
            "proposals": texts.proposals(period="2026年第四季度", count=9999),
            "daily_digest": texts.daily_digest(count=9999, first=LONG_TEXT),
            "weekly": texts.weekly(open_count=99999, due_soon=9999, overdue=9999, dissatisfied=9999),
        }
        for kind, text in rendered.items():
            with self.subTest(kind=kind, text=text):
                self.assertLessEqual(len(text), texts.SMS_LIMIT)
        self.assertTrue(rendered["returned"].endswith("…"))

    def test_every_citizens_sms_fits_one_with_its_link(self):
        whats = {
            **texts.CITIZEN_EVENTS,
            "merged": texts.merged(answered=False),
            "merged_answered": texts.merged(answered=True),
            "unmerged": texts.unmerged_citizen(),
            "unmerged_rating_withdrawn": texts.unmerged_citizen(rating_withdrawn=True),
        }
        for kind, what in whats.items():
            words = texts.for_citizen(serial=SERIAL, what=what, code=CODE)
            sent = texts.sms(words, link=f"/t/{CODE}", always=True)
            with self.subTest(kind=kind, text=sent):
                self.assertEqual(sent, f"{words}，http://127.0.0.1:8000/t/{CODE}")
                self.assertLessEqual(len(sent), texts.SMS_LIMIT)

    def test_a_citizens_sms_carries_its_link_even_past_one_sms(self):
        words = texts.for_citizen(serial=SERIAL, what=texts.CITIZEN_EVENTS["answered"], code=CODE)
        with override_settings(SITE_URL="https://wenzheng.luocheng-county-people-government.example.gov.cn/"):
            sent = texts.sms(words, link=f"/t/{CODE}", always=True)
        self.assertEqual(sent, f"{words}，https://wenzheng.luocheng-county-people-government.example.gov.cn/t/{CODE}")

    @override_settings(SITE_URL="https://wz.lc.cn", SMS_SIGNATURE="【罗城】")
    def test_a_staff_sms_carries_its_link_only_within_one_sms(self):
        link = "/notices/123/open/"
        short = texts.followed_up(serial=SERIAL)  # 24 characters: room for the link
        self.assertEqual(texts.sms(short, link=link), f"{short}，https://wz.lc.cn/notices/123/open/")
        self.assertEqual(len("【罗城】" + texts.sms(short, link=link)), 64)
        long = texts.reopened(serial=SERIAL, days=10)
        self.assertEqual(texts.sms(long, link=link), long)  # with it, two SMS: the words alone
        self.assertEqual(texts.sms(short), short)  # a notice with no link

    def test_names_are_cut_with_an_ellipsis_and_whitespace_folded(self):
        self.assertEqual(texts.short("东门镇\n人民政府  办公室", 20), "东门镇 人民政府 办公室")
        self.assertEqual(texts.short("县住房和城乡建设局", 5), "县住房和…")

    @override_settings(SITE_URL="https://wenzheng.luocheng-county-people-government.example.gov.cn", SMS_SIGNATURE="")
    def test_a_site_address_too_long_for_one_sms_is_warned_about(self):
        problems = checks.sms_settings(None)
        self.assertEqual([p.id for p in problems], ["notifications.W001"])
        self.assertIsInstance(problems[0], Warning)

    @override_settings(SITE_URL="https://wz.lc.cn", SMS_SIGNATURE="【罗城】")
    def test_a_short_site_address_and_signature_fit(self):
        self.assertEqual(checks.sms_settings(None), [])

    @override_settings(SITE_URL="wz.lcx.gov.cn", SMS_BACKEND="nowhere.Backend")
    def test_it_refuses_a_backend_it_cannot_import_and_an_address_without_a_scheme(self):
        self.assertEqual(sorted(p.id for p in checks.sms_settings(None)), ["notifications.E001", "notifications.E002"])
