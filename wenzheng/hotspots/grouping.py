"""Grouping messages about the same problem in the same place (热点问题): pure
functions over plain values, no database.

1. Each text is folded as the search index folds it (wenzheng.search.text), its place
   words are found (places.py) and taken out, and what is left (the problem) becomes a
   TF-IDF vector of character bigrams; the title is counted twice, being the citizen's
   own summary.
2. Two messages are neighbours when their vectors' cosine similarity reaches
   `threshold` and nothing says they are about different things: both topics set
   (大类) and different.
3. Place keeps groups apart. A message's place key is the finest place its text
   names. Neighbours with the same key are joined (connected components). Messages that name no
   place are joined among themselves when more alike (threshold + WITHOUT_PLACE); such
   a lot then joins a group of a place only when every placed message its members are
   that alike to is in that one place, and none is handled by another township (alike
   messages about two places leave the lot apart: which one it is about cannot be
   told). So a placeless message never chains two places together.
4. A joined group can still be a chain (A like B, B like C, A unlike C): groups are
   split by average-linkage clustering, so each kept group's members are on average
   at least SPLIT × `threshold` alike.

Each group gets a place (its members' most common place word, or township) and a
central member (nearest the group's centroid) whose title names it.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from wenzheng.search.text import RUN, fold

from . import places as place_words

THRESHOLD = 0.15
# A message joins a group by its text alone (no place word, or only its township) only
# when it is this much more alike: with no place to hold them apart, likeness must.
WITHOUT_PLACE = 0.25
# A joined group is split where its parts are on average less alike than this share
# of the threshold: members of one place were joined by a pair at the threshold, and
# a problem told three ways is less alike on average than its closest pair.
SPLIT = 0.6
ROWS_PER_BLOCK = 2000  # rows of the similarity matrix computed at once (memory: a block × all, sparse)


@dataclass(frozen=True)
class Item:
    """A message as grouping sees it."""

    pk: int
    title: str
    body: str
    at: dt.datetime
    unit_id: int | None = None
    township_id: int | None = None  # the unit, when it is a 乡镇
    topic_root_id: int | None = None  # the message's topic's 大类


@dataclass
class Group:
    members: list[int]  # indexes into the items
    place: str = ""  # a place word, or "" (the township, if any, is `township_id`)
    township_id: int | None = None
    central: int = 0  # index of the member nearest the centroid
    terms: list[str] = field(default_factory=list)


# Bigrams of the words every message is written with (asking, thanking, urging):
# a county's own mix weighs them down too (max_df), but a small county, or a quiet
# month, has too few messages for that.
_BOILERPLATE = """
    请问 问一 一下 希望 反映 尽快 有关 关部 部门 问题 解决 可以 怎么 什么 哪个 哪里 应该 我们 你们 他们 领导
    您好 你好 谢谢 感谢 处理 情况 现在 已经 没有 是否 能否 政府 相关 需要 要求 帮助 帮忙 协调 重视 一个 这个
    那个 这里 那里 时候 还是 就是 但是 因为 所以 如果 的话 目前 至今 多次 一直 这样 怎样 如何 及时 给予 答复
"""
BOILERPLATE = set(_BOILERPLATE.split())


def bigrams(folded: str) -> list[str]:
    """The character bigrams of each run of letters and digits (search.text.tokens
    without the runs' last characters, which say little about a problem), less the
    boilerplate."""
    out = []
    for run in RUN.findall(folded):
        out.extend(b for b in (run[i : i + 2] for i in range(len(run) - 1)) if b not in BOILERPLATE)
    return out


class _Union:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _prepared(items: list[Item]):
    """(problem texts, place lists, place keys) of the items."""
    texts, found, keys = [], [], []
    for item in items:
        title, body = fold(item.title), fold(item.body)
        title_places, body_places = place_words.extract(title), place_words.extract(body)
        named = title_places + [p for p in body_places if p.name not in {q.name for q in title_places}]
        problem = " ".join([place_words.without_places(title, named)] * 2 + [place_words.without_places(body, named)])
        texts.append(problem)
        found.append(named)
    # One place written with a word of the sentence before it (增加石榴坪村) is the
    # place written alone elsewhere (石榴坪村): names are taken to their shortest form
    # seen in the batch that they end with.
    names = sorted({p.name for named in found for p in named}, key=len)
    shortest = {}
    for name in names:
        shortest[name] = next((n for n in names if len(n) >= 3 and len(n) < len(name) and name.endswith(n)), name)
    keys = []
    for named in found:
        place = shortest.get(place_words.primary(named), "")
        keys.append(place or None)
    return texts, [{shortest[p.name] for p in named} for named in found], keys


def vectors(texts: list[str]):
    """L2-normalised TF-IDF rows of character bigrams. Bigrams in more than a fifth of
    the texts (反映, 希望, 问题) say nothing about which problem a text is about."""
    vectorizer = TfidfVectorizer(
        analyzer=bigrams, sublinear_tf=True, min_df=2, max_df=0.2 if len(texts) >= 50 else 1.0, dtype=np.float32
    )
    return vectorizer, vectorizer.fit_transform(texts)


def group(items: list[Item], *, threshold: float = THRESHOLD, min_size: int = 2) -> list[Group]:
    """Groups of at least `min_size` items about the same problem in the same place,
    largest first."""
    if len(items) < max(min_size, 2):
        return []
    texts, found, keys = _prepared(items)
    try:
        vectorizer, x = vectors(texts)
    except ValueError:  # no bigram in two texts: nothing alike
        return []
    n = len(items)
    loose = min(threshold + WITHOUT_PLACE, 0.95)
    place_ids = {place: k for k, place in enumerate(sorted({k for k in keys if k is not None}))}
    key = np.array([place_ids[k] if k is not None else -1 for k in keys])
    topic = np.array([item.topic_root_id or 0 for item in items])
    township = np.array([item.township_id or 0 for item in items])
    joins_i, joins_j, near_i, near_j, near_s = [], [], [], [], []
    for start in range(0, n, ROWS_PER_BLOCK):
        block = (x[start : start + ROWS_PER_BLOCK] @ x.T).tocoo()
        keep = block.data >= threshold
        i, j, s = block.row[keep] + start, block.col[keep], block.data[keep]
        # Told apart whatever their likeness: two topics (大类), or two townships
        # (unless they name one place: a place may lie on a township's border).
        apart = ((topic[i] > 0) & (topic[j] > 0) & (topic[i] != topic[j])) | (i == j)
        other_township = (township[i] > 0) & (township[j] > 0) & (township[i] != township[j])
        placeless = key[i] < 0
        same_place = (key[i] >= 0) & (key[i] == key[j]) & ~apart
        both_placeless = placeless & (key[j] < 0) & (s >= loose) & ~apart & ~other_township
        join = same_place | both_placeless
        joins_i.append(i[join])
        joins_j.append(j[join])
        near = placeless & (key[j] >= 0) & (s >= loose) & ~apart & ~other_township
        near_i.append(i[near])
        near_j.append(j[near])
        near_s.append(s[near])
    joins_i, joins_j = np.concatenate(joins_i), np.concatenate(joins_j)
    graph = coo_matrix((np.ones(len(joins_i), dtype=np.int8), (joins_i, joins_j)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    union = _Union(n)  # each component under its first member, then lots joined to places
    first = {}
    for i, c in enumerate(component):
        first.setdefault(int(c), i)
        union.parent[i] = first[int(c)]
    # Placeless messages alike among themselves are one lot; the lot joins the group
    # of a place only when every placed message it is like is in that one place.
    lots: dict[int, list[tuple[float, int, int]]] = {}
    for i, j, s in zip(np.concatenate(near_i), np.concatenate(near_j), np.concatenate(near_s), strict=True):
        lots.setdefault(int(component[i]), []).append((float(s), int(i), int(j)))
    for near in lots.values():
        if len({keys[j] for _, _, j in near}) == 1:
            _, i, j = max(near)
            union.join(i, j)
    joined: dict[int, list[int]] = {}
    for i in range(n):
        joined.setdefault(union.find(i), []).append(i)
    placeless = key < 0
    vocabulary = vectorizer.get_feature_names_out()
    groups = []
    for members in joined.values():
        if len(members) < min_size:
            continue
        groups.extend(
            _described(items, texts, x, vocabulary, found, keys, part)
            for part in _split(x, members, threshold * SPLIT, placeless)
            if len(part) >= min_size
        )
    groups.sort(key=lambda g: (-len(g.members), items[g.members[0]].pk))
    return groups


def _split(x, members: list[int], threshold: float, placeless: np.ndarray) -> list[list[int]]:
    """The members split where they are a chain: average linkage, cut where the
    average similarity between two parts falls under the threshold. A pair with a
    placeless member counts WITHOUT_PLACE less alike, as it did when it was joined."""
    if len(members) < 3:
        return [members]
    rows = x[members]
    distance = 1.0 - (rows @ rows.T).toarray()
    unplaced = placeless[members]
    distance += WITHOUT_PLACE * (unplaced[:, None] | unplaced[None, :])
    np.fill_diagonal(distance, 0.0)
    distance = np.clip(distance, 0.0, 2.0)
    if distance.max() <= 1.0 - threshold:  # every pair alike enough: nothing to split
        return [members]
    labels = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1.0 - threshold
    ).fit_predict(distance)
    parts: dict[int, list[int]] = {}
    for member, label in zip(members, labels, strict=True):
        parts.setdefault(int(label), []).append(member)
    return list(parts.values())


def _described(items, texts, x, vocabulary, found, keys, members: list[int]) -> Group:
    rows = x[members]
    centroid = np.asarray(rows.mean(axis=0)).ravel()
    central = members[int(np.argmax(rows @ centroid))]
    named = Counter(name for i in members for name in found[i])
    place_keys = Counter(keys[i] for i in members if keys[i] is not None)
    place = place_keys.most_common(1)[0][0] if place_keys else (named.most_common(1)[0][0] if named else "")
    townships = Counter(items[i].township_id for i in members if items[i].township_id)
    # Words, not numbers: a house number or what a mask left of a phone (139****1122)
    # says nothing of the problem.
    weighty = (str(vocabulary[k]) for k in np.argsort(centroid)[::-1] if centroid[k] > 0)
    top = list(islice((w for w in weighty if not any(ch.isdigit() for ch in w)), 8))
    terms = _phrases(top, [texts[i] for i in members])[:4]
    return Group(
        members=sorted(members, key=lambda i: items[i].at),
        place=place,
        township_id=townships.most_common(1)[0][0] if townships else None,
        central=central,
        terms=terms,
    )


def _phrases(bigrams: list[str], texts: list[str]) -> list[str]:
    """The top bigrams joined where they overlap into what the members wrote (臭气 ·
    气熏 · 熏天 → 臭气熏天, four characters at most), most weighty first."""
    phrases = list(bigrams)
    joined = True
    while joined:
        joined = False
        for a in phrases:
            for b in phrases:
                if a is not b and a[-1] == b[0] and len(a) + len(b) <= 5 and any(a + b[1:] in t for t in texts):
                    phrases[phrases.index(a)] = a + b[1:]
                    phrases.remove(b)
                    joined = True
                    break
            if joined:
                break
    return [p for n, p in enumerate(phrases) if not any(p in q for q in phrases[:n] + phrases[n + 1 :])]
