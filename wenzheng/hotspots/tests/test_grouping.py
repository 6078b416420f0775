"""Grouping messages about the same problem in the same place: pure, no database."""

import datetime as dt
import random

from wenzheng.demo import texts as demo_texts
from wenzheng.hotspots.grouping import Item, group

T = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)

STREETLIGHT_FENGHUANG = [
    ("凤凰路路灯不亮", "凤凰路的路灯已经坏了一个多星期，晚上一片漆黑，行人经常摔倒，请尽快维修。"),
    ("凤凰路晚上太黑了", "您好，凤凰路一到晚上路灯就不亮，骑电动车经过很危险，希望有关部门派人修一修。"),
    ("反映凤凰路路灯问题", "我家住凤凰路，门口这段路灯坏了好多天了，一直没人来修，孩子晚自习回家很害怕。"),
    ("凤凰路路灯坏了", "凤凰路好几盏路灯都不亮了，晚上出行很不安全，恳请尽快派人来看看。"),
]
STREETLIGHT_JIEFANG = [
    ("解放路路灯不亮", "解放路的路灯坏了一个星期，晚上一片漆黑，请尽快维修。"),
    ("解放路晚上黑", "解放路一到晚上路灯都不亮，骑车很危险，请派人修理路灯。"),
    ("解放路路灯坏了没人修", "解放路这边的路灯坏了好几天没人修，老人晚上不敢出门。"),
]
GARBAGE_FENGHUANG = [
    ("凤凰路垃圾成堆", "凤凰路边上的垃圾堆了一个星期没人清运，臭气熏天，苍蝇乱飞。"),
    ("凤凰路垃圾没人清理", "凤凰路垃圾桶满了好几天，垃圾没人清理，天热了味道很难闻。"),
    ("凤凰路垃圾臭气熏天", "凤凰路的垃圾越堆越多，环卫工人好久没来收垃圾了，请尽快清运。"),
]
WATER_HENGAN = [
    ("横岸村停水好几天", "东门镇横岸村自来水已经停了三天，村民没有水喝，请尽快解决饮水问题。"),
    ("横岸村自来水停了", "横岸村停水好几天了，家里老人孩子吃水都成问题，只能到很远的地方挑水。"),
    ("横岸村饮水困难", "我们横岸村的自来水管爆了，停水三天了还没人来修，做饭洗衣都没有水。"),
]
OTHERS = [
    ("社保卡怎么办理", "请问在哪里可以办理社保卡，需要带什么材料？"),
    ("孩子上学问题", "孩子明年上小学，户口不在本地可以读吗？"),
    ("咨询低保政策", "家里老人没有收入，请问怎样申请低保？"),
    ("建议增加公园健身器材", "县城的健身器材太少，建议多安装一些。"),
    ("医保报销比例", "请问今年住院医保报销比例是多少？"),
    ("营业执照办理", "开一家小餐馆需要办哪些证件？"),
]


PLANTED_PLACES = ("凤凰路", "解放路", "横岸村")


def background(n=150, seed=15):
    """Messages about everything else, as the demo county's citizens write them (its
    templates with their villages and streets), none naming a planted place: so that
    the bigrams' weights are those of a real mix, where 请问 and 尽快 say little."""
    rng = random.Random(seed)
    villages = [v for _, _, vs in demo_texts.TOWNSHIPS for v in vs]
    slots = {
        "place": lambda: rng.choice(villages),
        "village": lambda: rng.choice(villages),
        "township": lambda: rng.choice([t for t, _, _ in demo_texts.TOWNSHIPS]),
        "street": lambda: rng.choice(demo_texts.STREETS),
        "school": lambda: rng.choice(demo_texts.SCHOOLS),
        "n": lambda: str(rng.randint(2, 9)),
    }

    class Filler(dict):
        def __missing__(self, key):
            return slots[key]() if key in slots else "某处"

    out = []
    pairs = [p for t in demo_texts.TOPICS for c in ("consultation", "suggestion", "appeal") for p in t.texts(c)]
    while len(out) < n:
        title, body = rng.choice(pairs)
        title, body = title.format_map(Filler()), body.format_map(Filler())
        if not any(place in title + body for place in PLANTED_PLACES):
            out.append((title, body))
    return out


BACKGROUND = background()


def planted_groups(found, given, planted):
    """The groups holding any planted message, as sorted titles; asserts none mixes
    planted messages with background ones."""
    out = []
    for g in found:
        kinds = {given[i].pk < 10_000 for i in g.members}
        if True in kinds:
            assert kinds == {True}, [given[i].title for i in g.members]
            out.append(sorted(given[i].title for i in g.members))
    return sorted(out)


def with_background(*batches):
    given = items(*batches)
    for n, (title, body) in enumerate(BACKGROUND):
        given.append(Item(pk=10_000 + n, title=title, body=body, at=T))
    return given


def items(*batches, township=None):
    out = []
    for batch in batches:
        for title, body in batch:
            at = T + dt.timedelta(hours=len(out))
            out.append(Item(pk=len(out) + 1, title=title, body=body, at=at, township_id=township))
    return out


def test_it_finds_each_problem_in_each_place_and_nothing_else():
    batches = (STREETLIGHT_FENGHUANG, STREETLIGHT_JIEFANG, GARBAGE_FENGHUANG, WATER_HENGAN, OTHERS)
    given = with_background(*batches)
    found = group(given, min_size=3)
    assert planted_groups(found, given, batches) == sorted(sorted(t for t, _ in batch) for batch in batches[:4])
    places = {g.place for g in found if given[g.members[0]].pk < 10_000}
    assert places == {"凤凰路", "解放路", "横岸村"}
    assert [len(g.members) for g in found] == sorted((len(g.members) for g in found), reverse=True)


def test_it_does_not_merge_the_same_problem_in_two_places():
    given = with_background(STREETLIGHT_FENGHUANG, STREETLIGHT_JIEFANG, OTHERS)
    found = [g for g in group(given, min_size=2) if given[g.members[0]].pk < 10_000]
    assert sorted(g.place for g in found) == ["凤凰路", "解放路"]
    for g in found:
        assert all(g.place in given[i].title for i in g.members)
    assert planted_groups(found, given, ()) == sorted(
        sorted(t for t, _ in batch) for batch in (STREETLIGHT_FENGHUANG, STREETLIGHT_JIEFANG)
    )


def test_it_does_not_merge_two_problems_in_one_place():
    given = with_background(STREETLIGHT_FENGHUANG, GARBAGE_FENGHUANG, OTHERS)
    found = [g for g in group(given, min_size=2) if given[g.members[0]].pk < 10_000]
    assert planted_groups(found, given, ()) == sorted(
        sorted(t for t, _ in batch) for batch in (STREETLIGHT_FENGHUANG, GARBAGE_FENGHUANG)
    )
    for g in found:
        kinds = {"路灯" in given[i].title + given[i].body for i in g.members}
        assert len(kinds) == 1


def test_a_message_without_a_place_joins_the_one_group_it_is_like():
    placeless = [("路灯又坏了", "这段路灯已经坏了一个多星期，晚上一片漆黑，行人经常摔倒，请尽快维修。")]
    given = with_background(STREETLIGHT_FENGHUANG, GARBAGE_FENGHUANG, OTHERS, placeless)
    found = group(given, min_size=3)
    streetlight = next(g for g in found if g.place == "凤凰路" and any("路灯" in given[i].title for i in g.members))
    assert "路灯又坏了" in [given[i].title for i in streetlight.members]


def test_a_message_without_a_place_like_groups_in_two_places_joins_neither():
    placeless = [("路灯不亮", "这里的路灯坏了一个星期，晚上一片漆黑，请尽快维修。")]
    given = with_background(STREETLIGHT_FENGHUANG, STREETLIGHT_JIEFANG, placeless)
    found = group(given, min_size=3)
    assert sorted(g.place for g in found if given[g.members[0]].pk < 10_000) == ["凤凰路", "解放路"]
    assert all(given[i].title != "路灯不亮" for g in found for i in g.members)


def test_different_topics_or_townships_keep_alike_texts_apart():
    same_text = ("路灯不亮", "这段路的路灯坏了一个多星期，晚上一片漆黑，请尽快维修。")
    given = [Item(pk=i, title=same_text[0], body=same_text[1], at=T, township_id=1 + i % 2) for i in range(6)]
    found = group(given, min_size=2)
    assert sorted(len(g.members) for g in found) == [3, 3]
    assert all(len({given[i].township_id for i in g.members}) == 1 for g in found)
    given = [Item(pk=i, title=same_text[0], body=same_text[1], at=T, topic_root_id=1 + i % 2) for i in range(6)]
    assert sorted(len(g.members) for g in group(given, min_size=2)) == [3, 3]


def test_a_group_is_named_by_its_most_central_message_and_shared_terms():
    given = with_background(WATER_HENGAN, OTHERS)
    (g,) = [g for g in group(given, min_size=3) if given[g.members[0]].pk < 10_000]
    assert given[g.central].title in [t for t, _ in WATER_HENGAN]
    assert "自来水" in g.terms  # 自来 · 来水 joined as the members wrote it
    assert [given[i].at for i in g.members] == sorted(given[i].at for i in g.members)


def test_too_few_messages_make_no_group():
    assert group(items(WATER_HENGAN[:2]), min_size=3) == []
    assert group([], min_size=3) == []
    assert group(items([("", ""), ("", ""), ("", "")]), min_size=3) == []  # no text at all
