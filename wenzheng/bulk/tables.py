"""Reading the spreadsheets county offices export from other platforms: .xlsx and
.csv (UTF-8, or GBK as Excel on a Chinese Windows saves it), row by row, without
holding the whole file in memory as cells."""

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from python_calamine import CalamineError, CalamineWorkbook

# The header is looked for among the first rows: exports often open with a title
# row ("罗城县网络问政留言导出 2024年") above it.
HEADER_SEARCH_ROWS = 10


class UnreadableFile(ValueError):
    """The file cannot be read at all; the message is Chinese, for the office."""


@dataclass
class Table:
    """Rows of one sheet, numbered as the spreadsheet numbers them (1 = first row)."""

    content: bytes
    kind: str  # "xlsx" or "csv"
    encoding: str = "utf-8-sig"
    _loaded: object = None

    def rows(self) -> Iterator[tuple[int, tuple]]:
        if self.kind == "xlsx":
            yield from enumerate(self._sheet().iter_rows(), start=1)
        else:
            yield from self._csv_rows()

    def count(self) -> int:
        """Rows in the sheet (the header included), for the progress bar."""
        if self.kind == "xlsx":
            end = self._sheet().end  # the last cell, 0-based
            return end[0] + 1 if end else 0
        return sum(1 for _ in self._csv_rows())

    def _sheet(self):
        # calamine (Rust) reads a 100,000-row sheet in about a second, where openpyxl's
        # read-only mode takes over fifteen; it holds the sheet's cells, not the XML.
        if self._loaded is None:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(self.content))
            self._loaded = workbook.get_sheet_by_index(0)
        return self._loaded

    def _csv_rows(self):
        text = io.TextIOWrapper(io.BytesIO(self.content), encoding=self.encoding, newline="")
        for number, values in enumerate(csv.reader(text), start=1):
            yield number, tuple(values)


def _csv_encoding(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel adds), else GB18030, the superset of GBK
    that Chinese Excel writes; anything else is refused rather than garbled."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), 1 << 20):
                decoder.decode(content[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile("无法识别文件的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def open_table(content: bytes, filename: str) -> Table:
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise UnreadableFile("文件扩展名是 .xlsx，但内容不是 Excel 工作簿。")
        table = Table(content, "xlsx")
        try:
            table._sheet()
        except (CalamineError, ValueError, IndexError) as e:
            raise UnreadableFile(f"Excel 工作簿已损坏或无法读取（{type(e).__name__}）。") from None
        return table
    if name.endswith(".csv") or name.endswith(".txt"):
        return Table(content, "csv", _csv_encoding(content))
    if name.endswith(".xls"):
        raise UnreadableFile("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入。")
    raise UnreadableFile("只能导入 .xlsx 或 .csv 文件。")


def cell_text(value) -> str:
    """A cell as text, as typed (free text keeps its full-width punctuation)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 留言编号 188006 stored as a number reads 188006.0
    return str(value).strip()


def folded(value) -> str:
    """A cell folded for matching (headers, names, codes): full-width letters and
    digits made plain, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", cell_text(value)).split())
