"""Erasure on a citizen's request, proved on the demo county: the personal data is
gone from every row that held it, the event log still verifies, and the statistics
and the evaluation's facts are exactly what they were."""

import io

from django.core.management import CommandError, call_command
from django.db.models import Q

from wenzheng.accounts.models import User
from wenzheng.accounts.policy import ActionRefused
from wenzheng.api.models import ApiToken
from wenzheng.demo.testing import NOW
from wenzheng.evaluation import facts, runs
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import FollowUp, Message, Reply
from wenzheng.privacy import actions as privacy
from wenzheng.privacy.models import Erasure
from wenzheng.reports import figures, periods
from wenzheng.testing import CastTestCase, local


def call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


class DemoCountyErasureTests:
    """Erasure on the whole demo county: run in wenzheng.demo.tests.test_loaddemo's
    DemoCountyTest, which builds the county once for every test that reads it."""

    def statistics(self):
        """Everything counted about the county: the seed's summary, each quarter's and
        each unit's figures, and the digest of the year's evaluation facts."""
        out = {"summary": call("summary", "--period", "2026Q1", "--region", "luocheng")}
        for code in ("2026Q1", "2026Q2", "2026Q3", "2026"):
            span = periods.parse(code)
            out[code] = figures.compute(self.county, span, now=NOW)
            out[f"{code} units"] = figures.per_unit(self.county, span, now=NOW)
            window = facts.Window.of(span, NOW)
            out[f"{code} facts"] = runs.digest(self.county, window, facts.collect(self.county, window))
        return out

    def test_erasing_an_account_and_a_tracked_message_leaves_the_log_and_the_figures_as_they_were(self):
        citizen = User.objects.get(username="citizen")
        ApiToken.issue(user=citizen, name="手机")
        theirs = list(Message.objects.filter(citizen=citizen))
        self.assertTrue(theirs)
        tracked = Message.objects.filter(citizen=None, body__contains="我叫").first()
        before = self.statistics()
        events_before = Event.objects.count()
        name, phone = tracked.citizen_name, tracked.citizen_phone

        out = call(
            "erase_citizen", "--account", "citizen", "--tracking-code", tracked.tracking_code,
            "--by", "county", "--reason", "网民来电申请，登记号2026-11-001",
        )  # fmt: skip
        self.assertIn(f"涉及留言{len(theirs) + 1}条", out)

        # The log: intact, one erasure event per message, and none of it copied.
        self.assertEqual(chain.verify(), (events_before + len(theirs) + 1, None))
        erasure = Erasure.objects.get()
        for event in Event.objects.filter(kind=Event.Kind.ERASED):
            self.assertEqual((event.note, event.data), ("", {"erasure": erasure.pk}))
        self.assertEqual(self.statistics(), before)

        # The rows: no name, phone, ID number, e-mail or address; texts masked.
        for message in [*theirs, tracked]:
            message.refresh_from_db()
            self.assertEqual(message.citizen_name, "（已删除）")
            self.assertEqual(
                (message.citizen_phone, message.citizen_id_number, message.citizen_email, message.citizen_address),
                ("", "", "", ""),
            )
        self.assertNotIn(name, tracked.body)
        self.assertNotIn(phone, tracked.body)
        everything = " ".join(
            [
                *Message.objects.filter(pk__in=[m.pk for m in theirs]).values_list("body", flat=True),
                *Reply.objects.filter(message__in=theirs).values_list("text", flat=True),
                *FollowUp.objects.filter(message__in=theirs).values_list("text", flat=True),
            ]
        )
        self.assertNotIn("韦志明", everything)  # the demo units greet this account by name
        self.assertNotIn("13877812345", everything)
        citizen.refresh_from_db()
        self.assertEqual(citizen.username, f"erased-{citizen.pk}")
        self.assertEqual((citizen.display_name, citizen.phone, citizen.email, citizen.is_active), ("", "", "", False))
        self.assertFalse(citizen.has_usable_password())
        self.assertFalse(ApiToken.objects.filter(user=citizen, revoked_at__isnull=True).exists())
        self.assertFalse(User.objects.filter(Q(username="citizen") | Q(display_name="韦志明")).exists())

    def test_the_demo_county_reviews_before_publishing_since_november(self):
        from wenzheng.privacy.models import CountyPrivacy, Review

        self.assertTrue(CountyPrivacy.reviews(self.county))
        reviews = Review.objects.filter(message__region=self.county)
        self.assertTrue(reviews.filter(state=Review.State.PASSED).exists())
        redacted = reviews.filter(state=Review.State.REDACTED).first()
        self.assertIn("4502**********", redacted.public_text)
        self.assertNotIn(redacted.message.body, redacted.public_text)
        pending = reviews.filter(state=Review.State.PENDING, follow_up__isnull=True)
        self.assertTrue(pending.exists())  # the last day's messages wait at `now`
        # (A follow-up waiting for review is kept off the page; its message stays on it.)
        self.assertFalse(Message.objects.published().filter(reviews__in=pending).exists())
        self.assertFalse(reviews.filter(queued_at__lt=local(2026, 11, 2)).exists())

    def test_the_command_refuses_clearly(self):
        with self.assertRaisesMessage(CommandError, "没有用户名为“nobody”的账号"):
            call("erase_citizen", "--account", "nobody", "--by", "county", "--reason", "申请")
        with self.assertRaisesMessage(CommandError, "只能删除网民账号的个人信息"):
            call("erase_citizen", "--account", "dongmen_handler1", "--by", "admin", "--reason", "申请")
        with self.assertRaisesMessage(CommandError, "只有县网络问政办或系统管理员"):
            call("erase_citizen", "--account", "citizen", "--by", "city", "--reason", "申请")
        with self.assertRaisesMessage(CommandError, "留言应写作 县代码/编号"):
            call("erase_citizen", "--message", "2026-000001", "--by", "admin", "--reason", "申请")
        self.assertFalse(Erasure.objects.exists())


class ErasureRulesTest(CastTestCase):
    def test_a_county_office_erases_in_its_own_county_only(self):
        c = self.cast
        theirs = c.submit(unit="c", by="other_citizen", title="思恩镇的事")
        with self.assertRaises(ActionRefused) as refused:
            privacy.erase_citizen(by=c.county_office, reason="申请", messages=[theirs])
        self.assertEqual(refused.exception.code, "not_your_region")
        with self.assertRaises(ActionRefused):
            privacy.erase_citizen(by=c.county_office, reason="申请", account=c.other_citizen)
        privacy.erase_citizen(by=c.other_county_office, reason="申请", account=c.other_citizen)
        theirs.refresh_from_db()
        self.assertEqual(theirs.citizen_name, "（已删除）")

    def test_every_text_about_the_message_is_masked_not_only_the_thread(self):
        c = self.cast
        from wenzheng.handling.models import ReplyDraft, Revisit
        from wenzheng.units.models import Unit

        message = c.replied(title="路灯不亮")
        name = message.citizen_name
        me = actions.Citizen(user=c.citizen)
        actions.rate(message=message, who=me, rating="dissatisfied", reason=f"不满意，{name}电话13912345678")
        revisit = Revisit.objects.get(message=message)
        actions.uphold_answer(revisit=revisit, by=c.county_office, note=f"已致电{name}（13912345678）核实。")
        asked = actions.follow_up(message=message, who=me, text="何时修？")
        Unit.objects.filter(pk=c.unit_a.pk).update(reply_signoff=True)
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text=f"{name}您好，13912345678已收到。")
        privacy.erase_citizen(by=c.county_office, reason="网民申请", messages=[message])
        texts = [
            *Revisit.objects.filter(message=message, kind="dissatisfied").values_list("reason", "decision_note").get(),
            *ReplyDraft.objects.filter(message=message).values_list("text", flat=True),
        ]
        for text in texts:
            self.assertNotIn("13912345678", text)
            self.assertNotIn(name, text)
            self.assertIn("139****5678", text)

    def test_the_file_a_message_was_imported_from_goes_with_it(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from wenzheng.bulk import jobs
        from wenzheng.bulk.models import ImportJob

        c = self.cast
        csv = (
            "留言编号,留言用户,留言主题,留言时间,留言详情,单位,类别,联系电话,答复意见,答复时间\n"
            "X001,覃秀娟,东门镇路灯坏了,2025-03-01 10:00,我是覃秀娟，电话13977123456,东门镇,诉求,13977123456,"
            "已修复,2025-03-03 10:00\n"
            "X002,覃秀娟,又一处路灯,2025-03-01 10:00,同上,覃秀娟家旁,诉求,13977123456,已修复,2025-03-03 10:00\n"
        ).encode()
        self.client.force_login(c.county_office)
        upload = SimpleUploadedFile("导出.csv", csv)
        self.client.post("/bulk/imports/", {"file": upload, "region": c.county.pk, "unanswered": "history"})
        job = ImportJob.objects.get()
        jobs.run(jobs.claim(job.pk))
        message = Message.objects.get(import_source__number="X001")
        privacy.erase_citizen(by=c.county_office, reason="网民申请", messages=[message])
        job.refresh_from_db()
        self.assertEqual((bytes(job.content), job.file_deleted_at is not None), (b"", True))
        problems = list(job.problems.values_list("problem", flat=True))
        self.assertTrue(problems)  # the row naming no unit quotes her name: masked
        for problem in problems:
            self.assertNotIn("覃秀娟", problem)

    def test_the_office_page_shows_what_will_go_before_it_goes(self):
        c = self.cast
        message = c.replied(title="路灯不亮", address="东门镇新街路18号")
        actions.follow_up(message=message, who=actions.Citizen(user=c.citizen), text="我叫张三，电话13900001111。")
        self.client.force_login(c.county_office)
        url = "/work/county/luocheng/privacy/erase/"
        look = self.client.post(url, {"tracking_code": message.tracking_code.lower(), "reason": "网民申请"})
        self.assertContains(look, f"{message.serial} 路灯不亮", status_code=400)
        message.refresh_from_db()
        self.assertEqual(message.citizen_address, "东门镇新街路18号")  # nothing yet
        done = self.client.post(url, {"tracking_code": message.tracking_code, "reason": "网民申请", "confirm": "on"})
        self.assertRedirects(done, url)
        message.refresh_from_db()
        self.assertEqual((message.citizen_name, message.citizen_address), ("（已删除）", ""))
        self.assertEqual(message.follow_ups.get().text, "我叫张*，电话139****1111。")
        self.assertContains(self.client.get(url), "网民申请")
        self.client.force_login(c.other_county_office)
        other = self.client.post(
            "/work/county/huanjiang/privacy/erase/",
            {"tracking_code": message.tracking_code, "reason": "申请", "confirm": "on"},
        )
        self.assertContains(other, "本县没有这个查询码的留言", status_code=400)

    def test_another_countys_office_reads_no_title_of_an_account_that_wrote_in_both(self):
        """The account is the city's; its messages are each county's: the other
        county's office is told how many it wrote elsewhere and where, never what."""
        c = self.cast
        c.submit(unit="a", title="请回电13677776666 路灯坏了")
        c.submit(unit="c", title="思恩镇的路灯")
        self.client.force_login(c.other_county_office)
        look = self.client.post("/work/county/huanjiang/privacy/erase/", {"account": "citizen", "reason": "申请"})
        self.assertContains(look, "思恩镇的路灯", status_code=400)
        self.assertNotContains(look, "13677776666", status_code=400)
        self.assertNotContains(look, "路灯坏了", status_code=400)
        said = "另有1条在罗城仫佬族自治县的留言（不在此列出），须由系统管理员办理。"
        self.assertContains(look, said, status_code=400)
