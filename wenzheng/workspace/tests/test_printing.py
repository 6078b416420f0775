"""Print views on A4: a message with its replies and handling record, and a unit's
evaluation sheet; and the evaluation's evidence links each message."""

from django.urls import reverse

from wenzheng.attachments import files as attachment_files
from wenzheng.attachments.testing import pdf, phone_photo
from wenzheng.evaluation import runs
from wenzheng.evaluation.models import Scheme
from wenzheng.evaluation.tests.fixtures import build_q1
from wenzheng.handling import actions
from wenzheng.privacy.models import AccessRecord
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase, local

Q1 = periods.parse("2026Q1")


class MessagePrintTest(CastTestCase):
    def setUp(self):
        c = self.cast
        self.message = c.replied(at=local(2026, 3, 2, 9))
        asked = actions.follow_up(message=self.message, who=actions.Citizen(user=c.citizen), text="何时修好？")
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="本周五前修好。")
        self.url = reverse("workspace:message-print", args=[self.message.pk])

    def test_the_unit_prints_the_letter_with_replies_stages_and_record(self):
        self.client.force_login(self.cast.handler_a)
        page = self.client.get(reverse("workspace:message", args=[self.message.pk]))
        self.assertContains(page, f'href="{self.url}"')
        page = self.client.get(self.url)
        body = page.content.decode()
        self.assertIn("罗城仫佬族自治县网络问政留言办理单", body)
        self.assertIn(f"留言编号：{self.message.serial}", body)
        order = [body.index(t) for t in ("已安排维修人员处理。", "何时修好？", "本周五前修好。", "办理记录")]
        self.assertEqual(order, sorted(order))
        self.assertIn("css/print.css", body)
        self.assertNotIn('id="site-nav"', body)  # the document only
        self.assertEqual(AccessRecord.objects.filter(user=self.cast.handler_a, message=self.message).count(), 2)

    def test_it_lists_the_files_of_the_message_and_of_each_reply(self):
        c = self.cast
        photo = attachment_files.read(phone_photo(size=(40, 30), name="现场.jpg"), allow_pdf=False)
        message = c.submit(attachments=[photo], title="桥面破损")
        plan = attachment_files.read(pdf(name="维修计划.pdf"), allow_pdf=True)
        actions.reply(message=message, by=c.handler_a, text="已安排维修。", attachments=[plan])
        self.client.force_login(c.handler_a)
        body = self.client.get(reverse("workspace:message-print", args=[message.pk])).content.decode()
        order = [body.index(t) for t in ("附件：现场.jpg", "已安排维修。", "附件：维修计划.pdf", "办理时限")]
        self.assertEqual(order, sorted(order))
        self.assertIn("favicon.svg", body)

    def test_the_city_prints_it_without_the_citizens_details_and_strangers_get_404(self):
        self.client.force_login(self.cast.city_office)
        page = self.client.get(self.url)
        self.assertContains(page, "办理记录")
        self.assertNotContains(page, self.message.citizen_phone)
        self.client.force_login(self.cast.handler_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class EvaluationSheetTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.m = build_q1(cls.cast)
        scheme = Scheme.objects.latest_version("default")
        cls.stored = runs.run_evaluation(scheme=scheme, region=cls.cast.county, period=Q1, now=local(2026, 6, 1))

    def test_evidence_serials_link_to_the_message(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(reverse("evaluation:unit", args=[self.stored.pk, self.cast.unit_a.pk]))
        m1 = self.m["m1"]
        self.assertContains(page, f'<a href="/work/messages/{m1.pk}/">{m1.serial}</a>', html=False)

    def test_the_sheet_prints_every_item_with_all_evidence_open(self):
        self.client.force_login(self.cast.county_office)
        url = reverse("evaluation:unit-print", args=[self.stored.pk, self.cast.unit_a.pk])
        self.assertContains(
            self.client.get(reverse("evaluation:unit", args=[self.stored.pk, self.cast.unit_a.pk])), f'href="{url}"'
        )
        body = self.client.get(url).content.decode()
        self.assertIn("罗城仫佬族自治县2026年第一季度网络问政工作绩效考评表", body)
        self.assertIn("被考评单位", body)
        self.assertIn("按时回应率55.6%（5/9），低于下限80%，不得分，得0分。", body)
        self.assertNotIn('<details class="evidence">', body)  # every one open
        self.assertIn(self.m["m1"].serial, body)
        self.client.force_login(self.cast.other_county_office)
        self.assertEqual(self.client.get(url).status_code, 404)
