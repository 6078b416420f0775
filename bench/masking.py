"""Benchmark: how well the masking finds personal data, and how fast.

    .venv/bin/python bench/masking.py [--personal 20000] [--clean 8000] [--seed 2026]

Generates the corpus of wenzheng/privacy/corpus.py (personal data of every kind
inside the demo county's real-sounding messages and replies; clean sentences full of
dates, serials, money, article numbers and the county's published hotlines) and
masks it with `Masker`, the function every public surface uses. Prints recall (the
share of personal samples none of whose secrets survive) and the false-positive
rate (the share of clean sentences changed at all), overall and by kind, with the
first misses; and the time per text against a bare pass over the same texts
(`str.translate` of the folding alone) in the same run. Targets: recall ≥ 99.5%,
false positives ≤ 0.5% (the test suite fails below them on 6,000 + 2,500 samples).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")

import django

django.setup()

from wenzheng.privacy import corpus  # noqa: E402
from wenzheng.privacy.masking import Masker, fold  # noqa: E402


def timed(function, texts, repeat=3):
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            function(text)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--personal", type=int, default=20000)
    parser.add_argument("--clean", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--show", type=int, default=5, help="misses and false positives to print")
    options = parser.parse_args()
    personal, clean = corpus.generate(personal=options.personal, clean=options.clean, seed=options.seed)
    masker = Masker(corpus.ALLOWED)
    figures = corpus.measure(masker.mask, personal, clean)
    print(f"corpus: {len(personal)} personal samples, {len(clean)} clean sentences (seed {options.seed})")
    print(f"recall: {figures.recall:.2%} ({len(figures.missed)} missed)   target ≥ 99.5%")
    print(f"false positives: {figures.false_positive_rate:.2%} ({len(figures.changed)} changed)   target ≤ 0.5%")
    print("by kind (samples, missed):")
    for kind, (n, missed) in figures.by_kind(personal).items():
        print(f"  {kind:18} {n:6}  {missed:4}  recall {1 - missed / n:.2%}")
    for sample, masked in figures.missed[: options.show]:
        print(f"  missed {sample.kind}: {sample.text} → {masked}")
    for sample, masked in figures.changed[: options.show]:
        print(f"  changed: {sample.text} → {masked}")
    texts = [s.text for s in personal + clean]
    chars = sum(len(t) for t in texts)
    bare = timed(fold, texts)
    full = timed(masker.mask, texts)
    print(
        f"speed: {len(texts)} texts, {chars / len(texts):.0f} characters on average: "
        f"masking {full / len(texts) * 1e6:.0f} µs a text ({chars / full / 1e6:.2f} M characters/s); "
        f"the folding alone {bare / len(texts) * 1e6:.1f} µs; ratio {full / bare:.0f}×"
    )
    long_text = "".join(texts[:400])[:20000]
    one = timed(masker.mask, [long_text], repeat=5)
    print(f"one 20,000-character text: {one * 1000:.1f} ms")


if __name__ == "__main__":
    main()
