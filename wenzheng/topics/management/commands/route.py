"""manage.py route --csv FILE --text-col COL [--label-col COL] [--model FILE]: the
routing model's guesses for every row of a CSV, written as CSV (text's row, label,
confidence); with --label-col, also the accuracy and macro-F1 against it."""

import csv as csv_module
import io
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from sklearn.metrics import f1_score

from wenzheng.topics.router import Router
from wenzheng.topics.routing import newest

from .train_router import read_csv


class Command(BaseCommand):
    help = "Route the messages of a CSV file with the routing model."

    def add_arguments(self, parser):
        parser.add_argument("--csv", type=Path, required=True)
        parser.add_argument("--text-col", required=True)
        parser.add_argument("--label-col", help="compare with this column and print accuracy and macro-F1")
        parser.add_argument("--model", type=Path, help="model file (default: the newest in ROUTER_DIR)")
        parser.add_argument("--target", default="topic", help="topic (default), unit or category")
        parser.add_argument("--output", type=Path, help="write the guesses here (default: standard output)")

    def handle(self, *, csv, text_col, label_col, model, target, output, **options):
        path = model or newest(Path(settings.ROUTER_DIR))
        if path is None or not path.is_file():
            raise CommandError("No routing model: run `manage.py train_router` first.")
        router = Router.load(path)
        if target not in router.heads:
            raise CommandError(f"Model {router.version} has no {target!r} target ({', '.join(router.heads)})")
        texts, labels = read_csv(csv, text_col, label_col)
        started = time.perf_counter()
        guesses = [g[target][0] for g in router.guess_many(texts, top=1)] if texts else []
        seconds = time.perf_counter() - started
        out = io.StringIO()
        writer = csv_module.writer(out, lineterminator="\n")
        writer.writerow(["row", "label", "confidence"] + (["expected"] if label_col else []))
        for i, g in enumerate(guesses, start=2):
            writer.writerow([i, g.label, f"{g.confidence:.3f}"] + ([labels[i - 2]] if label_col else []))
        if output:
            output.write_text(out.getvalue(), encoding="utf-8")
        else:
            self.stdout.write(out.getvalue(), ending="")
        err = self.stderr.write
        each = 1000 * seconds / max(len(texts), 1)
        err(f"model {router.version}: {len(texts)} rows in {seconds:.3f} s ({each:.2f} ms each)")
        if label_col and texts:
            predicted = [g.label for g in guesses]
            right = sum(p == y for p, y in zip(predicted, labels, strict=True))
            macro = f1_score(labels, predicted, labels=sorted(set(labels)), average="macro", zero_division=0)
            err(f"accuracy {right / len(labels):.3f}, macro-F1 {macro:.3f} over {len(set(labels))} labels")
