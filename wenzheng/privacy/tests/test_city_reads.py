"""The city office reads no citizen's details anywhere (DOMAIN.md, "Personal data"):
every text beside a message that may hold the citizen's words or echo their number
is masked for it, on the pages it can reach, in the API, in the exports and in the
evaluation's evidence. Found by an audit that walked every link the city office can
follow: a reply waiting for sign-off, a 回访's follow-up and reason, an extension's
reason, an order's reason, a withheld photo's reason, the log export's notes, the
evaluation's titles and a unit's PDF named after the citizen were read as written."""

import datetime as dt
import re
from collections import deque
from urllib.parse import unquote

from django.utils import timezone

from wenzheng.api.models import ApiToken
from wenzheng.attachments import files
from wenzheng.attachments.testing import pdf, phone_photo
from wenzheng.evaluation import runs
from wenzheng.evaluation.models import Scheme
from wenzheng.handling import actions
from wenzheng.handling.models import Revisit
from wenzheng.privacy import actions as privacy
from wenzheng.reports import periods
from wenzheng.testing import CastTestCase
from wenzheng.units.models import Unit

PHONE, ID_NUMBER, NAME = "13912345678", "450103199001011234", "韦小明"
DETAILS = (PHONE, ID_NUMBER, NAME)
# Links a crawl must not follow: they change something, or are not pages.
NOT_FOLLOWED = ("logout", "/static/", "/withdraw/", "/release/", "/retry/", "/accept/", "/publish/", "/erase/")


def said(step: str) -> str:
    """A text as a citizen or a handler might write it, naming the step it came from."""
    return f"[{step}]我叫{NAME}，电话{PHONE}，身份证{ID_NUMBER}。"


class CityReadsNoCitizenDetailsTest(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        c.unit_a.refresh_from_db()
        citizen = actions.Citizen(user=c.citizen)
        soon = timezone.now() + dt.timedelta(days=30)
        m = actions.submit(
            by=c.citizen, category=c.appeal, unit=None, region=c.county, title=f"路灯不亮{NAME}{PHONE}",
            body=said("留言"), name=NAME, phone=PHONE, id_number=ID_NUMBER, consent_to_publish=True,
            attachments=files.read_all([phone_photo(name=f"{NAME}{PHONE}.jpg")], allow_pdf=False),
        )  # fmt: skip
        actions.dispatch(message=m, by=c.county_office, unit=c.unit_a, note=said("交办"))
        m.refresh_from_db()
        actions.respond(message=m, by=c.handler_a, note=said("签收"))
        request = actions.request_extension(message=m, by=c.handler_a, days=2, reason=said("延期"))
        actions.approve_extension(request=request, by=c.county_office, note=said("同意延期"))
        actions.request_extension(message=m, by=c.handler_a, days=1, reason=said("再延期"))
        privacy.withhold_attachment(attachment=m.attachments.get(), by=c.county_office, reason=said("图片不公开"))
        uploads = files.read_all([pdf(name=f"{NAME}{PHONE}答复.pdf")], allow_pdf=True)
        draft = actions.reply(message=m, by=c.handler_a, text=said("回复"), attachments=uploads)
        actions.return_reply(draft=draft, by=c.leader_a, note=said("退回"))
        draft = actions.reply(message=m, by=c.handler_a, text=said("再回复"))
        actions.approve_reply(draft=draft, by=c.leader_a, note="")
        asked = actions.follow_up(message=m, who=citizen, text=said("追问"))
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text=said("答复追问待审"))
        actions.rate(message=m, who=citizen, rating="dissatisfied", reason=said("不满意"))
        for revisit in Revisit.objects.filter(message=m, follow_up__isnull=True):
            actions.uphold_answer(revisit=revisit, by=c.county_office, note=said("维持"))
        actions.order_written_explanation(
            unit=c.unit_a, by=c.county_office, reason=said("书面说明"), messages=[m], backlog_deadline=soon
        )
        actions.record_finding(unit=c.unit_a, by=c.county_office, summary=said("督查"), found_on=timezone.localdate())
        actions.publish_exposure(
            unit=c.unit_a,
            by=c.county_office,
            title=f"曝光{NAME}{PHONE}",
            body=said("曝光"),
            outlet="河池日报",
            message=m,
        )
        period = timezone.localdate().strftime("%Y-%m")
        cls.evaluation = runs.run_evaluation(
            scheme=Scheme.objects.first(), region=c.county, period=periods.parse(period), by=c.city_office
        )
        cls.message = m
        cls.token = ApiToken.issue(user=c.city_office, name="审计")[1]

    def leaks(self, url, response) -> list[str]:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace") + unquote(response.get("Content-Disposition", ""))
        return [f"{url}: {d}" for d in DETAILS if d in text]

    def test_the_city_office_reads_no_detail_on_any_page_it_can_reach(self):
        c, m = self.cast, self.message
        self.client.force_login(c.city_office)
        seeds = deque(
            [
                "/work/", f"/work/messages/{m.pk}/", f"/work/messages/{m.pk}/print/",
                f"/evaluation/runs/{self.evaluation.pk}/units/{c.unit_a.pk}/",
                f"/evaluation/runs/{self.evaluation.pk}/units/{c.unit_a.pk}/print/",
                "/bulk/export/events.csv", "/bulk/export/messages.csv",
                *(f"/files/{a.pk}/" for a in m.attachments.all()),
            ]
        )  # fmt: skip
        seen, leaks = set(), []
        while seeds and len(seen) < 250:
            url = seeds.popleft()
            if url in seen:
                continue
            seen.add(url)
            response = self.client.get(url)
            if response.status_code != 200:
                continue
            leaks += self.leaks(url, response)
            if "html" in response.get("Content-Type", ""):
                for link in re.findall(r'href="(/[^"#?]*)"', response.content.decode()):
                    if link not in seen and not any(s in link for s in NOT_FOLLOWED):
                        seeds.append(link)
        self.assertIn(f"/work/messages/{m.pk}/", seen)
        self.assertGreater(len(seen), 30)
        self.assertEqual(leaks, [])

    def test_the_city_offices_token_reads_no_detail_in_the_api(self):
        m = self.message
        response = self.client.get(
            f"/api/v1/my/messages/{m.region.code}/{m.serial}", headers={"Authorization": f"Bearer {self.token}"}
        )
        self.assertEqual(response.status_code, 200)
        found = response.json()
        self.assertTrue(found["extension_requests"] and found["revisits"] and found["drafts"])
        self.assertEqual(self.leaks("api", response), [])

    def test_the_county_office_still_reads_everything_as_written(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(f"/work/messages/{self.message.pk}/").content.decode()
        for step in ("延期", "再延期", "答复追问待审", "不满意", "书面说明", "维持"):
            with self.subTest(step):
                self.assertIn(said(step), page)
        self.assertIn(said("督查"), self.client.get("/bulk/export/events.csv").getvalue().decode())
        evidence = self.client.get(f"/evaluation/runs/{self.evaluation.pk}/units/{self.cast.unit_a.pk}/")
        self.assertContains(evidence, said("书面说明"))

    def test_a_units_pdf_is_named_as_the_public_may_read_it(self):
        name = self.message.attachments.get(kind="pdf").name
        self.assertEqual(name, "韦**139****5678答复.pdf")
