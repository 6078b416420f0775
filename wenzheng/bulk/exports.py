"""Exports of messages and events to .csv and .xlsx, streamed: rows are read from
the database in chunks and written as they come, so a million rows take no more
memory than a thousand.

Text a person typed can start with =, +, - or @; a spreadsheet would run it as a
formula (CSV injection). Every text cell that does is written with a leading
apostrophe, which the import strips again.

The citizen's name and phone are written only for the messages whose contact the
exporter may see (wenzheng.accounts.policy.contact_visible); the columns stay, empty,
for the rest. `record_contact_export` records each export that carries them.
"""

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, Subquery, Value
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from wenzheng.eventlog.models import Event
from wenzheng.handling.models import Message, Reply
from wenzheng.privacy.public import Publisher
from wenzheng.workdays.clock import county_zone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot hold; openpyxl refuses them (as it should).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CHUNK = 2000


def neutralise(value):
    """Text that a spreadsheet would read as a formula, made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(moment) -> str:
    return moment.astimezone(county_zone()).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


# --- what is exported -----------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    name: str  # used in the file name
    header: list[str]
    rows: Iterable[tuple]


def _status(state, closure_kind) -> str:
    """The import's 办理状态 words, so an export imports back as it was."""
    if state == Message.State.CLOSED:
        return "暂不能解决" if closure_kind == Message.ClosureKind.EXPLAINED else "已办结"
    return Message.State(state).label


def _topic_labels(*names) -> list[str]:
    path = [n for n in names if n]
    return path + [""] * (3 - len(path))


def _source_name(source, number) -> str:
    """The platform an imported message came from, as the import report names it."""
    if number is None:
        return ""
    return source or "原平台"


MESSAGE_HEADER = [
    "留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "单位", "类别", "答复意见", "答复时间",
    "办理状态", "办结时间", "是否公开", "联系电话", "县（区）", "一级分类", "二级分类", "三级分类",
    # Where an imported message came from, to trace it back there (not read by the import).
    "来源平台", "原平台留言编号",
]  # fmt: skip


MESSAGE_FIELDS = (
    "year", "number", "citizen_name", "title", "submitted_at", "body", "unit__name", "category__name",
    "reply_text", "reply_at", "state", "closure_kind", "closed_at", "consent_to_publish", "citizen_phone",
    "region__name", "topic__parent__parent__name", "topic__parent__name", "topic__name",
    "import_source__source", "import_source__number",
)  # fmt: skip


def messages(queryset, *, contact_flag=None) -> Dataset:
    """One row per message, in the columns the import reads (its first reply is the
    answer; later replies to follow-ups are not part of this layout). Where
    `contact_flag` (wenzheng.accounts.policy.contact_visible_flag) is false, the name
    and phone are left empty and the texts masked; None: everything as it is."""
    first_reply = Reply.objects.filter(message=OuterRef("pk"), follow_up__isnull=True).order_by("at", "pk")
    shown = contact_flag if contact_flag is not None else ExpressionWrapper(Value(True), output_field=BooleanField())
    rows = (
        queryset.order_by("pk")
        .annotate(reply_text=Subquery(first_reply.values("text")[:1]), reply_at=Subquery(first_reply.values("at")[:1]))
        .annotate(contact_shown=shown)
        .values_list(*MESSAGE_FIELDS, "region_id", "citizen__username", "citizen__display_name", "contact_shown")
        .iterator(chunk_size=CHUNK)
    )
    publisher = Publisher()

    def lines():
        for row in rows:
            m = dict(zip(MESSAGE_FIELDS, row[: len(MESSAGE_FIELDS)], strict=True))
            region_id, username, display_name, shown = row[len(MESSAGE_FIELDS) :]
            if not shown:
                names = [n for n in (m["citizen_name"], username, display_name) if n]
                for key in ("title", "body", "reply_text"):
                    m[key] = publisher.mask(m[key], region_id=region_id, names=names) if m[key] else m[key]
                m["citizen_name"] = m["citizen_phone"] = ""
            yield (
                f"{m['year']}-{m['number']:06d}",
                m["citizen_name"],
                m["title"],
                _local(m["submitted_at"]),
                m["body"],
                m["unit__name"] or "",
                m["category__name"],
                m["reply_text"] or "",
                _local(m["reply_at"]),
                _status(m["state"], m["closure_kind"]),
                _local(m["closed_at"]),
                "是" if m["consent_to_publish"] else "否",
                m["citizen_phone"],
                m["region__name"],
                # The topic's path from its 大类, as the import reads it back.
                *_topic_labels(m["topic__parent__parent__name"], m["topic__parent__name"], m["topic__name"]),
                _source_name(m["import_source__source"], m["import_source__number"]),
                m["import_source__number"] or "",
            )

    return Dataset("留言", MESSAGE_HEADER, lines())


EVENT_FIELDS = (
    "seq", "at", "kind", "message__year", "message__number", "unit__name", "actor__username", "actor_role",
    "note", "data", "hash",
)  # fmt: skip
EVENT_HEADER = ["序号", "时间", "事项", "留言编号", "单位", "操作人", "身份", "说明", "数据", "哈希"]


# What names the citizen of an event's message, and the county whose published numbers
# masking leaves alone.
EVENT_MASKING_FIELDS = (
    "chain__region_id", "message__citizen_name", "message__citizen__username", "message__citizen__display_name",
)  # fmt: skip


def events(queryset, *, masked=False) -> Dataset:
    """The log, event by event. `masked` (for a reader who may see no citizen's details,
    the city office): each note masked as the message's texts are, since a note may
    quote a follow-up or a reason that holds the citizen's number. The hash column is
    then of the note as written, not as shown."""
    # Chain by chain (one per county), each in its own order: seq is counted per chain.
    fields = EVENT_FIELDS + (EVENT_MASKING_FIELDS if masked else ())
    rows = queryset.order_by("chain", "seq").values_list(*fields).iterator(chunk_size=CHUNK)
    kinds = dict(Event.Kind.choices)
    publisher = Publisher()

    def lines():
        for row in rows:
            seq, at, kind, year, number, unit, actor, role, note, data, digest = row[: len(EVENT_FIELDS)]
            if masked and note:
                region_id, *names = row[len(EVENT_FIELDS) :]
                note = publisher.mask(note, region_id=region_id, names=[n for n in names if n])
            serial = f"{year}-{number:06d}" if year else ""
            yield (
                seq, _local(at), kinds.get(kind, kind), serial, unit or "", actor or "", role, note,
                json.dumps(data, ensure_ascii=False, sort_keys=True), digest,
            )  # fmt: skip

    return Dataset("办理记录", EVENT_HEADER, lines())


# --- how it is written: one small class per format ---------------------------------


class Format:
    extension = ""
    content_type = ""

    def stream(self, dataset: Dataset) -> Iterator[bytes]:
        raise NotImplementedError


class CsvFormat(Format):
    """UTF-8 with a BOM, so Excel on a Chinese Windows opens it without garbling."""

    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def stream(self, dataset):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        yield "\ufeff".encode()
        writer.writerow(dataset.header)
        for i, row in enumerate(dataset.rows, start=1):
            writer.writerow([neutralise(v) for v in row])
            if i % 500 == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()


class XlsxFormat(Format):
    """openpyxl's write-only mode streams rows into a temporary file; the finished
    workbook (a zip, which cannot be sent before it is complete) is then sent in
    chunks. Memory stays flat either way."""

    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def stream(self, dataset):
        with tempfile.TemporaryFile() as spool:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(dataset.name)
            sheet.append(dataset.header)
            for row in dataset.rows:
                sheet.append([self._cell(sheet, v) for v in row])
            workbook.save(spool)
            spool.seek(0)
            while chunk := spool.read(1 << 16):
                yield chunk

    @staticmethod
    def _cell(sheet, value):
        if not isinstance(value, str):
            return value
        # Text, whatever it starts with: never a formula. Marked as text (quotePrefix,
        # as Excel marks text typed after an apostrophe) rather than given the CSV's
        # apostrophe, which a spreadsheet shows as part of the text ('=HYPERLINK(…)).
        text = _ILLEGAL.sub("", value)
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        return cell


FORMATS = {f.extension: f for f in (CsvFormat(), XlsxFormat())}


def record_contact_export(queryset, *, user, contact: Q | None, detail: str) -> None:
    """One access record per county for an export that carries citizens' names and
    phones (`user` None: a command run on the server)."""
    from wenzheng.privacy.models import AccessRecord
    from wenzheng.privacy.records import record_access

    carrying = queryset if contact is None else queryset.filter(contact)
    counts = carrying.order_by().values("region").annotate(n=Count("pk"))
    surface = AccessRecord.Surface.EXPORT if user is not None else AccessRecord.Surface.COMMAND
    for row in counts:
        record_access(user=user, surface=surface, region_id=row["region"], rows=row["n"], detail=detail)
