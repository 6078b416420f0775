"""Reading and writing a county's topic tree as CSV, and finding topics by label.

CSV columns: 代码, 名称, 承办单位 (unit names separated by ；or ;), 启用 (是/否). Only
代码 and 名称 are required; a level and a parent follow from the code. A column left
out leaves that field as it is; an empty 承办单位 cell clears the topic's units. An
import is planned whole against the county's tree (`plan`, which the admin shows as a
preview) before anything is written, so a bad row changes nothing.
"""

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from wenzheng.units.models import Unit

from .models import Topic

DEFAULT_TREE = Path(__file__).with_name("default_tree.csv")
HEADERS = ["代码", "名称", "承办单位", "启用"]
CODE = re.compile(r"^\d{6}$")
UNIT_SEPARATORS = re.compile(r"[；;、]")


class TreeError(ValueError):
    """A tree file that cannot be loaded; the message is Chinese, for the office, one
    problem a line (`problems`, the same as a list)."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:20]
        more = [f"……共{len(self.problems)}处错误。"] if len(self.problems) > 20 else []
        super().__init__("\n".join(shown + more))


def level_of(code: str) -> int:
    if code.endswith("0000"):
        return Topic.Level.MAJOR
    if code.endswith("00"):
        return Topic.Level.MIDDLE
    return Topic.Level.MINOR


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == Topic.Level.MAJOR:
        return None
    if level == Topic.Level.MIDDLE:
        return code[:2] + "0000"
    return code[:4] + "00"


def code_problem(code: str, level: int, parent: str | None) -> str:
    """Why a code does not fit its level and parent ('' if it does)."""
    if not CODE.match(code or "") or code.startswith("00"):
        return "代码应为六位数字，大类前两位不能为00。"
    if level_of(code) != level:
        return f"代码{code}表示{Topic.Level(level_of(code)).label}，与层级不符。"
    if parent_code(code) != parent:
        return f"代码{code}的上级应为{parent_code(code)}。"
    return ""


def clean_cell(value) -> str:
    # Spreadsheets bring full-width digits, stray spaces and control characters.
    value = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(ch for ch in value if unicodedata.category(ch)[0] != "C").strip()


NO = ("否", "0", "停用", "false", "False")


@dataclass
class Row:
    line: int
    code: str
    name: str
    units: list[str] | None  # None: the file has no 承办单位 column (units left as they are)
    active: bool | None  # None: the file has no 启用 column (active as it is; new topics active)


def parse(text: str) -> list[Row]:
    """The rows of a tree file, each checked on its own (code, name, no repeats);
    whether the parents exist is for `plan`, which knows the county's tree."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    columns = {clean_cell(f) for f in reader.fieldnames or ()}
    if not {"代码", "名称"} <= columns:
        raise TreeError("分类表须有“代码”和“名称”两列。")
    rows, errors, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        raw = {clean_cell(k): v for k, v in raw.items() if k is not None}
        code, name = clean_cell(raw.get("代码")), clean_cell(raw.get("名称"))
        if not code and not name:
            continue
        problem = code_problem(code, level_of(code), parent_code(code)) if CODE.match(code) else ""
        if not CODE.match(code) or problem:
            errors.append(f"第{line}行：{problem or '代码应为六位数字。'}")
            continue
        if not name or len(name) > 40:
            errors.append(f"第{line}行：名称不能为空，也不能超过40个字。")
            continue
        if code in seen:
            errors.append(f"第{line}行：代码{code}重复。")
            continue
        seen.add(code)
        units = None
        if "承办单位" in columns:
            units = [u for u in (clean_cell(x) for x in UNIT_SEPARATORS.split(raw.get("承办单位") or "")) if u]
        active = clean_cell(raw.get("启用")) not in NO if "启用" in columns else None
        rows.append(Row(line, code, name, units, active))
    if errors:
        raise TreeError(errors)
    return rows


@dataclass
class Change:
    code: str
    kind: str  # "create", "rename", "activate", "deactivate", "units"
    text: str  # what changes, in Chinese, for the preview


@dataclass
class Plan:
    """What loading a file would change in a county's tree: checked whole against the
    tree as it stands, so that applying it either changes all of this or nothing."""

    region: object
    rows: list[Row]
    create: bool
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def digest(self) -> str:
        """Names this exact set of changes: a preview confirmed after the tree moved
        on is not applied blind."""
        lines = "\n".join(f"{c.code} {c.kind} {c.text}" for c in self.changes)
        return hashlib.sha256(lines.encode()).hexdigest()[:16]

    def counts(self) -> dict:
        created = {c.code for c in self.changes if c.kind == "create"}
        updated = {c.code for c in self.changes} - created
        return {"rows": len(self.rows), "created": len(created), "updated": len(updated)}


def _names(units) -> str:
    return "、".join(sorted(units)) or "（无）"


def plan(region, text: str, *, create: bool) -> Plan:
    """What `text` would change in `region`'s tree. Topics not in the tree are created
    only with `create` (the office said so); without it each is a problem of its
    row. Raises TreeError for a file that cannot be read as a tree at all."""
    rows = parse(text)
    result = Plan(region, rows, create)
    existing = {t.code: t for t in Topic.objects.filter(region=region).prefetch_related("units")}
    units = {u.name for u in Unit.objects.filter(region=region)}
    in_file = {row.code for row in rows}
    here = f"本{region.level}"  # 本县, 本区
    for row in rows:
        parent = parent_code(row.code)
        topic = existing.get(row.code)
        if topic is None and not create:
            result.problems.append(
                f"第{row.line}行：代码{row.code}（{row.name}）不在{here}分类表中；如需新增，请勾选“新增表中没有的分类”。"
            )
            continue
        if parent and parent not in existing and parent not in in_file:
            result.problems.append(f"第{row.line}行：上级分类{parent}既不在表中，也不在{here}分类表中。")
            continue
        unknown = [name for name in row.units or () if name not in units]
        if unknown:
            result.problems.append(f"第{row.line}行：承办单位“{'、'.join(unknown)}”不是{here}的实名上网单位。")
            continue
        level = Topic.Level(level_of(row.code)).label
        if topic is None:
            what = f"新增{level} {row.code} {row.name}"
            if row.active is False:
                what += "（停用）"
            if row.units:
                what += f"，承办单位：{_names(row.units)}"
            result.changes.append(Change(row.code, "create", what))
            continue
        if topic.name != row.name:
            result.changes.append(Change(row.code, "rename", f"{row.code} 名称：{topic.name} → {row.name}"))
        if row.active is not None and row.active != topic.active:
            kind, word = ("activate", "启用") if row.active else ("deactivate", "停用")
            result.changes.append(Change(row.code, kind, f"{row.code} {row.name}：{word}"))
        before = {u.name for u in topic.units.all()}
        if row.units is not None and set(row.units) != before:
            what = f"{row.code} {row.name} 承办单位：{_names(before)} → {_names(row.units)}"
            result.changes.append(Change(row.code, "units", what))
    return result


@transaction.atomic
def apply(plan: Plan) -> dict:
    """Write a plan without problems, all of it or (on any error) nothing."""
    if not plan.ok:
        raise TreeError(plan.problems)
    region = plan.region
    units = {u.name: u for u in Unit.objects.filter(region=region)}
    existing = {t.code: t for t in Topic.objects.select_for_update().filter(region=region)}
    changing = {c.code for c in plan.changes}
    for row in sorted(plan.rows, key=lambda r: (level_of(r.code), r.code)):
        if row.code not in changing:
            continue
        topic = existing.get(row.code)
        if topic is None:
            parent = existing.get(parent_code(row.code)) if parent_code(row.code) else None
            topic = Topic.objects.create(
                region=region,
                code=row.code,
                name=row.name,
                level=level_of(row.code),
                parent=parent,
                active=row.active is not False,
            )
            existing[row.code] = topic
        else:
            topic.name = row.name
            topic.active = topic.active if row.active is None else row.active
            topic.save(update_fields=["name", "active"])
        if row.units is not None:
            # An empty 承办单位 cell clears the topic's units.
            topic.units.set([units[name] for name in row.units])
    return plan.counts()


def load(region, text: str, *, create: bool = True) -> dict:
    """Create or update `region`'s topics from CSV text, or refuse the whole file
    (TreeError, one line per problem). Topics missing from the file are left as
    they are (messages may refer to them); deactivate them with 启用=否."""
    return apply(plan(region, text, create=create))


def load_default(region) -> dict:
    return load(region, DEFAULT_TREE.read_text(encoding="utf-8"))


def dump(region) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for topic in Topic.objects.of_region(region).prefetch_related("units").order_by("code"):
        writer.writerow(
            [
                topic.code,
                topic.name,
                "；".join(sorted(u.name for u in topic.units.all())),
                "是" if topic.active else "否",
            ]
        )
    return out.getvalue()


# --- the tree as words for the routing model ----------------------------------------


def default_tree() -> list[tuple[str, str]]:
    """(code, name) of every topic of the tree that ships."""
    return [(row.code, row.name) for row in parse(DEFAULT_TREE.read_text(encoding="utf-8"))]


def deployment_tree() -> list[tuple[str, str]]:
    """(code, name) of the active topics of every county here (a code named alike by
    several counties once)."""
    return sorted(set(Topic.objects.filter(active=True).values_list("code", "name")))


# --- labels from imported spreadsheets (一级分类 / 二级分类 / 三级分类) ---------------


def _next_code(region, parent: Topic | None) -> str:
    if parent is None:
        taken = {int(c[:2]) for c in Topic.objects.filter(region=region, level=1).values_list("code", flat=True)}
        free = next(n for n in range(1, 100) if n not in taken)
        return f"{free:02d}0000"
    if parent.level == Topic.Level.MAJOR:
        taken = {int(c[2:4]) for c in parent.children.values_list("code", flat=True)}
        free = next(n for n in range(1, 100) if n not in taken)
        return f"{parent.code[:2]}{free:02d}00"
    taken = {int(c[4:]) for c in parent.children.values_list("code", flat=True)}
    free = next(n for n in range(1, 100) if n not in taken)
    return f"{parent.code[:4]}{free:02d}"


class LabelResolver:
    """Finds the topic that a row's labels (一级分类, 二级分类, 三级分类) name, by name
    under its parent, or by code. Missing topics are created only with `create=True`
    (the office said so); otherwise the row's labels are reported as unknown."""

    def __init__(self, region, *, create=False, pretend=False):
        # `pretend`: a dry run, which creates nothing but reports no problem either.
        self.region, self.create, self.pretend = region, create, pretend
        self.cache: dict[tuple, Topic | None] = {}

    def resolve(self, labels: list[str]) -> Topic | None:
        labels = [clean_cell(x) for x in labels]
        while labels and not labels[-1]:
            labels.pop()
        if not labels:
            return None
        if len(labels) == 1 and CODE.match(labels[0]):
            topic = Topic.objects.filter(region=self.region, code=labels[0]).first()
            if topic is None:
                raise TreeError(f"没有代码为{labels[0]}的事项分类。")
            return topic
        if len(labels) > 3 or any(not x for x in labels):
            raise TreeError("分类最多三级，且上级分类不能为空。")
        parent = None
        for depth in range(1, len(labels) + 1):
            key = tuple(labels[:depth])
            if key not in self.cache:
                self.cache[key] = Topic.objects.filter(region=self.region, parent=parent, name=key[-1]).first()
            topic = self.cache[key]
            if topic is None:
                if not self.create:
                    raise TreeError(f"事项分类“{' → '.join(key)}”不在本{self.region.level}分类表中。")
                if len(key[-1]) > 40:
                    raise TreeError("分类名称不能超过40个字。")
                if self.pretend:
                    return None
                topic = Topic.objects.create(
                    region=self.region, code=_next_code(self.region, parent), name=key[-1], level=depth, parent=parent
                )
                self.cache[key] = topic
            parent = topic
        return parent
