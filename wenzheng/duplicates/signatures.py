"""What makes two messages the same one written twice (并单): pure functions, no database.

A message's text (title and body) is folded as search folds it (wenzheng.search.text:
full-width to plain, upper to lower case, traditional to simplified), and cut into its
character bigrams, the shingles: "路灯不亮" is 路灯 · 灯不 · 不亮. Two texts are as similar
as the Jaccard index of their shingle sets (shared / all), from 0 to 1.

Finding the similar ones among a million without comparing with each goes through
MinHash locality-sensitive hashing: each text gets NUM_HASHES minimum hash values,
grouped into BANDS bands of ROWS values, and each band is hashed into one 64-bit key
stored in the database (wenzheng.duplicates.models.Key, indexed). Two texts share a
band key with probability 1 − (1 − s^ROWS)^BANDS for a Jaccard index s: 0.996 at 0.5,
0.97 at 0.4, 0.18 at 0.1 and 0.05 at 0.05, so near-duplicates meet and unrelated texts
seldom do; every candidate met is then measured exactly (the SQL keeps the
CANDIDATE_LIMIT sharing most bands). The same citizen (account or phone
number) is found through keys of its own, whatever the text.

"About the same place" is read from the place names the texts hold (…路, …村, …小区):
texts that each name a place the other does not are about different places and never
a duplicate, however alike their wording ("城南路路灯不亮" is not "城北路路灯不亮").
"""

import re
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from wenzheng.search.text import RUN, fold

BANDS = 20
ROWS = 2
NUM_HASHES = BANDS * ROWS

# Flag a message when an open one is at least this similar (near-identical text), or
# at least SAME_CITIZEN_THRESHOLD for the same citizen, who rewords more when writing
# again about the same thing. Measured on bench/duplicates.py's near-duplicates.
THRESHOLD = 0.4
SAME_CITIZEN_THRESHOLD = 0.3
MAX_CANDIDATES = 5  # shown per flag, most similar first

# A place name: a few characters before a place word. Only the last two characters of
# the name are kept (the regex cannot tell where a name starts: "住在东门路" and "东门路"
# are the same 东门路).
# A name holds no function word ("中段的路灯" names no 的路, "大部分村屯" no 部分村), and
# 路灯, 路面, 村民, 公路, 马路, 线路 are no place names.
NAME = r"[^\W\d_的了是在我们你他她它这那有和与及也就都很请被从到向对于给让吗呢吧啊一个条段边里附近部分各每全]"
PLACE = re.compile(
    rf"({NAME}{{2}})((?<![公马线道网电水铁])路(?![灯面况段边上过线])|街(?!道办)|巷|大道|村(?![民委])|屯|镇(?!政府)"
    r"|乡(?!政府)|社区|小区|花园|新村|公寓|大厦|市场|广场|公园|医院|卫生院|小学|中学|学校|大桥)"
)
PLACE_NUMBER = re.compile(r"([0-9]+)(号楼|栋|号院|单元|组)")


# Characters every message is full of ("我们希望尽快…的…了"): a bigram holding one says
# nothing of what the message is about, and would make unrelated messages look alike.
COMMON = frozenset("的了是在我们你他她它这那有和与及也就都很请把被从到向对于给让吗呢吧啊呀么个已经希望反映问题相关部门")


def shingles(title: str, body: str) -> frozenset[str]:
    """The character bigrams of the folded text (no bigram spans punctuation or space,
    none holds a COMMON character)."""
    out = set()
    for run in RUN.findall(fold(f"{title}\n{body}")):
        out.update(run[i : i + 2] for i in range(len(run) - 1) if run[i] not in COMMON and run[i + 1] not in COMMON)
    return frozenset(out)


def places(title: str, body: str) -> frozenset[str]:
    """The place names the text holds, folded, each as its last two characters and its
    place word (东门路, 3号楼)."""
    text = fold(f"{title}\n{body}")
    found = {a + b for a, b in PLACE.findall(text)}
    found |= {a + b for a, b in PLACE_NUMBER.findall(text)}
    return frozenset(found)


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@cache
def _parameters():
    # Fixed: the keys in the database were made with them (changing them means
    # `manage.py rebuild_duplicate_index`).
    rng = np.random.default_rng(20261130)
    a = rng.integers(1, 2**63, size=NUM_HASHES, dtype=np.uint64) | np.uint64(1)  # odd multipliers
    b = rng.integers(0, 2**63, size=NUM_HASHES, dtype=np.uint64)
    mix = rng.integers(1, 2**63, size=ROWS + 1, dtype=np.uint64) | np.uint64(1)
    return a, b, mix


def minhash(items: frozenset[str]) -> np.ndarray | None:
    """NUM_HASHES minimum hash values (multiply-add-shift hashing of each shingle's
    CRC-32), or None for a text with no shingle."""
    if not items:
        return None
    a, b, _ = _parameters()
    x = np.fromiter((zlib.crc32(s.encode()) for s in items), dtype=np.uint64, count=len(items))
    with np.errstate(over="ignore"):  # arithmetic modulo 2^64 is the point
        values = (np.outer(x, a) + b) >> np.uint64(32)
    return values.min(axis=0)


def _to_signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def band_keys(signature: np.ndarray | None) -> list[int]:
    """One signed 64-bit key per band (the band's number mixed in, so equal values in
    two different bands never meet)."""
    if signature is None:
        return []
    _, _, mix = _parameters()
    rows = signature.reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        keyed = (rows * mix[:ROWS]).sum(axis=1, dtype=np.uint64) ^ (np.arange(BANDS, dtype=np.uint64) * mix[ROWS])
        keyed = keyed * np.uint64(0x9E3779B97F4A7C15)
    return [_to_signed(int(k)) for k in keyed]


def identity_key(kind: str, value) -> int:
    """The key that makes all messages of one account ("account") or one phone number
    ("phone") meet: a 64-bit hash of kind and value."""
    digest = zlib.crc32(f"{kind}:{value}".encode()) << 32 | zlib.adler32(f"{value}:{kind}".encode())
    return _to_signed(digest)


@dataclass(frozen=True)
class Text:
    """What the comparison needs of one message."""

    shingles: frozenset
    places: frozenset

    @classmethod
    def of(cls, title: str, body: str) -> "Text":
        return cls(shingles(title, body), places(title, body))


def keys(title: str, body: str, *, citizen_id=None, phone="") -> list[int]:
    """Every index key of a message: its text's bands and its citizen's identities."""
    out = band_keys(minhash(shingles(title, body)))
    if citizen_id is not None:
        out.append(identity_key("account", citizen_id))
    if phone:
        out.append(identity_key("phone", phone))
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Verdict:
    similarity: float
    same_citizen: bool
    other_place: bool

    @property
    def duplicate(self) -> bool:
        """Whether to flag: the same place (or no place named on one side) and a text
        alike enough, by the lower bar for the same citizen."""
        if self.other_place:
            return False
        bar = SAME_CITIZEN_THRESHOLD if self.same_citizen else THRESHOLD
        return self.similarity >= bar


def compare(new: Text, old: Text, *, same_citizen: bool) -> Verdict:
    # Another place: each text names a place the other does not ("城西大道与环城路" is not
    # "新城大道与环城路"). One naming more than the other (城南路, 城南路县医院) is the same.
    other_place = bool(new.places - old.places and old.places - new.places)
    return Verdict(round(jaccard(new.shingles, old.shingles), 3), same_citizen, other_place)
