"""签收 of imported replies: judged at the time the old platform recorded, and, where
it recorded none, not judged at all (never made up at the reply's time)."""

import io
import tempfile
from pathlib import Path

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from wenzheng.bulk import jobs
from wenzheng.bulk.columns import COLUMNS, header_key
from wenzheng.bulk.models import ImportJob
from wenzheng.evaluation import facts
from wenzheng.eventlog import chain, replay
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.reports import periods
from wenzheng.supervision import proposals
from wenzheng.testing import CastTestCase, local

from .helpers import HEADER, good_row, run_import, xlsx

NOW = local(2026, 3, 6, 10, 0)
# Monday 2024-03-04 09:30, replied Wednesday: on time for the reply (5 working days),
# a day late for a response (1 working day) had the reply been the acknowledgement.
SUBMITTED, REPLIED = "2024-03-04 09:30", "2024-03-06 10:00"
WITH_RESPONSE = [*HEADER, "签收时间", "是否公开"]


def row(number, responded="", reply="已安排维修。", replied=REPLIED):
    cells = good_row(number, reply=reply, replied=replied if reply else "")
    cells[3] = SUBMITTED
    return [*cells, responded, "是"]


class ResponseTimeTests(CastTestCase):
    def run_file(self, rows, **options):
        with time_machine.travel(NOW, tick=False):
            return run_import(self.cast, xlsx(rows, header=WITH_RESPONSE), **options)

    def unit_facts(self):
        window = facts.Window.of(periods.parse("2024Q1"), NOW)
        return facts.collect(self.cast.county, window).of(self.cast.unit_a.pk)

    def test_without_a_response_time_the_response_counts_for_nobody(self):
        outcome = self.run_file([row(str(n)) for n in range(1, 4)])
        self.assertEqual((outcome.created, outcome.problems), (3, []))
        counted = self.unit_facts()
        # The replies, whose time is known, are judged; no response was made up.
        self.assertEqual((counted.get("reply.due"), counted.get("reply.on_time")), (3, 3))
        self.assertNotIn("response.due", counted)
        quarter = periods.parse("2024Q1")
        self.assertEqual(list(proposals.late_stages(self.cast.county, quarter, at=NOW)), [])
        self.assertEqual(proposals.propose(county=self.cast.county, period=quarter, at=NOW), [])
        message = Message.objects.get(import_source__number="1")
        self.assertEqual([e.kind for e in message.events.order_by("seq")], ["submitted", "replied", "closed"])
        self.assertIsNone(chain.verify()[1])
        self.assertEqual(replay.replay().differences, [])
        # The public page says nothing of a 签收 nobody recorded.
        page = self.client.get(reverse("public:message", args=[message.region.code, message.serial]))
        self.assertContains(page, "已安排维修。")
        self.assertNotContains(page, "签收")

    def test_the_report_says_how_many_replies_had_no_response_time(self):
        # Two replied without a 签收 time, one with, one not answered: two are counted.
        rows = [row("1"), row("2"), row("3", responded="2024-03-04 16:00"), row("4", reply="")]
        self.assertEqual(self.run_file(rows, dry_run=True).unrecorded, 2)
        self.client.force_login(self.cast.county_office)
        for dry_run, said in (
            ("on", "其中已答复但没有签收时间的2条将不计签收（回应）时限，不算任何单位签收超期；"
             "原平台记有签收时间的，请先在文件中加一列“签收时间”再导入。"),
            ("", "其中已答复但没有签收时间的2条已不计签收（回应）时限，不算任何单位签收超期。"),
        ):  # fmt: skip
            upload = SimpleUploadedFile(f"导出{dry_run}.xlsx", xlsx(rows, header=WITH_RESPONSE))
            form = {"file": upload, "region": self.cast.county.pk, **({"dry_run": "on"} if dry_run else {})}
            self.client.post(reverse("bulk:imports"), form)
            job = ImportJob.objects.get(filename=f"导出{dry_run}.xlsx")
            self.assertEqual(job.dry_run, bool(dry_run))
            with time_machine.travel(NOW, tick=False):
                jobs.run(jobs.claim(job.pk))
            page = self.client.get(reverse("bulk:job", args=[job.pk]))
            self.assertEqual(page.context["job"].unrecorded_count, 2)
            self.assertContains(page, said)
        # A file whose every reply has its 签收 time says nothing of it.
        upload = SimpleUploadedFile("全.xlsx", xlsx([row("5", responded="2024-03-04 16:00")], header=WITH_RESPONSE))
        self.client.post(reverse("bulk:imports"), {"file": upload, "region": self.cast.county.pk})
        job = ImportJob.objects.get(filename="全.xlsx")
        with time_machine.travel(NOW, tick=False):
            jobs.run(jobs.claim(job.pk))
        self.assertNotContains(self.client.get(reverse("bulk:job", args=[job.pk])), "没有签收时间")

    def test_the_command_says_how_many_replies_had_no_response_time(self):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "导出.xlsx"
            path.write_bytes(xlsx([row("1"), row("2", responded="2024-03-04 16:00")], header=WITH_RESPONSE))
            out = io.StringIO()
            with time_machine.travel(NOW, tick=False):
                call_command("import_messages", str(path), "--region", "luocheng", stdout=out)
        self.assertIn("其中已答复但没有签收时间的1条已不计签收（回应）时限，不算任何单位签收超期。", out.getvalue())

    def test_a_recorded_response_time_is_judged(self):
        rows = [row("ON", responded="2024-03-04 16:00"), row("LATE", responded="2024-03-06 09:00")]
        self.assertEqual(self.run_file(rows).problems, [])
        counted = self.unit_facts()
        self.assertEqual((counted["response.due"], counted["response.on_time"]), (2, 1))
        self.assertEqual((counted["reply.due"], counted["reply.on_time"]), (2, 2))
        late = Message.objects.get(import_source__number="LATE")
        response = late.stages.get(kind="response")
        self.assertEqual((response.completed_at, response.outcome), (local(2024, 3, 6, 9), "late"))
        responded = late.events.get(kind="responded")
        self.assertEqual((responded.at, responded.note), (local(2024, 3, 6, 9), ""))
        self.assertNotIn("response", late.events.get(kind="submitted").data["imported"])
        page = self.client.get(reverse("public:message", args=[late.region.code, late.serial]))
        self.assertContains(page, "已于 2024年3月6日 09:00 签收")
        self.assertEqual(replay.replay().differences, [])

    def test_a_response_time_given_as_a_date_on_the_day_the_message_came(self):
        self.assertEqual(self.run_file([row("1", responded="2024-03-04")]).problems, [])
        response = Message.objects.get().stages.get(kind="response")
        self.assertEqual((response.completed_at, response.outcome), (local(2024, 3, 4, 9, 30), "on_time"))

    def test_a_bad_response_time_is_the_rows_problem(self):
        rows = [
            row("1", responded="2024-03-03 10:00"),
            row("2", responded="2024-03-07 10:00"),
            row("3", responded="三月四日"),
            row("4", responded="2024-03-05 10:00"),
        ]
        outcome = self.run_file(rows)
        self.assertEqual(outcome.created, 1)
        self.assertEqual(
            [(p.row, p.column, p.text) for p in outcome.problems],
            [
                (2, "签收时间", "早于留言时间"),
                (3, "签收时间", "晚于答复时间：答复时留言至迟已经签收"),
                (4, "签收时间", "无法识别“三月四日”，应写成 2024-03-02 09:30 或 2024/3/2 9:30 这样的时间"),
            ],
        )

    def test_an_acknowledged_message_not_yet_answered(self):
        self.run_file([row("H", responded="2024-03-04 16:00", reply="")])
        history = Message.objects.get(import_source__number="H")
        self.assertEqual((history.state, history.untimed, history.stages.count()), ("responded", True, 0))
        self.assertEqual([e.kind for e in history.events.order_by("seq")], ["submitted", "responded"])
        self.run_file([row("C", responded="2024-03-04 16:00", reply="")], unanswered="clock")
        clocked = Message.objects.get(import_source__number="C")
        # Acknowledged already: only the reply is on the clock, from the import.
        self.assertEqual(list(clocked.stages.values_list("kind", "started_at")), [("reply", NOW)])
        actions.reply(message=clocked, by=self.cast.handler_a, text="已修复。", at=NOW)
        self.assertEqual(replay.replay().differences, [])

    def test_the_response_headers_take_nothing_from_the_other_columns(self):
        for header in ("签收时间", "回应时间", "响应时间", "受理回应时间", "签收日期"):
            self.assertEqual(header_key(header), "response_time", header)
        self.assertEqual(header_key("受理时间"), "time")
        variants = [v for c in COLUMNS for v in c.variants]
        self.assertEqual(sorted({v for v in variants if variants.count(v) > 1}), [])
