"""Files like those a county brings from the platform it used before: a title row above
the header, the columns such platforms publish (留言编号, 留言标题, 留言时间, 留言内容,
答复内容, 答复时间, 点赞数, 反对数, 一级分类) and no 单位 or 类别 column, bodies and
replies of 8,000 characters and more, dates typed with full-width digits, a blank line,
and one cell of 140,000 characters (over Python's csv limit of 131,072). As .xlsx, as
the older .xls, and as .csv in GBK, as Excel on a Chinese Windows saves it."""

import csv
import io
from dataclasses import dataclass, field

from openpyxl import Workbook

from .helpers import xls

TITLE = "罗城仫佬族自治县网络问政平台留言数据导出（2019年1月—2024年12月）"
HEADER = ["留言编号", "留言标题", "留言时间", "留言内容", "答复内容", "答复时间", "点赞数", "反对数", "一级分类"]
IGNORED = ["点赞数", "反对数", "一级分类（事项分类：本县尚未建立事项分类表，暂不导入）"]
BODY = "东门镇新街路段的路灯已经坏了两个星期，晚上出行很不方便，老人和孩子经过时尤其危险，请有关部门尽快安排维修。"
REPLY = "您好！收到留言后，我镇立即安排工作人员到现场核实，已联系供电所更换损坏的灯具和线路，目前路灯已恢复正常。"
HUGE = 140_000  # characters: over csv's default field limit (131,072)


def text_of(length: int, sentence: str = BODY) -> str:
    """Exactly `length` characters of plausible Chinese text (all of it in GBK)."""
    return (sentence * (length // len(sentence) + 1))[:length]


def full_width(text: str) -> str:
    """Digits and time punctuation as a Chinese input method may type them."""
    return text.translate(str.maketrans("0123456789:-", "０１２３４５６７８９：－"))


@dataclass
class Row:
    number: str
    title: str
    at: str
    body: str = BODY
    reply: str = ""
    replied_at: str = ""
    likes: int = 0
    dislikes: int = 0
    topic: str = "城乡建设"

    def cells(self) -> list:
        return [
            self.number,
            self.title,
            self.at,
            self.body,
            self.reply,
            self.replied_at,
            self.likes,
            self.dislikes,
            self.topic,
        ]


@dataclass
class PlatformExport:
    """The rows of one export; None stands for a blank line between blocks."""

    rows: list[Row | None] = field(default_factory=list)
    header: list[str] = field(default_factory=lambda: list(HEADER))
    title: str = TITLE

    def lines(self) -> list[list]:
        return [[self.title], self.header, *[row.cells() if row else [] for row in self.rows]]

    def xlsx(self) -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        for line in self.lines():
            sheet.append(line)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    def xls(self) -> bytes:
        return xls(self.lines())

    def gbk_csv(self) -> bytes:
        out = io.StringIO()
        csv.writer(out).writerows(self.lines())
        return out.getvalue().encode("gbk")

    def row_number(self, number: str) -> int:
        """The spreadsheet row of the row numbered `number` (the title is row 1)."""
        return next(i for i, row in enumerate(self.rows, start=3) if row and row.number == number)


def typical() -> PlatformExport:
    """Six messages of 2019–2022, four of them replied, one too long to import."""
    return PlatformExport(
        [
            Row(
                "LC2021000101",
                "新街路灯不亮",
                "2021-03-04 09:30:00",
                body=text_of(8_200),
                reply=text_of(8_000, REPLY),
                replied_at="2021-03-08 16:00:00",
                likes=12,
            ),
            Row(
                "LC2021000102",
                "菜市场排水沟堵塞",
                full_width("2021年3月5日 10:15"),
                reply=REPLY,
                replied_at=full_width("2021-03-09 09:00"),
                dislikes=1,
            ),
            Row("LC2021000103", "学校门口需要减速带", "2021-06-01 08:00:00", topic="交通运输"),
            None,
            Row(
                "LC2019000001",
                "集镇垃圾清运不及时",
                "2019-05-06 11:20:00",
                reply=REPLY,
                replied_at="2019-05-10 15:00:00",
            ),
            Row(
                "LC2022000104",
                "反映征地补偿问题",
                "2022-04-01 09:00:00",
                body=text_of(HUGE),
                reply=REPLY,
                replied_at="2022-04-06 10:00:00",
            ),
            Row("LC2022000105", "村道破损", "2022-07-15 14:45:00"),
        ]
    )


REPLIED = ["LC2021000101", "LC2021000102", "LC2019000001", "LC2022000104"]
UNANSWERED = ["LC2021000103", "LC2022000105"]
BEFORE_REGISTRATION = "LC2019000001"  # the cast's units were registered on 2020-01-01
TOO_LONG = "LC2022000104"


def many_replied(n: int) -> PlatformExport:
    """`n` short replied messages, none naming its unit."""
    return PlatformExport(
        [
            Row(f"LC{200000 + i}", "路灯不亮", "2023-03-04 09:30", reply="已修复。", replied_at="2023-03-06 10:00")
            for i in range(n)
        ]
    )
