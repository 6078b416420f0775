"""Ranks and grades, by hand."""

from decimal import Decimal as D

from wenzheng.evaluation.ranking import competition_ranks, grade

BANDS = [[90, "优秀"], [80, "良好"], [60, "合格"], [0, "不合格"]]


def test_ties_share_a_rank_and_the_next_rank_skips():
    rows = [("a", "t", D("91")), ("b", "t", D("88.5")), ("c", "t", D("88.50")), ("d", "t", D("70"))]
    assert competition_ranks(rows) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_each_kind_is_ranked_on_its_own():
    rows = [("town1", "township", D("80")), ("dept1", "department", D("95")), ("town2", "township", D("85"))]
    assert competition_ranks(rows) == {"town2": 1, "town1": 2, "dept1": 1}


def test_everyone_tied_is_first():
    assert competition_ranks([(k, "t", D("100")) for k in "abc"]) == {"a": 1, "b": 1, "c": 1}


def test_grades_at_and_around_the_thresholds():
    assert [grade(D(x), BANDS) for x in ("100", "90", "89.99", "80", "79.99", "60", "59.99", "0")] == [
        "优秀",
        "优秀",
        "良好",
        "良好",
        "合格",
        "合格",
        "不合格",
        "不合格",
    ]
