"""Importing one file: read it, check each row, write the good rows in batches, and
report every problem by row and column, with a summary by kind of problem. Used by
`manage.py import_messages` and by the office's import page (through an ImportJob).

Importing is idempotent: a row whose 留言编号 was imported before (from the same
source or one left unnamed, into the same county) is skipped before it is checked, so the same file
imported twice adds nothing, and a file fixed after a first try imports only the rows
that failed, whatever else the file holds.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import reset_queries, transaction
from django.db.models import Q
from django.utils import timezone

from wenzheng.lib import text as text_rules
from wenzheng.topics.catalogue import LabelResolver
from wenzheng.topics.models import Topic
from wenzheng.units.models import Region

from .columns import BY_KEY, find_layout
from .models import ImportedMessage, ImportJob, RowProblem, summary_order
from .rows import Context, Problems, read_row, source_number
from .tables import Unreadable, UnreadableFile, cell_text, open_table
from .writer import Deadlines, write

BATCH = 1000
Kind = RowProblem.Kind


class Problem(NamedTuple):
    row: int
    column: str
    text: str
    kind: str  # a RowProblem.Kind


@dataclass
class Outcome:
    total: int = 0  # data rows in the file
    processed: int = 0
    created: int = 0
    skipped: int = 0  # imported before
    unstated: int = 0  # of those created, replied with no 办理状态 (closed or left open as chosen)
    unrecorded: int = 0  # of those created, replied with no 签收 time: no response stage, late for nobody
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns not imported, as the report names them
    failure: str = ""  # the file as a whole could not be imported

    @property
    def problem_rows(self) -> int:
        return len({p.row for p in self.problems})

    def summary(self) -> list[tuple[str, int]]:
        """(problem kind, rows) largest first: a row counts once per kind."""
        rows: dict[str, set[int]] = {}
        for p in self.problems:
            rows.setdefault(p.kind, set()).add(p.row)
        return summary_order((RowProblem.kind_label(kind), len(found)) for kind, found in rows.items())


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
        default_unit=None,
        waive_registration: bool = False,
        create_topics: bool = False,
        unanswered: str = ImportJob.Unanswered.HISTORY,
        replied: str = ImportJob.Replied.CLOSED,
        dry_run: bool = False,
        job=None,
        on_progress: Callable[["Outcome", list], None] | None = None,
    ):
        self.content, self.filename = content, filename
        # As the upload form has it (a CharField strips): "BIG " on the command line
        # was another platform than "BIG", and imported a whole file again.
        self.region, self.by, self.source = region, by, " ".join(text_rules.clean(source).split())
        self.default_category, self.default_unit = default_category, default_unit
        self.waive_registration, self.unanswered, self.replied = waive_registration, unanswered, replied
        self.create_topics = create_topics
        self.dry_run, self.job = dry_run, job
        self.on_progress = on_progress or (lambda outcome, new_problems: None)
        self.outcome = Outcome()
        # The moment of the import: the clock of unanswered rows starts here.
        self.now = timezone.now()

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
            if len(table.sheet_names) > 1:  # a 填表说明 sheet before the table, as templates have
                outcome.failure += (
                    f"只读取第一个工作表“{table.sheet_names[0]}”；留言表在其他工作表的，请把它移到第一个。"
                )
            return outcome
        self._without_topics_if_no_tree(layout)
        outcome.ignored = layout.ignored
        missing = layout.missing()
        if missing:
            guesses = []
            for column in missing:
                names = "".join(f"“{v}”" for v in column.variants[:4])
                text = f"缺少这一列（列名可写作{names}等）"
                guess = _lookalike(layout, column)
                if guess:
                    text += f"。{guess}"
                    guesses.append(guess)
                outcome.problems.append(Problem(layout.header_row, column.label, text, Kind.MISSING_COLUMN))
            outcome.failure = "文件缺少必需的列：" + "、".join(c.label for c in missing) + "。"
            outcome.failure += "".join(f"{guess}。" for guess in guesses)
            self.on_progress(outcome, outcome.problems)
            return outcome
        outcome.total = max(0, table.count() - layout.header_row)
        ctx = Context.load(
            layout=layout,
            region=self.region,
            default_category=self.default_category,
            now=self.now,
            default_unit=self.default_unit,
            waive_registration=self.waive_registration,
            topics=LabelResolver(self.region, create=self.create_topics, pretend=self.dry_run),
            replied=self.replied,
        )
        if not self._rows(table, layout, ctx):
            outcome.failure = f"表头（第{layout.header_row}行）以下没有留言：文件中没有可导入的行。"
        return outcome

    def _without_topics_if_no_tree(self, layout):
        """A county that keeps no topic tree yet cannot map labels to it: its topic
        columns are listed as not imported (unless the office asked to build the tree
        from the labels)."""
        keys = [k for k in ("topic1", "topic2", "topic3") if k in layout.positions]
        if not keys or self.create_topics or Topic.objects.filter(region=self.region).exists():
            return
        for key in keys:
            layout.ignored.append(
                f"{layout.headers[key]}（事项分类：本{self.region.level}尚未建立事项分类表，暂不导入）"
            )
            del layout.positions[key]

    def _rows(self, table, layout, ctx) -> int:
        """Check and write the rows under the header; how many were not blank."""
        deadlines = Deadlines()
        rows = 0
        seen: dict[str, int] = {}
        chunk = []
        for number, values in table.rows():
            if number <= layout.header_row:
                continue
            self.outcome.processed += 1
            if not isinstance(values, Unreadable) and not any(cell_text(v) for v in values):
                continue  # a blank line between blocks of rows
            rows += 1
            chunk.append((number, values))
            if len(chunk) >= BATCH:
                self._chunk(chunk, ctx, seen, deadlines)
                chunk = []
        self._chunk(chunk, ctx, seen, deadlines)
        return rows

    def _same_source(self) -> Q:
        """The imports whose numbers are this one's: of the same source, and of none
        named, which cannot be told from it (a file imported as 原县长信箱 and again
        with the source left blank is the same file)."""
        return Q() if not self.source else Q(source__in=[self.source, ""])

    def _imported(self, numbers) -> set[str]:
        """Of `numbers`, those imported into the county before (of this source)."""
        found = ImportedMessage.objects.filter(self._same_source(), region=self.region, number__in=numbers)
        return set(found.values_list("number", flat=True))

    def _chunk(self, chunk, ctx, seen, deadlines):
        """Check and write one batch of rows. A row imported before is recognised by
        its number first: it is skipped, whatever its cells would say now."""
        outcome, layout = self.outcome, ctx.layout
        numbers = [source_number(values, layout) for _, values in chunk]
        before = self._imported({n for n in numbers if n})
        batch, problems = [], []
        for (number, values), source in zip(chunk, numbers, strict=True):
            if source in seen:  # imported from this file, by an earlier row
                text = f"“{source}”与第{seen[source]}行重复"
                problems.append(Problem(number, layout.label("number"), text, Kind.DUPLICATE))
                continue
            if source and source in before:
                outcome.skipped += 1
                continue
            row = read_row(number, values, ctx)
            if isinstance(row, Problems):
                problems.extend(Problem(number, column, text, kind) for column, text, kind in row.items)
            else:
                seen[row.source_number] = number
                batch.append(row)
        if not self.dry_run and batch:
            with transaction.atomic():
                # Another import of the county (the same file uploaded twice, the command
                # beside a worker) may have written some of these numbers since they were
                # looked for: its batches and this one wait on each other here, and what
                # it wrote is skipped, where one of the two died on the numbers' constraint.
                Region.objects.select_for_update().filter(pk=self.region.pk).exists()
                meanwhile = self._imported([r.source_number for r in batch])
                if meanwhile:
                    outcome.skipped += sum(r.source_number in meanwhile for r in batch)
                    batch = [r for r in batch if r.source_number not in meanwhile]
                write(
                    rows=batch,
                    region=self.region,
                    by=self.by,
                    source=self.source,
                    deadlines=deadlines,
                    job=self.job,
                    unanswered=self.unanswered,
                    replied=self.replied,
                    now=self.now,
                )
        outcome.created += len(batch)
        outcome.unstated += sum(r.status_unstated for r in batch)
        outcome.unrecorded += sum(r.response_unrecorded for r in batch)
        outcome.problems.extend(problems)
        self.on_progress(outcome, problems)
        # With DEBUG on, Django keeps every query it ran: a long import would hoard them.
        reset_queries()


def _lookalike(layout, column) -> str:
    """What the file may call a missing column: 来信日期 where we look for 留言时间."""
    found = layout.lookalikes(column)
    if not found:
        return ""
    names = "、".join(f"“{h}”" for h in found)
    return f"未识别的列{names}可能是{column.label}，如是，请把列名改为“{column.label}”后重新导入"


def column_names() -> list[str]:
    return [c.label for c in BY_KEY.values()]
