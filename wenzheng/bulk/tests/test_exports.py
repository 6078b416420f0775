"""Exports: streamed, formula-safe, and an export imports back as it was."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from wenzheng.bulk.exports import MESSAGE_HEADER, neutralise
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase, local
from wenzheng.topics import catalogue
from wenzheng.topics.models import Topic

from .helpers import good_row, run_import, xlsx


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c.value for c in row] for row in sheet.iter_rows()], sheet


class ExportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cast = cls.cast
        cls.replied = cast.replied(at=local(2024, 3, 4, 9, 30), title='=HYPERLINK("http://x","点我")')
        cls.closed = cast.replied(at=local(2024, 3, 5, 9, 30), category=cast.appeal, title="+1 路面塌陷")
        actions.close(message=cls.closed, by=cast.leader_a, kind="explained", at=local(2024, 3, 6, 9))
        cls.waiting = cast.submit(unit=None, at=local(2024, 3, 7, 9), title="@所有人 路灯", consent=False)
        cls.other_unit = cast.submit(unit="b", at=local(2024, 3, 8, 9), title="-号开头的标题")
        catalogue.load_default(cast.county)
        lamp = Topic.objects.get(region=cast.county, code="010101")
        Message.objects.filter(pk=cls.replied.pk).update(topic=lamp)
        Message.objects.filter(pk=cls.other_unit.pk).update(topic=lamp.parent.parent)

    def export(self, user, what="messages", extension="csv", **query):
        self.client.force_login(getattr(self.cast, user))
        return self.client.get(reverse(f"bulk:export-{what}", args=[extension]), query)

    def test_it_neutralises_text_that_would_run_as_a_formula(self):
        self.assertEqual(neutralise("=1+1"), "'=1+1")
        self.assertEqual(neutralise("-2"), "'-2")
        self.assertEqual(neutralise("路灯 =1"), "路灯 =1")
        rows = read_csv(self.export("county_office"))
        titles = [r[2] for r in rows[1:]]
        self.assertEqual(titles, ['\'=HYPERLINK("http://x","点我")', "'+1 路面塌陷", "'@所有人 路灯", "'-号开头的标题"])

    def test_the_xlsx_holds_text_never_formulas(self):
        rows, sheet = read_xlsx(self.export("county_office", extension="xlsx"))
        self.assertEqual(rows[0], MESSAGE_HEADER)
        # The text as written, marked as text (no apostrophe a spreadsheet would show).
        self.assertEqual(rows[1][2], '=HYPERLINK("http://x","点我")')
        self.assertTrue(all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row))
        marked = {cell.value: cell.quotePrefix for row in sheet.iter_rows(min_row=2) for cell in row[2:3]}
        titles = ['=HYPERLINK("http://x","点我")', "+1 路面塌陷", "@所有人 路灯", "-号开头的标题"]
        self.assertEqual(marked, dict.fromkeys(titles, True))
        serials = {row[0].value: row[0].quotePrefix for row in sheet.iter_rows(min_row=2)}
        self.assertFalse(any(serials.values()), "text that is no formula is not marked")

    def test_a_unit_exports_only_its_own_messages(self):
        rows = read_csv(self.export("handler_a"))
        self.assertEqual([r[0] for r in rows[1:]], [self.replied.serial, self.closed.serial])

    def test_strangers_are_refused(self):
        self.assertEqual(self.export("citizen").status_code, 403)
        self.assertEqual(self.export("handler_a", what="events").status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("bulk:export-messages", args=["csv"])).status_code, 302)

    def test_filters_are_the_boards(self):
        rows = read_csv(self.export("county_office", status="closed"))
        self.assertEqual([r[0] for r in rows[1:]], [self.closed.serial])
        self.assertEqual(
            read_csv(self.export("county_office", period="2024-03", category=self.cast.appeal.pk))[1][0],
            self.closed.serial,
        )
        self.assertEqual(self.export("county_office", period="2024Q9").status_code, 400)

    def test_events_export_names_each_step(self):
        rows = read_csv(self.export("county_office", what="events"))
        self.assertEqual(rows[0][:4], ["序号", "时间", "事项", "留言编号"])
        self.assertIn(["网民留言", self.replied.serial], [r[2:4] for r in rows[1:]])
        self.assertEqual(self.export("other_county_office", what="events").status_code, 200)
        self.assertEqual(len(read_csv(self.export("other_county_office", what="events"))), 1)

    def test_an_export_imports_back_as_it_was(self):
        files = {
            ext: b"".join(self.export("county_office", extension=ext).streaming_content) for ext in ("csv", "xlsx")
        }
        for extension, content in files.items():
            source = f"导出{extension}"
            with self.subTest(extension):
                outcome = run_import(self.cast, content, filename=f"export.{extension}", source=source)
                self.assertEqual((outcome.created, outcome.problems), (4, []))
                for original in (self.replied, self.closed, self.waiting, self.other_unit):
                    original.refresh_from_db()
                    copy = Message.objects.get(import_source__source=source, import_source__number=original.serial)
                    fields = (
                        "title",
                        "body",
                        "submitted_at",
                        "unit",
                        "category",
                        "state",
                        "closure_kind",
                        "closed_at",
                        "consent_to_publish",
                        "citizen_name",
                        "citizen_phone",
                        "topic",
                    )
                    self.assertEqual([getattr(copy, f) for f in fields], [getattr(original, f) for f in fields])
                    self.assertEqual(
                        [(r.text, r.at) for r in copy.replies.all()], [(r.text, r.at) for r in original.replies.all()]
                    )

    def test_an_imported_message_is_exported_with_where_it_came_from(self):
        run_import(self.cast, xlsx([good_row("XZ-0001")]), source="原县长信箱")
        rows = read_csv(self.export("county_office"))
        header, by_title = rows[0], {row[2]: row for row in rows[1:]}
        came_from = header.index("来源平台"), header.index("原平台留言编号")
        self.assertEqual([by_title["路灯不亮"][i] for i in came_from], ["原县长信箱", "XZ-0001"])
        self.assertEqual([by_title["'+1 路面塌陷"][i] for i in came_from], ["", ""])


class FollowUpAnswerExportTests(CastTestCase):
    def test_an_answer_to_a_follow_up_is_not_exported_as_the_messages_reply(self):
        # 并单 undone after the main message's unit answered the merged citizen's
        # follow-up: that answer is no reply to the message, which an import of the
        # file would have made replied.
        c = self.cast
        main = c.submit(at=local(2026, 3, 2, 9))
        dup = c.submit(unit="b", by="other_citizen", at=local(2026, 3, 2, 10), title="路灯又坏了")
        actions.merge_duplicate(message=dup, into=main, by=c.county_office, reason="同一问题", at=local(2026, 3, 2, 11))
        actions.reply(message=main, by=c.handler_a, text="已修复。", at=local(2026, 3, 3, 9))
        me = actions.Citizen(user=c.other_citizen)
        asked = actions.follow_up(message=dup, who=me, text="何时修？", at=local(2026, 3, 4, 9))
        actions.answer_follow_up(follow_up=asked, by=c.handler_a, text="周五。", at=local(2026, 3, 5, 9))
        actions.unmerge_duplicate(message=dup, by=c.county_office, reason="并错了", at=local(2026, 3, 6, 9))
        self.client.force_login(c.county_office)
        rows = read_csv(self.client.get(reverse("bulk:export-messages", args=["csv"])))
        header, by_title = rows[0], {row[2]: row for row in rows[1:]}
        answer = header.index("答复意见"), header.index("答复时间")
        self.assertEqual([by_title["路灯又坏了"][i] for i in answer], ["", ""])
        self.assertEqual(by_title["路灯不亮"][answer[0]], "已修复。")
