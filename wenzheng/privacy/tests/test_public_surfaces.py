"""Every public surface shows the masked text, from the one masking function: the
message page, the board, the home page, the API, Open311 (JSON and XML), the
exposure list and the bulletin document. Staff see the original."""

import io

from django.urls import reverse
from docx import Document

from wenzheng.evaluation.bulletin import assemble
from wenzheng.evaluation.documents import bulletin_docx
from wenzheng.handling import actions
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local

TITLE = "张三丰反映：路灯不亮，电话13912345678"
BODY = "我的电话13912345678，身份证号450225199001011234，家住东门镇横岸村3组15号，车牌桂M12345。"
REPLY = "网友UU0012345您好！已安排维修，请留意13912345678的来电。咨询电话0778-8212345。"
SECRETS = ("13912345678", "450225199001011234", "3组15号", "桂M12345", "UU0012345", "张三丰")


class PublicSurfacesTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        from wenzheng.privacy import actions as privacy

        privacy.add_public_contact(region=c.county, by=c.county_office, value="0778-8212345", label="东门镇咨询电话")
        cls.message = actions.submit(
            by=c.citizen, category=c.consultation, unit=c.unit_a, title=TITLE, body=BODY, name="张三丰",
            phone="13912345678", consent_to_publish=True, at=local(2026, 3, 2, 9),
        )  # fmt: skip
        actions.reply(message=cls.message, by=c.handler_a, text=REPLY, at=local(2026, 3, 3, 9))
        actions.publish_exposure(
            unit=c.unit_a, by=c.county_office, title="东门镇答复张三丰迟延",
            body="网民张三丰（13912345678）反映的问题久拖不决。", outlet="罗城县融媒体中心", message=cls.message,
            at=local(2026, 3, 20, 9),
        )  # fmt: skip

    def assertMasked(self, text):
        for secret in SECRETS:
            self.assertNotIn(secret, text)

    def test_the_message_page_board_and_home(self):
        page = self.client.get(reverse("public:message", args=["luocheng", self.message.serial]))
        content = page.content.decode()
        self.assertMasked(content)
        self.assertIn("我的电话139****5678，身份证号4502**********1234，家住东门镇横岸村***，车牌桂M*****。", content)
        self.assertIn("网友U********您好！", content)
        self.assertIn("咨询电话0778-8212345。", content)  # published on purpose
        self.assertIn("张**反映：路灯不亮，电话139****5678", content)
        for url in ("/", "/messages/?region=luocheng"):
            self.assertMasked(self.client.get(url).content.decode())
            self.assertContains(self.client.get(url), "张**反映")

    def test_the_api_and_open311(self):
        board = self.client.get("/api/v1/messages", {"region": "luocheng"})
        self.assertEqual(board.json()["results"][0]["title"], "张**反映：路灯不亮，电话139****5678")
        one = self.client.get(f"/api/v1/messages/luocheng/{self.message.serial}")
        self.assertMasked(one.content.decode())
        self.assertEqual(
            one.json()["replies"][0]["text"],
            "网友U********您好！已安排维修，请留意139****5678的来电。咨询电话0778-8212345。",
        )
        for fmt in ("json", "xml"):
            with self.subTest(fmt=fmt):
                found = self.client.get(
                    f"/open311/v2/requests.{fmt}",
                    {"jurisdiction_id": "luocheng", "start_date": "2026-01-01T00:00:00+08:00"},
                )
                self.assertIn("139****5678", found.content.decode())
                self.assertMasked(found.content.decode())
                one = self.client.get(
                    f"/open311/v2/requests/{self.message.serial}.{fmt}", {"jurisdiction_id": "luocheng"}
                )
                self.assertMasked(one.content.decode())

    def test_the_exposure_list(self):
        page = self.client.get("/exposures/", {"region": "luocheng"})
        self.assertContains(page, "东门镇答复张**迟延")
        self.assertContains(page, "网民张**（139****5678）反映的问题久拖不决。")
        self.assertMasked(page.content.decode())
        self.assertContains(page, f'href="/messages/luocheng/{self.message.serial}/"')
        from wenzheng.privacy import actions as privacy

        privacy.withhold(message=self.message, by=self.cast.county_office, reason="网民要求不公开。")
        page = self.client.get("/exposures/", {"region": "luocheng"})
        self.assertNotContains(page, f'href="/messages/luocheng/{self.message.serial}/"')  # no link to a 404

    def test_the_bulletin_names_late_messages_by_their_masked_title(self):
        # The reply was on time; a second message left unanswered is late in the quarter.
        late = actions.submit(
            by=self.cast.citizen, category=self.cast.consultation, unit=self.cast.unit_a,
            title="我叫李四，电话13800001111", body="路灯。", name="李四", phone="13800001111",
            consent_to_publish=True, at=local(2026, 3, 9, 9),
        )  # fmt: skip
        bulletin = assemble(self.cast.county, periods.parse("2026Q1"), now=local(2026, 4, 10, 9))
        self.assertIn("我叫李*，电话138****1111", [item.title for item in bulletin.late])
        text = "\n".join(
            cell.text
            for table in Document(io.BytesIO(bulletin_docx(bulletin))).tables
            for row in table.rows
            for cell in row.cells
        )
        self.assertIn(late.serial, text)
        self.assertNotIn("13800001111", text)

    def test_staff_and_the_citizen_see_the_original(self):
        self.client.force_login(self.cast.handler_a)
        page = self.client.get(reverse("workspace:message", args=[self.message.pk]))
        self.assertContains(page, BODY)
        self.assertContains(page, REPLY)
        api = self.client.get(f"/api/v1/my/messages/luocheng/{self.message.serial}")
        self.assertEqual(api.status_code, 401)  # the API wants a token, not a session
        self.client.force_login(self.cast.citizen)
        own = self.client.get(reverse("public:message", args=["luocheng", self.message.serial]))
        self.assertContains(own, BODY)
