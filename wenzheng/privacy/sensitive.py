"""Matching a county's sensitive-word list (敏感词) over long texts, and marking what
was found for the reviewer.

The words go into an Aho-Corasick automaton (pyahocorasick, in C), which finds every
occurrence of every word in one pass over the text, however many words there are:
a 5,000-character message against a list of thousands of words takes well under a
millisecond (bench/sensitive_words.py). Text and words are compared folded
(full-width to ASCII, lower case) and with spaces and punctuation left out, so that
"法 轮-功" or "ＡＢＣ" written to slip past a filter are still found; each find is
mapped back to its place in the original text.
"""

import itertools
import threading
from dataclasses import dataclass

import ahocorasick
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .masking import fold

# A starting list the office may add with one click and then edit: abuse, threats of
# harm, calls to gather, advertising, and words that usually mean an accusation that
# needs care before it is public. A hit asks for a closer look; it blocks nothing.
# Words that ordinary requests use (办证, 贷款, 上访) are left out on purpose.
DEFAULT_WORDS = (
    "傻逼", "他妈的", "狗官", "畜生", "去死", "杀了你", "炸死", "同归于尽", "跳楼", "自杀", "轻生", "喝农药",
    "集体上访", "静坐", "围堵政府", "拉横幅", "代开发票", "办假证", "刷单", "无抵押贷款", "高利贷", "加微信",
    "黑社会", "保护伞", "行贿", "受贿", "吃拿卡要",
)  # fmt: skip


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    word: str


def _significant(ch: str) -> bool:
    return ch.isalnum()


def compact(text: str) -> tuple[str, list[int]]:
    """The text folded, lower-cased and without spaces or punctuation, with the
    position in the original of each character kept."""
    chars, where = [], []
    for i, ch in enumerate(fold(text).lower()):
        if _significant(ch):
            chars.append(ch)
            where.append(i)
    return "".join(chars), where


class WordList:
    def __init__(self, words):
        self.words = sorted({w.strip() for w in words if w and w.strip()})
        self._automaton = None
        keys = {}
        for word in self.words:
            key, _ = compact(word)
            if key:
                keys.setdefault(key, word)
        if keys:
            automaton = ahocorasick.Automaton()
            for key, word in keys.items():
                automaton.add_word(key, (len(key), word))
            automaton.make_automaton()
            self._automaton = automaton

    def __bool__(self):
        return self._automaton is not None

    def find(self, text: str) -> list[Hit]:
        """Every occurrence of every word, in order of where it starts."""
        if not text or self._automaton is None:
            return []
        key, where = compact(text)
        hits = []
        for end, (length, word) in self._automaton.iter(key):
            start = end - length + 1
            hits.append(Hit(where[start], where[end] + 1, word))
        return sorted(hits, key=lambda h: (h.start, -h.end))


# One automaton per county, rebuilt when its list changes (the stamp says when).
_cache: dict[int, tuple[tuple, WordList]] = {}
_lock = threading.Lock()


def for_region(region) -> WordList:
    from django.db.models import Count, Max

    from .models import SensitiveWord

    # Words are only added and removed, never edited: their count, the newest id and
    # the newest time change with every change (the time also tells apart an id reused
    # after a rolled-back insert).
    found = SensitiveWord.objects.filter(region=region)
    stamp = tuple(found.aggregate(n=Count("pk"), last=Max("pk"), at=Max("added_at")).values())
    cached = _cache.get(region.pk)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    words = WordList(SensitiveWord.objects.filter(region=region).values_list("word", flat=True))
    with _lock:
        _cache[region.pk] = (stamp, words)
    return words


def highlight(text: str, marks) -> SafeString:
    """The text, HTML-escaped, with each (start, end, css class) marked; marks may
    overlap (a sensitive word inside a phone number), and a stretch covered by
    several carries all their classes."""
    if not text:
        return mark_safe("")
    marks = [m for m in marks if m[0] < m[1]]
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for a, b in itertools.pairwise(cuts):
        classes = sorted({c for s, e, c in marks if s <= a and b <= e})
        piece = escape(text[a:b])
        out.append(f'<mark class="{" ".join(classes)}">{piece}</mark>' if classes else piece)
    return mark_safe("".join(out))  # noqa: S308 (every piece of text is escaped above)
