"""Real exports from other platforms (platform_export.py), imported through the Import
class: a default unit, the registration waiver, long text, ignored columns, the summary
by kind of problem, rows recognised by number first, and malformed CSV."""

import csv
import datetime as dt
import io

from wenzheng.bulk.importer import Import
from wenzheng.bulk.models import ImportedMessage, summary_line
from wenzheng.bulk.tables import Spanning, Unreadable, open_table
from wenzheng.eventlog import chain
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase

from . import platform_export as export
from .helpers import run_import

FILES = {"xlsx": lambda e: e.xlsx(), "xls": lambda e: e.xls(), "csv": lambda e: e.gbk_csv()}


class RealExportTests(CastTestCase):
    def run_file(self, content, kind="xlsx", **options):
        options.setdefault("default_category", self.cast.consultation)
        return run_import(self.cast, content, filename=f"导出.{kind}", **options)

    @staticmethod
    def each_file(made=None):
        """(kind, content, source) for the .xlsx, the .xls and the GBK .csv of one export, each
        imported under its own source so both can go into one database."""
        made = made or export.typical()
        return [(kind, build(made), f"{kind}来源") for kind, build in FILES.items()]

    def imported(self, number, source):
        return Message.objects.get(import_source__number=number, import_source__source=source)

    def test_without_a_unit_column_replied_rows_need_a_default_unit(self):
        made = export.typical()
        for kind, content, source in self.each_file(made):
            with self.subTest(kind):
                outcome = self.run_file(content, kind, source=source)
                self.assertEqual(outcome.failure, "")
                no_unit = sorted(p.row for p in outcome.problems if p.kind == "no_unit")
                self.assertEqual(no_unit, sorted(made.row_number(n) for n in export.REPLIED))
                self.assertEqual(
                    next(p.text for p in outcome.problems if p.kind == "no_unit"),
                    "文件没有“单位”列：已答复的留言须有答复单位，请在导入时选择“单位为空时交给”的单位",
                )
                # Unanswered rows wait for the county office to dispatch them, as before.
                self.assertEqual(outcome.created, 2)
                for number in export.UNANSWERED:
                    self.assertEqual(self.imported(number, source).state, Message.State.PENDING_DISPATCH)

    def test_a_default_unit_takes_the_rows_without_one(self):
        for kind, content, source in self.each_file():
            with self.subTest(kind):
                outcome = self.run_file(content, kind, source=source, default_unit=self.cast.unit_a)
                # 2019 is before the unit's registration; one body is too long: both refused.
                self.assertEqual(
                    sorted((p.row, p.kind) for p in outcome.problems), [(7, "unit_not_registered"), (8, "too_long")]
                )
                self.assertEqual(outcome.created, 4)
                replied = self.imported("LC2021000101", source)
                # The export has no 办理状态: replied history is closed at its reply (the default).
                self.assertEqual((replied.unit, replied.state), (self.cast.unit_a, Message.State.CLOSED))
                self.assertEqual(replied.replies.get().unit, self.cast.unit_a)
                self.assertEqual(self.imported("LC2021000103", source).unit, self.cast.unit_a)
        self.assertIsNone(chain.verify()[1])

    def test_a_row_naming_a_unit_still_goes_to_that_unit(self):
        header = [*export.HEADER, "承办单位"]
        rows = [
            [*export.Row("1", "路灯", "2024-03-04 09:30").cells(), "县住房和城乡建设局"],
            [*export.Row("2", "路灯", "2024-03-04 09:30").cells(), ""],
        ]
        made = export.PlatformExport(header=header)
        content = csv_of([[made.title], header, *rows])
        outcome = self.run_file(content, "csv", default_unit=self.cast.unit_a)
        self.assertEqual((outcome.created, outcome.problems), (2, []))
        self.assertEqual(Message.objects.get(import_source__number="1").unit, self.cast.unit_b)
        self.assertEqual(Message.objects.get(import_source__number="2").unit, self.cast.unit_a)

    def test_the_registration_check_can_be_waived_for_history_and_the_waiver_is_recorded(self):
        refused = self.run_file(export.typical().xlsx(), default_unit=self.cast.unit_a, dry_run=True)
        problem = next(p for p in refused.problems if p.kind == "unit_not_registered")
        self.assertEqual(
            problem.text,
            "“东门镇”在2019-05-06不是实名上网单位（2020-01-01实名上网）；导入历史留言时可选择不检查实名上网日期",
        )
        outcome = self.run_file(export.typical().xlsx(), default_unit=self.cast.unit_a, waive_registration=True)
        self.assertEqual([(p.row, p.kind) for p in outcome.problems], [(8, "too_long")])
        early = Message.objects.get(import_source__number=export.BEFORE_REGISTRATION)
        self.assertEqual(early.unit, self.cast.unit_a)
        submitted = early.events.get(kind="submitted")
        self.assertEqual(
            submitted.data["imported"],
            {
                "source": "",
                "number": "LC2019000001",
                "registration_waived": True,
                # What the office's choices made of what the file does not say.
                "response": "unrecorded",
                "replied": "closed",
            },
        )
        # A message left after the registration needed no waiver, and says none.
        later = Message.objects.get(import_source__number="LC2021000101").events.get(kind="submitted")
        self.assertNotIn("registration_waived", later.data["imported"])

    def test_a_waiver_never_lets_in_messages_after_a_deactivation(self):
        self.cast.unit_a.deactivated_on = dt.date(2021, 1, 1)
        self.cast.unit_a.save()
        outcome = self.run_file(
            export.typical().xlsx(), default_unit=self.cast.unit_a, waive_registration=True, dry_run=True
        )
        stopped = [p.row for p in outcome.problems if p.kind == "unit_not_registered"]
        self.assertEqual(stopped, [3, 4, 5, 8, 9])  # 2021 and 2022: the 2019 row is let in

    def test_messages_and_replies_of_8000_characters_import_whole(self):
        for kind, content, source in self.each_file():
            with self.subTest(kind):
                self.run_file(content, kind, source=source, default_unit=self.cast.unit_a)
                message = self.imported("LC2021000101", source)
                self.assertEqual((len(message.body), len(message.replies.get().text)), (8_200, 8_000))

    def test_a_cell_over_the_csv_field_limit_is_reported_on_its_row(self):
        made = export.typical()
        row = made.row_number(export.TOO_LONG)
        # A workbook's cell holds at most 32,767 characters (Excel's limit; openpyxl
        # and xlwt cut there when they write): over ours all the same.
        for kind, length in (("csv", "140,000"), ("xlsx", "32,767"), ("xls", "32,767")):
            with self.subTest(kind):
                outcome = self.run_file(FILES[kind](made), kind, source=kind, default_unit=self.cast.unit_a)
                text = f"不能超过20000个字（这一格有{length}个字）"
                self.assertIn((row, "留言内容", text, "too_long"), outcome.problems)
                self.assertEqual(outcome.created, 4)
        self.assertFalse(ImportedMessage.objects.filter(number=export.TOO_LONG).exists())

    def test_unknown_columns_are_listed_as_ignored(self):
        for kind, content, source in self.each_file():
            with self.subTest(kind):
                outcome = self.run_file(content, kind, source=source)
                self.assertEqual(outcome.ignored, export.IGNORED)

    def test_the_summary_groups_rows_by_kind_largest_first(self):
        made = export.typical()
        outcome = run_import(self.cast, made.xlsx())  # neither a default unit nor a default category
        self.assertEqual(outcome.summary(), [("缺少类别", 6), ("缺少单位", 4), ("超过字数", 1)])
        self.assertEqual(summary_line("缺少单位", 2816), "2,816行：缺少单位")

    def test_a_row_with_two_problems_of_a_kind_counts_once(self):
        made = export.PlatformExport([export.Row("1", "题" * 101, "2024-03-04", body=export.text_of(20_001))])
        outcome = self.run_file(made.xlsx(), default_unit=self.cast.unit_a)
        self.assertEqual([p.kind for p in outcome.problems], ["too_long", "too_long"])
        self.assertEqual(outcome.summary(), [("超过字数", 1)])

    def test_rows_imported_before_are_recognised_even_when_they_would_now_fail(self):
        made = export.typical()
        first = self.run_file(made.xlsx(), default_unit=self.cast.unit_a, waive_registration=True)
        self.assertEqual(first.created, 5)
        # Again without the default unit and the waiver: those rows would fail the
        # checks, but their numbers say they are in already.
        again = self.run_file(made.xlsx())
        self.assertEqual((again.created, again.skipped), (0, 5))
        self.assertEqual([(p.row, p.kind) for p in again.problems], [(8, "too_long"), (8, "no_unit")])
        self.assertEqual(Message.objects.count(), 5)

    def test_a_duplicate_number_in_the_file_is_still_reported(self):
        made = export.PlatformExport([export.Row("1", "路灯", "2024-03-04"), export.Row("1", "路灯", "2024-03-05")])
        outcome = self.run_file(made.xlsx(), default_unit=self.cast.unit_a)
        self.assertEqual(outcome.problems, [(4, "留言编号", "“1”与第3行重复", "duplicate")])


def csv_of(lines, encoding="gbk") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    return out.getvalue().encode(encoding)


class MalformedCsvTests(CastTestCase):
    def import_text(self, text):
        return Import(
            content=text.encode("gbk"), filename="导出.csv", region=self.cast.county, by=self.cast.county_office
        ).run()

    def test_a_stray_quote_that_swallows_rows_is_reported_once_on_its_row(self):
        text = (
            "留言编号,留言主题,留言时间,留言详情,单位,类别\r\n"
            '1,"路灯不亮,2024-03-04 09:30,内容,东门镇,咨询\r\n'
            "2,路灯不亮,2024-03-04 09:30,内容,东门镇,咨询\r\n"
            "3,路灯不亮,2024-03-04 09:30,内容,东门镇,咨询\r\n"
            '4,路灯不亮,2024-03-04 09:30,"内容,有逗号",东门镇,咨询\r\n'
            "5,路灯不亮,2024-03-04 09:30,内容,东门镇,咨询\r\n"
        )
        outcome = self.import_text(text)
        self.assertEqual(len(outcome.problems), 1)
        problem = outcome.problems[0]
        self.assertEqual((problem.row, problem.column, problem.kind), (2, "留言主题", "stray_quote"))
        self.assertIn("从文件第2行一直读到第5行，里面夹着约3行留言", problem.text)
        self.assertEqual(outcome.created, 1)  # row 5, after the quote closed
        self.assertEqual(list(ImportedMessage.objects.values_list("number", flat=True)), ["5"])

    def test_multi_line_cells_are_not_taken_for_a_stray_quote(self):
        text = (
            "留言编号,留言主题,留言时间,留言详情,单位,类别\r\n"
            '1,路灯不亮,2024-03-04 09:30,"第一段，路灯坏了。\r\n第二段：请尽快修, 谢谢",东门镇,咨询\r\n'
            "2,路灯不亮,2024-03-04 09:30,内容,东门镇,咨询\r\n"
        )
        outcome = self.import_text(text)
        self.assertEqual((outcome.created, outcome.problems), (2, []))
        self.assertIn("\n第二段", Message.objects.get(import_source__number="1").body)

    def test_a_record_the_csv_module_refuses_is_reported_on_its_row_and_the_rest_is_read(self):
        text = "留言编号,留言主题\r\n1,路灯\r\n2," + "长" * 50 + "\r\n3,路灯\r\n"
        limit = csv.field_size_limit(20)
        try:
            rows = list(open_table(text.encode("gbk"), "a.csv").rows())
        finally:
            csv.field_size_limit(limit)
        self.assertEqual([n for n, _ in rows], [1, 2, 3, 4])
        self.assertIsInstance(rows[2][1], Unreadable)
        self.assertEqual((rows[2][1].lines, rows[3][1]), ((3, 3), ("3", "路灯")))

    def test_a_refused_record_becomes_a_row_problem(self):
        text = (
            "留言编号,留言主题,留言时间,留言详情,单位,类别\r\n"
            f"1,{'长' * 50},2024-03-04,内容,东门镇,咨询\r\n"
            "2,路灯,2024-03-04 09:30,内容,东门镇,咨询\r\n"
        )
        limit = csv.field_size_limit(30)
        try:
            outcome = self.import_text(text)
        finally:
            csv.field_size_limit(limit)
        self.assertEqual(
            outcome.problems,
            [(2, "", "文件第2行无法按 CSV 格式读取，请用 Excel 打开后另存为 .xlsx 再导入", "unreadable")],
        )
        self.assertEqual(outcome.created, 1)

    def test_records_over_several_lines_know_their_lines(self):
        text = '留言编号,留言主题\r\n1,"两\r\n行"\r\n2,路灯\r\n'
        rows = list(open_table(text.encode("gbk"), "a.csv").rows())
        self.assertIsInstance(rows[1][1], Spanning)
        self.assertEqual((rows[1][0], rows[1][1].lines, rows[2]), (2, (2, 3), (3, ("2", "路灯"))))
