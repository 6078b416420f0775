"""One spreadsheet row → a message to import, or the problems that stop it.

The checks are those `actions.submit`, `reply` and `close` make (lengths, a unit that
received messages on the day, replies after the message, closure by the category's
rule), written as row problems in Chinese so the office can fix the file, each with
a short kind for the report's summary. The differences, all because the data comes
from another platform: a missing phone number is allowed (those platforms rarely
export it); a missing name is recorded as “网民”; a row without a unit may go to a
unit the office names for the import (exports of one unit's board have no 单位
column); and the office may let history predate the unit's registration here.
"""

import datetime as dt
import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from openpyxl.utils.datetime import from_excel

from wenzheng.handling.models import Category, Message
from wenzheng.lib import phones
from wenzheng.lib import text as text_rules
from wenzheng.topics.catalogue import TreeError
from wenzheng.units.models import Region, Unit
from wenzheng.workdays.clock import county_zone, local_date

from .columns import Layout
from .models import ImportJob, RowProblem
from .tables import Spanning, Unreadable, cell_text, folded, swallowed_rows

Kind = RowProblem.Kind
Replied = ImportJob.Replied
log = logging.getLogger(__name__)

ANONYMOUS_NAME = "网民"
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$")
# Excel serial days for 1990-01-01 .. 2100-01-01: a plain number outside is no date.
_EXCEL_SERIALS = (32874, 73051)
CLOSED_WORDS = {"已办结", "办结", "已解决", "已完成", "已结案", "结案"}
EXPLAINED_WORDS = {"已答复解释", "暂不能解决", "不能解决", "已解释"}
OPEN_WORDS = {"", "已回复", "已答复", "办理中", "待回复", "未回复", "待办理", "处理中", "已受理"}
# Our own export's words for states that are not closed (see exports._status).
OPEN_WORDS |= {"待交办", "待签收", "退单待审核", "长周期办结待审批"}
# Our exports put an apostrophe before text that starts like a formula; read it back.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")
YES = {"是", "公开", "同意", "y", "yes", "true", "1"}
NO = {"否", "不公开", "不同意", "n", "no", "false", "0", ""}


class BadValue(ValueError):
    def __init__(self, text, *, empty=False):
        super().__init__(text)
        self.empty = empty


def parse_time(value) -> dt.datetime:
    """A time as the county's clock read it: Excel dates, serial numbers, and the
    ways people type dates (2024-03-02 09:30, 2024/3/2 9:30, 2024年3月2日 9时30分)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time.min)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _serial_time(value)
    else:
        text = unicodedata.normalize("NFKC", cell_text(value))
        if not text:
            raise BadValue("为空", empty=True)
        if _SERIAL_TEXT.match(text):
            # An Excel date number written out as text (a CSV saved from a sheet
            # whose column was not formatted as a date): 46088.5 is 2026-03-07 12:00.
            moment = _serial_time(float(text))
        else:
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                moment = _typed_time(text)
    if moment.year < EARLIEST_YEAR:
        # 0001-01-01 overflowed the database's adapter and failed the whole import;
        # 1899 made a message of no period anyone can ask for.
        raise BadValue(f"“{cell_text(value)}”早于{EARLIEST_YEAR}年，不是网络问政留言或办理的时间")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=county_zone())
    return moment


# No online inquiry platform took messages before this year (人民网's 地方领导留言板
# opened in 2006).
EARLIEST_YEAR = 2000
_SERIAL_TEXT = re.compile(r"^\d{5}(\.\d+)?$")


def _serial_time(value: float) -> dt.datetime:
    """An Excel date number, to the nearest second: its fraction of a day is stored
    in binary, and 09:03 read back exactly is 09:02:59.99996."""
    if not _EXCEL_SERIALS[0] <= value <= _EXCEL_SERIALS[1]:
        raise BadValue(f"“{cell_text(value)}”不是日期")
    moment = from_excel(value)
    return (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def _typed_time(text: str) -> dt.datetime:
    # 下午 3:30, 8:30 PM, 8点30分, 5号, 08:30:00.000: as other platforms export them.
    cleaned = re.sub(r"(\d:\d{1,2}:\d{1,2})\.\d+", r"\1", text)
    afternoon = bool(re.search(r"下午|晚上|傍晚|PM", cleaned, re.I))
    midnight = bool(re.search(r"凌晨|AM", cleaned, re.I))
    cleaned = re.sub(r"上午|下午|中午|晚上|傍晚|早上|凌晨|AM|PM", " ", cleaned, flags=re.I)
    cleaned = re.sub(r"[年月/.]", "-", cleaned).replace("号", "日").replace("日", " ")
    cleaned = cleaned.replace("时", ":").replace("点", ":").replace("分", ":").replace("秒", "")
    cleaned = re.sub(r"\s+", " ", cleaned).strip().rstrip(":")
    cleaned = re.sub(r"( \d{1,2})$", r"\1:00", cleaned)  # 8点: on the hour
    match = _DATE.match(cleaned)
    if match is None:
        raise BadValue(f"无法识别“{text}”，应写成 2024-03-02 09:30 或 2024/3/2 9:30 这样的时间")
    parts = [int(p) if p else 0 for p in match.groups()]
    if afternoon and match.group(4) and parts[3] < 12:
        parts[3] += 12
    elif midnight and parts[3] == 12:  # 12:10 AM
        parts[3] = 0
    try:
        return dt.datetime(*parts)  # noqa: DTZ001 (made aware by the caller, in the county's zone)
    except ValueError:
        raise BadValue(f"日期“{text}”不存在") from None


@dataclass
class Row:
    number: int  # the spreadsheet's row number
    source_number: str
    name: str
    title: str
    body: str
    submitted_at: dt.datetime
    category: Category
    unit: Unit | None = None
    phone: str = ""
    consent: bool = False
    reply: str = ""
    replied_at: dt.datetime | None = None
    # 签收, where the old platform recorded it: without it, no response is judged.
    responded_at: dt.datetime | None = None
    closure_kind: str = ""
    closed_at: dt.datetime | None = None
    # The unit was registered here after the message was left (allowed for history).
    registration_waived: bool = False
    topic: object = None  # topics.Topic
    # Replied with no 办理状态 given: closed or left open as the office chose (Context.replied).
    status_unstated: bool = False

    @property
    def response_unrecorded(self) -> bool:
        """Replied with no 签收 time: no response stage, judged for nobody (the writer's
        event says so; the report counts them)."""
        return bool(self.reply) and self.responded_at is None


@dataclass
class Problems:
    row: int
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (column, problem, kind)

    def add(self, column, problem, kind):
        self.items.append((column, problem, kind))

    def columns(self) -> set[str]:
        return {column for column, _, _ in self.items}


@dataclass
class Context:
    """What every row is checked against, loaded once per file."""

    layout: Layout
    units: dict[str, Unit]
    categories: dict[str, Category]
    default_category: Category | None
    now: dt.datetime
    default_unit: Unit | None = None
    waive_registration: bool = False
    topics: object = None  # topics.catalogue.LabelResolver
    # What a replied row without a 办理状态 becomes (ImportJob.Replied): closed or open.
    replied: str = Replied.CLOSED
    # The unit names a file names that the county has not, each with its nearest (_unit).
    nearest: dict = field(default_factory=dict)
    # The other counties' names as a unit's name may begin with them (罗城县…), each
    # with the county's name: such a unit is theirs, not a misspelt one of this county.
    elsewhere: dict = field(default_factory=dict)
    # The county as its problems call it: 本县, 本区 (Region.level).
    here: str = ""

    @classmethod
    def load(
        cls,
        *,
        layout,
        region,
        default_category,
        now,
        default_unit=None,
        waive_registration=False,
        topics=None,
        replied=Replied.CLOSED,
    ):
        units = unit_names(region)
        categories = {}
        for category in Category.objects.all():
            categories[folded(category.name)] = categories[category.code] = category
            categories[folded(category.name) + "类"] = category
        for word, code in CATEGORY_WORDS.items():
            if code in categories and word not in categories:
                categories[word] = categories[word + "类"] = categories[code]
        elsewhere = {
            prefix: other.name
            for other in Region.objects.filter(kind=Region.Kind.COUNTY).exclude(pk=region.pk)
            for prefix in county_prefixes(other)
        }
        return cls(
            layout,
            units,
            categories,
            default_category,
            now,
            default_unit,
            waive_registration,
            topics,
            replied,
            elsewhere=elsewhere,
            here=f"本{region.level}",
        )


# What 12345 work orders and other boards call the seed's categories: a complaint, a
# plea for help or a report asks for something to be done (诉求); an opinion is a
# suggestion.
CATEGORY_WORDS = {
    "投诉": "appeal", "求助": "appeal", "举报": "appeal", "反映": "appeal",
    "意见": "suggestion", "建言": "suggestion", "献策": "suggestion", "询问": "consultation",
}  # fmt: skip


def county_prefixes(region) -> set[str]:
    """How a unit's name may begin with its county's (folded): 罗城仫佬族自治县, 罗城县."""
    county = folded(region.name)
    return {county, county[:2] + "县"} if "自治县" in county else {county}


def unit_names(region) -> dict[str, Unit]:
    """The county's units by their names as folded, and as other platforms write them:
    with the county's name before them (罗城仫佬族自治县教育局, 罗城县教育局 for
    县教育局; 罗城县东门镇) or a department's 县 left off (教育局). A name two units
    could be is left out (the row is refused as naming no unit)."""
    units = list(Unit.objects.filter(region=region))
    exact = {folded(u.name): u for u in units}
    counties = county_prefixes(region)
    variants: dict[str, set] = {}
    for unit in units:
        name = folded(unit.name)
        bare = name[1:] if name.startswith("县") and len(name) > 2 else name
        # A township by its government's name: 四把镇人民政府, 东门街道办事处.
        formal = {f"{bare}人民政府", f"{bare}政府"} if bare.endswith(("镇", "乡")) else set()
        if bare.endswith("街道"):
            formal = {f"{bare}办事处", f"{bare}办"}
        for variant in {bare, *formal, *(c + b for c in counties for b in (bare, *formal))}:
            if variant not in exact:
                variants.setdefault(variant, set()).add(unit)
    return {**{v: next(iter(us)) for v, us in variants.items() if len(us) == 1}, **exact}


def source_number(values: tuple, layout: Layout) -> str:
    """The row's number on the platform it came from, folded as it is stored."""
    index = layout.positions["number"]
    return folded(values[index]) if index < len(values) else ""


def read_row(number: int, values: tuple, ctx: Context) -> Row | Problems:
    layout = ctx.layout
    problems = Problems(number)
    if isinstance(values, Unreadable | Spanning) and _unreadable(values, layout, problems):
        return problems

    def cell(key):
        index = layout.positions.get(key)
        return values[index] if index is not None and index < len(values) else None

    def text(key, *, required=False, max_length=None):
        value = _NEUTRALISED.sub("", cell_text(cell(key)))
        if required and not text_rules.visible(value).strip():
            problems.add(layout.label(key), "为空", Kind.EMPTY)
        if max_length and len(value) > max_length:
            problems.add(layout.label(key), f"不能超过{max_length}个字（这一格有{len(value):,}个字）", Kind.TOO_LONG)
        return value

    def time(key, *, required=False):
        value = cell(key)
        if not required and cell_text(value) == "":
            return None
        try:
            moment = parse_time(value)
        except BadValue as e:
            problems.add(layout.label(key), str(e), Kind.EMPTY if e.empty else Kind.BAD_TIME)
            return None
        if moment > ctx.now:
            at = moment.astimezone(county_zone())
            problems.add(layout.label(key), f"“{at:%Y-%m-%d %H:%M}”晚于现在", Kind.FUTURE)
            return None
        return moment

    source = source_number(values, layout)
    if not source:
        problems.add(layout.label("number"), "为空，无法判断是否已经导入过", Kind.EMPTY)
    elif len(source) > 60:
        problems.add(layout.label("number"), "超过60个字符", Kind.BAD_NUMBER)
    name = text("user", max_length=50) or ANONYMOUS_NAME
    title = text("title", required=True, max_length=100)
    body = text("body", required=True, max_length=settings.MESSAGE_TEXT_MAX_CHARS)
    submitted_at = time("time", required=True)
    reply = text("reply", max_length=settings.MESSAGE_TEXT_MAX_CHARS)
    replied_at = time("reply_time")

    category = _category(cell("category"), ctx, problems)
    unit, waived = _unit(cell("unit"), submitted_at, ctx, problems)
    phone = _phone(cell("phone"), layout, problems)
    consent = _consent(cell("consent"), layout, problems)
    topic = _topic(cell, layout, ctx, problems)

    if reply and replied_at is None and layout.label("reply_time") not in problems.columns():
        problems.add(layout.label("reply_time"), f"有{layout.label('reply')}但没有答复时间", Kind.REPLY_INCOMPLETE)
    if replied_at and not reply:
        problems.add(layout.label("reply"), f"有{layout.label('reply_time')}但没有答复内容", Kind.REPLY_INCOMPLETE)
    if reply and unit is None and not folded(cell("unit")) and ctx.default_unit is None:
        _no_unit(layout, problems)
    replied_at = same_day(replied_at, submitted_at)
    if replied_at and submitted_at and replied_at < submitted_at:
        problems.add(layout.label("reply_time"), "早于留言时间", Kind.TIME_ORDER)
    responded_at = _response(time("response_time"), submitted_at, replied_at, unit, layout, problems)

    closure_kind, closed_at, unstated = _closure(cell, layout, category, reply, replied_at, problems, time, ctx.replied)
    if problems.items:
        return problems
    return Row(
        number=number,
        source_number=source,
        name=name,
        title=title,
        body=body,
        submitted_at=submitted_at,
        category=category,
        unit=unit,
        phone=phone,
        consent=consent,
        reply=reply,
        replied_at=replied_at if reply else None,
        responded_at=responded_at,
        closure_kind=closure_kind,
        closed_at=closed_at,
        registration_waived=waived,
        topic=topic,
        status_unstated=unstated,
    )


def _response(responded_at, submitted_at, replied_at, unit, layout, problems):
    """签收 as the old platform recorded it: after the message arrived, not after the
    reply (which acknowledges a message at the latest), and by a unit."""
    if responded_at is None:
        return None
    column = layout.label("response_time")
    responded_at = same_day(responded_at, submitted_at)
    if submitted_at and responded_at < submitted_at:
        problems.add(column, f"早于{layout.label('time')}", Kind.TIME_ORDER)
    elif replied_at and responded_at > replied_at:
        problems.add(column, f"晚于{layout.label('reply_time')}：答复时留言至迟已经签收", Kind.TIME_ORDER)
    if unit is None and not problems.columns() & {layout.label("unit")}:
        problems.add(
            layout.label("unit"),
            "已签收的留言须写明签收单位，或在导入时选择“单位为空时交给”的单位",
            Kind.NO_UNIT,
        )
    return responded_at


_TOPIC_PATH = re.compile(r"\s*[/／>＞→\\|｜]\s*|\s+-\s+")


def _topic(cell, layout, ctx, problems):
    """The topic the row's labels name: 一级/二级/三级分类 columns, or one column with
    the whole path (城乡建设/市政设施/路灯照明) or a code."""
    if ctx.topics is None or "topic1" not in layout.positions:
        return None
    labels = [cell_text(cell(key)) for key in ("topic1", "topic2", "topic3")]
    if labels[0] and not any(labels[1:]):
        labels = _TOPIC_PATH.split(labels[0])
    try:
        return ctx.topics.resolve(labels)
    except TreeError as e:
        problems.add(layout.label("topic1"), str(e), Kind.UNKNOWN_TOPIC)
        return None


def _unreadable(values, layout, problems) -> bool:
    """A record the csv module refused, or one a stray quote ran across other rows:
    one problem says so, instead of the many its shifted cells would raise."""
    first, last = values.lines
    if isinstance(values, Unreadable):
        log.warning("CSV record on lines %s-%s unreadable: %s", first, last, values.reason)
        lines = f"文件第{first}行" if first == last else f"文件第{first}至{last}行"
        problems.add("", f"{lines}无法按 CSV 格式读取，请用 Excel 打开后另存为 .xlsx 再导入", Kind.UNREADABLE)
        return True
    index, rows = swallowed_rows(values, layout.width)
    if not rows:
        return False
    problems.add(
        layout.column_name(index),
        f'这一格从文件第{first}行一直读到第{last}行，里面夹着约{rows}行留言：多半是这一格开头多了一个英文双引号（"），'
        "把后面的行并进了这一格。请删去这个引号（或改为中文引号）后重新导入，这些行也会一并导入",
        Kind.STRAY_QUOTE,
    )
    return True


def _no_unit(layout, problems):
    if "unit" in layout.positions:
        text = "已答复的留言须写明答复单位，或在导入时选择“单位为空时交给”的单位"
    else:
        text = "文件没有“单位”列：已答复的留言须有答复单位，请在导入时选择“单位为空时交给”的单位"
    problems.add(layout.label("unit"), text, Kind.NO_UNIT)


def _category(value, ctx, problems):
    key = folded(value)
    if not key:
        if ctx.default_category is None:
            text = "为空，且未指定缺省类别" if "category" in ctx.layout.positions else "文件没有“类别”列"
            text += "：请在导入时选择“类别为空时按”的类别"
            problems.add(ctx.layout.label("category"), text, Kind.NO_CATEGORY)
        return ctx.default_category
    category = ctx.categories.get(key) or ctx.categories.get(key.lower())
    if category is None:
        names = "、".join(sorted({c.name for c in ctx.categories.values()}, key=lambda n: n))
        problems.add(
            ctx.layout.label("category"),
            f"类别“{cell_text(value)}”不存在，可用的类别：{names}",
            Kind.UNKNOWN_CATEGORY,
        )
    return category


def _unit(value, submitted_at, ctx, problems) -> tuple[Unit | None, bool]:
    """The row's unit (named in the row, else the import's default unit) and whether
    the registration-date check was waived for it."""
    name = folded(value)
    if name:
        unit = ctx.units.get(name)
        if unit is None:
            theirs = next((county for prefix, county in ctx.elsewhere.items() if name.startswith(prefix)), None)
            if theirs is not None:  # not a misspelling: another county's (a trial was offered this one's)
                problems.add(
                    ctx.layout.label("unit"),
                    f"“{cell_text(value)}”是{theirs}的单位，不能导入{ctx.here}：请在{theirs}导入这一行",
                    Kind.UNKNOWN_UNIT,
                )
                return None, False
            # The nearest name the county has, to correct the file by (四把乡 for 四把镇).
            if name not in ctx.nearest:
                near = difflib.get_close_matches(name, list(ctx.units), n=1, cutoff=0.6)
                ctx.nearest[name] = ctx.units[near[0]].name if near else None
            hint = f"，是否为“{ctx.nearest[name]}”？" if ctx.nearest[name] else ""
            problems.add(
                ctx.layout.label("unit"),
                f"“{cell_text(value)}”不是{ctx.here}的实名上网单位{hint}",
                Kind.UNKNOWN_UNIT,
            )
            return None, False
    elif ctx.default_unit is not None:
        unit = ctx.default_unit
    else:
        return None, False
    if submitted_at is None:
        return unit, False
    day = local_date(submitted_at)
    # As actions.submit: the unit must have been receiving messages on that day. History
    # moved from another platform may predate the unit's registration here, and the
    # office may waive that side of the check; a unit deactivated by then never takes it.
    deactivated = unit.deactivated_on is not None and unit.deactivated_on <= day
    early = unit.registered_on > day
    if early and ctx.waive_registration and not deactivated:
        return unit, True
    if early or deactivated:
        problems.add(
            ctx.layout.label("unit"),
            f"“{unit.name}”在{day:%Y-%m-%d}不是实名上网单位（{unit.registered_on:%Y-%m-%d}实名上网"
            + (f"，{unit.deactivated_on:%Y-%m-%d}停用" if unit.deactivated_on else "")
            + "）"
            + ("；导入历史留言时可选择不检查实名上网日期" if early and not deactivated else ""),
            Kind.UNIT_NOT_REGISTERED,
        )
        return None, False
    return unit, False


def _phone(value, layout, problems):
    """The citizen's number; of two in the cell (13800138000 / 13900139000, a mobile
    and a landline), the first that reads as one, rather than the row refused; an
    extension (转 8001) left off."""
    phone = cell_text(value)
    if not phone:
        return ""
    try:
        return phones.normalise(phone)
    except phones.BadPhone as e:
        for part in _PHONES_APART.split(phone):
            try:
                return phones.normalise(_EXTENSION.sub("", part).strip())
            except phones.BadPhone:
                continue
        problems.add(layout.label("phone"), f"“{phone}”：{str(e).rstrip('。')}", Kind.BAD_PHONE)
    return phone


_PHONES_APART = re.compile(r"[/／;；,，、|｜]|或|和|及")
_EXTENSION = re.compile(r"\s*(转|分机|ext\.?)\s*\d{1,6}\s*$", re.I)


def _consent(value, layout, problems):
    word = folded(value).lower()
    if word in YES:
        return True
    if word not in NO:
        problems.add(layout.label("consent"), f"“{cell_text(value)}”应填“是”或“否”", Kind.BAD_CONSENT)
    return False


def same_day(later, earlier):
    """`later`, or `earlier` when `later` is given as a date alone (midnight) on
    earlier's day: exports give 答复日期 and 办结日期 without the hour, and a reply on
    the day the message came was refused as 早于留言时间."""
    if later is None or earlier is None or later >= earlier:
        return later
    local = later.astimezone(county_zone())
    if local.time() == dt.time.min and local.date() == earlier.astimezone(county_zone()).date():
        return earlier
    return later


def _closure(cell, layout, category, reply, replied_at, problems, time, replied):
    """办结 from the status column: a closed message must have been replied, and is
    closed by its category's rule (as actions.close). A replied row that gives no
    status (nor 办结时间) is closed at its reply or left open, as the office chose
    (`replied`). Returns the closure's kind and time, and whether the status was
    left unstated on a replied row."""
    status = folded(cell("status"))
    closed_at = time("closed_time")
    if status not in CLOSED_WORDS | EXPLAINED_WORDS | OPEN_WORDS:
        problems.add(
            layout.label("status"),
            f"无法识别的办理状态“{cell_text(cell('status'))}”，可写“已办结”或“已回复”",
            Kind.BAD_STATUS,
        )
        return "", None, False
    unstated = bool(reply) and not status and closed_at is None
    if status in OPEN_WORDS and not (unstated and replied == Replied.CLOSED):
        if closed_at is None:
            return "", None, unstated
        if status:
            problems.add(layout.label("closed_time"), f"办理状态为“{status}”，却填有办结时间", Kind.BAD_STATUS)
            return "", None, False
    if not reply:
        problems.add(layout.label("status"), "未答复的留言不能办结", Kind.BAD_STATUS)
        return "", None, False
    if category is None:
        return "", None, unstated
    if category.closure_rule == Category.ClosureRule.REPLY:
        kind = Message.ClosureKind.ANSWERED
    else:
        kind = Message.ClosureKind.EXPLAINED if status in EXPLAINED_WORDS else Message.ClosureKind.SOLVED
    closed_at = same_day(closed_at, replied_at) or replied_at
    if closed_at is not None and replied_at is not None and closed_at < replied_at:
        problems.add(layout.label("closed_time"), "早于答复时间", Kind.TIME_ORDER)
    return kind, closed_at, unstated
