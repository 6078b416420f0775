"""Replied rows whose 办理状态 the file does not give: closed at the reply (the default,
for history) or left for the unit to close, as the office chooses; the report says
how many rows the choice decided."""

import io
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from wenzheng.bulk import jobs
from wenzheng.bulk.models import ImportJob
from wenzheng.handling.models import Message
from wenzheng.reports import figures, periods
from wenzheng.testing import CastTestCase, local

from .helpers import HEADER, good_row, run_import, xlsx


def rows():
    """Two replies (a consultation, an appeal) and an unanswered message, no status."""
    appeal = good_row("2")
    appeal[6] = "诉求"
    return [good_row("1"), appeal, good_row("3", reply="", replied="")]


class RepliedWithoutStatusTests(CastTestCase):
    def test_by_default_replied_history_is_closed_at_its_reply(self):
        outcome = run_import(self.cast, xlsx(rows()))
        self.assertEqual((outcome.created, outcome.unstated, outcome.problems), (3, 2, []))
        made = {m.import_source.number: m for m in Message.objects.select_related("import_source")}
        replied_at = local(2024, 3, 6, 10)
        # Closed as a row saying 已办结 is: by the category's rule, at the reply.
        self.assertEqual(
            [(made[n].state, made[n].closure_kind, made[n].closed_at) for n in ("1", "2")],
            [("closed", "answered", replied_at), ("closed", "solved", replied_at)],
        )
        self.assertEqual(made["3"].state, "dispatched")
        self.assertEqual(made["1"].events.get(kind="closed").at, replied_at)
        # Not the unit's open work, nor a closure rate of nothing.
        self.assertFalse(Message.objects.filter(state=Message.State.REPLIED).exists())
        q1 = figures.compute(self.cast.county, periods.parse("2024Q1"), now=local(2026, 1, 1))
        self.assertEqual(q1.closure_rate, "66.7%")

    def test_the_office_may_leave_them_for_the_unit_to_close(self):
        outcome = run_import(self.cast, xlsx(rows()), replied="open")
        self.assertEqual((outcome.created, outcome.unstated), (3, 2))
        message = Message.objects.get(import_source__number="1")
        self.assertEqual((message.state, message.closed_at), ("replied", None))
        self.assertEqual(message.events.get(kind="submitted").data["imported"]["replied"], "open")

    def test_a_status_given_or_a_closure_time_is_followed_whatever_the_choice(self):
        header = [*HEADER, "办理状态", "办结时间"]
        given = [
            [*good_row("open"), "已回复", ""],
            [*good_row("closed"), "", "2024-03-08 16:00"],
            [*good_row("blank"), "", ""],
        ]
        outcome = run_import(self.cast, xlsx(given, header=header))
        self.assertEqual(outcome.unstated, 1)
        states = dict(Message.objects.values_list("import_source__number", "state"))
        self.assertEqual(states, {"open": "replied", "closed": "closed", "blank": "closed"})

    def test_the_page_offers_the_choice_and_the_report_counts_the_rows(self):
        self.client.force_login(self.cast.county_office)
        page = self.client.get(reverse("bulk:imports"))
        self.assertContains(page, "已答复但没有办理状态的留言")
        self.assertContains(page, "视为已办结（按答复时间办结）")
        self.assertContains(page, "记为已回复，待单位办结")
        upload = SimpleUploadedFile("导出.xlsx", xlsx(rows()))
        self.client.post(reverse("bulk:imports"), {"file": upload, "region": self.cast.county.pk})
        job = ImportJob.objects.get()
        self.assertEqual(job.replied, "closed")
        jobs.run(jobs.claim(job.pk))
        page = self.client.get(reverse("bulk:job", args=[job.pk]))
        self.assertEqual(page.context["job"].unstated_count, 2)
        self.assertContains(page, "其中已答复但没有办理状态的2条已视为已办结（办结时间为答复时间）。")
        upload = SimpleUploadedFile("导出2.xlsx", xlsx([good_row("9")]))
        self.client.post(reverse("bulk:imports"), {"file": upload, "region": self.cast.county.pk, "replied": "open"})
        job = ImportJob.objects.get(filename="导出2.xlsx")
        jobs.run(jobs.claim(job.pk))
        page = self.client.get(reverse("bulk:job", args=[job.pk]))
        self.assertContains(page, "<dd>记为已回复，待单位办结</dd>", html=True)
        self.assertContains(page, "其中已答复但没有办理状态的1条已记为已回复，待单位办结。")
        self.assertEqual(Message.objects.get(import_source__number="9").state, "replied")

    def test_the_command_takes_the_choice_and_says_how_many_rows_it_decided(self):
        for choice, said, state in (
            ("open", "其中已答复但没有办理状态的1条已记为已回复，待单位办结。", "replied"),
            (None, "其中已答复但没有办理状态的1条已视为已办结（办结时间为答复时间）。", "closed"),
        ):
            with self.subTest(choice), tempfile.TemporaryDirectory() as folder:
                number = choice or "default"
                path = Path(folder) / "导出.xlsx"
                path.write_bytes(xlsx([good_row(number)]))
                out = io.StringIO()
                args = ["--replied", choice] if choice else []
                call_command("import_messages", str(path), "--region", "luocheng", *args, stdout=out)
                self.assertIn(said, out.getvalue().splitlines())
                self.assertEqual(Message.objects.get(import_source__number=number).state, state)
