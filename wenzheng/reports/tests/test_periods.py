import datetime as dt

import pytest

from wenzheng.reports.periods import BadPeriod, parse, quarter_code, quarter_of
from wenzheng.testing import local


def test_a_quarter():
    q = parse("2026Q1")
    assert (q.first_day, q.last_day, q.label) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026年第一季度")
    assert q.start == local(2026, 1, 1)
    assert q.end == local(2026, 4, 1)
    assert parse("2026q4").last_day == dt.date(2026, 12, 31)
    assert parse(" 2026q3 \u200b").label == "2026年第三季度"  # a zero-width space pasted along


def test_a_year_a_month_and_a_range():
    assert parse("2026").label == "2026年"
    assert parse("2026-02").last_day == dt.date(2026, 2, 28)
    assert parse("2026-12").last_day == dt.date(2026, 12, 31)
    custom = parse("2026-01-15..2026-02-14")
    assert (custom.first_day, custom.last_day) == (dt.date(2026, 1, 15), dt.date(2026, 2, 14))


def test_the_cutoff_is_the_end_or_now_if_earlier():
    q = parse("2026Q4")
    assert q.cutoff(local(2026, 11, 24, 9)) == local(2026, 11, 24, 9)
    assert q.cutoff(local(2027, 2, 1)) == local(2027, 1, 1)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026Q5", "无法识别"),
        ("", "无法识别"),
        ("2026-13", "月份“13”不存在"),
        ("2026-02-30..2026-03-01", "日期“2026-02-30”不存在"),
        ("2026-01-01..2026-13-40", "^日期“2026-13-40”不存在，请按“年-月-日”填写，如 2026-01-01。$"),  # no English
        ("2026-03-01..2026-02-01", "结束日期不能早于开始日期"),
    ],
)
def test_bad_periods_say_what_is_wrong(text, says):
    with pytest.raises(BadPeriod, match=says):
        parse(text)


def test_the_quarter_of_a_day():
    assert quarter_code(dt.date(2026, 1, 1)) == "2026Q1"
    assert quarter_code(dt.date(2026, 3, 31)) == "2026Q1"
    assert quarter_code(dt.date(2026, 11, 24)) == "2026Q4"
    assert quarter_of(dt.date(2026, 7, 1)) == parse("2026Q3")
