"""The public zone: what citizens, the press and the public see."""

import datetime as dt
import re

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from wenzheng.attachments.models import Attachment
from wenzheng.attachments.testing import phone_photo
from wenzheng.handling import actions, passcodes
from wenzheng.handling.models import Message
from wenzheng.security.models import AuditRecord
from wenzheng.testing import CastTestCase, local

PRIVATE = ["张三", "13800000000", "450225199001011234", "zhangsan@example.com", "东门镇新街8号"]


class PublicPagesTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        extra = {"id_number": PRIVATE[2], "email": PRIVATE[3], "address": PRIVATE[4]}
        cls.answered = c.replied(at=local(2026, 3, 2, 9), title="新街路灯不亮", **extra)
        cls.secret = c.replied(at=local(2026, 3, 3, 9), title="不愿公开的事", consent=False, **extra)
        cls.waiting = c.submit(at=local(2026, 3, 4, 9), title="尚未答复的留言", **extra)
        actions.close(message=cls.answered, by=c.leader_a, kind="answered", at=local(2026, 3, 5, 9))

    def test_home_shows_the_summary_units_and_latest_answers(self):
        response = self.client.get("/", {"region": "luocheng"})
        self.assertContains(response, "情况")
        self.assertContains(response, "东门镇")
        self.assertContains(response, "县住房和城乡建设局")
        self.assertContains(response, "新街路灯不亮")
        self.assertNotContains(response, "不愿公开的事")
        self.assertNotContains(response, "尚未答复的留言")

    def test_the_city_home_lists_its_counties_with_their_totals_not_their_units(self):
        response = self.client.get("/")
        self.assertContains(response, '<a href="?region=luocheng">罗城仫佬族自治县</a>', html=False)
        self.assertContains(response, '<a href="?region=huanjiang">环江毛南族自治县</a>', html=False)
        self.assertNotContains(response, "县住房和城乡建设局")
        self.assertContains(response, "各县（区）（2个）")

    def test_the_home_pages_its_units_past_a_page(self):
        c = self.cast
        from wenzheng.reports import tally
        from wenzheng.units.models import Unit

        Unit.objects.bulk_create(
            Unit(region=c.county, name=f"测试部门{i:03d}", kind="department", registered_on=local(2020, 1, 1).date())
            for i in range(tally.UNIT_PAGE_SIZE)
        )
        row = f'?unit={c.unit_a.pk}">东门镇</a>'
        first = self.client.get("/", {"region": "luocheng"})
        self.assertContains(first, row)
        self.assertNotContains(first, "测试部门119")
        self.assertContains(first, "region=luocheng&amp;units=2")
        second = self.client.get("/", {"region": "luocheng", "units": 2})
        self.assertContains(second, "测试部门119")
        self.assertNotContains(second, row)

    def test_no_public_page_shows_personal_data(self):
        pages = ["/", "/messages/", "/exposures/", "/statistics/", f"/messages/luocheng/{self.answered.serial}/"]
        for url in pages:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            for item in PRIVATE:
                self.assertNotContains(response, item, msg_prefix=url)

    def test_the_board_lists_published_messages_only(self):
        response = self.client.get("/messages/")
        self.assertContains(response, "新街路灯不亮")
        self.assertContains(response, "共1条公开留言")
        self.assertNotContains(response, "不愿公开的事")

    def test_the_board_filters_and_answers_htmx_with_the_list_only(self):
        c = self.cast
        response = self.client.get("/messages/", {"unit": c.unit_b.pk})
        self.assertContains(response, "没有符合条件的留言")
        response = self.client.get(
            "/messages/", {"status": "closed", "period": "2026Q1"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, "新街路灯不亮")
        self.assertNotContains(response, "<html")
        response = self.client.get("/messages/", {"period": "2026Q9"})
        self.assertContains(response, "无法识别的统计期间")

    def test_the_board_counts_no_further_than_its_bound_and_goes_on_before_the_last_row(self):
        import re
        from unittest import mock

        c = self.cast
        for i in range(24):
            c.replied(at=local(2026, 4, 1, 9) + dt.timedelta(minutes=i), title=f"第{i:02d}条")
        with mock.patch("wenzheng.lib.paging.COUNT_LIMIT", 20):
            first = self.client.get("/messages/", {"region": "luocheng"})
            self.assertContains(first, "超过20条公开留言，第1页")
            second = self.client.get("/messages/", {"region": "luocheng", "page": 2})
            self.assertContains(second, "第04条")  # rows 21 to 40 of the newest first, as far as counted
            self.assertNotContains(second, "第03条")
            link = re.search(r'href="\?region=luocheng&amp;before=([^"]+)"', second.content.decode())[1]
            older = self.client.get(
                "/messages/",
                {"region": "luocheng", "before": link.replace("%3A", ":").replace("%2B", "+").replace("%7E", "~")},
            )
        self.assertContains(older, "更早的公开留言")
        self.assertContains(older, "第03条")
        self.assertContains(older, "第00条")
        self.assertContains(older, "新街路灯不亮")
        self.assertNotContains(older, "第04条")
        self.assertEqual(self.client.get("/messages/", {"before": "2026-13-01~x"}).status_code, 404)

    def test_the_board_paginates(self):
        c = self.cast
        for i in range(21):
            c.replied(at=local(2026, 4, 1, 9), title=f"第{i}条")
        first = self.client.get("/messages/")
        self.assertContains(first, "第1/2页")
        second = self.client.get("/messages/", {"page": 2})
        self.assertContains(second, "第2页，共2页")

    def test_a_message_page_shows_the_thread_under_the_units_name(self):
        response = self.client.get(f"/messages/luocheng/{self.answered.serial}/")
        self.assertContains(response, "新街路灯不亮")
        self.assertContains(response, "东门镇 答复")
        self.assertContains(response, "已安排维修人员处理。")
        self.assertContains(response, "已办结")

    def test_unpublished_and_unknown_messages_are_404(self):
        for serial in (self.secret.serial, self.waiting.serial, "2026-999999", "abc"):
            self.assertEqual(self.client.get(f"/messages/luocheng/{serial}/").status_code, 404, serial)

    def test_a_serial_written_otherwise_is_sent_to_the_messages_one_address(self):
        m = self.answered
        url = f"/messages/luocheng/{m.serial}/"
        for serial in (f"{m.year}-{m.number}", f"{m.year}-{m.number:09d}"):
            response = self.client.get(f"/messages/luocheng/{serial}/", {"page": 2})
            self.assertRedirects(response, f"{url}?page=2", status_code=301, fetch_redirect_response=False)
        self.assertEqual(self.client.get(url).status_code, 200)
        # Nor does a short form tell a stranger that an unpublished message exists.
        hidden = self.secret
        for serial in (f"{hidden.year}-{hidden.number}", f"{m.year}-", f"{m.year}-x{m.number}", f"{m.year}-0"):
            self.assertEqual(self.client.get(f"/messages/luocheng/{serial}/").status_code, 404, serial)
        # Its writer is sent to it too.
        self.client.force_login(self.cast.citizen)
        response = self.client.get(f"/messages/luocheng/{hidden.year}-{hidden.number}/")
        self.assertRedirects(response, f"/messages/luocheng/{hidden.serial}/", status_code=301)

    def test_the_owner_sees_their_private_message_and_rates_it(self):
        c = self.cast
        self.client.force_login(c.citizen)
        url = f"/messages/luocheng/{self.secret.serial}/"
        self.assertContains(self.client.get(url), "不愿公开的事")
        response = self.client.post(url, {"rating": "basically_satisfied"}, follow=True)
        self.assertContains(response, "感谢您的评价")
        self.assertEqual(Message.objects.get(pk=self.secret.pk).rating, "basically_satisfied")
        response = self.client.post(url, {"rating": "satisfied"}, follow=True)
        self.assertContains(response, "您已评价过这次答复")

    def test_another_citizen_cannot_see_or_act_on_it(self):
        self.client.force_login(self.cast.other_citizen)
        url = f"/messages/luocheng/{self.secret.serial}/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {"text": "冒充追问"}).status_code, 404)

    def test_my_messages(self):
        self.client.force_login(self.cast.citizen)
        response = self.client.get("/me/")
        for title in ("新街路灯不亮", "不愿公开的事", "尚未答复的留言"):
            self.assertContains(response, title)
        self.client.force_login(self.cast.handler_a)
        self.assertRedirects(self.client.get("/me/"), "/work/", fetch_redirect_response=False)

    def test_statistics_draw_charts_with_chinese_labels(self):
        response = self.client.get("/statistics/", {"period": "2026Q1", "region": "luocheng"})
        self.assertContains(response, "<svg", count=3)
        self.assertContains(response, "各单位回复率与办结率")
        self.assertContains(response, "3月")
        self.assertContains(response, "咨询类 3条")
        self.assertContains(response, "共收到网民留言总数3条")
        self.assertContains(response, "故各月相加可能少于全期")  # the months need not add up to the quarter
        self.assertNotContains(response, 'style="')


class PostingTest(CastTestCase):
    def form(self, **changes):
        return {
            "unit": self.cast.unit_a.pk,
            "category": self.cast.appeal.pk,
            "title": "村道塌方",
            "body": "龙岸镇某村村道塌方，影响出行。",
            "name": "李四",
            "phone": "13900000000",
            "consent_to_publish": "on",
            **changes,
        }

    def test_an_anonymous_citizen_gets_a_tracking_code_and_passcode_once(self):
        response = self.client.post("/post/?county=luocheng", self.form(), follow=True)
        message = Message.objects.get(title="村道塌方")
        self.assertContains(response, message.serial)
        self.assertContains(response, message.tracking_code)
        self.assertContains(response, "密码只显示这一次")
        self.assertEqual(message.state, Message.State.DISPATCHED)
        self.assertIsNone(message.citizen)
        # The receipt is gone once shown.
        self.assertRedirects(self.client.get("/post/done/"), "/track/")

    def test_leaving_the_unit_to_the_county_office(self):
        self.client.post("/post/?county=luocheng", self.form(unit=""))
        message = Message.objects.get(title="村道塌方")
        self.assertEqual(message.state, Message.State.PENDING_DISPATCH)

    def test_a_signed_in_citizen_posts_as_themselves(self):
        self.client.force_login(self.cast.citizen)
        self.client.post("/post/?county=luocheng", self.form())
        self.assertEqual(Message.objects.get(title="村道塌方").citizen, self.cast.citizen)

    def test_bad_input_with_a_photo_says_the_photo_must_be_chosen_again(self):
        photo = phone_photo(size=(40, 30))
        response = self.client.post("/post/?county=luocheng", {**self.form(phone="12ab"), "photos": photo})
        self.assertContains(response, "提交未成功，请按提示修改后重新提交。所选照片未保存，请重新选择。")
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Attachment.objects.exists())
        without = self.client.post("/post/?county=luocheng", self.form(phone="12ab"))
        self.assertNotContains(without, "所选照片未保存")

    def test_an_empty_photo_is_named(self):
        empty = SimpleUploadedFile("x.jpg", b"", content_type="image/jpeg")
        response = self.client.post("/post/?county=luocheng", {**self.form(), "photos": [phone_photo(), empty]})
        self.assertContains(response, "照片“x.jpg”是空文件，请重新选择。")
        self.assertNotContains(response, "所提交的是空文件")
        self.assertFalse(Message.objects.exists())

    def test_bad_input_is_explained_and_nothing_is_saved(self):
        response = self.client.post("/post/?county=luocheng", self.form(title="", phone="12ab", id_number="123"))
        self.assertContains(response, "提交未成功")
        self.assertContains(response, "请填写标题。")
        self.assertContains(response, "联系电话格式不对")
        self.assertContains(response, "身份证号应为18位")
        self.assertFalse(Message.objects.exists())

    def test_an_id_number_typed_full_width_is_kept_as_ascii(self):
        # A phone's Chinese keyboard: full-width digits and a full-width Ｘ.
        self.client.post("/post/?county=luocheng", self.form(id_number=" ４５０２２５１９９００１０１１２３Ｘ "))
        self.assertEqual(Message.objects.get(title="村道塌方").citizen_id_number, "45022519900101123X")

    def test_a_unit_of_another_county_is_not_offered(self):
        response = self.client.post("/post/?county=luocheng", self.form(unit=self.cast.unit_c.pk))
        self.assertContains(response, "选择一个有效的选项")
        self.assertFalse(Message.objects.exists())


class TrackingTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.message = c.submit(by=None, at=local(2026, 3, 2, 9))
        self.passcode = self.message.issued_passcode
        actions.reply(message=self.message, by=c.handler_a, text="已修复。", at=local(2026, 3, 3, 9))

    def test_the_right_passcode_opens_the_message_and_allows_a_follow_up(self):
        response = self.client.post(
            "/track/", {"code": self.message.tracking_code, "passcode": self.passcode}, follow=True
        )
        self.assertContains(response, "路灯不亮")
        self.assertContains(response, "已修复。")
        response = self.client.post(f"/track/{self.message.tracking_code}/", {"text": "还有一盏没修好。"}, follow=True)
        self.assertContains(response, "追问已提交")
        self.assertContains(response, "还有一盏没修好。")
        self.assertEqual(self.message.follow_ups.count(), 1)

    def test_codes_are_accepted_in_lower_case(self):
        response = self.client.post(
            "/track/", {"code": self.message.tracking_code.lower(), "passcode": self.passcode.lower()}
        )
        self.assertRedirects(response, f"/track/{self.message.tracking_code}/")

    def test_codes_typed_full_width_or_in_groups_are_read_as_printed(self):
        # A phone's Chinese keyboard types ＡＢ１２; a slip read aloud is typed in groups.
        code = self.message.tracking_code.lower()
        full_width = " ".join("".join(chr(ord(ch) + 0xFEE0) for ch in code[i : i + 2]) for i in range(0, 10, 2))
        passcode = f"{self.passcode[:4]} {self.passcode[4:]}\u200b"
        response = self.client.post("/track/", {"code": full_width, "passcode": passcode})
        self.assertRedirects(response, f"/track/{self.message.tracking_code}/")

    def test_a_wrong_passcode_says_so_without_telling_which_part_is_wrong(self):
        response = self.client.post("/track/", {"code": self.message.tracking_code, "passcode": "WRONG123"})
        self.assertContains(response, "查询码或查询密码不正确")
        response = self.client.post("/track/", {"code": "NOSUCHCODE", "passcode": self.passcode})
        self.assertContains(response, "查询码或查询密码不正确")

    def test_the_tracked_page_needs_the_passcode_first(self):
        self.assertRedirects(self.client.get(f"/track/{self.message.tracking_code}/"), "/track/")


class CountyChoiceTest(CastTestCase):
    def test_with_several_counties_the_citizen_first_picks_one(self):
        response = self.client.get("/post/")
        self.assertContains(response, "请先选择留言所在的县（区）")
        self.assertContains(response, "?county=huanjiang")
        response = self.client.get("/post/", {"county": "luocheng"})
        self.assertContains(response, "东门镇")
        self.assertNotContains(response, "思恩镇")
        self.assertEqual(self.client.get("/post/", {"county": "hechi"}).status_code, 404)

    def test_each_countys_pages_name_it(self):
        # A trial of a second county: its form, board and messages never named it, and
        # the receipt gave a serial that the other county has too.
        c = self.cast
        self.assertContains(self.client.get("/post/", {"county": "huanjiang"}), "<h1>我要留言 · 环江毛南族自治县</h1>")
        self.assertContains(self.client.get("/messages/", {"region": "huanjiang"}), "<h1>环江毛南族自治县留言板</h1>")
        city_board = self.client.get("/messages/")
        self.assertContains(city_board, "<h1>河池市留言板</h1>")
        # Its unit filter names each unit with its county: each county has its 县交通运输局.
        self.assertContains(city_board, f'<option value="{c.unit_c.pk}">思恩镇（环江毛南族自治县）</option>', html=True)
        self.assertContains(
            self.client.get("/messages/", {"region": "huanjiang"}),
            f'<option value="{c.unit_c.pk}">思恩镇</option>',
            html=True,
        )
        actions.publish_exposure(unit=c.unit_c, by=c.city_office, title="回复不及时", body="……", outlet="河池日报")
        self.assertContains(self.client.get("/exposures/"), "被曝光单位：<strong>环江毛南族自治县·思恩镇</strong>")
        self.assertContains(
            self.client.get("/exposures/", {"region": "huanjiang"}), "被曝光单位：<strong>思恩镇</strong>"
        )
        message = c.submit(unit="c")
        actions.reply(message=message, by=c.handler_c, text="已安排处理。")
        page = self.client.get(f"/messages/huanjiang/{message.serial}/")
        self.assertContains(page, "<span>环江毛南族自治县</span>", html=True)


class ErrorPageTest(CastTestCase):
    def test_a_missing_page_says_so_in_chinese(self):
        response = self.client.get("/no/such/page/")
        self.assertContains(response, "页面不存在", status_code=404)


class ForgottenPasscodeTest(CastTestCase):
    """找回查询密码: a new passcode by SMS to the mobile the message was left with."""

    def setUp(self):
        from wenzheng.notifications import sms

        self.outbox = sms.outbox
        self.outbox.clear()
        self.message = self.cast.submit(by=None, at=local(2026, 3, 2, 9))
        self.old = self.message.issued_passcode

    def ask(self, code, phone):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post("/track/forgot/", {"code": code, "phone": phone}, follow=True)

    def test_the_right_mobile_gets_a_new_passcode_and_the_old_one_stops_working(self):
        self.assertContains(self.client.get("/track/"), "忘记查询密码？")
        page = self.ask(self.message.tracking_code.lower(), "138 0000 0000")
        self.assertContains(page, "如果查询码与留言时填写的手机号相符，新的查询密码已用短信发送到该手机")
        ((to, text),) = self.outbox
        new = re.search(r"查询密码已重置为([A-Z0-9]{8})", text).group(1)
        self.assertEqual(to, "13800000000")
        self.assertIn(self.message.serial, text)
        code = self.message.tracking_code
        self.assertRedirects(self.client.post("/track/", {"code": code, "passcode": new}), f"/track/{code}/")
        refused = self.client.post("/track/", {"code": code, "passcode": self.old})
        self.assertContains(refused, "查询码或查询密码不正确")
        self.assertTrue(AuditRecord.objects.filter(kind="passcode_reissued", detail__message=self.message.serial))

    def test_another_mobile_or_code_gets_the_same_answer_and_nothing_is_sent(self):
        for code, phone in ((self.message.tracking_code, "13900000000"), ("ZZZZZZZZZZ", "13800000000")):
            page = self.ask(code, phone)
            self.assertContains(page, "如果查询码与留言时填写的手机号相符")
        self.assertEqual(self.outbox, [])
        self.message.refresh_from_db()
        self.assertTrue(passcodes.matches(self.old, self.message.passcode_hash))

    def test_once_in_ten_minutes_and_three_times_a_day(self):
        code = self.message.tracking_code
        start = local(2026, 3, 2, 10)
        for minutes in (0, 5, 11, 22, 33):
            with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
                self.ask(code, "13800000000")
        self.assertEqual(len(self.outbox), 3)  # 0, 11 and 22 minutes: the fourth is past the day's three
