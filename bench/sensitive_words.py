"""Benchmark: matching a sensitive-word list over long texts.

    .venv/bin/python bench/sensitive_words.py [--words 2000] [--texts 200] [--length 20000]

Builds a list of `--words` words (the default list, then made-up two- to
four-character words from the common characters of the demo's messages) and
`--texts` texts of `--length` characters (the demo's messages run together, with a
few list words planted), then times, in the same run, the county's matcher
(`wenzheng.privacy.sensitive.WordList`: pyahocorasick over the folded, compacted
text, hits mapped back to their places) against the plain way (`str.find` for every
word in a loop over the list) on the same texts, and checks that both find the same
words. Target: a 20,000-character text against thousands of words in a few
milliseconds, so that the review page highlights without a wait.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")

import django

django.setup()

from wenzheng.privacy import corpus, sensitive  # noqa: E402
from wenzheng.privacy.sensitive import WordList, compact  # noqa: E402


def plain_find(words, text):
    """Every word's occurrences by str.find on the same compacted text: the baseline."""
    key, _ = compact(text)
    found = set()
    for word in words:
        w, _ = compact(word)
        if w and key.find(w) >= 0:
            found.add(word)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--length", type=int, default=20000)
    options = parser.parse_args()
    rng = random.Random(9)
    contexts = corpus.Generator(1).contexts
    alphabet = sorted({ch for text in contexts for ch in text if "\u4e00" <= ch <= "\u9fff"})
    words = list(sensitive.DEFAULT_WORDS)
    while len(words) < options.words:
        # Made-up words of three or four characters: two random common characters
        # would be found everywhere, which no real list does.
        words.append("".join(rng.choice(alphabet) for _ in range(rng.randint(3, 4))))
    texts = []
    for _ in range(options.texts):
        parts, size = [], 0
        while size < options.length:
            part = rng.choice(contexts)
            if rng.random() < 0.02:
                part += rng.choice(sensitive.DEFAULT_WORDS)
            parts.append(part)
            size += len(part)
        texts.append("".join(parts)[: options.length])

    started = time.perf_counter()
    matcher = WordList(words)
    build = time.perf_counter() - started
    fast, slow, found = [], [], []
    for text in texts:
        started = time.perf_counter()
        hits = matcher.find(text)
        fast.append(time.perf_counter() - started)
        found.append(len(hits))
        hits = {h.word for h in hits}
        started = time.perf_counter()
        expected = plain_find(matcher.words, text)
        slow.append(time.perf_counter() - started)
        assert hits == expected, hits ^ expected
    f, s = statistics.median(fast), statistics.median(slow)
    print(
        f"{len(matcher.words)} words (automaton built in {build * 1000:.1f} ms), "
        f"{len(texts)} texts of {options.length} characters"
    )
    print(f"Aho-Corasick (WordList.find): median {f * 1000:.2f} ms a text, slowest {max(fast) * 1000:.2f} ms")
    print(f"str.find for every word:      median {s * 1000:.2f} ms a text, slowest {max(slow) * 1000:.2f} ms")
    print(f"speed-up {s / f:.1f}×; both found the same words in every text ({statistics.mean(found):.0f} hits a text)")


if __name__ == "__main__":
    main()
