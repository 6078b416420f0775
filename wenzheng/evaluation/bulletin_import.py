"""Importing the city's quarterly bulletin findings from an .xlsx.

The template (`template_xlsx`) has one row per finding: 单位, 通报期间, 通报内容, 扣分,
and optionally 书面通报批评 (是/否) and 涉及留言编号. Every row is checked and reported
on; the file is imported whole or not at all, so a county office fixes the rows the
report names and uploads again. Nothing is dropped without a line in the report:
blank rows between findings and columns the template does not know are listed too.

Each row becomes a supervision finding (source "city_bulletin", through
wenzheng.handling.actions.record_finding, which writes its event) and a BulletinRow
that keeps the city's points and the row's place in the file.
"""

import hashlib
import io
import itertools
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from wenzheng.accounts.policy import ActionRefused
from wenzheng.bulk import tables
from wenzheng.eventlog import chain
from wenzheng.eventlog.models import Event
from wenzheng.handling import actions
from wenzheng.handling.models import Message
from wenzheng.reports import documents as doc
from wenzheng.reports import periods
from wenzheng.supervision.models import SupervisionFinding
from wenzheng.units.models import Unit
from wenzheng.workdays.clock import local_date

from .models import BulletinImport, BulletinRow

SHEET = "市通报"
# Column → the headers accepted for it (the template's first).
COLUMNS = {
    "unit": ("单位", "单位名称", "unit"),
    "period": ("通报期间", "期间", "period"),
    "text": ("通报内容", "通报问题", "内容", "finding"),
    "points": ("扣分", "分值", "points"),
    "criticism": ("书面通报批评", "书面批评", "written_criticism"),
    "serial": ("涉及留言编号", "留言编号", "message"),
}
REQUIRED = ("unit", "period", "text", "points")
YES = {"是", "y", "yes", "true", "1", "√"}
NO = {"否", "n", "no", "false", "0", ""}
MAX_POINTS = Decimal("100")


@dataclass
class RowReport:
    number: int  # the row's number in the sheet, as Excel shows it
    values: dict
    errors: list[str] = field(default_factory=list)
    empty: bool = False

    @property
    def status(self) -> str:
        if self.empty:
            return "空行，未导入"
        return "有误" if self.errors else "可导入"


@dataclass
class Report:
    file_name: str
    rows: list[RowReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the whole file
    notes: list[str] = field(default_factory=list)
    imported: BulletinImport | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and not any(r.errors for r in self.rows) and any(not r.empty for r in self.rows)

    @property
    def error_rows(self) -> list[RowReport]:
        return [r for r in self.rows if r.errors]

    @property
    def data_rows(self) -> list[RowReport]:
        return [r for r in self.rows if not r.empty]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_period(text: str) -> tuple[str, periods.Period]:
    """2026Q1, 2026年第一季度, 2026, 2026-03 … → (a canonical code, the period)."""
    code = periods.normalise(_text(text).replace(" ", ""))
    return code, periods.parse(code)


# A city's bulletin names tens of findings, a few hundred at most: a workbook of more
# rows, or that unpacks to more, is not one (an attacker's trial: 200,000 rows packed
# into 138 kB held a web worker 25 s and 480 MB).
MAX_ROWS = 5_000
MAX_UNPACKED = 20 * 1024 * 1024


def _read(data: bytes, report: Report):
    unreadable = "无法读取该文件：请上传按模板填写的 Excel 文件（.xlsx）。"
    try:
        if data.startswith(tables.ZIP_MAGIC):
            tables.unpacked_within_limit(data, MAX_UNPACKED, what="市通报")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = list(itertools.islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2))
    except tables.UnreadableFile as e:
        report.problems.append(str(e))
        return None
    # A sheet's XML can be broken anywhere, and is read only as its rows are.
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, ParseError):
        report.problems.append(unreadable)
        return None
    if len(rows) > MAX_ROWS + 1:
        report.problems.append(f"文件超过{MAX_ROWS}行，不像是一期市通报：请检查文件，或分成几个文件导入。")
        return None
    return rows


def _columns(header, report):
    wanted = {}
    for index, cell in enumerate(header):
        name = _text(cell)
        if not name:
            continue
        column = next((c for c, names in COLUMNS.items() if name.lower() in [n.lower() for n in names]), None)
        if column is None:
            report.notes.append(f"第{index + 1}列“{name}”不是模板中的列，其内容未导入。")
        elif column in wanted:
            report.problems.append(f"“{name}”列重复出现。")
        else:
            wanted[column] = index
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in wanted]
    if missing:
        report.problems.append(
            f"缺少必填列：{'、'.join(missing)}。第一行应为列名：{'、'.join(COLUMNS[c][0] for c in COLUMNS)}。"
        )
    return wanted


def check(data: bytes, *, file_name: str, region, at=None) -> tuple[Report, list]:
    """Read and check every row. Returns the report and, per good row, what to store."""
    at = at or timezone.now()
    report = Report(file_name=file_name)
    rows = _read(data, report)
    if rows is None:
        return report, []
    if not rows or not any(_text(c) for c in rows[0]):
        report.problems.append("文件是空的：第一行应为列名，第二行起每行一条通报。")
        return report, []
    columns = _columns(rows[0], report)
    if report.problems:
        return report, []
    last = max((i for i, row in enumerate(rows) if any(_text(c) for c in row)), default=0)
    units = {}
    for unit in Unit.objects.in_region(region).select_related("region__parent"):
        # A city's counties each have their 县交通运输局: named with its county too, as
        # a city's bulletin names it (Region.names_unit), or without the dot.
        in_city = unit.region.parent.names_unit(unit.name, unit.region.name)
        for name in {unit.name, in_city, f"{unit.region.name}{unit.name}"}:
            units.setdefault(name, []).append(unit)
    earlier = {
        (r.unit_id, r.period_code, r.text): r
        for r in BulletinRow.objects.filter(unit__in=Unit.objects.in_region(region)).select_related("source")
    }
    seen, good = {}, []
    for i in range(1, last + 1):
        row = rows[i]
        values = {c: _text(row[j]) if j < len(row) else "" for c, j in columns.items()}
        line = RowReport(number=i + 1, values=values)
        report.rows.append(line)
        if not any(values.values()):
            line.empty = True
            continue
        parsed = _check_row(line, units, region, at)
        if line.errors:
            continue
        key = (parsed["unit"].pk, parsed["period_code"], parsed["text"])
        if key in seen:
            line.errors.append(f"与第{seen[key]}行重复（同一单位、同一期间、同样内容）。")
            continue
        seen[key] = line.number
        if key in earlier:
            e = earlier[key]
            line.errors.append(f"已于{e.source.imported_at:%Y-%m-%d}从“{e.source.file_name}”第{e.row_number}行导入过。")
            continue
        good.append((line, parsed))
    if not report.data_rows:
        report.problems.append("文件中没有通报条目：第二行起每行填写一条。")
    return report, good


def _check_row(line, units, region, at) -> dict:
    v, errors, parsed = line.values, line.errors, {}
    candidates = units.get(v.get("unit", ""), [])
    if not v.get("unit"):
        errors.append("单位未填写。")
    elif not candidates:
        errors.append(f"找不到单位“{v['unit']}”：请填写实名上网单位的全称。")
    elif len(candidates) > 1:
        counties = sorted({u.region.name for u in candidates})
        errors.append(
            f"“{v['unit']}”在多个县（区）都有（{'、'.join(counties)}），无法确定是哪一个："
            f"请连同县（区）名称填写，如“{counties[0]}·{candidates[0].name}”。"
        )
    else:
        parsed["unit"] = candidates[0]
    try:
        parsed["period_code"], period = parse_period(v.get("period", ""))
        today = local_date(at)
        if period.first_day > today:
            errors.append(f"通报期间“{v['period']}”尚未开始。")
        parsed["found_on"] = min(period.last_day, today)
    except periods.BadPeriod:
        errors.append(f"无法识别的通报期间“{v.get('period', '')}”：请写成 2026Q1 或 2026年第一季度。")
    text = v.get("text", "")
    if not text:
        errors.append("通报内容未填写。")
    elif len(text) > 500:
        errors.append("通报内容超过500字。")
    parsed["text"] = text
    try:
        points = Decimal(v.get("points", "") or "x")
        if not points.is_finite() or points < 0 or points > MAX_POINTS or points != points.quantize(Decimal("0.01")):
            raise InvalidOperation
        parsed["points"] = points
    except InvalidOperation:
        errors.append(f"扣分“{v.get('points', '')}”应为0到100之间的数，最多两位小数（不扣分填0）。")
    flag = v.get("criticism", "").lower()
    if flag in YES:
        parsed["criticism"] = True
    elif flag in NO:
        parsed["criticism"] = False
    else:
        errors.append(f"书面通报批评应填“是”或“否”，而不是“{v['criticism']}”。")
    parsed["message"] = None
    if v.get("serial") and "unit" in parsed:
        parsed["message"] = _message(v["serial"], parsed["unit"], errors)
    return parsed


def _message(serial, unit, errors):
    m = re.match(r"^(\d{4})-(\d{1,6})$", serial)
    found = m and Message.objects.filter(region=unit.region, year=int(m[1]), number=int(m[2])).first()
    if not found:
        errors.append(f"找不到留言编号“{serial}”。")
        return None
    if found.unit_id != unit.pk:
        errors.append(f"留言{serial}不由{unit.name}办理。")
        return None
    return found


def import_file(data: bytes, *, file_name: str, region, by, at=None, dry_run=False) -> Report:
    """Check the file; if every row is good (and this is not a dry run), record each
    row as a city-bulletin finding. All or nothing."""
    at = at or timezone.now()
    report, good = check(data, file_name=file_name, region=region, at=at)
    if not report.ok or dry_run:
        return report
    try:
        with transaction.atomic():
            source = BulletinImport.objects.create(
                region=region,
                file_name=file_name[:200],
                sha256=hashlib.sha256(data).hexdigest(),
                rows=len(good),
                imported_by=by,
                imported_at=at,
            )
            rows = []
            for line, parsed in good:
                finding = actions.record_finding(
                    unit=parsed["unit"],
                    by=by,
                    summary=parsed["text"],
                    found_on=parsed["found_on"],
                    source=SupervisionFinding.Source.CITY_BULLETIN,
                    adverse=parsed["points"] > 0 or parsed["criticism"],
                    written_criticism=parsed["criticism"],
                    message=parsed["message"],
                    at=at,
                )
                rows.append(
                    BulletinRow.objects.create(
                        source=source,
                        row_number=line.number,
                        finding=finding,
                        unit=parsed["unit"],
                        period_code=parsed["period_code"],
                        text=parsed["text"],
                        points=parsed["points"],
                    )
                )
            # The points each row costs its unit, on the record (the findings' own
            # events carry no points), so that replay can check the rows.
            # In each county's own chain: a city's file may name units of several.
            by_county = {}
            for r in rows:
                by_county.setdefault(r.unit.region, []).append([r.pk, r.finding_id, f"{r.points:f}"])
            for county, county_rows in by_county.items():
                chain.append(
                    kind=Event.Kind.BULLETIN_IMPORTED,
                    at=at,
                    actor=by,
                    actor_role=by.role,
                    region=county,
                    note=source.file_name,
                    data={"import": source.pk, "rows": county_rows},
                )
    except ActionRefused as e:
        report.problems.append(e.reason)
        return report
    report.imported = source
    return report


def template_xlsx() -> bytes:
    """The documented template: an empty sheet to fill, and the instructions."""
    book = doc.new_workbook()
    doc.xlsx_table(book, SHEET, [names[0] for names in COLUMNS.values()], [], widths=[30, 16, 60, 8, 14, 16])
    doc.xlsx_table(
        book,
        "填写说明",
        ["列名", "是否必填", "填写要求", "示例"],
        [
            (
                "单位",
                "必填",
                "实名上网单位的全称，与系统中的单位名称一致；市通报中几个县（区）都有的单位，连同县（区）名称填写",
                "东门镇；罗城仫佬族自治县·县交通运输局",
            ),
            (
                "通报期间",
                "必填",
                "通报所属的季度，写成 2026Q1 或 2026年第一季度（也可写年度 2026、月份 2026-03）",
                "2026Q1",
            ),
            ("通报内容", "必填", "市通报中对该单位的问题描述，500字以内", "回复网民留言迟延3条"),
            ("扣分", "必填", "市通报所扣分值，0到100，最多两位小数；不扣分填0", "1.5"),
            ("书面通报批评", "选填", "是否被书面通报批评：是/否，不填为否", "否"),
            ("涉及留言编号", "选填", "通报所涉留言的编号", "2026-000046"),
        ],
        widths=[14, 10, 70, 22],
        intro=[
            "市季度通报导入模板",
            "在“市通报”工作表第二行起每行填写一条；第一行列名不要改动。整份文件逐行检查，全部无误才会导入。",
        ],
    )
    return doc.xlsx_bytes(book)
