"""Building blocks for the documents an office downloads: .docx to edit and print
(python-docx), .xlsx to sort and sum (openpyxl). The evaluation's bulletin and
year-end report are put together from these (wenzheng.evaluation.documents)."""

import io
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.drawing.image import Image as XlImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .figures import percent

# Fonts an office's Word or WPS has: 宋体 for text, 黑体 for headings.
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _east_asian(run_or_style, name):
    """Word picks the font for Chinese characters from w:eastAsia, not w:ascii."""
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def new_docx(*, title: str, subtitle: str = "") -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(12)
    _east_asian(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        _east_asian(style, HEADING_FONT)
    heading = doc.add_paragraph(title, style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if subtitle:
        sub = doc.add_paragraph(subtitle)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def docx_table(doc, header, rows, *, widths_cm=None):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    if widths_cm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)
    return table


def docx_picture(doc, png: bytes, *, width_cm=15.5, caption=""):
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if caption:
        p = doc.add_paragraph(caption)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def docx_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="F5F7FA")
WRAP = Alignment(wrap_text=True, vertical="top")


def new_workbook() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    return book


class Rate:
    """A rate for a spreadsheet cell: stored as a number (0.978) with a percent format,
    so that it sorts and sums; shown as the reports write it (97.8%, 100%)."""

    def __init__(self, part: int, whole: int):
        self.text = percent(part, whole) if whole else "—"
        self.value = float(Decimal(self.text[:-1]) / 100) if whole else None

    @property
    def number_format(self) -> str:
        return "0.0%" if "." in self.text else "0%"

    def __str__(self):
        return self.text


def _put(sheet, row) -> None:
    sheet.append([(v.value if v.value is not None else v.text) if isinstance(v, Rate) else v for v in row])
    for cell, v in zip(sheet[sheet.max_row], row, strict=False):
        if isinstance(v, Rate) and v.value is not None:
            cell.number_format = v.number_format


def xlsx_table(book, title, header, rows, *, widths=None, intro=()):
    """A sheet: optional lines of text, then a table with a bold, frozen header."""
    sheet = book.create_sheet(title)
    for line in intro:
        sheet.append([line])
    if intro:
        sheet.cell(row=1, column=1).font = TITLE
        sheet.append([])
    sheet.append(list(header))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = BOLD, HEADER_FILL
    for row in rows:
        _put(sheet, row)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for i, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    return sheet


def xlsx_lines(book, title, lines, *, width=100):
    sheet = book.create_sheet(title)
    for line in lines:
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).alignment = WRAP
    sheet.cell(row=1, column=1).font = TITLE
    sheet.column_dimensions["A"].width = width
    return sheet


def xlsx_picture(sheet, png: bytes, anchor: str, *, width_px=720):
    image = XlImage(io.BytesIO(png))
    scale = width_px / image.width
    image.width, image.height = width_px, int(image.height * scale)
    sheet.add_image(image, anchor)


def xlsx_bytes(book) -> bytes:
    """The workbook as a file, every cell a value and none a formula: openpyxl takes
    any text that begins with "=" for one, and a citizen's title (=HYPERLINK(…)) in a
    bulletin's late messages ran when the office opened it. Such a cell is written as
    text, marked so (quotePrefix) that editing it in a spreadsheet keeps it text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type, cell.quotePrefix = "s", True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
