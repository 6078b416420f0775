"""manage.py train_router: fit the routing model (智能分拨) on this deployment's own
answered and dispatched messages, and write it as a new versioned file in ROUTER_DIR.

    manage.py train_router [--cv 5]
    manage.py train_router --from-csv FILE --text-col 留言内容 --label-col 一级分类 [--cv 5] [--output DIR]

With --from-csv the model learns the one label column (as its "topic"); it is the way
to measure the method on any labelled file. Labels that name a topic of the tree (the
tree that ships, for a CSV; this deployment's, otherwise) by code or name also learn
the names of the topics under it (router.seeds). --cv N prints per-class precision, recall
and F1 and the macro-F1 of N-fold stratified cross-validation.
"""

import csv
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wenzheng.topics import catalogue, routing
from wenzheng.topics import router as router_module
from wenzheng.topics.router import Router


def read_csv(path: Path, text_col: str, label_col: str | None = None) -> tuple[list[str], list[str]]:
    csv.field_size_limit(sys.maxsize)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            columns = reader.fieldnames or []
            for col in (text_col, label_col):
                if col and col not in columns:
                    raise CommandError(f"{path}: no column {col!r} (columns: {', '.join(columns)})")
            texts, labels = [], []
            for row in reader:
                texts.append(row[text_col] or "")
                labels.append((row[label_col] or "").strip() if label_col else "")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from error
    return texts, labels


class Command(BaseCommand):
    help = "Train the routing-suggestion model on this deployment's messages (or on a labelled CSV)."

    def add_arguments(self, parser):
        parser.add_argument("--from-csv", type=Path, help="train on a labelled CSV file instead of the database")
        parser.add_argument("--text-col", help="the CSV column holding the message text")
        parser.add_argument("--label-col", help="the CSV column holding the label")
        parser.add_argument("--cv", type=int, default=0, help="N-fold cross-validation (e.g. 5); 0 for none")
        parser.add_argument("--limit", type=int, help="only the newest N messages of the database")
        parser.add_argument("--output", type=Path, help="directory for the model file (default: ROUTER_DIR)")

    def handle(self, *, from_csv, text_col, label_col, cv, limit, output, **options):
        if cv == 1 or cv < 0:
            raise CommandError("--cv needs at least 2 folds")
        started = time.monotonic()
        if from_csv:
            if not text_col or not label_col:
                raise CommandError("--from-csv needs --text-col and --label-col")
            texts, labels = read_csv(from_csv, text_col, label_col)
            targets, source = {"topic": labels}, f"csv:{from_csv.name}"
            tree = catalogue.default_tree()
        else:
            texts, targets = routing.training_data(limit=limit)
            source = "deployment"
            tree = catalogue.deployment_tree()
        if len(texts) < 10:
            raise CommandError(f"Only {len(texts)} labelled message(s): too few to learn from.")
        seeds = {"topic": router_module.seeds(targets["topic"], tree)}
        router = Router.fit(texts, targets, cv=cv, source=source, seeds=seeds)
        if not router.heads:
            raise CommandError("No target had two labels with enough examples; nothing was learnt.")
        router.meta["training_seconds"] = round(time.monotonic() - started, 1)
        directory = output or Path(settings.ROUTER_DIR)
        previous = routing.newest(directory)
        path = router.save(directory)
        self._report(router, path)
        if previous is not None and not from_csv:
            self._previous(previous.stem.removeprefix("router-"))

    def _report(self, router, path):
        w = self.stdout.write
        meta = router.meta
        w(f"model {meta['version']} written to {path}")
        w(
            f"trained at {meta['trained_at']} on {meta['messages']} messages ({meta['source']}), "
            f"{meta['features']} features, {meta['training_seconds']} s"
        )
        for name, info in meta["targets"].items():
            if "skipped" in info:
                w(f"{name}: skipped ({info['skipped']})")
                continue
            line = f"{name}: {info['examples']} examples, {info['classes']} classes"
            if info["too_few_examples"]:
                line += f"; left out for too few examples: {len(info['too_few_examples'])} label(s)"
            w(line)
            if "cv" in info:
                self._cv(info["cv"])

    def _previous(self, version):
        """How the office took the suggestions of the model this one replaces."""
        seen = routing.acceptance(version)
        self.stdout.write(
            f"previous model {version}: {seen['suggested']} suggestion(s), {seen['accepted']} accepted, "
            f"{seen['overridden']} overridden"
        )

    def _cv(self, cv):
        w = self.stdout.write
        w(f"  {cv['folds']}-fold cross-validation: macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}")
        w(f"  {'label':<24}{'precision':>10}{'recall':>10}{'F1':>8}{'support':>9}")
        for label, p, r, f, n in cv["per_class"]:
            w(f"  {label[:24]:<24}{p:>10.3f}{r:>10.3f}{f:>8.3f}{n:>9}")
