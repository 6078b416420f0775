"""The columns an import understands, matched by header with the variants other
platforms use (留言主题 / 标题 / 信件标题 …)."""

import re
from dataclasses import dataclass, field

from .tables import cell_text, folded


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the name used in reports and in our own exports
    variants: tuple[str, ...]
    required: bool = False
    # Words in a header we do not know that suggest it is this (required) column: the
    # refusal names it ("来信日期" for 留言时间), rather than leaving the office to guess.
    looks_like: tuple[str, ...] = ()


# Besides the 留言板 platforms' own names, those of 12345 hotline work orders (工单:
# 来电时间, 诉求标题, 诉求内容, 工单类型, 来电人).
COLUMNS = [
    Column(
        "number",
        "留言编号",
        ("留言编号", "编号", "留言id", "留言号", "信件编号", "工单编号", "来信编号", "工单号", "诉求编号", "受理编号"),
        True,
        ("编号", "单号"),
    ),
    Column(
        "user",
        "留言用户",
        (
            "留言用户",
            "留言人",
            "留言者",
            "用户",
            "网民",
            "姓名",
            "来信人",
            "用户名",
            "留言人姓名",
            "来电人",
            "诉求人",
            "反映人",
            "联系人",
        ),
    ),
    Column(
        "title",
        "留言主题",
        ("留言主题", "主题", "留言标题", "标题", "信件标题", "来信标题", "诉求标题", "工单标题", "诉求主题"),
        True,
        ("标题", "主题"),
    ),
    Column(
        "time",
        "留言时间",
        (
            "留言时间",
            "提交时间",
            "发布时间",
            "来信时间",
            "时间",
            "来电时间",
            "受理时间",
            "诉求时间",
            "登记时间",
            # The same columns given by the day (exports of a date alone are common).
            "留言日期",
            "提交日期",
            "发布日期",
            "来信日期",
            "日期",
            "来电日期",
            "受理日期",
            "诉求日期",
            "登记日期",
        ),
        True,
        ("时间", "日期"),
    ),
    Column(
        "body",
        "留言详情",
        (
            "留言详情",
            "留言内容",
            "详情",
            "内容",
            "信件内容",
            "来信内容",
            "诉求内容",
            "工单内容",
            "来电内容",
            "问题描述",
        ),
        True,
        ("内容", "详情", "描述", "正文"),
    ),
    Column("unit", "单位", ("单位", "办理单位", "承办单位", "答复单位", "回复单位", "留言对象", "部门")),
    Column("category", "类别", ("类别", "留言类别", "类型", "留言类型", "分类", "工单类型", "诉求类型")),
    Column("reply", "答复意见", ("答复意见", "答复内容", "回复内容", "回复意见", "答复", "回复")),
    Column(
        "reply_time",
        "答复时间",
        ("答复时间", "回复时间", "办复时间", "反馈时间", "答复日期", "回复日期", "办复日期", "反馈日期"),
    ),
    # 签收 (the response), where the old platform recorded it. Not 受理时间: exports
    # and 12345 work orders use that for the message's own arrival (the "time" column).
    Column(
        "response_time",
        "签收时间",
        ("签收时间", "回应时间", "响应时间", "受理回应时间", "签收日期", "回应日期", "响应日期"),
    ),
    Column("phone", "联系电话", ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "来电号码", "联系号码")),
    Column("status", "办理状态", ("办理状态", "状态")),
    Column("closed_time", "办结时间", ("办结时间", "结案时间", "办结日期", "结案日期")),
    Column("consent", "是否公开", ("是否公开", "公开")),
    # Topic labels (事项分类) as peer platforms name them: mapped to the county's tree
    # (wenzheng.topics.catalogue.LabelResolver); one column may hold the whole path.
    Column("topic1", "一级分类", ("一级分类", "事项分类", "问题分类", "主题分类", "业务分类", "所属领域", "分类代码")),
    Column("topic2", "二级分类", ("二级分类",)),
    Column("topic3", "三级分类", ("三级分类",)),
]
BY_KEY = {c.key: c for c in COLUMNS}
# Brackets and what they hold ("留言时间(北京时间)"), a trailing colon, a required-mark.
_NOISE = re.compile(r"[（(【\[].*?[）)】\]]|[:*＊]")


def header_key(text) -> str | None:
    name = _NOISE.sub("", folded(text)).lower()
    for column in COLUMNS:
        if name in column.variants:
            return column.key
    return None


@dataclass
class Layout:
    """Which column of the sheet holds what."""

    header_row: int
    positions: dict[str, int]  # key → 0-based index
    headers: dict[str, str]  # key → the header as written in the file
    # Columns with a header that are not imported, each as the office should read it
    # in the report ("点赞数", "一级分类（事项分类…）"): never dropped silently.
    ignored: list[str] = field(default_factory=list)
    width: int = 0  # columns up to the last named one
    unknown: list[str] = field(default_factory=list)  # headers matching no column, as written

    def column_name(self, index: int) -> str:
        """The header over a 0-based column, as written, for a problem's report."""
        for key, position in self.positions.items():
            if position == index:
                return self.label(key)
        return f"第{index + 1}列"

    def missing(self) -> list[Column]:
        return [c for c in COLUMNS if c.required and c.key not in self.positions]

    def lookalikes(self, column: Column) -> list[str]:
        """Headers matching no column that may be `column` under a name we do not know."""
        return [h for h in self.unknown if any(word in h for word in column.looks_like)]

    def label(self, key) -> str:
        return self.headers.get(key, BY_KEY[key].label)


def find_layout(rows) -> Layout | None:
    """The first row (among the first few) that reads as a header: the one naming the
    most known columns, at least two."""
    best = None
    for number, values in rows:
        positions, headers, ignored, unknown, width = {}, {}, [], [], 0
        for index, value in enumerate(values):
            header = cell_text(value)
            if not header:
                continue
            width = index + 1
            key = header_key(value)
            if key and key not in positions:
                positions[key], headers[key] = index, header
            elif key:  # the first of two matching columns wins
                ignored.append(f"{header}（与前面的“{headers[key]}”列重复，以前面的为准）")
            else:
                ignored.append(header)
                unknown.append(header)
        if len(positions) >= 2 and (best is None or len(positions) > len(best.positions)):
            best = Layout(number, positions, headers, ignored, width, unknown)
        if number >= 10:
            break
    return best
