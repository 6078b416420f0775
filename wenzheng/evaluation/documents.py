"""The bulletin and the year-end report as .docx (to edit and print) and .xlsx."""

from decimal import Decimal

from wenzheng.reports import documents as doc
from wenzheng.reports import figures, images
from wenzheng.reports.periods import day, moment
from wenzheng.topics import figures as topic_figures

from . import kinds, runs

KIND_NAMES = {"township": "乡镇", "department": "部门"}


# --- the quarterly bulletin ---------------------------------------------------------


def span(b) -> str:
    return f"统计期间：{day(b.period.first_day)}至{day(b.period.last_day)}　统计截止：{moment(b.cutoff)}"


def _kpis(b):
    """(item, value, measure word): a count and its word apart, so that the workbook
    holds numbers a reader can sum and chart (a journalist's trial found "67条" as
    text); the Word document writes them together."""
    f = b.figures
    rows = [("新增实名上网单位", f.new_units, "个"), ("实名上网单位总数", f.total_units, "个")]
    rows.append(("收到网民留言", f.received, "条"))
    rows += [(f"其中{name}类", n, "条") for name, n in f.by_category]
    rows += [
        ("回复网民留言", f.replied, "条"),
        ("回复率", doc.Rate(f.replied, f.received), ""),
        ("办结网民留言", f.closed, "条"),
        ("正在办理", f.in_progress, "条"),
        ("办结率", doc.Rate(f.closed, f.received), ""),
        ("回应、回复迟延", len(b.late), "条次"),
    ]
    return rows


def _kpis_written(b):
    return [(item, f"{value}{word}" if word else value) for item, value, word in _kpis(b)]


def _unit_rows(b, units):
    late = b.late_by_unit
    return [
        (
            b.unit_label(u.unit),
            KIND_NAMES.get(u.unit.kind, u.unit.kind),
            u.received,
            u.replied,
            doc.Rate(u.replied, u.received),
            u.closed,
            doc.Rate(u.closed, u.received),
            late[u.unit.pk],
        )
        for u in units
    ]


UNIT_HEADER = ["单位", "类型", "收到留言", "回复", "回复率", "办结", "办结率", "迟延（条次）"]
LATE_HEADER = ["留言编号", "标题", "办理单位", "类别", "环节", "期限", "完成时间"]
DEFINITIONS = [
    "回复率 = 已回复留言 ÷ 本期收到留言；办结率 = 已办结留言 ÷ 本期收到留言，均以统计截止时的状态为准。",
    "回应、回复迟延：本期到期的签收回应或回复，未在期限内完成，或截至统计截止仍未完成的，每个环节计1条次。"
    "期限按法定工作日计算，经批准延期的按延期后的期限。",
]


def _late_rows(b):
    return [
        (
            item.serial,
            item.title,
            item.unit,
            item.category,
            item.kind,
            moment(item.due_at),
            moment(item.completed_at) if item.given else "截至统计时未完成",
        )
        for item in b.late
    ]


TOPIC_HEADER = ["事项分类", "收到", "回复", "回复率", "办结", "办结率"]


def _topic_rows(b):
    return [(t.name, t.received, t.replied, t.reply_rate, t.closed, t.closure_rate) for t in b.topics]


def bulletin_docx(b) -> bytes:
    d = doc.new_docx(title=b.title, subtitle=span(b))
    d.add_heading("一、总体情况", level=1)
    d.add_paragraph(b.figures.summary())
    doc.docx_table(d, ["项目", "数值"], _kpis_written(b), widths_cm=[7, 5])
    if b.topics:
        d.add_paragraph(topic_figures.sentence(b.topics))
        doc.docx_table(d, TOPIC_HEADER, _topic_rows(b))
    doc.docx_picture(d, images.category_mix(b.figures.by_category))
    if b.months:
        doc.docx_picture(d, images.monthly_trend(b.months), caption=figures.MONTHLY_NOTE)
    d.add_heading("二、各单位办理情况", level=1)
    shown = b.units_with_messages
    if shown:
        d.add_paragraph(f"本期收到留言的单位{len(shown)}个，各单位办理情况如下。")
        doc.docx_table(d, UNIT_HEADER, _unit_rows(b, shown))
        doc.docx_picture(d, images.unit_rates(shown))
    else:
        d.add_paragraph("本期没有单位收到留言。")
    d.add_heading("三、回应、回复迟延情况", level=1)
    d.add_paragraph(b.late_sentence())
    if b.late:
        doc.docx_table(d, LATE_HEADER, _late_rows(b))
    d.add_heading("说明", level=2)
    for line in DEFINITIONS:
        d.add_paragraph(line)
    return doc.docx_bytes(d)


def bulletin_xlsx(b) -> bytes:
    book = doc.new_workbook()
    summary = doc.xlsx_table(
        book,
        "概况",
        ["项目", "数值", "单位"],
        _kpis(b),
        widths=[22, 16, 8],
        intro=[b.title, span(b), b.figures.summary()],
    )
    row = summary.max_row + 2
    summary.cell(row=row, column=1, value=b.late_sentence())
    for line in DEFINITIONS:
        row += 1
        summary.cell(row=row, column=1, value=line)
    doc.xlsx_picture(summary, images.category_mix(b.figures.by_category), f"D{3}")
    if b.months:
        doc.xlsx_picture(summary, images.monthly_trend(b.months), "D14")
    doc.xlsx_table(book, "各单位", UNIT_HEADER, _unit_rows(b, b.units), widths=[34, 8, 10, 8, 10, 8, 10, 12])
    doc.xlsx_table(book, "迟延留言", LATE_HEADER, _late_rows(b), widths=[14, 30, 30, 8, 8, 22, 22])
    return doc.xlsx_bytes(book)


# --- the year-end report ------------------------------------------------------------


def _show(value) -> str:
    return kinds.show(Decimal(str(value)))


def report_title(run) -> str:
    return f"{run.region.name}{run.period_label}网络问政绩效考评结果"


def report_subtitle(run) -> str:
    s = run.scheme_snapshot
    return f"考评方案：{s['name']}（第{s['version']}版）　统计截止：{moment(run.cutoff)}"


def report_summary(run, results) -> str:
    ranked = [r for r in results if not r.apart]
    apart = len(results) - len(ranked)
    towns = sum(r.unit_kind == "township" for r in results)
    grades = [label for _, label in run.scheme_snapshot["grades"]]
    counts = "、".join(f"{g}{sum(r.grade == g for r in ranked)}个" for g in grades)
    text = f"参评单位{len(results)}个（乡镇{towns}个、部门{len(results) - towns}个）。"
    text += f"参与排名的{len(ranked)}个单位中，{counts}。" if ranked else "没有单位参与排名。"
    if apart:
        text += (
            f"本期到期应回复留言不足{run.scheme_snapshot['min_due']}条的{apart}个单位样本不足，"
            "按有数据的项目折算总分，单列，不参与排名。"
        )
    return text


def scheme_rows(run):
    return [
        (
            item["label"],
            _show(item["max_points"]),
            kinds.get(item["kind"]).describe(item["params"], Decimal(item["max_points"])),
        )
        for item in run.scheme_snapshot["items"]
    ]


def _ranking(run, results, *, kind, apart):
    items = run.scheme_snapshot["items"]
    rows = sorted(
        (r for r in results if r.unit_kind == kind and r.apart == apart),
        key=lambda r: (r.rank or 0, -r.total, r.unit_name),
    )
    header = ["名次", "单位", *[f"{i['label']}（{_show(i['max_points'])}）" for i in items], "总分", "等次"]
    body = [
        (
            r.rank if r.rank is not None else "—",
            r.label,
            *runs.item_points(run, r),
            r.total,
            r.grade_shown,
        )
        for r in rows
    ]
    return header, body


def _apart(run, results):
    items = run.scheme_snapshot["items"]
    rows = sorted((r for r in results if r.apart), key=lambda r: (r.unit_kind != "township", r.unit_name))
    header = ["单位", "类型", "到期应回复留言", *[i["label"] for i in items], "总分（折算）", "等次"]
    body = [
        (
            r.label,
            KIND_NAMES.get(r.unit_kind, r.unit_kind),
            r.due,
            *["无数据" if p is None else p for p in runs.item_points(run, r)],
            r.total,
            r.grade_shown,
        )
        for r in rows
    ]
    return header, body


def _digest_line(run) -> str:
    return f"输入摘要：{run.digest}（以相同输入和方案重新计算，结果与本表一致）。第{run.pk}次考评。"


def anchor_line(anchors) -> str:
    """The chains' heads as printed: whoever holds the printout can have them checked
    (`manage.py verify_events --anchor ...`)."""
    if not anchors:
        return ""
    return "记录链锚点（统计时办理记录链的末端，可用 verify_events --anchor 核对）：" + "；".join(
        str(a) for a in anchors
    )


def report_docx(run) -> bytes:
    results = runs.labelled_results(run)
    d = doc.new_docx(title=report_title(run), subtitle=report_subtitle(run))
    d.add_paragraph(report_summary(run, results))
    d.add_heading("一、考评方案", level=1)
    doc.docx_table(d, ["考评项目", "分值", "计分规则"], scheme_rows(run), widths_cm=[3, 1.5, 11.5])
    for n, (kind, name) in enumerate(KIND_NAMES.items(), start=2):
        d.add_heading(f"{'一二三四五'[n - 1]}、{name}排名", level=1)
        header, body = _ranking(run, results, kind=kind, apart=False)
        if body:
            doc.docx_table(d, header, [[_cell(v) for v in row] for row in body])
            doc.docx_picture(
                d,
                images.bars([row[1] for row in body], [row[-2] for row in body], title=f"{name}考评总分", unit="分"),
            )
        else:
            d.add_paragraph(f"没有{name}参与排名。")
    header, body = _apart(run, results)
    if body:
        d.add_heading("四、单列单位（到期留言不足，不参与排名）", level=1)
        doc.docx_table(d, header, [[_cell(v) for v in row] for row in body])
    d.add_paragraph(_digest_line(run))
    if run.anchors:
        d.add_paragraph(anchor_line(run.anchor_list))
    return doc.docx_bytes(d)


def _cell(value):
    return _show(value) if isinstance(value, Decimal) else value


def report_xlsx(run) -> bytes:
    results = runs.labelled_results(run)
    book = doc.new_workbook()
    doc.xlsx_table(
        book,
        "说明",
        ["考评项目", "分值", "计分规则"],
        scheme_rows(run),
        widths=[16, 8, 110],
        intro=[
            report_title(run),
            report_subtitle(run),
            report_summary(run, results),
            _digest_line(run),
            *([anchor_line(run.anchor_list)] if run.anchors else []),
        ],
    )
    for kind, name in KIND_NAMES.items():
        header, body = _ranking(run, results, kind=kind, apart=False)
        doc.xlsx_table(book, f"{name}排名", header, body, widths=[6, 34] + [12] * (len(header) - 2))
    header, body = _apart(run, results)
    doc.xlsx_table(book, "单列单位", header, body, widths=[34, 8, 14] + [12] * (len(header) - 3))
    return doc.xlsx_bytes(book)
