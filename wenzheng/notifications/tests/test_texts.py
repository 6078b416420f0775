"""Every notice fits one SMS (70 characters) with the longest values it can get."""

import datetime as dt
import inspect

from django.core.checks import Warning
from django.test import SimpleTestCase, override_settings

from wenzheng.demo import texts as demo
from wenzheng.notifications import checks, texts
from wenzheng.testing import local
from wenzheng.units.models import Region

SERIAL = "2026-999999"
LONG_DAY = dt.date(2026, 12, 31)
LONG_TIME = local(2026, 12, 31, 23, 59)
COUNTY = demo.COUNTY[0]  # 罗城仫佬族自治县
# The longest name a county's unit has: the demo county's (河池市住房公积金管理中心罗城
# 分中心, 17) or a department named with the county's full name, 18.
LONGEST_UNIT = max([*demo.DEPARTMENTS, *(t[0] for t in demo.TOWNSHIPS), f"{COUNTY}乡村振兴和农业农村局"], key=len)
LONG_NAME = "县" * 60  # a unit's name may be 60 characters
LONG_TEXT = "字" * 2000
CODE = "K7M2P9QX4R"


class TextsTest(SimpleTestCase):
    def staff_notices(self, unit: str) -> dict[str, list[str]]:
        """Every staff notice, by the function that words it, in each of its forms,
        with the longest values it can get: `unit` names every unit."""
        office = Region(name=COUNTY, kind=Region.Kind.COUNTY).office_by_level  # as rules.py names it
        return {
            "arrived": [
                texts.arrived(serial=SERIAL, category="咨询类投诉求助举报", days=15, how=how, merged=999)
                for how in ("direct", "dispatched", "transferred")
            ],
            "due_soon": [texts.due_soon(count=9999, serial=SERIAL, stage="回复", last_day=LONG_DAY)],
            "overdue": [texts.overdue(count=9999, serial=SERIAL, stage="回复", last_day=LONG_DAY)],
            "office_overdue": [texts.office_overdue(count=99999, days=30, first_serial=SERIAL)],
            "backlog_passed": [texts.backlog_passed(unit=unit, last_day=LONG_DAY, unanswered=9999)],
            "dissatisfied": [texts.dissatisfied(serial=SERIAL, unit=unit, main=main) for main in ("", SERIAL)],
            "dissatisfied_unit": [texts.dissatisfied_unit(serial=SERIAL, main=SERIAL, office=office)],
            "transfer_accepted": [texts.transfer_accepted(serial=SERIAL, to_unit=unit)],
            "reassigned_away": [texts.reassigned_away(serial=SERIAL, to_unit=unit, reason=LONG_TEXT, office=office)],
            "merged_away": [
                texts.merged_away(serial=SERIAL, main=SERIAL, to_unit=to_unit, office=office)
                for to_unit in (unit, None)
            ],
            "merged_here": [texts.merged_here(serial=SERIAL, main=SERIAL, carried=n) for n in (0, 999)],
            "unmerged": [texts.unmerged(serial=SERIAL)],
            "spam_marked": [texts.spam_marked(serial=SERIAL, reason=LONG_TEXT, office=office)],
            "spam_unmarked": [texts.spam_unmarked(serial=SERIAL)],
            "unmerged_away": [texts.unmerged_away(serial=SERIAL, main=SERIAL)],
            "transfer_rejected": [
                texts.transfer_rejected(serial=SERIAL, reason=LONG_TEXT, last_day=last_day)
                for last_day in (None, LONG_DAY)
            ],
            "extension_approved": [
                texts.extension_approved(serial=SERIAL, last_day=LONG_DAY, reply_outcome=outcome, earlier=earlier)
                for outcome in (None, "on_time", "late")
                for earlier in (False, True)
            ],
            "extension_rejected": [
                texts.extension_rejected(serial=SERIAL, reason=LONG_TEXT, reply_outcome=outcome)
                for outcome in (None, "on_time", "late")
            ],
            "long_cycle_approved": [texts.long_cycle_approved(serial=SERIAL)],
            "followed_up": [texts.followed_up(serial=SERIAL, main=SERIAL)],
            "signoff": [
                texts.signoff(serial=SERIAL, author="名" * 50, follow_up=follow_up, main=SERIAL)
                for follow_up in (False, True)
            ],
            "returned": [texts.returned(serial=SERIAL, note=LONG_TEXT)],
            "superseded": [texts.superseded(serial=SERIAL)],
            "unmerged_draft": [texts.unmerged_draft(serial=SERIAL)],
            "moved_draft": [texts.moved_draft(serial=SERIAL, main=SERIAL)],
            "spam_draft": [texts.spam_draft(serial=SERIAL)],
            "merged_draft": [texts.merged_draft(serial=SERIAL, main=SERIAL)],
            "reopened": [texts.reopened(serial=SERIAL, days=30)],
            "supervised": [texts.supervised(serial=SERIAL, note=LONG_TEXT)],
            "ordered": [texts.ordered(last_day=LONG_DAY, office=office)],
            "explained": [texts.explained(unit=unit)],
            "explanation_returned": [texts.explanation_returned(note=LONG_TEXT, office=office)],
            "proposals": [texts.proposals(period="2026年第四季度", count=9999)],
            "daily_digest": [texts.daily_digest(count=9999, first=LONG_TEXT)],
            "weekly": [texts.weekly(open_count=99999, due_soon=9999, overdue=9999, dissatisfied=9999)],
            "locked_out": [
                texts.locked_out(who=who, at=LONG_TIME, ip=ip)
                for who in ("xiaochangan_handler3", "名" * 150)
                for ip in ("255.255.255.255", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "")
            ],
        }

    def test_every_staff_sms_fits_one(self):
        for unit in (LONGEST_UNIT, LONG_NAME):
            for kind, forms in self.staff_notices(unit).items():
                for words in forms:
                    sent = texts.sms(words, link="/notices/123/open/")
                    with self.subTest(kind=kind, text=sent):
                        self.assertLessEqual(len(sent), texts.SMS_LIMIT)

    def test_every_staff_notice_is_counted(self):
        # A notice worded in texts.py and left out above would not be counted.
        worded = {
            name
            for name, f in inspect.getmembers(texts, inspect.isfunction)
            if f.__module__ == texts.__name__ and not name.startswith("_")
        }
        helpers = {"short", "day", "day_with_year", "public_url", "sms", "with_merged"}
        citizens = {"for_citizen", "merged", "unmerged_citizen"}
        self.assertEqual(worded - helpers - citizens, set(self.staff_notices(LONGEST_UNIT)))

    def test_a_units_name_is_whole_and_free_text_is_cut(self):
        notices = self.staff_notices(LONGEST_UNIT)
        for kind in ("backlog_passed", "dissatisfied", "transfer_accepted", "reassigned_away", "explained"):
            with self.subTest(kind=kind):
                self.assertIn(LONGEST_UNIT, notices[kind][0])
        self.assertIn(f"并入{LONGEST_UNIT}的留言{SERIAL}", notices["merged_away"][0])
        self.assertTrue(notices["returned"][0].endswith("…"))
        # The reason takes the room the rest leaves: more where the unit's name is short.
        reason = texts.reassigned_away(serial=SERIAL, to_unit=LONGEST_UNIT, reason=LONG_TEXT, office="县网络问政办")
        self.assertEqual(len(reason), texts.SMS_LIMIT)
        self.assertIn("字" * 15 + "…）", reason)
        reason = texts.reassigned_away(serial=SERIAL, to_unit="东门镇", reason=LONG_TEXT, office="县网络问政办")
        self.assertIn("字" * 30 + "…）", reason)
        self.assertEqual(len(reason), texts.SMS_LIMIT)
        # A name longer than any county's is cut.
        self.assertIn("县" * 17 + "…", self.staff_notices(LONG_NAME)["explained"][0])

    def test_a_lockout_names_the_address_where_it_fits(self):
        ipv4 = texts.locked_out(who="xiaochangan_handler3", at=LONG_TIME, ip="203.0.113.255")
        self.assertEqual(
            ipv4, "账号“xiaochangan_handler3”12月31日23:59在203.0.113.255连续输错密码，仅该地址被锁定，请核实。"
        )
        ipv6 = texts.locked_out(who="handler_a", at=LONG_TIME, ip="2001:0db8:85a3:0000:0000:8a2e:0370:7334")
        self.assertEqual(ipv6, "账号“handler_a”12月31日23:59连续输错密码，仅其所用地址被锁定，请核实。")

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
