"""Chinese text as the search index sees it: pure functions, no database.

Chinese has no spaces between words, and no dictionary segments a county's place
names, 低保 or 拆迁 reliably, so the index keeps every pair of neighbouring characters
(a bigram) instead of words: "路灯不亮" is 路灯 · 灯不 · 不亮. A query of two or more
characters is then a phrase of its bigrams, which matches exactly where the text
holds the query. The last character of each run is kept as a token of its own,
which keeps two runs apart, so "路灯。灯亮" never matches 路灯亮.

A single character alone is not searched: it is in a third of a city's messages
(路: 227,676 of a million, 744 ms for a page on SQLite, reading every bigram that
begins with it). A query of single characters alone is refused with a hint
("请至少输入两个相连的字"); beside a term of two or more characters ("路灯 坏"), a
single character narrows what the longer terms found: on SQLite checked on their
texts, on PostgreSQL asked of the word index with them, as each document's grams
hold its every character too (engines.token_set).

Text and queries are folded the same way first, character by character: full-width
and compatibility forms (ＡＢＣ１２３, ①) to plain ones (NFKC), upper case to lower,
and traditional characters to simplified (OpenCC's character table, from
opencc-purepy). Because the folding maps each character on its own, a text that
contains the query still contains it after folding: the index never misses a
message that holds what was typed, in either script. (Phrase-level conversion, as
OpenCC does for whole sentences, would not keep that promise: it may convert a
character one way inside a word and another way alone.)
"""

import html
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext

from wenzheng.lib import text as text_rules

# A run of characters that make words: letters (Chinese characters are letters to
# Unicode) and digits. Everything else (spaces, punctuation, symbols) separates runs.
RUN = re.compile(r"[^\W_]+")

# China's country code before a phone number, which the texts and contact fields
# hold without it (a mobile number as its 11 digits): +86, 0086, or 86 joined to a
# whole mobile number. Taken out of a query, so +86 138 4635 4811 finds 13846354811.
COUNTRY_CODE = re.compile(r"\+\s*(?:00)?86[\s-]*(?=\d)|(?<!\d)0086[\s-]*(?=\d)|(?<!\d)86[\s-]*(?=1[3-9]\d{9}(?!\d))")

QUOTES = "\"'“”‘’「」『』《》〈〉"

MAX_QUERY_CHARS = 100
MAX_TERMS = 10
# Said once, whatever shows it: a page that names the box before its messages
# ("搜索：") showed "搜索：搜索不能超过…" with the form's own wording.
TOO_LONG = "搜索词不能超过%(limit_value)d个字（现有%(show_value)d个字）。"


class _Folding(dict):
    """The folding of each character, worked out once per character and kept: for
    str.translate, which looks every character up here (in C for those seen before)."""

    def __missing__(self, code: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(code)).lower()
        simplified = text_rules.traditional_to_simplified()
        out = "".join(simplified.get(c, c) for c in folded)
        self[code] = out
        return out


_FOLDING = _Folding()


def fold(text: str) -> str:
    """The text as it is indexed and searched: NFKC, lower case, simplified."""
    return text.translate(_FOLDING)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """`fold(text)`, and for each character of the result the index of the character
    of `text` it came from (for highlighting matches in the original)."""
    parts, offsets = [], []
    for i, ch in enumerate(text):
        out = _FOLDING[ord(ch)]
        parts.append(out)
        offsets.extend([i] * len(out))
    return "".join(parts), offsets


def tokens(folded: str) -> list[str]:
    """The index's tokens for a folded text, in order: each run's bigrams, then its
    last character."""
    out = []
    for run in RUN.findall(folded):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


def token_text(folded: str) -> str:
    """The tokens separated by spaces: what the SQLite index is given to split."""
    return " ".join(tokens(folded))


# --- queries ------------------------------------------------------------------------


class BadQuery(ValueError):
    """A query that cannot be searched, with a reason for the person who typed it."""


@dataclass(frozen=True)
class Query:
    """What was typed, as terms that must all occur (each a folded run of characters
    that must occur as written). A query split into words after it found nothing as
    typed (words.split) keeps what was typed in `instead_of`."""

    text: str
    terms: tuple[str, ...]
    instead_of: str | None = None
    # The words tried when neither the query as typed nor its words found anything
    # (quoted, for the page to say so), else None.
    words_tried: str | None = None

    @property
    def quoted(self) -> str:
        """The terms each in quotes, for a sentence: “路灯”“维修”."""
        return "".join(f"“{t}”" for t in self.terms)

    @property
    def containing(self) -> str:
        """What the results hold, for a sentence: 含有“路灯不亮”, or for several
        terms 同时含有“路灯”“维修” (含有“路灯 维修” reads as one phrase). One term
        as typed (路燈) if that is all that was typed; the term searched if more was
        and left out (路灯😀, +86 138…: an emoji or a country code is not searched)."""
        if len(self.terms) > 1:
            return gettext("同时含有%(words)s") % {"words": self.quoted}
        shown = self.text if fold(self.text) == self.terms[0] else self.terms[0]
        return gettext("含有“%(text)s”") % {"text": shown}

    @property
    def indexed(self) -> list[str]:
        """The terms the word index finds: those of two characters or more (parse
        makes sure there is one)."""
        return [t for t in self.terms if len(t) > 1]

    @property
    def characters(self) -> list[str]:
        """The single characters, checked on the texts of what the others found."""
        return [t for t in self.terms if len(t) == 1]

    @property
    def phrases(self) -> list[list[str]]:
        """Each indexed term as the bigrams that must follow each other."""
        return [[t[i : i + 2] for i in range(len(t) - 1)] for t in self.indexed]


def parse(text: str) -> Query | None:
    """The query in a search box: words separated by spaces (or punctuation), all of
    which must occur. None when nothing was typed; BadQuery when nothing searchable
    was, or too much."""
    # A control character pasted inside a word ("路\x07灯") would split it in two; the
    # texts searched had such characters taken out when they were written (lib.text).
    # So would an invisible format character (a zero-width space, a soft hyphen, a
    # byte order mark: Unicode's Cf) that the reader of the query never saw.
    text = text_rules.visible(text or "").strip()
    # Quotes around the whole query (“路灯维修”) are punctuation to the search, and the
    # page quotes what was typed itself.
    text = text.strip(QUOTES).strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise BadQuery(TOO_LONG % {"limit_value": MAX_QUERY_CHARS, "show_value": len(text)})
    terms = []
    for run in RUN.findall(COUNTRY_CODE.sub(" ", fold(text))):
        if run not in terms:
            terms.append(run)
    if not terms:
        raise BadQuery("请输入要搜索的字词（汉字、字母或数字）。")
    if len(terms) > MAX_TERMS:
        raise BadQuery(f"搜索词最多{MAX_TERMS}个，请精简后再搜。")
    if all(len(t) == 1 for t in terms):
        raise BadQuery("请至少输入两个相连的字，如“路灯”；单个的字只能和这样的词一起搜索，如“路灯 坏”。")
    return Query(text=text, terms=tuple(terms))


# --- highlighting -------------------------------------------------------------------


def _spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's terms occur in `text` (original character positions),
    merged where they overlap."""
    folded, offsets = fold_with_offsets(text)
    spans = []
    for term in query.terms:
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = folded.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans) -> str:
    out, at = [], 0
    for start, end in spans:
        out.append(html.escape(text[at:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


def highlight(text: str, query: Query | None) -> str:
    """The whole text, HTML-escaped, with each match in <mark>."""
    if query is None:
        return html.escape(text)
    return _marked(text, _spans(text, query))


def excerpt(text: str, query: Query | None, *, width: int = 90) -> str:
    """About `width` characters of the text around its first match, escaped, with the
    matches marked and ellipses where it was cut; the opening when nothing matches."""
    text = " ".join(text.split())
    spans = _spans(text, query) if query is not None else []
    if not spans:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    first = spans[0][0]
    start = max(0, min(first - width // 3, len(text) - width))
    end = min(len(text), start + width)
    inside = [(max(s, start) - start, min(e, end) - start) for s, e in spans if e > start and s < end]
    body = _marked(text[start:end], inside)
    return ("…" if start else "") + body + ("…" if end < len(text) else "")
