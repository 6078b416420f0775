"""Place words in a message's text (地点词): pure functions, no database.

Messages carry no location field, so where a problem is comes from what the citizen
wrote: "凤凰路的路灯", "横岸村三组", "阳光小区门口". A place word is a short name
followed by a place suffix (村, 社区, 小区, 路, 街, 镇 …). The name is what precedes the
suffix up to a word that cannot be part of a name (我, 在, 的, 反映 …), and generic words
(马路, 道路, 本村, 我们小区) are no places. This is a small rule set, not a gazetteer:
it finds the names citizens write, and misses a place written without its suffix.

Places have a rank, finest first: a housing estate, school, market or bridge (1); a
village, community, street or road (2); a township (3). A message's place (`primary`)
is the finest one it names, the first written where it names several of that rank.
"""

import re
from dataclasses import dataclass

# Suffix → rank (1 finest). Longer suffixes first, so 街道 wins over 街 and 小区 over 区.
SUFFIXES = {
    "小区": 1, "花园": 1, "家园": 1, "公寓": 1, "新村": 1, "苑": 1,
    "小学": 1, "中学": 1, "学校": 1, "幼儿园": 1, "卫生院": 1, "医院": 1,
    "市场": 1, "广场": 1, "大桥": 1, "桥": 1, "车站": 1, "公园": 1,
    "社区": 2, "村": 2, "屯": 2, "大道": 2, "路": 2, "街": 2, "巷": 2,
    "街道": 3, "镇": 3, "乡": 3,
}  # fmt: skip
# Most places are named by two characters or more: one before a suffix is mostly a
# verb or a word (去医院, 上中学, 这段路); a village, street or township may be one (新街).
ONE_CHARACTER_NAMES = {"街", "村", "屯", "镇", "乡"}
_SUFFIX = "|".join(sorted(SUFFIXES, key=len, reverse=True))

# What may not follow a suffix for it to be one: 路灯, 路面, 街道办 is fine, 村民 is
# fine ("横岸村村民" has its place before), 市场监管 is an office, 乡村 a word.
NOT_AFTER = {
    "路": "灯面况费线由人基牌障政网径段",
    "街": "头坊",
    "桥": "梁",
    "市场": "监价",
    "镇": "压定静",
    "乡": "村亲下",
    "村": "庄落级",
}

# Characters that end a name when reading backwards from the suffix: pronouns,
# particles (not 和: 和平路), verbs of speech and motion, and the county and city above the place.
STOP = set(
    "的在是我你他她们了与及到从住于对该这那个条些有没不也都很就把被让给向往请问要望映需本全此各某每位自至离靠近经过"
    "县市省区，。、；：！？"
)

# Names that are words, not places (after the stop characters are cut).
GENERIC = {
    "马路", "道路", "公路", "大路", "小路", "铁路", "水路", "线路", "网路", "出路", "思路", "修路", "走路", "过路",
    "一路", "沿路", "半路", "大街", "小街", "上街", "逛街", "街巷", "小巷", "大桥", "小桥", "农村", "乡村", "山村",
    "新村", "全村", "邻村", "城镇", "乡镇", "集镇", "小镇", "城乡", "下乡", "老家", "家乡", "学校", "小学", "中学",
    "医院", "市场", "广场", "公园", "车站", "大道", "上学", "放学", "出村", "进村", "回村", "本镇", "全镇", "附近小区",
    "老小区", "新小区", "这小区", "两小区",
}  # fmt: skip

_CANDIDATE = re.compile(rf"([\u4e00-\u9fff]{{1,8}}?)({_SUFFIX})")


@dataclass(frozen=True)
class Place:
    name: str
    rank: int
    start: int  # where it starts in the text (for taking it out of the problem's words)
    end: int


# Words that end a name too, when the characters alone may be part of one (建设路, 加油站).
STOP_WORDS = re.compile(
    "建议|增加|反映|投诉|举报|请求|要求|希望|请问|咨询|关于|处理|解决|居住|位于|地处|靠近|前往|通往|附近|门口|"
    "修建|新建|开发|领导|群众|村民|居民|业主|家长|老人|一带|一起|每天|晚上|白天|现在|最近|今年|去年"
)


def _name_part(prefix: str) -> str:
    cut = max((i for i, ch in enumerate(prefix) if ch in STOP), default=-1)
    prefix = prefix[cut + 1 :]
    ends = [m.end() for m in STOP_WORDS.finditer(prefix)]
    if ends:
        prefix = prefix[ends[-1] :]
    # Village, street and estate names run to two or three characters, four at most
    # (小长安, 朝阳北); a longer run is a sentence that happens to end in a suffix.
    return prefix[-4:]


def extract(text: str) -> list[Place]:
    """Place words of a (folded) text, in the order written, each once."""
    found, seen = [], set()
    for match in _CANDIDATE.finditer(text):
        prefix, suffix = match.group(1), match.group(2)
        after = text[match.end() : match.end() + 1]
        if after and after in NOT_AFTER.get(suffix, ""):
            continue
        name = _name_part(prefix)
        if not name:
            continue
        place = name + suffix
        if place in GENERIC or (len(name) < 2 and suffix not in ONE_CHARACTER_NAMES):
            continue
        if name[-1] + suffix in GENERIC:  # 公交线路, 乡间小路: a word at the end of a phrase
            continue
        if place not in seen:
            seen.add(place)
            found.append(Place(place, SUFFIXES[suffix], match.end() - len(place), match.end()))
    return found


def primary(places: list[Place]) -> str:
    """The finest place named, the first of that rank; "" when none."""
    if not places:
        return ""
    best = min(p.rank for p in places)
    return next(p.name for p in places if p.rank == best)


def without_places(text: str, places: list[Place]) -> str:
    """The text with its place words taken out (each replaced by a space), so that
    two messages are compared on their problem, not on a place they share."""
    if not places:
        return text
    names = sorted({p.name for p in places}, key=len, reverse=True)
    return re.sub("|".join(map(re.escape, names)), " ", text)
