"""Benchmark: the routing model (智能分拨): training time, time per suggestion, and
macro-F1 by cross-validation on a labelled file.

    OMP_NUM_THREADS=1 .venv/bin/python bench/routing.py [--messages 100000] [--single 2000]
        [--csv bench/data/routing_handwritten.csv --text-col 留言内容 --label-col 一级分类]

Timing data: N messages made from the demo county's text templates (32 subjects,
their units and categories, slots filled at random, so texts vary in length and
detail), with topic, unit and category labels, as `manage.py train_router` learns
them. These texts are easy, so their accuracy means nothing: only their times are
reported. Quality is measured on the labelled CSV (by default our own hand-written
140 messages, 20 for each of seven 大类, written for this purpose and never seen by
the demo), with 5-fold stratified cross-validation.

Baselines, measured in the same run: training against fitting the TF-IDF vectorizer
alone (the floor of any model over these features); a suggestion against
transforming one text alone.
"""

import argparse
import csv
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

from threadpoolctl import threadpool_limits  # noqa: E402

from wenzheng.demo import texts as demo_texts  # noqa: E402
from wenzheng.topics import catalogue  # noqa: E402
from wenzheng.topics import router as model  # noqa: E402
from wenzheng.topics.routing import text_of  # noqa: E402


def synthetic(n: int, seed: int = 2026):
    rng = random.Random(seed)
    slots = {
        "place": lambda: rng.choice(["凤凰村", "东门社区", "四把镇", "天河街", "龙岸镇", "黄金村"]),
        "village": lambda: rng.choice(["凤凰村", "长安村", "石门屯", "大勒洞", "榕木村"]),
        "township": lambda: rng.choice(["东门镇", "龙岸镇", "黄金镇", "小长安镇", "四把镇"]),
        "street": lambda: rng.choice(demo_texts.STREETS),
        "school": lambda: rng.choice(demo_texts.SCHOOLS),
        "n": lambda: str(rng.randint(2, 9)),
    }

    class Filler(dict):
        def __missing__(self, key):
            return slots[key]() if key in slots else "某处"

    subjects = [t for t in demo_texts.TOPICS if any(t.texts(c) for c in ("consultation", "suggestion", "appeal"))]
    out, topics, units, categories = [], [], [], []
    for i in range(n):
        subject = subjects[i % len(subjects)]
        category = rng.choice([c for c in ("consultation", "suggestion", "appeal") if subject.texts(c)])
        title, body = rng.choice(subject.texts(category))
        filler = Filler()
        extra = rng.choice(demo_texts.BODY_OPENERS) + body.format_map(filler) + rng.choice(demo_texts.BODY_CLOSERS)
        out.append(text_of(title.format_map(filler), extra * rng.randint(1, 3)))
        topics.append(subject.key)
        units.append(subject.units[0])
        categories.append(category)
    return out, {"topic": topics, "unit": units, "category": categories}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=2000, help="single-message suggestions timed")
    parser.add_argument("--csv", type=Path, default=Path(__file__).parent / "data" / "routing_handwritten.csv")
    parser.add_argument("--text-col", default="留言内容")
    parser.add_argument("--label-col", default="一级分类")
    args = parser.parse_args()

    with threadpool_limits(1):
        texts, targets = synthetic(args.messages)
        chars = statistics.mean(len(t) for t in texts)
        print(f"{len(texts):,} synthetic messages, {chars:.0f} characters on average")
        wall, cpu = time.perf_counter(), time.process_time()
        model.vectorizer(len(texts)).fit_transform(texts)
        floor, floor_cpu = time.perf_counter() - wall, time.process_time() - cpu
        wall, cpu = time.perf_counter(), time.process_time()
        router = model.Router.fit(texts, targets)
        fit, fit_cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"training (3 targets): {fit_cpu:.1f} s CPU ({fit:.1f} s wall) against {floor_cpu:.1f} s CPU "
            f"({floor:.1f} s wall) for the vectorizer alone ({fit_cpu / floor_cpu:.2f}×)"
        )

        sample = random.Random(1).sample(texts, min(args.single, len(texts)))
        # CPU time of this process: the machine is shared, and a wall clock would
        # count the other sessions' work too.
        single = []
        for text in sample:
            t = time.process_time()
            router.guess(text)
            single.append(time.process_time() - t)
        transform = []
        for text in sample:
            t = time.process_time()
            router.vectorizer.transform([text])
            transform.append(time.process_time() - t)
        ms = 1000 * statistics.mean(single)
        floor_ms = 1000 * statistics.mean(transform)
        print(f"one suggestion: {ms:.2f} ms CPU on average, against {floor_ms:.2f} ms to vectorize alone")

    with args.csv.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    labelled = [r[args.text_col] for r in rows]
    labels = [r[args.label_col] for r in rows]
    tree = catalogue.default_tree()
    # As train_router --from-csv does: the shipped tree's names under each label learnt
    # beside the messages; and without them, the messages alone (the baseline).
    for what, seeds in (("messages alone", ()), ("with the tree's names", model.seeds(labels, tree))):
        scores = model.cross_validate(labelled, labels, folds=5, seeds=seeds)
        print(
            f"{args.csv.name}, {what} ({len(seeds)} names): {len(rows)} messages, {len(set(labels))} labels, "
            f"{scores.folds}-fold cross-validation"
        )
        print(f"  macro-F1 {scores.macro_f1:.3f}, accuracy {scores.accuracy:.3f}")
        for label, p, r, f1, n in scores.per_class:
            print(f"  {label:<10} precision {p:.3f} recall {r:.3f} F1 {f1:.3f} ({n})")


if __name__ == "__main__":
    main()
