"""Each hostile input that made a 500 (issue 13, "500s from hostile input"), now a
clear refusal, on SQLite and on PostgreSQL alike."""

import xml.etree.ElementTree as ET

from wenzheng.api.tests.helpers import ApiTestCase
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase


class FarFuturePeriodTest(ApiTestCase):
    def test_it_refuses_the_year_9999_on_every_surface(self):
        for path in ("/statistics/?period=9999", "/statistics/?period=9999Q4", "/statistics/?period=9999-12"):
            response = self.client.get(path)
            self.assertContains(response, "统计期间的年份应在1970年至2199年之间", status_code=400)
        response = self.client.get("/messages/", {"period": "9999"})
        self.assertContains(response, "统计期间的年份应在", status_code=200)  # the filter says so, the board stays
        response = self.get("anonymous", "/api/v1/statistics", period="9999")
        self.assertEqual(response.status_code, 422)
        self.assertIn("年份应在", response.json()["message"])
        response = self.get("anonymous", "/api/v1/messages", period="9999Q4")
        self.assertEqual(response.status_code, 422)
        self.client.force_login(self.cast.county_office)
        response = self.client.get("/bulk/export/events.csv", {"period": "9999..9999"})
        self.assertEqual(response.status_code, 400)
        response = self.client.get("/bulk/export/events.csv", {"period": "9999-12-01..9999-12-31"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("年份应在", response.content.decode())


class PageNumberTest(ApiTestCase):
    def test_the_api_takes_page_numbers_as_plain_digits_only(self):
        for path in ("/api/v1/messages", "/api/v1/statistics"):
            for bad in ("\v5", " 5", "５", "5.0", "-1"):
                response = self.get("anonymous", path, page_size=bad)
                self.assertEqual(response.status_code, 422, (path, bad))
                self.assertEqual(response.json()["code"], "invalid_request")
            self.assertEqual(self.get("anonymous", path, page_size="5").status_code, 200)


class NulTest(ApiTestCase):
    def test_it_refuses_a_nul_in_any_query_value_with_a_clear_page(self):
        for path in ("/?region=%00", "/messages/?unit=1%00", "/statistics/?period=%00", "/track/?code=%00"):
            response = self.client.get(path)
            self.assertContains(response, "请求中含有空字符（NUL）", status_code=400)

    def test_it_takes_a_nul_out_of_what_a_form_carries_and_refuses_it_in_json(self):
        # A reply pasted from a document with a NUL in it: published without it, not
        # refused with the typed text lost.
        message = self.cast.submit()
        self.client.force_login(self.cast.handler_a)
        response = self.client.post(
            f"/work/messages/{message.pk}/reply/", {f"reply-{message.pk}-text": "已安排\x00维修。"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(message.replies.get().text, "已安排维修。")
        self.assertContains(self.client.post("/track/", {"code\x00": "AB"}), "空字符", status_code=400)
        response = self.client.post(
            "/api/v1/my/messages",
            '{"category": "consultation", "title": "a\\u0000", "body": "b", "name": "n", "phone": "13800000000"}',
            content_type="application/json",
            headers=self.headers("citizen"),
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["code"], "bad_characters")
        self.assertEqual(list(Message.objects.all()), [message])  # the API's, refused, made none


class ContactDetailsTest(ApiTestCase):
    def submit(self, **extra):
        body = {"category": "consultation", "title": "路灯", "body": "不亮", "name": "张三", "phone": "13800000000"}
        return self.post("citizen", "/api/v1/my/messages", {**body, "region": "luocheng", **extra})

    def test_it_refuses_an_overlong_id_number_email_or_address_through_the_api(self):
        response = self.submit(id_number="4" * 40)
        self.assertEqual((response.status_code, response.json()["code"]), (422, "bad_id_number"))
        response = self.submit(email="a" * 300 + "@example.com")
        self.assertEqual((response.status_code, response.json()["code"]), (422, "bad_email"))
        response = self.submit(email="not an address")
        self.assertEqual(response.json()["code"], "bad_email")
        response = self.submit(address="村" * 201)
        self.assertEqual((response.status_code, response.json()["code"]), (422, "text_too_long"))
        self.assertFalse(Message.objects.exists())

    def test_it_keeps_a_good_id_number_with_a_small_x_and_full_width_digits(self):
        response = self.submit(
            id_number="４５０２２５１９９００１０１１２３x", email=" a@example.com ", address=" 东门镇 "
        )
        self.assertEqual(response.status_code, 201, response.content)
        stored = Message.objects.get()
        self.assertEqual(
            (stored.citizen_id_number, stored.citizen_email, stored.citizen_address),
            ("45022519900101123X", "a@example.com", "东门镇"),
        )

    def test_it_refuses_them_through_open311_too(self):
        data = {
            "api_key": self.tokens["citizen"],
            "jurisdiction_id": "luocheng",
            "service_code": "consultation",
            "description": "路灯不亮",
            "phone": "13800000000",
            "email": "x" * 400,
        }
        response = self.client.post("/open311/v2/requests.json", data)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()[0]["code"], "bad_email")


class Open311UnitTest(ApiTestCase):
    def test_it_refuses_a_superscript_or_a_huge_unit_key(self):
        for key in ("²", "١٢", "9" * 40):
            data = {
                "api_key": self.tokens["citizen"],
                "jurisdiction_id": "luocheng",
                "service_code": "consultation",
                "description": "路灯不亮",
                "attribute[unit]": key,
            }
            response = self.client.post("/open311/v2/requests.json", data)
            self.assertEqual(response.status_code, 400, key)
            self.assertEqual(response.json()[0]["code"], "unit_not_found")

    def test_a_huge_serial_is_no_such_request(self):
        response = self.client.get("/open311/v2/requests/2026-99999999999999999999999.json")
        self.assertEqual(response.status_code, 400)
        response = self.client.get("/messages/luocheng/2026-99999999999999999999999/")
        self.assertEqual(response.status_code, 404)
        response = self.client.get("/api/v1/messages/luocheng/2026-99999999999999999999999")
        self.assertEqual(response.status_code, 404)

    def test_a_huge_row_id_in_a_page_address_is_a_404(self):
        self.client.force_login(self.cast.county_office)
        response = self.client.get("/work/messages/99999999999999999999999/")
        self.assertEqual(response.status_code, 404)


class ControlCharacterTest(ApiTestCase):
    def test_a_character_pasted_from_word_leaves_the_xml_valid(self):
        message = self.cast.replied(title="路灯\x0b不亮")
        self.assertEqual(message.title, "路灯不亮")  # removed as it came in
        # A row written before the actions cleaned text: the XML is still valid.
        Message.objects.filter(pk=message.pk).update(body="东门镇\x0c新街\x07路灯坏了\x1b")
        response = self.client.get("/open311/v2/requests.xml", {"jurisdiction_id": "luocheng"})
        self.assertEqual(response.status_code, 200)
        tree = ET.fromstring(response.content)  # noqa: S314 (our own response)
        self.assertIn("东门镇新街路灯坏了", tree.find("request/description").text)

    def test_actions_remove_invisible_characters_from_what_people_type(self):
        message = self.cast.submit()
        reply = actions.reply(message=message, by=self.cast.handler_a, text="已\x00安排\u200b维修\x08。")
        self.assertEqual(reply.text, "已安排维修。")  # nobody sees a zero-width space or a backspace

    def test_a_terminal_colour_pasted_from_a_console_goes_whole(self):
        message = self.cast.submit(title="\x1b[31m路灯不亮\x1b[0m")
        reply = actions.reply(message=message, by=self.cast.handler_a, text="日志：\x1b[1;32m已修复\x1b[m。")
        message.refresh_from_db()
        self.assertEqual((message.title, reply.text), ("路灯不亮", "日志：已修复。"))

    def test_a_pasted_direction_override_is_removed_so_the_text_reads_as_typed(self):
        message = self.cast.submit(title="\u202e反转文本")
        reply = actions.reply(message=message, by=self.cast.handler_a, text="路灯\u2067坏了\u2069，\u202d已修\u202c。")
        message.refresh_from_db()
        self.assertEqual((message.title, reply.text), ("反转文本", "路灯坏了，已修。"))


class ExportErrorTest(CastTestCase):
    def test_the_exports_error_is_plain_text_never_html(self):
        self.client.force_login(self.cast.county_office)
        response = self.client.get("/bulk/export/events.csv", {"period": "<script>alert(1)</script>"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))
        response = self.client.get("/bulk/export/messages.csv", {"period": "<img src=x onerror=alert(1)>"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))


class ReasonLengthTest(CastTestCase):
    def test_a_staff_reason_has_a_limit_that_is_named(self):
        message = self.cast.submit()
        with self.assertRaises(actions.ActionRefused) as refused:
            actions.request_transfer(message=message, by=self.cast.handler_a, reason="理" * 2001)
        self.assertEqual(refused.exception.code, "text_too_long")
        self.assertIn("不能超过2000个字", refused.exception.reason)
        with self.assertRaises(actions.ActionRefused):
            actions.respond(message=message, by=self.cast.handler_a, note="注" * 2001)
        message.refresh_from_db()
        self.assertEqual(message.state, Message.State.DISPATCHED)

    def test_the_reply_form_says_so_instead_of_failing(self):
        message = self.cast.submit()
        actions.respond(message=message, by=self.cast.handler_a)
        self.client.force_login(self.cast.handler_a)
        response = self.client.post(f"/work/messages/{message.pk}/transfer/", {"reason": "理" * 2001})
        self.assertLess(response.status_code, 500)
        message.refresh_from_db()
        self.assertEqual(message.state, Message.State.RESPONDED)


class ForgedFormValueTest(CastTestCase):
    """Found by the property-based tests (wenzheng/security/tests/test_hostile_forms.py)."""

    def test_a_forged_next_is_ignored_not_reversed_as_a_view_name(self):
        message = self.cast.submit()
        self.client.force_login(self.cast.handler_a)
        for forged in ("第一行\n第二行", "home", "https://evil.example/", "//evil.example/", "/a\r\nSet-Cookie: x=1"):
            response = self.client.post(f"/work/messages/{message.pk}/respond/", {"next": forged})
            self.assertLess(response.status_code, 500, forged)
            if response.status_code == 302:
                self.assertTrue(response["Location"].startswith("/work/"), (forged, response["Location"]))
        message.refresh_from_db()
        self.assertEqual(message.state, Message.State.RESPONDED)  # the first post signed for it
        response = self.client.post("/notices/read/", {"next": "第一行\n第二行"})
        self.assertRedirects(response, "/notices/", fetch_redirect_response=False)

    def test_a_superscript_notice_id_is_no_notice(self):
        self.client.force_login(self.cast.citizen)
        for forged in ("²", "٣", "9" * 30):
            response = self.client.post("/notices/read/", {"notice": forged})
            self.assertEqual(response.status_code, 302, forged)

    def test_a_superscript_row_id_in_the_admin_is_a_404(self):
        self.client.force_login(self.cast.admin)
        for path in ("/admin/handling/message/²/change/", "/admin/accounts/user/²/change/"):
            response = self.client.get(path)
            self.assertLess(response.status_code, 500, path)
