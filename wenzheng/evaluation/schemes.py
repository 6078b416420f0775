"""Schemes as data: read and write them as a file a county office can read (TOML),
check them, and store a new version instead of editing one a run has used."""

import json
import logging
import re
import tomllib
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from wenzheng.lib import text

from . import kinds
from .models import Scheme, SchemeItem

logger = logging.getLogger(__name__)

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# A scheme's notes: a page of explanation, bounded like every text a person types.
NOTES_MAX_CHARS = 4000


def _points_text(value) -> str:
    """10.00 → "10", 12.50 → "12.5": the form a person writes."""
    d = Decimal(str(value))
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def snapshot(scheme: Scheme) -> dict:
    """The scheme as plain data: what a run stores, what the file holds."""
    return {
        "code": scheme.code,
        "version": scheme.version,
        "name": scheme.name,
        "notes": scheme.notes,
        "min_due": scheme.min_due,
        "grades": [[g[0], g[1]] for g in scheme.grades],
        "items": [
            {
                "key": item.key,
                "kind": item.kind,
                "label": item.label,
                "max_points": _points_text(item.max_points),
                "params": item.params,
                "explanation": item.explanation,
            }
            for item in scheme.items.all()
        ],
    }


def content(data: dict) -> dict:
    """What makes two versions the same scheme: everything but the version number."""
    return {k: v for k, v in data.items() if k != "version"}


# --- checking -----------------------------------------------------------------------


def _texts_cleaned(value):
    """Every string in a scheme without control characters and terminal escapes
    (wenzheng.lib.text.clean): a pasted ESC in a label made the run's .docx and .xlsx
    unwritable (XML forbids it), a 500 for every report scored by that version."""
    if isinstance(value, str):
        return text.clean(value)
    if isinstance(value, list):
        return [_texts_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {k: _texts_cleaned(v) for k, v in value.items()}
    return value


def clean(data) -> dict:
    """Check a scheme read from a file or a form; returns it normalised, or raises a
    ValidationError listing every problem in Chinese."""
    errors = []
    if not isinstance(data, dict):
        raise ValidationError("方案文件的内容应为键值对。")
    data = _texts_cleaned(data)
    code = data.get("code")
    if not isinstance(code, str) or not SLUG.match(code) or len(code) > 40:
        errors.append("code（方案代码）须为40个字符以内的字母、数字、下划线或连字符。")
    name = data.get("name")
    if not isinstance(name, str) or not text.visible(name).strip() or len(name) > 100:
        errors.append("name（方案名称）不能为空，且不超过100个字。")
    notes = data.get("notes", "")
    if len(str(notes)) > NOTES_MAX_CHARS:
        errors.append(f"notes（说明）不能超过{NOTES_MAX_CHARS}个字。")
    min_due = data.get("min_due", 5)
    if not isinstance(min_due, int) or isinstance(min_due, bool) or min_due < 0:
        errors.append("min_due（参与排名的最少到期留言数）须为非负整数。")
    grades = clean_grades(data.get("grades"), errors)
    items = _clean_items(data.get("items"), errors)
    unknown = sorted(set(data) - {"code", "version", "name", "notes", "min_due", "grades", "items"})
    if unknown:
        errors.append(f"不认识的字段：{'、'.join(unknown)}。")
    if errors:
        raise ValidationError(errors)
    return {
        "code": code,
        "version": data.get("version", 1),
        "name": name.strip(),
        "notes": str(notes).strip(),
        "min_due": min_due,
        "grades": grades,
        "items": items,
    }


# A grade's name (优秀, 良好…): a word or two, shown on the ranking and the bulletin.
GRADE_MAX_CHARS = 20


def clean_grades(grades, errors):
    if not isinstance(grades, list) or not grades:
        errors.append('grades（等次划分）须为[分数线, 等次]的列表，如 [[90, "优秀"], [0, "不合格"]]。')
        return []
    out = []
    for band in grades:
        if (
            not isinstance(band, list)
            or len(band) != 2
            or not isinstance(band[0], int | float)
            or isinstance(band[0], bool)
            or not isinstance(band[1], str)
        ):
            errors.append(f"等次“{band}”应写成[分数线, 等次名称]。")
            continue
        name = text.clean(band[1]).strip()
        if not text.visible(name) or len(name) > GRADE_MAX_CHARS:
            errors.append(f"等次“{band[1]}”的名称不能为空，且不超过{GRADE_MAX_CHARS}个字。")
            continue
        out.append([band[0], name])
    thresholds = [b[0] for b in out]
    if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(thresholds):
        errors.append("等次须按分数线从高到低排列，且分数线不重复。")
    elif out and thresholds[-1] != 0:
        errors.append("最低一档的分数线须为0，使每个单位都有等次。")
    return out


def _clean_items(items, errors):
    if not isinstance(items, list) or not items:
        errors.append("items（考评项目）至少要有一项。")
        return []
    out, keys = [], set()
    for n, item in enumerate(items, start=1):
        where = f"第{n}个考评项目"
        if not isinstance(item, dict):
            errors.append(f"{where}应为键值对。")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not SLUG.match(key) or len(key) > 40:
            errors.append(f"{where}的 key 须为40个字符以内的字母、数字、下划线或连字符。")
        elif key in keys:
            errors.append(f"{where}的 key“{key}”与前面的项目重复。")
        keys.add(key)
        where = f"考评项目“{item.get('label') or key}”"
        label = item.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > 60:
            errors.append(f"{where}的 label（名称）不能为空，且不超过60个字。")
        try:
            max_points = Decimal(str(item.get("max_points")))
            if max_points < 0 or max_points != max_points.quantize(Decimal("0.01")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"{where}的 max_points（分值）须为非负数，最多两位小数。")
            max_points = None
        params = item.get("params", {})
        if max_points is not None:
            try:
                kinds.validate(item.get("kind"), params, max_points)
            except ValidationError as e:
                errors.extend(f"{where}：{m}" for m in e.messages)
        unknown = sorted(set(item) - {"key", "kind", "label", "max_points", "params", "explanation"})
        if unknown:
            errors.append(f"{where}有不认识的字段：{'、'.join(unknown)}。")
        if max_points is not None:
            out.append(
                {
                    "key": key,
                    "kind": item.get("kind"),
                    "label": (label or "").strip(),
                    "max_points": _points_text(max_points),
                    "params": params,
                    "explanation": str(item.get("explanation", "")).strip(),
                }
            )
    return out


# --- storing ------------------------------------------------------------------------


def current(code: str, owner) -> Scheme | None:
    """The version of `code` an owner's evaluations use now: for a region, its
    default (its own, its city's or the shared one); for nobody, the newest shared."""
    if owner is None:
        return Scheme.objects.latest_version(code)
    return Scheme.objects.default_for(owner, code)


@transaction.atomic
def store(data: dict, *, owner=None) -> tuple[Scheme, bool]:
    """Store a checked scheme as the next version of its code, owned by `owner` (a
    region; None for a scheme every county shares), unless the version the owner
    uses now already says exactly this. Returns (scheme, created).

    Version numbers are counted across owners, so that "第3版" names one scheme
    wherever it is read (the city office's list holds every county's)."""
    data = clean(data)
    # Two first stores of a new code have no row to lock: both take version 1, and
    # the second's insert fails on the unique (code, version) once the first commits
    # (it was a 500). Its retry finds the first's row, locks it and takes the next.
    for attempt in range(1, _STORE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _store(data, owner)
        except IntegrityError:
            if attempt == _STORE_ATTEMPTS:
                logger.warning("scheme %s: version number taken %d times running", data["code"], attempt)
                raise ValidationError("同一方案正被另一处同时保存，请稍后重试。") from None
    raise AssertionError("unreachable")


_STORE_ATTEMPTS = 3


def _lock_code(code: str) -> None:
    """Every version of `code` locked, in one order (their ids) wherever they are
    locked: two stores of one code cannot take one number, and a browser edit and an
    import of the same code at once cannot each hold a row the other waits for (a
    deadlock on PostgreSQL when the edit locked its one row first)."""
    list(Scheme.objects.select_for_update().filter(code=code).order_by("pk").values_list("pk", flat=True))


def _store(data: dict, owner) -> tuple[Scheme, bool]:
    _lock_code(data["code"])
    latest = current(data["code"], owner)
    if latest is not None and content(snapshot(latest)) == content(data):
        return latest, False
    version = (Scheme.objects.filter(code=data["code"]).aggregate(v=Max("version"))["v"] or 0) + 1
    scheme = Scheme.objects.create(
        code=data["code"],
        version=version,
        region=owner,
        name=data["name"],
        notes=data["notes"],
        min_due=data["min_due"],
        grades=data["grades"],
    )
    _write_items(scheme, data["items"])
    return scheme, True


def _write_items(scheme: Scheme, items: list[dict]) -> None:
    SchemeItem.objects.bulk_create(
        SchemeItem(
            scheme=scheme,
            key=item["key"],
            kind=item["kind"],
            label=item["label"],
            max_points=Decimal(item["max_points"]),
            params=item["params"],
            order=n,
            explanation=item["explanation"],
        )
        for n, item in enumerate(items, start=1)
    )


@transaction.atomic
def adopt(scheme: Scheme, *, owner) -> tuple[Scheme, bool]:
    """改用此版本: score `owner` (a region; None for every county's shared default)
    by this version from now on. A region is scored by its own newest version (then
    its city's, then the shared one), so a county that once changed a scheme could
    not go back to a newer shared version, nor an office to an older one of its own:
    the version is stored again as the owner's newest, unless what the owner uses
    says exactly this already. Returns (the version the owner now uses, created)."""
    _lock_code(scheme.code)
    if current(scheme.code, owner) == scheme:
        return scheme, False
    return store(snapshot(scheme), owner=owner)


def new_version(scheme: Scheme) -> Scheme:
    """A copy of a scheme as its next version, the same owner's, to be edited where
    the old one is locked by the runs that used it."""
    data = snapshot(scheme)
    data["notes"] = (data["notes"] + f"\n（由第{scheme.version}版复制）").strip()
    copy, _ = store(data, owner=scheme.region)
    return copy


# --- the file -----------------------------------------------------------------------


def parse(text: str) -> dict:
    """Read a scheme file: TOML (what export writes) or JSON."""
    text = text.lstrip("\ufeff")
    as_json = text.lstrip().startswith(("{", "["))
    try:
        return json.loads(text) if as_json else tomllib.loads(text)
    except json.JSONDecodeError as e:
        where = (e.lineno, e.colno)
    except tomllib.TOMLDecodeError as e:
        # Python 3.11's message ends "(at line 2, column 8)"; its words are English.
        found = re.search(r"line (\d+), column (\d+)", str(e))
        where = (int(found[1]), int(found[2])) if found else None
    except RecursionError:  # arrays nested thousands deep: no scheme is
        where = None
    said = f"第{where[0]}行第{where[1]}列附近" if where else "文件中"
    raise ValidationError(
        f"文件格式有误：{said}无法按{'JSON' if as_json else 'TOML'}读取。可先导出一个方案文件，照它的格式修改后再导入。"
    )


def _toml_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else _toml_value(key)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Decimal):
        return _points_text(value)
    if isinstance(value, str):
        # JSON's escapes are TOML's basic-string escapes; DEL must be escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(data: dict) -> str:
    lines = [
        f"# 考评方案：{data['name']}（第{data['version']}版）",
        "# 导入时按方案代码（code）保存为新版本；已被考评使用的版本不会被修改。",
        "# 计分方式 kind：rate（比率）、deduction（扣分）、compliance（达标）；参数见系统“考评方案”页。",
        "",
    ]
    lines += [f"{key} = {_toml_value(data[key])}" for key in ("code", "version", "name", "notes", "min_due")]
    lines.append("grades = [" + ", ".join(_toml_value(g) for g in data["grades"]) + "]")
    for item in data["items"]:
        lines += ["", "[[items]]"]
        for key in ("key", "kind", "label"):
            lines.append(f"{key} = {_toml_value(item[key])}")
        lines.append(f"max_points = {item['max_points']}")
        lines.append(f"explanation = {_toml_value(item['explanation'])}")
        if item["params"]:
            lines.append("[items.params]")
            for key, value in item["params"].items():
                if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                    lines.append(f"{_toml_key(key)} = [")
                    lines += [f"  {_toml_value(v)}," for v in value]
                    lines.append("]")
                else:
                    lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


# --- editing in the browser ---------------------------------------------------------


@transaction.atomic
def save_edit(scheme: Scheme, data: dict, *, owner) -> tuple[Scheme, str]:
    """Save a scheme edited in the browser by `owner`'s office (a region; None for
    the administrator's shared schemes).

    In place while no run has used it and it is the owner's own; otherwise as the
    owner's next version: a run must always show the rules it was scored by, and
    one county's change never reaches another's scores. Returns (the scheme saved,
    "unchanged" | "edited" | "new_version" | "same_as"): "same_as" when the change
    says exactly what the owner's current version says, which is then returned.
    Raises ValidationError with every problem in Chinese, changing nothing."""
    data = clean({**data, "code": scheme.code})
    _lock_code(scheme.code)
    scheme = Scheme.objects.get(pk=scheme.pk)
    if content(snapshot(scheme)) == content(data):
        return scheme, "unchanged"
    if scheme.locked or not scheme.owned_by(owner):
        saved, created = store(data, owner=owner)
        return saved, "new_version" if created else "same_as"
    Scheme.objects.filter(pk=scheme.pk).update(
        name=data["name"], notes=data["notes"], min_due=data["min_due"], grades=data["grades"]
    )
    scheme.items.all().delete()
    _write_items(scheme, data["items"])
    scheme.refresh_from_db()
    return scheme, "edited"
