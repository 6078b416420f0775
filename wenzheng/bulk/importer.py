"""Importing one file: read it, check each row, write the good rows in batches, and
report every problem by row and column. Used by `manage.py import_messages` and by
the office's import page (through an ImportJob).

Importing is idempotent: a row whose 留言编号 was imported before (from the same
source, into the same county) is skipped, so the same file imported twice adds
nothing, and a file fixed after a first try imports only the rows that failed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import reset_queries
from django.utils import timezone

from .columns import BY_KEY, find_layout
from .models import ImportedMessage
from .rows import Context, Problems, read_row
from .tables import UnreadableFile, cell_text, open_table
from .writer import Deadlines, write

BATCH = 1000


@dataclass
class Outcome:
    total: int = 0  # data rows in the file
    processed: int = 0
    created: int = 0
    skipped: int = 0  # imported before
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    failure: str = ""  # the file as a whole could not be imported

    @property
    def problem_rows(self) -> int:
        return len({row for row, _, _ in self.problems})


class Import:
    def __init__(
        self,
        *,
        content: bytes,
        filename: str,
        region,
        by,
        source: str = "",
        default_category=None,
        dry_run: bool = False,
        job=None,
        on_progress: Callable[["Outcome", list], None] | None = None,
    ):
        self.content, self.filename = content, filename
        self.region, self.by, self.source = region, by, source
        self.default_category, self.dry_run, self.job = default_category, dry_run, job
        self.on_progress = on_progress or (lambda outcome, new_problems: None)
        self.outcome = Outcome()

    def run(self) -> Outcome:
        outcome = self.outcome
        try:
            table = open_table(self.content, self.filename)
            layout = find_layout(table.rows())
        except UnreadableFile as e:
            outcome.failure = str(e)
            return outcome
        if layout is None:
            outcome.failure = "找不到表头：前10行中没有一行写着“留言编号”“留言主题”“留言时间”等列名。"
            return outcome
        missing = layout.missing()
        if missing:
            for column in missing:
                names = "".join(f"“{v}”" for v in column.variants[:4])
                outcome.problems.append((layout.header_row, column.label, f"缺少这一列（列名可写作{names}等）"))
            outcome.failure = "文件缺少必需的列：" + "、".join(c.label for c in missing) + "。"
            self.on_progress(outcome, outcome.problems)
            return outcome
        outcome.total = max(0, table.count() - layout.header_row)
        ctx = Context.load(
            layout=layout, region=self.region, default_category=self.default_category, now=timezone.now()
        )
        self._rows(table, layout, ctx)
        return outcome

    def _rows(self, table, layout, ctx):
        deadlines = Deadlines()
        seen: dict[str, int] = {}
        batch, problems = [], []
        for number, values in table.rows():
            if number <= layout.header_row:
                continue
            self.outcome.processed += 1
            if not any(cell_text(v) for v in values):
                continue  # a blank line between blocks of rows
            row = read_row(number, values, ctx)
            if isinstance(row, Problems):
                problems.extend((number, column, text) for column, text in row.items)
            elif row.source_number in seen:
                label = layout.label("number")
                problems.append((number, label, f"“{row.source_number}”与第{seen[row.source_number]}行重复"))
            else:
                seen[row.source_number] = number
                batch.append(row)
            if len(batch) >= BATCH:
                self._flush(batch, problems, deadlines)
                batch, problems = [], []
        self._flush(batch, problems, deadlines)

    def _flush(self, batch, problems, deadlines):
        outcome = self.outcome
        before = set(
            ImportedMessage.objects.filter(
                region=self.region, source=self.source, number__in=[r.source_number for r in batch]
            ).values_list("number", flat=True)
        )
        fresh = [r for r in batch if r.source_number not in before]
        outcome.skipped += len(batch) - len(fresh)
        if not self.dry_run:
            write(rows=fresh, region=self.region, by=self.by, source=self.source, deadlines=deadlines, job=self.job)
        outcome.created += len(fresh)
        outcome.problems.extend(problems)
        self.on_progress(outcome, problems)
        # With DEBUG on, Django keeps every query it ran: a long import would hoard them.
        reset_queries()


def column_names() -> list[str]:
    return [c.label for c in BY_KEY.values()]
