import csv
import datetime as dt
import io

import xlwt
from openpyxl import Workbook

from wenzheng.bulk.importer import Import

HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "单位", "类别", "答复意见", "答复时间"]


def xlsx(rows, header=HEADER, *, title=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Excel's own limit on a cell's text, which .xls writers enforce (Excel cuts there too).
XLS_CELL = 32_767


def xls(lines) -> bytes:
    """An Excel 97–2003 workbook (.xls) of `lines`, dates as date cells."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("留言")
    when = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for r, line in enumerate(lines):
        for c, value in enumerate(line):
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, when)
            else:
                sheet.write(r, c, value[:XLS_CELL] if isinstance(value, str) else value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, header=HEADER, *, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run_import(cast, content, filename="messages.xlsx", **options):
    options.setdefault("by", cast.county_office)
    options.setdefault("region", cast.county)
    return Import(content=content, filename=filename, **options).run()


def good_row(number="188006", unit="东门镇", reply="已安排维修。", replied="2024-03-06 10:00"):
    return [number, "A0001", "路灯不亮", "2024-03-04 09:30", "新街路灯坏了两周。", unit, "咨询", reply, replied]
