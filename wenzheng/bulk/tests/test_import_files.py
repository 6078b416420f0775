"""Importing messy files: every problem reported by row and column, good rows kept."""

import datetime as dt
import io
import zipfile
from unittest import mock

from openpyxl import load_workbook

from wenzheng.bulk import rows
from wenzheng.bulk.models import ImportedMessage
from wenzheng.eventlog import chain
from wenzheng.handling.models import Message
from wenzheng.testing import CastTestCase, local

from .helpers import HEADER, csv_bytes, good_row, run_import, xls, xlsx


class ImportTests(CastTestCase):
    def test_it_imports_a_replied_message_with_its_original_times(self):
        outcome = run_import(self.cast, xlsx([good_row()]), replied="open")
        self.assertEqual((outcome.created, outcome.problems, outcome.failure), (1, [], ""))
        message = Message.objects.get(import_source__number="188006")
        self.assertEqual(message.state, Message.State.REPLIED)
        self.assertEqual(message.submitted_at, local(2024, 3, 4, 9, 30))
        self.assertEqual(message.serial, "2024-000001")
        reply = message.replies.get()
        self.assertEqual(
            (reply.at, reply.unit, reply.text), (local(2024, 3, 6, 10, 0), self.cast.unit_a, "已安排维修。")
        )
        # No 签收时间 in the file: no response is made up at the reply's time.
        self.assertEqual([e.kind for e in message.events.order_by("seq")], ["submitted", "replied"])
        self.assertIsNone(chain.verify()[1])

    def test_a_reply_dated_without_its_hour_on_the_day_the_message_came(self):
        # Exports give 答复日期 alone: 2024-03-04 for a message of 2024-03-04 09:30.
        rows = [good_row("1", replied="2024-03-04"), good_row("2", replied="2024-03-03")]
        outcome = run_import(self.cast, xlsx(rows))
        self.assertEqual(outcome.created, 1)
        self.assertEqual(
            [(row, column, text) for row, column, text, _ in outcome.problems], [(3, "答复时间", "早于留言时间")]
        )
        reply = Message.objects.get(import_source__number="1").replies.get()
        self.assertEqual(reply.at, local(2024, 3, 4, 9, 30), "as soon as the message came: the day was all it said")

    def test_of_two_numbers_in_the_phone_cell_the_first_is_kept_not_the_row_refused(self):
        header = [*HEADER, "联系电话"]
        cells = {
            "1": "13800138000 / 13900139000",
            "2": "13800138000；0778-7221234",
            "3": "0778 722 1234 转 8001",
            "4": "12345",
        }
        outcome = run_import(self.cast, xlsx([[*good_row(n), phone] for n, phone in cells.items()], header=header))
        self.assertEqual(outcome.created, 3)
        kept = dict(Message.objects.values_list("import_source__number", "citizen_phone"))
        self.assertEqual(kept, {"1": "13800138000", "2": "13800138000", "3": "0778-7221234"})
        ((row, column, text, kind),) = outcome.problems
        self.assertEqual((row, column, kind), (5, "联系电话", "bad_phone"))
        self.assertTrue(text.startswith("“12345”："), text)

    def test_a_unit_merged_over_several_rows_is_every_rows_unit(self):
        # 单位 merged over a unit's rows: the rows under the first had no unit.
        workbook = load_workbook(
            io.BytesIO(
                xlsx([good_row("1"), good_row("2", unit=None), good_row("3", unit=None)], title="罗城县留言导出")
            )
        )
        sheet = workbook.active
        sheet.merge_cells("A1:I1")  # the title over the header, as exports have it
        sheet.merge_cells("F3:F5")
        out = io.BytesIO()
        workbook.save(out)
        outcome = run_import(self.cast, out.getvalue())
        self.assertEqual((outcome.created, outcome.problems), (3, []))
        self.assertEqual(set(Message.objects.values_list("unit", flat=True)), {self.cast.unit_a.pk})

    def test_units_named_with_the_county_before_them_or_without_县(self):
        # Other platforms write 罗城县东门镇, 罗城仫佬族自治县住房和城乡建设局, 住房和城乡建设局.
        c = self.cast
        self.assertEqual((c.county.name, c.unit_b.name), ("罗城仫佬族自治县", "县住房和城乡建设局"))
        written = {
            "1": "罗城县东门镇",
            "2": "罗城仫佬族自治县住房和城乡建设局",
            "3": "住房和城乡建设局",
            "4": "环江县东门镇",
            "5": "东门镇人民政府",  # a township by its government's name
            "6": "罗城县东门镇人民政府",
            "7": "东门乡",  # none such: the nearest name is suggested
        }
        outcome = run_import(c, xlsx([good_row(n, unit=unit) for n, unit in written.items()]), waive_registration=True)
        self.assertEqual(outcome.created, 5)
        units = dict(Message.objects.values_list("import_source__number", "unit__name"))
        self.assertEqual(
            units,
            {"1": "东门镇", "2": "县住房和城乡建设局", "3": "县住房和城乡建设局", "5": "东门镇", "6": "东门镇"},
        )
        self.assertEqual([(row, column) for row, column, _, _ in outcome.problems], [(5, "单位"), (8, "单位")])
        self.assertIn("“东门乡”不是本县的实名上网单位，是否为“东门镇”？", outcome.problems[1][2])
        # Another county's unit is said to be theirs, not offered as a misspelt one of
        # this county's (a trial of a second county was offered its own 县交通运输局).
        self.assertIn(
            "“环江县东门镇”是环江毛南族自治县的单位，不能导入本县：请在环江毛南族自治县导入这一行",
            outcome.problems[0][2],
        )

    def test_excels_unicode_text_and_tab_separated_text(self):
        # Excel's 另存为 "Unicode 文本": UTF-16 with its BOM, tab-separated; and tabs in UTF-8.
        for n, encoding in enumerate(("utf-16", "utf-8"), start=1):
            with self.subTest(encoding=encoding):
                lines = ["\t".join(HEADER), "\t".join(good_row(str(n), reply="已安排维修，谢谢。"))]
                content = "\r\n".join(lines).encode(encoding)
                outcome = run_import(self.cast, content, filename="导出.txt")
                self.assertEqual((outcome.created, outcome.problems, outcome.failure), (1, [], ""))
        self.assertEqual(
            list(Message.objects.order_by("pk").values_list("replies__text", flat=True)), ["已安排维修，谢谢。"] * 2
        )

    def test_a_12345_work_order_export_is_read(self):
        # 来电时间, 诉求标题, 诉求内容, 工单类型, 来电人, 联系方式: refused whole as missing columns.
        header = [
            "工单编号",
            "来电人",
            "诉求标题",
            "来电时间",
            "诉求内容",
            "承办单位",
            "工单类型",
            "答复内容",
            "答复时间",
            "联系方式",
        ]
        rows = [
            [*good_row(str(n))[:6], kind, *good_row()[7:], "13800138000"]
            for n, kind in enumerate(("投诉", "求助", "意见"))
        ]
        outcome = run_import(self.cast, xlsx(rows, header=header))
        self.assertEqual((outcome.created, outcome.problems, outcome.failure), (3, [], ""))
        made = Message.objects.order_by("import_source__number")
        self.assertEqual([m.category.code for m in made], ["appeal", "appeal", "suggestion"])
        self.assertEqual({(m.citizen_name, m.citizen_phone) for m in made}, {("A0001", "13800138000")})

    def test_times_as_other_platforms_write_them(self):
        expected = {
            "2025/3/5 下午 3:30:00": (2025, 3, 5, 15, 30), "2025-03-05 上午8:30": (2025, 3, 5, 8, 30),
            "2025-03-05 8点30分": (2025, 3, 5, 8, 30), "2025-03-05 晚上8点": (2025, 3, 5, 20, 0),
            "2025年3月5号": (2025, 3, 5, 0, 0), "2025/03/05 08:30:00.000": (2025, 3, 5, 8, 30),
            "2025-3-5 8:30 PM": (2025, 3, 5, 20, 30), "2025-3-5 12:10 PM": (2025, 3, 5, 12, 10),
            "2025-3-5 12:10 AM": (2025, 3, 5, 0, 10), "2025年3月5日 9时30分": (2025, 3, 5, 9, 30),
        }  # fmt: skip
        for text, at in expected.items():
            with self.subTest(text):
                self.assertEqual(rows.parse_time(text), local(*at))

    def test_importing_the_same_file_twice_adds_nothing(self):
        content = xlsx([good_row("1"), good_row("2")])
        run_import(self.cast, content)
        again = run_import(self.cast, content)
        self.assertEqual((again.created, again.skipped), (0, 2))
        self.assertEqual(Message.objects.count(), 2)
        self.assertEqual(ImportedMessage.objects.count(), 2)

    def test_rows_another_import_wrote_meanwhile_are_skipped_not_an_internal_error(self):
        # The same file uploaded twice at once: one import died on the numbers' constraint.
        content = xlsx([good_row("1"), good_row("2")])
        read_row, raced = rows.read_row, {}

        def other_import_finishes_first(*args, **kwargs):
            if not raced:
                raced["other"] = None  # its own rows are read as usual
                raced["other"] = run_import(self.cast, content)
            return read_row(*args, **kwargs)

        with mock.patch("wenzheng.bulk.importer.read_row", side_effect=other_import_finishes_first):
            outcome = run_import(self.cast, content)
        self.assertEqual(raced["other"].created, 2)
        self.assertEqual((outcome.created, outcome.skipped, outcome.failure), (0, 2, ""))
        self.assertEqual(Message.objects.count(), 2)

    def test_a_file_imported_again_with_its_source_named_or_left_out_adds_nothing(self):
        content = xlsx([good_row("1"), good_row("2")])
        run_import(self.cast, content, source="原县长信箱")
        for source in ("", "原县长信箱"):
            with self.subTest(source=source):
                again = run_import(self.cast, content, source=source)
                self.assertEqual((again.created, again.skipped), (0, 2))
        # Another platform named, whose numbers happen to be the same: its own messages.
        other = run_import(self.cast, content, source="原12345热线")
        self.assertEqual((other.created, other.skipped), (2, 0))
        # Spaces around the name are none of it (the command line kept them).
        self.assertEqual(run_import(self.cast, content, source=" 原县长信箱  ").skipped, 2)
        # Named after a first import without a name: the same file.
        unnamed = xlsx([good_row("3")])
        run_import(self.cast, unnamed)
        self.assertEqual(run_import(self.cast, unnamed, source="原县长信箱").skipped, 1)
        self.assertEqual(Message.objects.count(), 5)

    def test_it_reports_messy_rows_by_row_and_column_and_imports_the_rest(self):
        rows = [
            good_row("1"),
            ["2", "A2", "路灯", "2024-02-30 09:00", "内容", "东门镇", "咨询", "", ""],  # no such day
            ["3", "A3", "路灯", "昨天下午", "内容", "东门镇", "咨询", "", ""],  # not a time
            good_row("1"),  # duplicate number in the file
            ["5", "A5", "路灯", "2024-03-04 09:30", "内容", "不存在局", "咨询", "", ""],  # unknown unit
            ["6", "A6", "", "2024-03-04 09:30", "内容", "东门镇", "表扬", "", ""],  # no title, unknown category
            ["7", "A7", "路灯", "2024-03-04 09:30", "内容", "东门镇", "咨询", "已处理", ""],  # reply without time
            ["8", "A8", "路灯", "2024-03-04 09:30", "内容", "东门镇", "咨询", "已处理", "2024-03-01 09:00"],
            ["", "A9", "路灯", "2024-03-04 09:30", "内容", "东门镇", "咨询", "", ""],  # no number
            ["10", "A10", "路灯", "2099-01-01 09:00", "内容", "东门镇", "咨询", "", ""],  # in the future
            ["11", "A11", "路灯", "2024/3/5 8:05", "内容", "", "建议", "", ""],  # fine: left to dispatch
        ]
        outcome = run_import(self.cast, xlsx(rows))
        self.assertEqual(
            outcome.problems,
            [
                (3, "留言时间", "日期“2024-02-30 09:00”不存在", "bad_time"),
                (4, "留言时间", "无法识别“昨天下午”，应写成 2024-03-02 09:30 或 2024/3/2 9:30 这样的时间", "bad_time"),
                (5, "留言编号", "“1”与第2行重复", "duplicate"),
                (6, "单位", "“不存在局”不是本县的实名上网单位", "unknown_unit"),
                (7, "留言主题", "为空", "empty"),
                (7, "类别", "类别“表扬”不存在，可用的类别：咨询、建议、诉求", "unknown_category"),
                (8, "答复时间", "有答复意见但没有答复时间", "reply_incomplete"),
                (9, "答复时间", "早于留言时间", "time_order"),
                (10, "留言编号", "为空，无法判断是否已经导入过", "empty"),
                (11, "留言时间", "“2099-01-01 09:00”晚于现在", "future"),
            ],
        )
        self.assertEqual(outcome.created, 2)
        self.assertEqual(sorted(ImportedMessage.objects.values_list("number", flat=True)), ["1", "11"])
        dispatch = Message.objects.get(import_source__number="11")
        self.assertEqual((dispatch.state, dispatch.unit), (Message.State.PENDING_DISPATCH, None))

    def test_it_refuses_a_file_missing_required_columns(self):
        header = ["编号", "标题", "单位"]
        outcome = run_import(self.cast, xlsx([["1", "路灯", "东门镇"]], header=header))
        self.assertEqual(outcome.failure, "文件缺少必需的列：留言时间、留言详情。")
        self.assertEqual(
            outcome.problems,
            [
                (1, "留言时间", "缺少这一列（列名可写作“留言时间”“提交时间”“发布时间”“来信时间”等）", "missing_column"),
                (1, "留言详情", "缺少这一列（列名可写作“留言详情”“留言内容”“详情”“内容”等）", "missing_column"),
            ],
        )
        self.assertFalse(Message.objects.exists())

    def test_a_refusal_names_the_unknown_header_that_may_be_the_missing_column(self):
        header = ["编号", "事项标题", "反映日期", "信件正文", "单位", "点赞数"]
        outcome = run_import(self.cast, xlsx([["1", "路灯", "2024-03-04", "坏了", "东门镇", "3"]], header=header))
        self.assertEqual(
            outcome.failure,
            "文件缺少必需的列：留言主题、留言时间、留言详情。"
            "未识别的列“事项标题”可能是留言主题，如是，请把列名改为“留言主题”后重新导入。"
            "未识别的列“反映日期”可能是留言时间，如是，请把列名改为“留言时间”后重新导入。"
            "未识别的列“信件正文”可能是留言详情，如是，请把列名改为“留言详情”后重新导入。",
        )
        time_problem = next(p for p in outcome.problems if p.column == "留言时间")
        self.assertTrue(
            time_problem.text.endswith("。未识别的列“反映日期”可能是留言时间，如是，请把列名改为“留言时间”后重新导入")
        )

    def test_dates_as_common_exports_name_them_are_read(self):
        # 来信日期 refused whole files while 来信时间 and 留言日期 were read.
        for submitted, replied, closed in (
            ("来信日期", "答复日期", "办结日期"),
            ("提交日期", "办复时间", "结案时间"),
            ("发布日期", "反馈日期", "结案日期"),
            ("受理日期", "回复日期", "办结时间"),
        ):
            with self.subTest(submitted):
                header = ["编号", "标题", submitted, "内容", "单位", "类别", "回复内容", replied, "办理状态", closed]
                row = [
                    submitted,
                    "路灯",
                    "2024-03-04",
                    "坏了",
                    "东门镇",
                    "咨询",
                    "已修",
                    "2024-03-06",
                    "已办结",
                    "2024-03-07",
                ]
                outcome = run_import(self.cast, xlsx([row], header=header))
                self.assertEqual((outcome.failure, outcome.problems, outcome.ignored), ("", [], []))
                message = Message.objects.get(import_source__number=submitted)
                self.assertEqual(
                    (message.submitted_at, message.replies.get().at, message.closed_at),
                    (local(2024, 3, 4), local(2024, 3, 6), local(2024, 3, 7)),
                )

    def test_it_finds_the_header_under_a_title_row_and_matches_variants(self):
        header = [
            "信件编号",
            "来信人",
            "信件标题",
            "提交时间（北京时间）",
            "来信内容",
            "承办单位",
            "留言类型",
            "回复内容",
            "回复时间",
        ]
        content = xlsx([good_row()], header=header, title="罗城县网络问政留言导出")
        outcome = run_import(self.cast, content)
        self.assertEqual((outcome.created, outcome.problems), (1, []))

    def test_it_reads_excel_dates_and_numbers_as_typed(self):
        row = [188006, "A1", "路灯", dt.datetime(2024, 3, 4, 9, 30), "内容", "东门镇", "咨询", "好的", 45357.5]  # noqa: DTZ001
        outcome = run_import(self.cast, xlsx([row]))
        self.assertEqual(outcome.problems, [])
        message = Message.objects.get(import_source__number="188006")
        self.assertEqual(message.submitted_at, local(2024, 3, 4, 9, 30))
        self.assertEqual(message.replies.get().at, local(2024, 3, 6, 12, 0))

    def test_excel_date_numbers_read_to_the_nearest_second_in_a_sheet_or_a_csv(self):
        # 46091.3770833 is 2026-03-10 09:03 as Excel stores it (09:02:59.99996 read exactly);
        # a CSV saved from a sheet whose column was not a date holds the number as text.
        rows = [
            [1, "A1", "路灯", 46091.3770833, "内容", "东门镇", "咨询", "", ""],
            [2, "A2", "路灯", "46088.5", "内容", "东门镇", "咨询", "", ""],
            [3, "A3", "路灯", "46088", "内容", "东门镇", "咨询", "", ""],
        ]
        self.assertEqual(run_import(self.cast, xlsx(rows)).problems, [])
        times = dict(Message.objects.values_list("import_source__number", "submitted_at"))
        self.assertEqual(
            times, {"1": local(2026, 3, 10, 9, 3), "2": local(2026, 3, 7, 12, 0), "3": local(2026, 3, 7, 0, 0)}
        )

    def test_it_tolerates_gbk_csv(self):
        content = csv_bytes([good_row()], encoding="gbk")
        outcome = run_import(self.cast, content, filename="导出.csv")
        self.assertEqual((outcome.created, outcome.problems), (1, []))
        self.assertEqual(Message.objects.get().title, "路灯不亮")

    def test_it_reads_an_excel_97_workbook(self):
        # As WPS and older platforms export: .xls, a title row, dates as date cells.
        row = [
            188006,
            "A1",
            "路灯不亮",
            dt.datetime(2024, 3, 4, 9, 30),  # noqa: DTZ001 (a spreadsheet's date has no zone)
            "内容",
            "东门镇",
            "咨询",
            "好的",
            "2024-03-06 12:00",
        ]
        outcome = run_import(self.cast, xls([["罗城县留言导出"], HEADER, row]), filename="导出.xls")
        self.assertEqual((outcome.failure, outcome.created, outcome.problems), ("", 1, []))
        message = Message.objects.get(import_source__number="188006")
        self.assertEqual((message.title, message.submitted_at), ("路灯不亮", local(2024, 3, 4, 9, 30)))
        self.assertEqual(message.replies.get().at, local(2024, 3, 6, 12, 0))

    def test_an_xlsx_named_xls_is_read_as_what_it_is(self):
        outcome = run_import(self.cast, xlsx([good_row()]), filename="导出.xls")
        self.assertEqual((outcome.failure, outcome.created), ("", 1))

    def test_it_refuses_what_it_cannot_read(self):
        save_as = "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。"
        self.assertEqual(
            run_import(self.cast, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1broken", filename="old.xls").failure,
            f"Excel 工作簿已损坏或无法读取（CalamineError），{save_as}",
        )
        # Platforms' 导出Excel often writes a web page's table under the name .xls.
        page = "\ufeff<html><body><table><tr><td>留言编号</td></tr></table></body></html>".encode()
        self.assertEqual(
            run_import(self.cast, page, filename="导出.xls").failure,
            f"文件扩展名是 .xls，但内容是网页表格（HTML），不是 Excel 工作簿，{save_as}",
        )
        self.assertIn("不是 Excel", run_import(self.cast, b"hello", filename="x.xlsx").failure)
        self.assertIn(
            "找不到表头", run_import(self.cast, csv_bytes([["a"]], header=["甲", "乙"]), filename="x.csv").failure
        )

    def test_a_workbook_that_unpacks_to_far_more_than_a_table_is_refused_before_it_is_read(self):
        # One cell of a repeated letter, packed: 3 MB on disk held gigabytes.
        packed = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(xlsx([good_row()]))) as source, zipfile.ZipFile(packed, "w") as bomb:
            for info in source.infolist():
                data = source.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(
                        b"</sheetData>",
                        b"<row r='9'><c r='A9' t='inlineStr'><is><t>"
                        + b"A" * (3 << 20)
                        + b"</t></is></c></row></sheetData>",
                    )
                bomb.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        content = packed.getvalue()
        self.assertLess(len(content), 40_000)
        with mock.patch("wenzheng.bulk.tables.MAX_UNPACKED", 2 << 20):
            outcome = run_import(self.cast, content)
        self.assertIn("工作簿解压后超过2MB", outcome.failure)
        self.assertFalse(Message.objects.exists())
        self.assertEqual(run_import(self.cast, xlsx([good_row()])).created, 1, "a table as exported is read")

    def test_an_empty_file_and_a_table_on_the_second_sheet_are_named_so(self):
        for content in (b"", b"\xef\xbb\xbf\r\n"):
            with self.subTest(content=content):
                self.assertEqual(run_import(self.cast, content, filename="x.csv").failure, "文件是空的，没有任何内容。")
        workbook = load_workbook(io.BytesIO(xlsx([good_row()])))
        notes = workbook.create_sheet("填表说明", 0)
        notes.append(["请按模板填写。"])
        out = io.BytesIO()
        workbook.save(out)
        failure = run_import(self.cast, out.getvalue()).failure
        self.assertIn("只读取第一个工作表“填表说明”；留言表在其他工作表的，请把它移到第一个。", failure)

    def test_a_file_with_a_header_and_no_rows_says_so(self):
        for content, name in ((xlsx([[], []], title="罗城县留言导出"), "x.xlsx"), (csv_bytes([]), "x.csv")):
            with self.subTest(name):
                outcome = run_import(self.cast, content, filename=name)
                header = 2 if name.endswith("xlsx") else 1
                self.assertEqual(outcome.failure, f"表头（第{header}行）以下没有留言：文件中没有可导入的行。")

    def test_a_dry_run_reports_and_writes_nothing(self):
        outcome = run_import(self.cast, xlsx([good_row("1"), good_row("1")]), dry_run=True)
        self.assertEqual((outcome.created, len(outcome.problems)), (1, 1))
        self.assertFalse(Message.objects.exists())

    def test_a_time_before_2000_is_a_problem_of_its_row_not_the_end_of_the_import(self):
        # 0001-01-01 failed the whole import with an internal error after its first
        # thousand rows were in; 1899-12-31 made a message of no period.
        rows = [good_row("1")]
        for n, at in enumerate(("0001-01-01", "1899-12-31 23:59", "1999-12-31"), start=2):
            rows.append([str(n), "A", "路灯", at, "内容", "东门镇", "咨询", "", ""])
        rows.append(good_row("5", replied="0001-01-05"))
        outcome = run_import(self.cast, csv_bytes(rows), filename="old.csv", waive_registration=True)
        self.assertEqual(outcome.created, 1)
        self.assertEqual(
            [(row, column) for row, column, _, _ in outcome.problems],
            [(3, "留言时间"), (4, "留言时间"), (5, "留言时间"), (6, "答复时间")],
        )
        self.assertIn("“0001-01-01”早于2000年，不是网络问政留言或办理的时间", outcome.problems[0][2])
        self.assertEqual(outcome.failure, "")

    def test_a_unit_not_yet_registered_on_the_day_cannot_receive_it(self):
        self.cast.unit_a.registered_on = dt.date(2024, 6, 1)
        self.cast.unit_a.save()
        outcome = run_import(self.cast, xlsx([good_row()]))
        text = "“东门镇”在2024-03-04不是实名上网单位（2024-06-01实名上网）；导入历史留言时可选择不检查实名上网日期"
        self.assertEqual(outcome.problems, [(2, "单位", text, "unit_not_registered")])

    def test_closed_rows_close_by_the_categorys_rule(self):
        header = [*HEADER, "办理状态", "办结时间"]
        rows = [
            [*good_row("1"), "已办结", "2024-03-07 09:00"],
            [
                "2",
                "A",
                "路修",
                "2024-03-04 09:30",
                "内容",
                "东门镇",
                "诉求",
                "暂时无法",
                "2024-03-05 09:00",
                "暂不能解决",
                "",
            ],
            ["3", "A", "路修", "2024-03-04 09:30", "内容", "东门镇", "诉求", "", "", "已办结", ""],
        ]
        outcome = run_import(self.cast, xlsx(rows, header=header))
        self.assertEqual(outcome.problems, [(4, "办理状态", "未答复的留言不能办结", "bad_status")])
        first = Message.objects.get(import_source__number="1")
        self.assertEqual(
            (first.state, first.closure_kind, first.closed_at), ("closed", "answered", local(2024, 3, 7, 9))
        )
        second = Message.objects.get(import_source__number="2")
        self.assertEqual((second.closure_kind, second.closed_at), ("explained", local(2024, 3, 5, 9)))


class PastedCharactersTest(CastTestCase):
    """A platform's export carries what its users pasted: a NUL (which PostgreSQL
    refuses in text), a vertical tab from Word, a direction override, a terminal
    colour. They are removed as the cell is read, as the actions remove them from
    what people type; a title of nothing anybody sees is an empty title."""

    def test_control_characters_are_removed_and_the_rest_of_the_cell_is_kept(self):
        row = good_row("1")
        row[2], row[4], row[7] = "路灯\x00不亮\u202e", "新街\x0b路灯\x1b[31m坏了\x1b[0m。", "已\x07修复。"
        outcome = run_import(self.cast, csv_bytes([row]), filename="messages.csv")
        self.assertEqual((outcome.created, outcome.problems), (1, []))
        message = Message.objects.get(import_source__number="1")
        self.assertEqual((message.title, message.body), ("路灯不亮", "新街路灯坏了。"))
        self.assertEqual(message.replies.get().text, "已修复。")

    def test_a_title_or_text_of_invisible_characters_only_is_empty(self):
        title_row, body_row = good_row("1"), good_row("2")
        title_row[2], body_row[4] = "\u200b\u202e\ufeff", "\u3000\u2060"
        outcome = run_import(self.cast, csv_bytes([title_row, body_row]), filename="messages.csv")
        self.assertEqual(outcome.problems, [(2, "留言主题", "为空", "empty"), (3, "留言详情", "为空", "empty")])
        self.assertEqual(outcome.created, 0)
