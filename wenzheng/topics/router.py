"""The routing model (智能分拨): from a message's words to its likely topic, unit and
category, each with a confidence.

Character n-grams (1-2) weighted by TF-IDF, then one linear SVM per target, its
classes weighted by their share of the messages (`balanced`): Chinese needs no word
segmenter this way, so there is nothing to download and no dictionary to keep. Chosen
by cross-validation on the first hand-written file alone among twelve variants, then
measured once on the second (BENCHMARKS.md, "Routing suggestions"): words from jieba
(its dictionary ships in its package), alone or beside the characters, scored
0.58-0.76 against 0.77-0.79 for characters alone, so no segmenter was added;
character 1-3-grams, char_wb and other C values did no better. The confidence is
the softmax of the SVM's decision scores: it ranks well and reads as a share, but it
is not a calibrated probability (calibrating would triple the training time). Pure
functions over plain values; the database side is in routing.py.
"""

import datetime as dt
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

FORMAT = 1
MIN_EXAMPLES = 3  # a label seen fewer times cannot be learnt, nor cross-validated
MAX_CHARS = 3000  # the opening of a long message says what it is about
TARGETS = ("topic", "unit", "category")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def prepare(text: str) -> str:
    """Full-width to half-width, control characters out, runs of digits as one mark
    (phone numbers and house numbers say nothing about the subject)."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS]
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACE.sub(" ", _DIGITS.sub("0", text)).strip().lower()


def vectorizer(n: int = 0) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(1, 2),
        sublinear_tf=True,
        # With a few hundred texts every character pair counts; with many, one seen
        # once is noise (and memory).
        min_df=1 if n < 2000 else 2,
        max_features=300_000,
        dtype=np.float32,
        preprocessor=prepare,
    )


EXACT_UP_TO = 20_000  # messages: beyond this, stochastic gradient descent


def balanced(labels) -> dict[str, float]:
    """Class weights n / (classes × n_label) counted over the messages alone: a rare
    topic counts as much as a common one, which is what macro-F1 asks. The seeds are
    not counted: sklearn's "balanced" over messages and seeds together made a topic
    with many names in the tree (城乡建设, 22) weigh its messages less (0.72 against
    0.95 for a topic with 13 names), and on the first hand-written file that cost
    0.013 macro-F1 (BENCHMARKS.md, "Routing suggestions")."""
    counts = Counter(labels)
    return {label: len(labels) / (len(counts) * n) for label, n in counts.items()}


def classifier(n: int = 0):
    """A linear SVM, fitted with `fit`. Up to EXACT_UP_TO messages liblinear solves it
    exactly (best on a county's few thousand); beyond, ten epochs of SGD on the same
    hinge loss keep 100,000 messages under two minutes (liblinear took ~30 s per 20,000
    per target, and grows faster than the data)."""
    if n <= EXACT_UP_TO:
        return LinearSVC(C=0.5)
    return SGDClassifier(loss="hinge", alpha=1e-5, max_iter=10, tol=None, random_state=0)


def fit(x, y: np.ndarray, weights: dict[str, float]):
    """A classifier fitted on rows `x` labelled `y`, each row weighted by its label's
    weight (`balanced`). Given per row, not as sklearn's class_weight, which reads a
    label of digits ("010101", a topic code) as a number and then cannot find it."""
    return classifier(len(y)).fit(x, y, sample_weight=np.array([weights[label] for label in y]))


def usable(texts: list[str], labels: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The examples whose label is set and seen at least MIN_EXAMPLES times; and the
    labels dropped for too few examples."""
    counts: dict[str, int] = {}
    for label in labels:
        if label:
            counts[label] = counts.get(label, 0) + 1
    keep = {label for label, n in counts.items() if n >= MIN_EXAMPLES}
    pairs = [(t, label) for t, label in zip(texts, labels, strict=True) if label in keep]
    return [t for t, _ in pairs], [label for _, label in pairs], sorted(set(counts) - keep)


def score_matrix(scores) -> np.ndarray:
    """A classifier's decision scores as one column per class (two classes give one
    score per text, for the second class)."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        scores = scores.reshape(-1, 1)
    if scores.shape[1] == 1:
        scores = np.hstack([-scores, scores])
    return scores


def softmax(scores: np.ndarray) -> np.ndarray:
    return shares(score_matrix(scores))


def shares(scores: np.ndarray) -> np.ndarray:
    """Each row of a score matrix (one column per class) as shares summing to 1."""
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores * 2.0)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Scores:
    """Cross-validated figures for one target."""

    folds: int
    macro_f1: float
    accuracy: float
    per_class: list[tuple[str, float, float, float, int]]  # label, precision, recall, F1, support

    def to_dict(self) -> dict:
        return {
            "folds": self.folds,
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "per_class": [[c, round(p, 4), round(r, 4), round(f, 4), n] for c, p, r, f, n in self.per_class],
        }


def seeds(labels, tree: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """For each label that names a topic of `tree` ((code, name) pairs), by its code
    or its name, the names of that topic and of every topic under it, each as a short
    text with that label: 城乡建设 → (路灯照明, 城乡建设), (井盖与窨井, 城乡建设), …
    Codes are six digits, two per level (010000 → 010100 → 010101)."""
    by_name = {name: code for code, name in tree}
    codes = {code for code, _ in tree}
    found = []
    for label in sorted(set(labels) - {""}):
        code = label if label in codes else by_name.get(label)
        if code is None:
            continue
        prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        found += [(name, label) for c, name in tree if c.startswith(prefix)]
    return found


def seeded(texts: list[str], labels: list[str], seeds) -> tuple[list[str], list[str]]:
    """The examples with the seeds of their labels added (see Router.fit)."""
    known = set(labels)
    extra = [(text, label) for text, label in seeds if label in known]
    return list(texts) + [t for t, _ in extra], list(labels) + [label for _, label in extra]


def cross_validate(texts: list[str], labels: list[str], *, folds: int = 5, seeds=()) -> Scores:
    """Stratified k-fold: each fold's model is fitted (vectorizer included) on the
    other folds only, so no word of the held-out texts leaks into its features; the
    seeds are added to every fold's training, never scored."""
    y = np.array(labels)
    smallest = min(np.unique(y, return_counts=True)[1])
    folds = max(2, min(folds, int(smallest)))
    predicted = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(texts, y):
        weights = balanced([labels[i] for i in train])
        fold_texts, fold_labels = seeded([texts[i] for i in train], [labels[i] for i in train], seeds)
        vec = vectorizer(len(fold_texts))
        x = vec.fit_transform(fold_texts)
        clf = fit(x, np.array(fold_labels), weights)
        predicted[test] = clf.predict(vec.transform([texts[i] for i in test]))
    classes = sorted(set(labels))
    p, r, f, n = precision_recall_fscore_support(y, predicted, labels=classes, zero_division=0)
    return Scores(
        folds=folds,
        macro_f1=float(f1_score(y, predicted, labels=classes, average="macro", zero_division=0)),
        accuracy=float((predicted == y).mean()),
        per_class=[(c, float(p[i]), float(r[i]), float(f[i]), int(n[i])) for i, c in enumerate(classes)],
    )


@dataclass
class Guess:
    label: str
    confidence: float


@dataclass
class Router:
    """A fitted model: one vectorizer, one classifier per target it could learn."""

    vectorizer: TfidfVectorizer
    heads: dict[str, LinearSVC | SGDClassifier]
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(
        cls, texts: list[str], targets: dict[str, list[str]], *, cv: int = 0, source: str = "", seeds=None
    ) -> "Router":
        """`seeds`, per target, are (text, label) pairs learnt beside the messages:
        the names in the topic tree under each topic (`seeds`). With a few
        dozen messages a topic, its own catalogue's words (路灯照明, 井盖与窨井) are
        what the model knows best: on the first hand-written file they raised
        macro-F1 from 0.63 to 0.81 (BENCHMARKS.md)."""
        seeds = seeds or {}
        every_seed = [text for pairs in seeds.values() for text, _ in pairs]
        vec = vectorizer(len(texts))
        x_all = vec.fit_transform(list(texts) + every_seed)
        heads, meta = (
            {},
            {
                "format": FORMAT,
                "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": source,
                "messages": len(texts),
                "sklearn": sklearn.__version__,
                "features": len(vec.vocabulary_),
                "targets": {},
            },
        )
        seed_rows: dict[str, list[tuple[int, str]]] = {}
        at = len(texts)
        for name, pairs in seeds.items():
            seed_rows[name] = [(at + i, label) for i, (_, label) in enumerate(pairs)]
            at += len(pairs)
        for name, labels in targets.items():
            kept, kept_labels, dropped = usable(texts, labels)
            info = {"examples": len(kept), "classes": len(set(kept_labels)), "too_few_examples": dropped}
            if len(set(kept_labels)) < 2:
                info["skipped"] = "fewer than two labels with enough examples"
                meta["targets"][name] = info
                continue
            known = set(kept_labels)
            rows = [i for i, label in enumerate(labels) if label in known]
            extra = [(i, label) for i, label in seed_rows.get(name, ()) if label in known]
            info["seeds"] = len(extra)
            y = np.array([labels[i] for i in rows] + [label for _, label in extra])
            weights = balanced(kept_labels)
            info["class_weights"] = {label: round(w, 4) for label, w in sorted(weights.items())}
            heads[name] = fit(x_all[rows + [i for i, _ in extra]], y, weights)
            if cv:
                info["cv"] = cross_validate(kept, kept_labels, folds=cv, seeds=seeds.get(name, ())).to_dict()
            meta["targets"][name] = info
        return cls(vec, heads, meta)

    def guess(self, text: str, *, top: int = 3) -> dict[str, list[Guess]]:
        """The `top` likeliest labels of each target, likeliest first."""
        return self.guess_many([text], top=top)[0]

    def guess_many(self, texts: list[str], *, top: int = 3, among=None) -> list[dict[str, list[Guess]]]:
        """`among` ({target: labels}) narrows a target to some of its labels: a
        county's own units out of every county's. They are ranked among themselves
        before the `top` are taken (taken first, other counties' units could fill
        the top and leave the county none), and the confidence is a share among
        them alone. A target none of whose labels is allowed gets no guess."""
        x = self.vectorizer.transform(texts)
        out = [{} for _ in texts]
        for name, clf in self.heads.items():
            classes = np.array([str(c) for c in clf.classes_], dtype=object)
            scores = score_matrix(clf.decision_function(x))
            if among is not None and name in among:
                allowed = among[name]
                columns = np.flatnonzero([c in allowed for c in classes])
                classes, scores = classes[columns], scores[:, columns]
            if not len(classes):
                for guesses in out:
                    guesses[name] = []
                continue
            probs = shares(scores)
            order = np.argsort(-probs, axis=1)[:, :top]
            for i, row in enumerate(order):
                out[i][name] = [Guess(classes[j], float(probs[i, j])) for j in row]
        return out

    # --- files ------------------------------------------------------------------

    @property
    def version(self) -> str:
        return self.meta.get("version", "")

    def save(self, directory: Path) -> Path:
        """router-YYYYmmddTHHMMSS.joblib beside a .json of its metadata; never
        overwrites an older model, so a worse new one can be set aside by deleting it."""
        directory.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        self.meta["version"] = stamp
        path = directory / f"router-{stamp}.joblib"
        partial = path.with_suffix(".partial")
        joblib.dump({"meta": self.meta, "vectorizer": self.vectorizer, "heads": self.heads}, partial, compress=3)
        partial.rename(path)  # readers never see half a file
        path.with_suffix(".json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> "Router":
        # A file this deployment wrote itself (ROUTER_DIR): joblib unpickles it.
        data = joblib.load(path)
        if data.get("meta", {}).get("format") != FORMAT:
            raise ValueError(f"{path}: not a router file of format {FORMAT}")
        return cls(data["vectorizer"], data["heads"], data["meta"])
