"""Choosing the routing model's features on one labelled file, then measuring the choice
once on another (智能分拨, issue 15).

    .venv/bin/python bench/routing_variants.py choose                # file 1 only
    .venv/bin/python bench/routing_variants.py report VARIANT        # the held-out figures

The protocol, written before any variant was run:

1. `choose` reads `bench/data/routing_handwritten.csv` (file 1, 140 messages) and
   nothing else. Every variant below is scored there by 5-fold stratified CV repeated
   over five shuffles (random_state 0-4: 25 fits; one shuffle of 140 messages moves
   macro-F1 by ±0.02), the shipped tree's names learnt in every fold's training as
   `train_router --from-csv` does. The shuffle-0 figure is printed too (it is the one
   `train_router --cv 5` prints).
2. The rule: the variant with the best mean macro-F1 over the 25 fits; but the current
   model stays unless a variant beats it by at least 0.01, and a variant that needs the
   segmenter (a new dependency) is chosen over one without only if it beats the best
   without by at least 0.01.
3. `report VARIANT` is then run once for the chosen variant beside the current model:
   5-fold CV on file 2 (350 messages) and on both files (490), shuffle 0 and the mean
   over shuffles 0-4, and trained on file 1 whole (with the tree's names) and tested on
   file 2 whole (a transfer between two writers).

`third` measures the adopted model (`char12-unbal`, what router.py does on balanced
files) on the third file (`routing_handwritten_3.csv`, written and committed before it
was first measured), on all three files, and trained on files 1+2, tested on file 3:
a measurement only, nothing is chosen by it.

The word variants need jieba, which is not installed by the requirements (it lost,
and neither the product nor the suite uses it): `pip install jieba==0.42.1` before
`choose` (its dictionary ships inside its package, nothing is fetched).
"""

import argparse
import csv
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzheng.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.pipeline import FeatureUnion  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from wenzheng.topics import catalogue  # noqa: E402
from wenzheng.topics import router as model  # noqa: E402

DATA = Path(__file__).parent / "data"
FILE_1 = DATA / "routing_handwritten.csv"
FILE_2 = DATA / "routing_handwritten_2.csv"
FILE_3 = DATA / "routing_handwritten_3.csv"
SHUFFLES = range(5)


def words(text: str) -> list[str]:
    import jieba

    return [w for w in jieba.lcut(text) if any(ch.isalnum() for ch in w)]


def char(ngrams=(1, 2), analyzer="char"):
    return TfidfVectorizer(
        analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, dtype=np.float32, preprocessor=model.prepare
    )


def word(ngrams=(1, 1)):
    return TfidfVectorizer(
        tokenizer=words,
        token_pattern=None,
        lowercase=False,
        ngram_range=ngrams,
        sublinear_tf=True,
        dtype=np.float32,
        preprocessor=model.prepare,
    )


def svm(c=0.5, balanced=True):
    return LinearSVC(C=c, class_weight="balanced" if balanced else None)


# name: (what it is, features, classifier, needs the segmenter)
VARIANTS = {
    "current": ("char 1-2, C 0.5, balanced (router.py before this choice)", lambda: char(), lambda: svm(), False),
    "char13": ("char 1-3", lambda: char((1, 3)), lambda: svm(), False),
    "charwb12": ("char_wb 1-2", lambda: char(analyzer="char_wb"), lambda: svm(), False),
    "char12-C0.1": ("char 1-2, C 0.1", lambda: char(), lambda: svm(0.1), False),
    "char12-C2": ("char 1-2, C 2", lambda: char(), lambda: svm(2.0), False),
    "char12-unbal": ("char 1-2, no class weights", lambda: char(), lambda: svm(balanced=False), False),
    "word1": ("jieba words 1", lambda: word(), lambda: svm(), True),
    "word12": ("jieba words 1-2", lambda: word((1, 2)), lambda: svm(), True),
    "char12+word1": (
        "char 1-2 + jieba words 1 (FeatureUnion)",
        lambda: FeatureUnion([("char", char()), ("word", word())]),
        lambda: svm(),
        True,
    ),
    "char13+word1": (
        "char 1-3 + jieba words 1",
        lambda: FeatureUnion([("char", char((1, 3))), ("word", word())]),
        lambda: svm(),
        True,
    ),
    "char12+word1-C0.1": (
        "char 1-2 + jieba words 1, C 0.1",
        lambda: FeatureUnion([("char", char()), ("word", word())]),
        lambda: svm(0.1),
        True,
    ),
    "char12+word1-C2": (
        "char 1-2 + jieba words 1, C 2",
        lambda: FeatureUnion([("char", char()), ("word", word())]),
        lambda: svm(2.0),
        True,
    ),
}


def read(path: Path):
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    return [r["留言内容"] for r in rows], [r["一级分类"] for r in rows]


def fit_predict(variant, train_texts, train_labels, test_texts, seeds):
    _, features, classifier, _ = VARIANTS[variant]
    texts, labels = model.seeded(train_texts, train_labels, seeds)
    vec = features()
    clf = classifier().fit(vec.fit_transform(texts), np.array(labels))
    return clf.predict(vec.transform(test_texts))


def macro_f1(truth, predicted) -> float:
    return float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0))


def cv(variant, texts, labels, shuffle: int) -> float:
    y = np.array(labels)
    seeds = model.seeds(labels, catalogue.default_tree())
    predicted = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=shuffle).split(texts, y):
        predicted[test] = fit_predict(
            variant, [texts[i] for i in train], [labels[i] for i in train], [texts[i] for i in test], seeds
        )
    return macro_f1(labels, predicted)


def repeated(variant, texts, labels) -> tuple[float, float, float, float]:
    scores = [cv(variant, texts, labels, s) for s in SHUFFLES]
    return scores[0], statistics.mean(scores), min(scores), max(scores)


def choose():
    texts, labels = read(FILE_1)
    print(f"{FILE_1.name}: {len(texts)} messages; 5-fold CV, shuffles {SHUFFLES.start}-{SHUFFLES.stop - 1}")
    print(f"{'variant':<20} {'shuffle 0':>9} {'mean':>6} {'range':>13}  what")
    results = {}
    for name, (what, *_) in VARIANTS.items():
        first, mean, low, high = repeated(name, texts, labels)
        results[name] = mean
        print(f"{name:<20} {first:9.3f} {mean:6.3f} {low:.3f}-{high:.3f}  {what}", flush=True)
    best = max(results, key=results.get)
    plain = max((n for n in results if not VARIANTS[n][3]), key=results.get)
    chosen = best
    if VARIANTS[best][3] and results[best] < results[plain] + 0.01:
        chosen = plain
    if results[chosen] < results["current"] + 0.01:
        chosen = "current"
    print(f"best {best} ({results[best]:.3f}); best without the segmenter {plain} ({results[plain]:.3f})")
    print(f"chosen by the rule: {chosen}")


def report(variant):
    one, two = read(FILE_1), read(FILE_2)
    both = (one[0] + two[0], one[1] + two[1])
    for name in ("current", variant):
        print(f"{name}: {VARIANTS[name][0]}")
        for what, (texts, labels) in (("file 2 (350)", two), ("both files (490)", both)):
            first, mean, low, high = repeated(name, texts, labels)
            print(f"  {what:<18} 5-fold CV: shuffle 0 {first:.3f}; shuffles 0-4 mean {mean:.3f} ({low:.3f}-{high:.3f})")
        seeds = model.seeds(one[1], catalogue.default_tree())
        predicted = fit_predict(name, one[0], one[1], two[0], seeds)
        accuracy = float((np.array(predicted) == np.array(two[1])).mean())
        score = macro_f1(two[1], predicted)
        print(f"  trained on file 1, tested on file 2: macro-F1 {score:.3f}, accuracy {accuracy:.3f}")


def third(variant="char12-unbal"):
    one, two, three = read(FILE_1), read(FILE_2), read(FILE_3)
    earlier = (one[0] + two[0], one[1] + two[1])
    every = (earlier[0] + three[0], earlier[1] + three[1])
    print(f"{variant}: {VARIANTS[variant][0]}")
    for what, (texts, labels) in (("file 3 (350)", three), (f"all three files ({len(every[0])})", every)):
        first, mean, low, high = repeated(variant, texts, labels)
        print(f"  {what:<22} 5-fold CV: shuffle 0 {first:.3f}; shuffles 0-4 mean {mean:.3f} ({low:.3f}-{high:.3f})")
    seeds = model.seeds(earlier[1], catalogue.default_tree())
    predicted = fit_predict(variant, earlier[0], earlier[1], three[0], seeds)
    accuracy = float((np.array(predicted) == np.array(three[1])).mean())
    score = macro_f1(three[1], predicted)
    print(f"  trained on files 1+2, tested on file 3: macro-F1 {score:.3f}, accuracy {accuracy:.3f}")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("choose")
    sub.add_parser("report").add_argument("variant", choices=sorted(VARIANTS))
    sub.add_parser("third")
    args = parser.parse_args()
    if args.command == "third":
        return third()  # character n-grams only: no segmenter needed
    try:
        import jieba
    except ImportError:
        parser.exit(2, "bench/routing_variants.py: the word variants need jieba: pip install jieba==0.42.1\n")
    jieba.setLogLevel(60)  # not its "building prefix dict" chatter
    if args.command == "choose":
        choose()
    else:
        report(args.variant)


if __name__ == "__main__":
    main()
