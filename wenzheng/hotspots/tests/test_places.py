"""Place words (地点词) in sentences as citizens write them."""

import pytest

from wenzheng.hotspots.places import extract, primary, without_places
from wenzheng.search.text import fold


def names(text):
    return [p.name for p in extract(fold(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我住在东门镇横岸村，村里的路灯坏了好几个月", ["东门镇", "横岸村"]),
        ("凤凰路的路灯晚上不亮，行人摔倒", ["凤凰路"]),
        ("阳光小区门口垃圾堆积如山", ["阳光小区"]),
        ("罗城仫佬族自治县东门镇城南社区居民反映", ["东门镇", "城南社区"]),
        ("县实验小学门口上下学交通拥堵", ["实验小学"]),
        ("解放路与凤凰路交叉口红绿灯坏了", ["解放路", "凤凰路"]),
        ("横岸村村民反映饮水困难", ["横岸村"]),
        ("城西大道修路扬尘大", ["城西大道"]),
        ("建议增加石榴坪村公交班次", ["石榴坪村"]),
        ("在东门街开店的商户", ["东门街"]),
        ("龍岸鎮地洞村的村道坑窪", ["龙岸镇", "地洞村"]),  # traditional characters, folded
        ("新街路灯不亮", ["新街"]),
    ],
)
def test_it_finds_the_places_written(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我们小区的物业不管事",  # no name, only a pronoun
        "马路上到处是坑，道路坑洼",  # words, not places
        "市场监管局不作为",  # an office
        "本村道路坑洼，全村人出行难",
        "乡村振兴项目资金什么时候到位",
        "老人去医院看病很不方便",  # a verb before the institution
        "路灯坏了，路面也烂了",
        "建议开通县城至乡里的公交线路",
    ],
)
def test_it_finds_no_place_in_words_that_are_not_places(text):
    assert names(text) == []


def test_the_primary_place_is_the_finest_one_named():
    places = extract(fold("东门镇城南社区阳光小区门口积水"))
    assert [p.name for p in places] == ["东门镇", "城南社区", "阳光小区"]
    assert primary(places) == "阳光小区"
    assert primary([]) == ""


def test_it_takes_the_places_out_of_the_problem():
    text = fold("凤凰路的路灯不亮，凤凰路晚上很黑")
    assert without_places(text, extract(text)) == " 的路灯不亮, 晚上很黑"  # folded: the comma is NFKC's
