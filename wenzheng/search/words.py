"""A query typed without spaces, split into its words when it finds nothing as typed.

A search is exact: a run of characters is a phrase (text.py), so 路灯维修 finds the
messages that say 路灯维修, not one that says 路灯坏了，请尽快维修. Chinese is typed
without spaces, and a person who types 路灯维修 means the two words. So when a search
finds nothing as typed, its long terms are split into words and searched again (every
word must still occur, anywhere in the message), and the page says so
(selectors.typed_or_words).

The words come from jieba (its precise mode: the dictionary's words, and for the
characters it leaves single its guess of a word they make, which keeps a name such
as 张三 whole), on the query alone: the index is never segmented, so a word the
dictionary does not know is never missed, only perhaps not split. A word of four
characters or more that the dictionary's two-character words make up is split into
them too (垃圾清运 → 垃圾 清运), as four-character compounds are mostly two pairs and a
message seldom uses the compound as such. The dictionary (about 350,000 words, 60 MB in a
process) is read on the first split a process makes, in about 0.7 s, and kept (a web
worker reads it before its first request: ops.warm).
"""

import logging
import threading

import jieba

from .text import MAX_TERMS, Query

_lock = threading.Lock()
_tokenizer = None


def load_dictionary() -> None:
    """Read the dictionary now, if this process has not yet (a web worker, before
    its first request: ops.warm)."""
    _jieba()


def _jieba() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)  # it logs each dictionary load to stderr
            tokenizer = jieba.Tokenizer()
            # Read from the dictionary itself, as quickly as jieba's own initialize()
            # reads its cache (0.7 s), which it keeps in the shared temporary folder:
            # a file another user there could write, and this process would load.
            tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
            tokenizer.initialized = True
            _tokenizer = tokenizer
    return _tokenizer


def _in_pairs(word: str, known) -> list[str]:
    """A word of four characters or more as the dictionary's two-character words
    that make it up; the word itself when they do not."""
    if len(word) < 4 or len(word) % 2:
        return [word]
    pairs = [word[i : i + 2] for i in range(0, len(word), 2)]
    return pairs if all(known.get(p) for p in pairs) else [word]


# Characters that say nothing of a message's subject: particles, pronouns and the
# like, which a split leaves standing alone (路灯坏了 → 路灯 坏 了). Beside a word a
# single character must occur too; these would narrow by nothing but chance.
FUNCTION_CHARACTERS = frozenset(
    "的了吗呢吧啊呀哦嘛着过得地和与及或而也都就还又很太在是被把给让向对从于为之其这那个我你他她它们请"
)


def _words(term: str) -> list[str]:
    if len(term) < 3:
        return [term]
    tokenizer = _jieba()
    out = []
    for word in tokenizer.lcut(term, HMM=True):
        if word not in FUNCTION_CHARACTERS:
            out.extend(_in_pairs(word, tokenizer.FREQ))
    return out


def split(query: Query) -> Query | None:
    """`query` with each term of three characters or more split into its words,
    each of which must occur; None when no term splits (or into too many words, or
    into single characters alone, which are not searched)."""
    terms = []
    for term in query.terms:
        for word in _words(term):
            if word not in terms:
                terms.append(word)
    if tuple(terms) == query.terms or len(terms) > MAX_TERMS or all(len(t) == 1 for t in terms):
        return None
    return Query(text=" ".join(terms), terms=tuple(terms), instead_of=query.text)
