"""Reading the spreadsheets county offices export from other platforms: .xlsx, the
older .xls many of them still write, and .csv (UTF-8, or GBK as Excel on a Chinese
Windows saves it), row by row, without holding the whole file in memory as cells."""

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from python_calamine import CalamineError, CalamineWorkbook

from wenzheng.lib import text as text_rules

# The header is looked for among the first rows: exports often open with a title
# row ("罗城县网络问政留言导出 2024年") above it.
HEADER_SEARCH_ROWS = 10
MAX_UPLOAD = 50 * 1024 * 1024  # a 100,000-row workbook is ~7 MB; the same as CSV ~35 MB
# Python's csv module refuses a cell over 131,072 characters with an exception that
# stopped the whole import. A cell as large as a whole upload is read, so that the
# length check reports it on its row; the limit is the module's, set once.
csv.field_size_limit(MAX_UPLOAD)


# Rows covered by merged cells beyond which merges are not filled in (a real export
# merges a unit's rows here and there, not a million rows).
MAX_MERGED_ROWS = 200_000


class UnreadableFile(ValueError):
    """The file cannot be read at all; the message is Chinese, for the office."""


class Unreadable(tuple):
    """A CSV record the csv module could not read: no values, and why."""

    def __new__(cls, reason: str, lines: tuple[int, int]):
        record = super().__new__(cls)
        record.reason, record.lines = reason, lines
        return record


class Spanning(tuple):
    """A CSV record over several lines of the file (a quoted cell holding line
    breaks), with the first and last of those lines."""

    lines: tuple[int, int]


@dataclass
class Table:
    """Rows of one sheet, numbered as the spreadsheet numbers them (1 = first row)."""

    content: bytes
    kind: str  # "xlsx" (a workbook, .xlsx or .xls) or "csv"
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    _loaded: object = None
    sheet_names: list = field(default_factory=list)  # a workbook's, the first read

    def rows(self) -> Iterator[tuple[int, tuple]]:
        if self.kind == "xlsx":
            yield from enumerate(self._merged_filled(), start=1)
        else:
            yield from self._csv_rows()

    def _merged_filled(self) -> Iterator[list]:
        """The sheet's rows, a merged cell's value in every row and column it covers:
        exports merge 单位 over a unit's rows, and the rows under the first were
        imported with no unit, into the dispatch queue, with no word in the report."""
        sheet = self._sheet()
        top, left = sheet.start or (0, 0)
        covering: dict[int, list[tuple[int, int, int]]] = {}  # row: (first row, first col, last col)
        covered = 0
        for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ():
            covered += r1 - r0 + 1
            if covered > MAX_MERGED_ROWS:  # not an export: left as read
                covering = {}
                break
            for r in range(r0, r1 + 1):
                covering.setdefault(r, []).append((r0, c0, c1))
        firsts: dict[tuple[int, int], object] = {}
        for i, row in enumerate(sheet.iter_rows()):
            r = top + i
            for r0, c0, c1 in covering.get(r, ()):
                if r == r0:
                    firsts[(r0, c0)] = row[c0 - left] if 0 <= c0 - left < len(row) else ""
                value = firsts.get((r0, c0), "")
                for c in range(max(c0, left), c1 + 1):
                    if (r, c) != (r0, c0) and c - left < len(row):
                        row[c - left] = value
            yield row

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
            self.sheet_names = list(workbook.sheet_names)
            self._loaded = workbook.get_sheet_by_index(0)
        return self._loaded

    def _csv_rows(self):
        """Records numbered as a spreadsheet shows them (one record, one row, however
        many lines its cells hold); a record the csv module refuses is yielded as
        `Unreadable`, and the records after it are still read."""
        text = io.TextIOWrapper(io.BytesIO(self.content), encoding=self.encoding, newline="")
        reader = csv.reader(text, delimiter=self.delimiter)
        number = 0
        while True:
            first = reader.line_num + 1
            number += 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield number, Unreadable(str(e), (first, max(first, reader.line_num)))
                continue
            if reader.line_num > first:
                record = Spanning(values)
                record.lines = (first, reader.line_num)
                yield number, record
            else:
                yield number, tuple(values)


def _csv_encoding(content: bytes) -> str:
    """UTF-16 where a BOM says so (Excel's "Unicode 文本"), else UTF-8 (with or without
    the BOM Excel adds), else GB18030, the superset of GBK that Chinese Excel writes;
    anything else is refused rather than garbled."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            content.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile(
                "文件以 UTF-16 编码标记开头，但内容无法按 UTF-16 读取，请另存为 UTF-8 编码的 CSV 文件。"
            ) from None
        return "utf-16"
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


# What a workbook's first bytes are: a zip (.xlsx) or an OLE2 compound file (.xls,
# Excel 97–2003, as WPS and many older platforms still export).
ZIP_MAGIC = b"PK"
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
SAVE_AS_XLSX = "请用 Excel 或 WPS 打开后另存为 .xlsx 再导入"
EXTENSIONS = (".xlsx", ".xls", ".csv", ".txt")


def open_table(content: bytes, filename: str) -> Table:
    blank = b" \t\r\n\x00\xef\xbb\xbf"
    if not content[:4096].strip(blank) and not content.strip(blank):  # (a copy only of what starts blank)
        raise UnreadableFile("文件是空的，没有任何内容。")
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not content.startswith(ZIP_MAGIC):
            raise UnreadableFile(f"文件扩展名是 .xlsx，但内容不是 Excel 工作簿，{SAVE_AS_XLSX}。")
        return _workbook(content)
    if name.endswith(".xls"):
        if content.startswith(ZIP_MAGIC):  # an .xlsx renamed, as some platforms name it
            return _workbook(content)
        if not content.startswith(OLE2_MAGIC):
            raise UnreadableFile(f"文件扩展名是 .xls，但内容{_what_it_is(content)}，{SAVE_AS_XLSX}。")
        return _workbook(content)
    if name.endswith((".csv", ".txt")):
        encoding = _csv_encoding(content)
        return Table(content, "csv", encoding, _delimiter(content, encoding))
    raise UnreadableFile("只能导入 .xlsx、.xls 或 .csv 文件。")


# What a workbook may hold unpacked: a 100,000-row export is about 7 MB packed and
# 60 MB unpacked. An .xlsx of 3 MB can hold gigabytes of one repeated letter, which
# the reader built in memory (9 GB and rising after two minutes).
MAX_UNPACKED = 400 * 1024 * 1024


def unpacked_within_limit(content: bytes, limit: int | None = None, *, what: str = "导出的留言表") -> None:
    """Refuse an .xlsx whose parts unpack to more than `limit` bytes (MAX_UNPACKED),
    counted as they are unpacked (the sizes a zip declares may lie), before anything
    reads its sheet."""
    limit = MAX_UNPACKED if limit is None else limit
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                with archive.open(info) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise UnreadableFile(
                                f"工作簿解压后超过{limit // (1024 * 1024)}MB，不像是{what}，"
                                f"请检查文件，或分成几个文件导入。"
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as e:
        raise UnreadableFile(f"Excel 工作簿已损坏或无法读取（{type(e).__name__}），{SAVE_AS_XLSX}。") from None


def _workbook(content: bytes) -> Table:
    if content.startswith(ZIP_MAGIC):
        unpacked_within_limit(content)
    table = Table(content, "xlsx")
    try:
        table._sheet()
    except (CalamineError, ValueError, IndexError) as e:
        raise UnreadableFile(f"Excel 工作簿已损坏或无法读取（{type(e).__name__}），{SAVE_AS_XLSX}。") from None
    return table


def _what_it_is(content: bytes) -> str:
    """What a file named .xls holds when it is no workbook: platforms that 导出Excel
    often write a web page's table, or plain text, under that name."""
    start = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<"):
        return "是网页表格（HTML），不是 Excel 工作簿"
    return "不是 Excel 工作簿"


def _delimiter(content: bytes, encoding: str) -> str:
    """A tab where the file's first lines are separated by tabs, not commas (a .txt
    that Excel saves as 文本文件 or Unicode 文本), else a comma."""
    head = content[: 1 << 16].decode(encoding, errors="ignore")
    lines = head.splitlines()[:HEADER_SEARCH_ROWS]
    return "\t" if sum(line.count("\t") for line in lines) > sum(line.count(",") for line in lines) else ","


def swallowed_rows(record: Spanning, width: int) -> tuple[int, int]:
    """(cell index, rows swallowed) when a cell of `record` holds lines that read as
    rows of the file: a stray double quote opening a cell makes the csv module read
    on, across line breaks, to the next quote anywhere in the file, so the rows
    between end up inside that cell. A line reads as a row when it holds as many
    commas as the header (less one): text in a cell (Chinese, with full-width ，)
    rarely does. (0, 0) when nothing reads so."""
    if width < 3:
        return 0, 0
    for index, value in enumerate(record):
        lines = value.splitlines()[1:]  # each line after the cell's own began a row
        if any(line.count(",") >= width - 1 for line in lines):
            return index, len(lines)
    return 0, 0


def cell_text(value) -> str:
    """A cell as text, as typed (free text keeps its full-width punctuation), without
    the control characters its writers pasted (wenzheng.lib.text.clean: a NUL that
    PostgreSQL refuses, a direction override, a terminal colour)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 留言编号 188006 stored as a number reads 188006.0
    return text_rules.clean(str(value)).strip()


def folded(value) -> str:
    """A cell folded for matching (headers, names, codes): full-width letters and
    digits made plain, spaces removed."""
    return "".join(unicodedata.normalize("NFKC", cell_text(value)).split())
