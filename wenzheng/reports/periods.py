"""Reporting periods: a quarter, a year, a month, or a custom range of dates.

A period is a span of local dates; as instants it runs from 00:00 of its first day to
00:00 after its last day in the county's zone, start included, end excluded.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone

from wenzheng.lib.text import visible
from wenzheng.workdays.clock import county_zone, local_midnight

QUARTER = re.compile(r"^(\d{4})Q([1-4])$", re.IGNORECASE)
YEAR = re.compile(r"^(\d{4})$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class BadPeriod(ValueError):
    """Raised with a Chinese message that says what a valid period looks like."""


# The years a period may fall in: history imported from older platforms reaches back
# to the 2000s; 9999Q4 would end past the last date Python can hold (an OverflowError).
FIRST_YEAR, LAST_YEAR = 1970, 2199


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadPeriod(f"统计期间的年份应在{FIRST_YEAR}年至{LAST_YEAR}年之间，“{year}”不在此范围内。")
    return year


@dataclass(frozen=True)
class Period:
    first_day: dt.date
    last_day: dt.date
    label: str

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        return local_midnight(self.last_day + dt.timedelta(days=1))

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        """The moment figures are counted at: the period's end, or now if earlier."""
        return min(self.end, now)

    def span(self) -> str:
        """Its dates as a report states them: 2026年1月1日至2026年3月31日."""
        return f"{day(self.first_day)}至{day(self.last_day)}"

    def heading(self, now: dt.datetime) -> str:
        """What every report says of what it counted (DOMAIN.md: "each report states
        its period and its cut-off moment")."""
        return f"统计期间：{self.label}（{self.span()}）；统计截止：{moment(self.cutoff(now))}"


# The ways people write a period besides the codes above: 2026-Q1, 2026年第一季度,
# 2026年1季度, 2026年度, 2026年3月, 2026/03, 2026.3 (and full-width digits).
WRITTEN_QUARTER = re.compile(r"^(\d{4})(?:[-/ .]?Q|年第?|第)([1-4一二三四])(?:季度?)?$", re.IGNORECASE)
WRITTEN_YEAR = re.compile(r"^(\d{4})年度?$")
WRITTEN_MONTH = re.compile(r"^(\d{4})(?:年|[-/.])(\d{1,2})月?$")


def normalise(text: str) -> str:
    """A period as typed, in the code `parse` reads and reports store: "2026年第一季度"
    and "2026-Q1" → "2026Q1", "2026年3月" → "2026-03" (without a zero-width space
    pasted along); anything else as it was."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", visible(text or ""))).strip()
    if m := WRITTEN_QUARTER.match(text):
        q = m[2] if m[2].isdigit() else "一二三四".index(m[2]) + 1
        return f"{m[1]}Q{q}"
    if m := WRITTEN_YEAR.match(text):
        return m[1]
    if m := WRITTEN_MONTH.match(text):
        return f"{m[1]}-{int(m[2]):02d}"
    return text.upper() if QUARTER.match(text) else text


def recent(today: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods a picker offers, newest first: quarters and months of this year and
    the last, and the last three years, each as (code, label)."""
    quarters = [f"{y}Q{q}" for y in (today.year, today.year - 1) for q in (4, 3, 2, 1)]
    months = [f"{y}-{m:02d}" for y in (today.year, today.year - 1) for m in range(12, 0, -1)]
    started = [c for c in quarters + months if parse(c).first_day <= today]
    return [
        ("季度", [(c, parse(c).label) for c in started if "Q" in c]),
        ("年度", [(str(y), f"{y}年") for y in (today.year, today.year - 1, today.year - 2)]),
        ("月份", [(c, parse(c).label) for c in started if "-" in c]),
    ]


def parse(text: str) -> Period:
    text = normalise(text)
    if m := QUARTER.match(text):
        year, q = _year(int(m[1])), int(m[2])
        first = dt.date(year, 3 * q - 2, 1)
        last = (dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)) - dt.timedelta(days=1)
        return Period(first, last, f"{year}年第{'一二三四'[q - 1]}季度")
    if m := YEAR.match(text):
        year = _year(int(m[1]))
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年")
    if m := MONTH.match(text):
        year, month = _year(int(m[1])), int(m[2])
        if not 1 <= month <= 12:
            raise BadPeriod(f"月份“{month}”不存在。")
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return Period(dt.date(year, month, 1), nxt - dt.timedelta(days=1), f"{year}年{month}月")
    if m := RANGE.match(text):
        dates = []
        for day in (m[1], m[2]):
            try:
                dates.append(dt.date.fromisoformat(day))
            except ValueError:
                # Python's reason is English ("month must be in 1..12"): name the date.
                raise BadPeriod(f"日期“{day}”不存在，请按“年-月-日”填写，如 2026-01-01。") from None
        first, last = dates
        _year(first.year), _year(last.year)
        if last < first:
            raise BadPeriod("结束日期不能早于开始日期。")
        found = Period(first, last, f"{first:%Y年%m月%d日}至{last:%Y年%m月%d日}")
        # A whole quarter, year or month is that period, named as such.
        code = code_of(found)
        return found if RANGE.match(code) else parse(code)
    raise BadPeriod(
        f"无法识别的统计期间“{text}”。可用格式：2026Q1或2026年第一季度（季度）、2026（年度）、2026-03（月份）、"
        "2026-01-01..2026-03-31（自定义）。"
    )


def started(text: str, *, now: dt.datetime) -> Period:
    """A period that has begun by `now`: nothing can be counted in one that has not
    (an evaluation of 2027Q1 run in 2026 would score every unit on nothing)."""
    period = parse(text)
    if period.start > now:
        raise BadPeriod(f"{period.label}尚未开始，没有可统计的数据；请选择已经开始的期间。")
    return period


def moment(value: dt.datetime) -> str:
    """An instant as an office writes it; midnight is 24时 of the day before."""
    local = timezone.localtime(value, county_zone())
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return f"{day(local.date() - dt.timedelta(days=1))}24时"
    return occurred(value)


def occurred(value: dt.datetime) -> str:
    """An instant something happened at (a clock started, a step was done), as
    `moment` writes it but midnight read as 00:00 of its own day: imported history
    gives such times as a date alone, and a stage started and answered on 3月5日
    must not read as answered on 3月4日24时, before it started."""
    local = timezone.localtime(value, county_zone())
    return f"{day(local.date())}{local:%H:%M}"


def day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def code_of(period: Period) -> str:
    """The one code of the period's dates, whichever way it was written: a whole
    quarter "2026Q1", year "2026" or month "2026-03"; any other span
    "2026-01-01..2026-02-15". Runs and bulletins are stored, and told apart, by it
    (a quarter typed as its dates was another period to them, and published twice)."""
    first, last = period.first_day, period.last_day
    if first.day == 1:
        for code in (str(first.year), quarter_code(first), f"{first.year}-{first.month:02d}"):
            whole = parse(code)
            if (whole.first_day, whole.last_day) == (first, last):
                return code
    return f"{first.isoformat()}..{last.isoformat()}"


def quarter_code(day: dt.date) -> str:
    """The quarter a day falls in, as `parse` reads it: 2026-11-24 → "2026Q4"."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_of(day: dt.date) -> Period:
    return parse(quarter_code(day))
