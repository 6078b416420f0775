"""How a scheme item scores: a small base class and a registry of kinds.

Three kinds, as the county scores its units:
- rate: a share (on-time responses, on-time replies, closures, satisfied ratings)
  with a floor below which the item scores nothing and a threshold at which it
  scores full marks; in between, the points are the share of the full marks;
- deduction: starts full and loses set points for each event of the named sources
  (a written explanation ordered, an exposure, ...), never more than a cap;
- compliance: full marks when a requirement is met (the year's roster).

Pure: a kind takes the item's parameters, its full marks and one unit's facts (the
counts wenzheng.evaluation.facts reads from the database) and returns the points with
the working in Chinese. No database, no clock; exact arithmetic (Fraction, Decimal).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache, cached_property

from django.core.exceptions import ValidationError

from wenzheng.handling.defaults import CATEGORIES

# The categories' names as every county's pages say them, for a rule's words (a
# scheme is explained without a database: the codes are DOMAIN.md's three).
_CATEGORY_NAMES = {c["code"]: c["name"] for c in CATEGORIES}

CENT = Decimal("0.01")


def quantize(value) -> Decimal:
    """Points to two decimals, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def show(value) -> str:
    """Points as a person writes them: 15, 14.25, 0.5."""
    text = f"{quantize(value):f}".rstrip("0").rstrip(".")
    return text or "0"


def pct(value: Fraction) -> str:
    """A share as the bulletin writes it: one decimal, half up, ".0" dropped."""
    d = (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    text = f"{d:f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


@cache
def _exact(text: str) -> Fraction:
    return Fraction(text)


def _fraction(value, what) -> Fraction:
    try:
        return _exact(str(value))
    except (ValueError, TypeError, ZeroDivisionError):
        raise ValidationError(f"{what}应为数字，而不是“{value}”。") from None


@dataclass(frozen=True)
class Context:
    """Names the kinds need to write their working: category code → name."""

    categories: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Line:
    """One line of the working: what was counted and what it gave."""

    label: str
    value: str


@dataclass(frozen=True)
class Score:
    """The points, and the working that explains them. The working is written only
    when someone reads it (a run of 10,000 units needs the points alone), from the
    values the points were computed from."""

    points: Decimal
    max_points: Decimal
    working: Callable[[], tuple[str, tuple[Line, ...]]] = field(repr=False, compare=False)
    # Whether there was anything to measure (a rate with no messages had nothing): a
    # unit with too small a sample is scored over the measured items only (scoring.py).
    measured: bool = True

    @cached_property
    def _text(self):
        return self.working()

    @property
    def summary(self) -> str:
        return self._text[0]

    @property
    def lines(self) -> tuple[Line, ...]:
        return self._text[1]

    @property
    def lost(self) -> Decimal:
        return self.max_points - self.points


class Kind:
    """The base of every item kind."""

    code = ""
    allowed: frozenset[str] = frozenset()

    def allowed_for(self, params: dict) -> frozenset[str]:
        return self.allowed

    def validate(self, params: dict, max_points: Decimal) -> None:
        allowed = self.allowed_for(params)
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ValidationError(f"不认识的参数：{'、'.join(unknown)}。可用参数：{'、'.join(sorted(allowed))}。")

    def describe(self, params: dict, max_points: Decimal) -> str:
        raise NotImplementedError

    def score(self, params: dict, max_points: Decimal, facts: dict, ctx: Context) -> Score:
        raise NotImplementedError


REGISTRY: dict[str, Kind] = {}


def register(cls):
    REGISTRY[cls.code] = cls()
    return cls


def get(code: str) -> Kind:
    try:
        return REGISTRY[code]
    except KeyError:
        raise ValidationError(f"不认识的计分方式“{code}”。可用：{'、'.join(REGISTRY)}。") from None


def validate(code: str, params, max_points) -> None:
    if not isinstance(params, dict):
        raise ValidationError("参数应为键值对（JSON 对象）。")
    get(code).validate(params, Decimal(str(max_points)))


# --- rates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One share inside a rate: all of it, or one category of it."""

    label: str
    num: int
    den: int
    weight: Fraction | None = None


class Measure:
    """What a rate item counts: a numerator and a denominator among the facts."""

    code = ""
    label = ""  # 按时回应率
    none_text = ""  # what "no denominator" means, for the working
    rule = ""  # what counts, for the explanation on screen
    allowed: frozenset[str] = frozenset()

    def parts(self, facts: dict, params: dict, ctx: Context) -> list[Part]:
        raise NotImplementedError


MEASURES: dict[str, Measure] = {}


def measure(cls):
    MEASURES[cls.code] = cls()
    return cls


@measure
class ResponseOnTime(Measure):
    code = "response_on_time"
    label = "按时回应率"
    none_text = "本期没有到期应回应的留言"
    rule = (
        "按时回应率 = 按时签收回应的留言 ÷ 本期到期应回应的留言（截止时刻前已到期或已完成的）。"
        "按留言计：同一留言在本单位多次签收的只计一条，其中任一次超期即计为超期；"
        "在期限内退回转办的不计"
    )

    def parts(self, facts, params, ctx):
        return [Part("按时回应", facts.get("response.on_time", 0), facts.get("response.due", 0))]


@measure
class ReplyOnTime(Measure):
    code = "reply_on_time"
    label = "按时回复率"
    none_text = "本期没有到期应回复的留言"
    rule = (
        "按时回复率 = 按时回复的留言 ÷ 本期到期应回复的留言（截止时刻前已到期或已完成的，经批准延期的按延期后的期限）。"
        "按留言计：重办后再次回复的仍计一条，其中任一次超期即计为超期；在期限内退回转办的不计"
    )

    def parts(self, facts, params, ctx):
        return [Part("按时回复", facts.get("reply.on_time", 0), facts.get("reply.due", 0))]


@measure
class Closure(Measure):
    code = "closure"
    label = "办结率"
    none_text = "本期没有到期应办结的留言"
    rule = (
        "办结率按类别考评，按留言计（重办的留言只计一条）：建议类、咨询类在规定时间内回复且办结的计为已办结；"
        "诉求类能解决的及时解决、不能近期解决的及时答复解释，并已办结的计为已办结；"
        "各类留言的回复都须在规定时限内（含经批准的延期），回复超期的即使办结也不计为已办结；"
        "只有解决周期长或解决不了、已答复解释并经市或县（区）网络问政工作领导小组同意的，不论回复是否超期，计为已办结。"
        "以截止时刻本单位办结的状态为准，截止前被重办而未再办结的不计"
    )
    allowed = frozenset({"categories", "weights"})

    def parts(self, facts, params, ctx):
        codes = params.get("categories") or list(ctx.categories)
        weights = params.get("weights")
        return [
            Part(
                f"{ctx.categories.get(code, code)}类",
                facts.get(f"closure.{code}.met", 0),
                facts.get(f"closure.{code}.due", 0),
                Fraction(str(weights.get(code, 0))) if weights else None,
            )
            for code in codes
        ]


@measure
class Satisfaction(Measure):
    code = "satisfaction"
    label = "满意率"
    none_text = "本期没有网民评价"
    rule = "满意率 = 评价为“满意”的留言 ÷ 本期网民作出评价的留言"
    allowed = frozenset({"include_basic"})

    def parts(self, facts, params, ctx):
        satisfied = facts.get("rating.satisfied", 0)
        if params.get("include_basic"):
            satisfied += facts.get("rating.basic", 0)
        return [
            Part(
                "满意" + ("及基本满意" if params.get("include_basic") else ""), satisfied, facts.get("rating.rated", 0)
            )
        ]


@register
class Rate(Kind):
    code = "rate"
    base = frozenset({"measure", "floor", "full", "when_none"})
    WHEN_NONE = {"full": "按满分计", "zero": "不得分"}

    def _measure(self, params) -> Measure:
        try:
            return MEASURES[params.get("measure")]
        except KeyError:
            raise ValidationError(
                f"比率项目的 measure 应为以下之一：{'、'.join(MEASURES)}，而不是“{params.get('measure')}”。"
            ) from None

    def _bounds(self, params):
        floor = _fraction(params.get("floor", 0), "下限 floor")
        full = _fraction(params.get("full", 1), "满分线 full")
        return floor, full

    def allowed_for(self, params):
        return self.base | self._measure(params).allowed

    def validate(self, params, max_points):
        super().validate(params, max_points)
        floor, full = self._bounds(params)
        if not 0 <= floor <= full <= 1:
            raise ValidationError("应满足 0 ≤ 下限 floor ≤ 满分线 full ≤ 1（比率写作小数，如 0.8 表示80%）。")
        if params.get("when_none", "full") not in self.WHEN_NONE:
            raise ValidationError("when_none 只能是 full（无到期留言按满分计）或 zero（不得分）。")
        weights = params.get("weights")
        if weights is not None:
            if not isinstance(weights, dict) or not weights:
                raise ValidationError("weights 应为“类别代码 = 权重”的键值对。")
            for code, w in weights.items():
                if _fraction(w, f"类别“{code}”的权重") < 0:
                    raise ValidationError(f"类别“{code}”的权重不能为负数。")
        categories = params.get("categories")
        if categories is not None and (not isinstance(categories, list) or not categories):
            raise ValidationError('categories 应为类别代码的列表，如 ["consultation", "appeal"]。')

    @staticmethod
    def _share(rate: Fraction, floor: Fraction, full: Fraction) -> Fraction:
        if rate < floor:
            return Fraction(0)
        if rate >= full:
            return Fraction(1)
        return rate

    def describe(self, params, max_points):
        m = self._measure(params)
        floor, full = self._bounds(params)
        steps = []
        if floor > 0:
            steps.append(f"{m.label}低于{pct(floor)}的不得分")
        steps.append(f"达到{pct(full)}的得满分{show(max_points)}分")
        if floor < full:
            steps.append(f"其间得分 = 满分 × {m.label}")
        text = "；".join(steps) + "。"
        if params.get("weights"):
            names = "、".join(f"{_CATEGORY_NAMES.get(code, code)}类×{w}" for code, w in params["weights"].items())
            text += f"各类别分别计算后按权重（{names}）加权，本期没有该类留言的类别不参与加权。"
        text += f"{m.none_text}的，{self.WHEN_NONE[params.get('when_none', 'full')]}。{m.rule.rstrip('。')}。"
        return text

    def score(self, params, max_points, facts, ctx):
        m = self._measure(params)
        floor, full = self._bounds(params)
        parts = m.parts(facts, params, ctx)
        none_share = Fraction(1) if params.get("when_none", "full") == "full" else Fraction(0)
        if params.get("weights"):
            weighted = [p for p in parts if p.den and p.weight]
            total_w = sum(p.weight for p in weighted)
            share = (
                sum(p.weight * self._share(Fraction(p.num, p.den), floor, full) for p in weighted) / total_w
                if weighted
                else none_share
            )
        else:
            den = sum(p.den for p in parts)
            share = self._share(Fraction(sum(p.num for p in parts), den), floor, full) if den else none_share
        got = quantize(max_points * Decimal(share.numerator) / Decimal(share.denominator))
        measured = any(p.den and (p.weight or not params.get("weights")) for p in parts)
        return Score(
            got, quantize(max_points), lambda: self._working(m, params, parts, floor, full, got), measured=measured
        )

    def _working(self, m, params, parts, floor, full, got):
        lines = tuple(
            Line(p.label, f"{p.num}/{p.den}（{pct(Fraction(p.num, p.den))}）" if p.den else "0/0（无）") for p in parts
        )
        none = f"{m.none_text}，{self.WHEN_NONE[params.get('when_none', 'full')]}"
        weighted = [p for p in parts if p.den and p.weight]
        num, den = sum(p.num for p in parts), sum(p.den for p in parts)
        if params.get("weights"):
            summary = (
                "各类别" + "、".join(f"{p.label}{pct(Fraction(p.num, p.den))}" for p in weighted) + "，按权重合计"
                if weighted
                else none
            )
        elif den == 0:
            summary = none
        else:
            rate = Fraction(num, den)
            said = f"{m.label}{pct(rate)}（{num}/{den}）"
            if rate < floor:
                summary = f"{said}，低于下限{pct(floor)}，不得分"
            elif rate >= full:
                summary = f"{said}，达到满分线{pct(full)}，得满分"
            else:
                summary = f"{said}，按比率计分"
        return f"{summary}，得{show(got)}分。", lines


# --- deductions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A kind of event that costs points: how many a unit had, from the facts."""

    code: str
    label: str
    count_key: str
    points_key: str = ""  # where the events carry their own points (bulletin rows)


SOURCES = {
    s.code: s
    for s in (
        Source("explanation_ordered", "被责成书面说明", "deduct.explanation_ordered"),
        Source("backlog_missed", "未在限期内梳理回复积压留言", "deduct.backlog_missed"),
        Source("written_criticism", "被上级书面通报批评", "deduct.written_criticism"),
        Source("exposure", "被媒体曝光", "deduct.exposure"),
        Source("adverse_finding", "督查发现问题", "deduct.adverse_finding"),
        Source("bulletin", "市季度通报扣分", "deduct.bulletin", points_key="deduct.bulletin_points"),
    )
}
ROW_POINTS = "row"  # "as the bulletin row says"


@register
class Deduction(Kind):
    code = "deduction"
    allowed = frozenset({"sources", "cap"})

    def validate(self, params, max_points):
        super().validate(params, max_points)
        sources = params.get("sources")
        if not isinstance(sources, list) or not sources:
            raise ValidationError("扣分项目须列出 sources：每项包括 source（事项）和 points（每次扣分）。")
        seen = set()
        for entry in sources:
            if not isinstance(entry, dict) or set(entry) != {"source", "points"}:
                raise ValidationError("sources 的每一项须且只须有 source 和 points 两个键。")
            source = SOURCES.get(entry["source"])
            if source is None:
                raise ValidationError(f"不认识的扣分事项“{entry['source']}”。可用：{'、'.join(SOURCES)}。")
            if source.code in seen:
                raise ValidationError(f"扣分事项“{source.code}”重复列出。")
            seen.add(source.code)
            if entry["points"] == ROW_POINTS:
                if not source.points_key:
                    raise ValidationError(f'只有通报条目可以按原分值（"row"）扣分，“{source.code}”须写明每次扣分。')
            elif _fraction(entry["points"], f"“{source.code}”每次扣分") < 0:
                raise ValidationError(f"“{source.code}”每次扣分不能为负数。")
        cap = _fraction(params.get("cap", max_points), "扣分封顶")
        if not 0 <= cap <= max_points:
            raise ValidationError("扣分封顶应在0到本项分值之间。")

    def describe(self, params, max_points):
        each = []
        for entry in params["sources"]:
            source = SOURCES[entry["source"]]
            how = (
                "按通报所列分值扣分"
                if entry["points"] == ROW_POINTS
                else f"每次扣{show(Decimal(str(entry['points'])))}分"
            )
            each.append(f"{source.label}{how}")
        cap = Decimal(str(params.get("cap", max_points)))
        return f"基础分{show(max_points)}分，{'；'.join(each)}；累计扣分以{show(cap)}分为限。"

    def score(self, params, max_points, facts, ctx):
        counted = []
        for entry in params["sources"]:
            source = SOURCES[entry["source"]]
            count = facts.get(source.count_key, 0)
            if entry["points"] == ROW_POINTS:
                lost = Decimal(str(facts.get(source.points_key, "0")))
            else:
                lost = count * Decimal(str(entry["points"]))
            counted.append((source, entry["points"], count, lost))
        total = sum((lost for *_, lost in counted), Decimal(0))
        cap = Decimal(str(params.get("cap", max_points)))
        got = quantize(max_points - min(total, cap))
        return Score(got, quantize(max_points), lambda: self._working(counted, total, cap, got, max_points))

    @staticmethod
    def _working(counted, total, cap, got, max_points):
        lines = []
        for source, each, count, lost in counted:
            if each == ROW_POINTS:
                value = f"{count}条，合计{show(lost)}分"
            else:
                value = f"{count}次 × {show(Decimal(str(each)))}分 = {show(lost)}分"
            lines.append(Line(source.label, value))
        if not total:
            summary = f"无扣分事项，得满分{show(max_points)}分。"
        elif total > cap:
            summary = f"应扣{show(total)}分，以{show(cap)}分为限，得{show(got)}分。"
        else:
            summary = f"扣{show(total)}分，得{show(got)}分。"
        return summary, tuple(lines)


# --- compliance ---------------------------------------------------------------------


@register
class Compliance(Kind):
    """Today one check: the year's roster filed with its leader and handlers."""

    code = "compliance"
    allowed = frozenset({"check", "leaders", "min_handlers", "partial"})
    CHECKS = ("roster",)

    def validate(self, params, max_points):
        super().validate(params, max_points)
        if params.get("check") not in self.CHECKS:
            raise ValidationError(f"达标项目的 check 应为以下之一：{'、'.join(self.CHECKS)}。")
        for key in ("leaders", "min_handlers"):
            value = params.get(key, 1)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError(f"{key} 应为非负整数。")
        partial = _fraction(params.get("partial", 0), "部分得分 partial")
        if not 0 <= partial <= max_points:
            raise ValidationError("部分得分 partial 应在0到本项分值之间。")

    @staticmethod
    def _need(params):
        return params.get("leaders", 1), params.get("min_handlers", 2)

    def describe(self, params, max_points):
        leaders, handlers = self._need(params)
        partial = Decimal(str(params.get("partial", 0)))
        text = (
            f"本年度名单（统计截止前最后上报的一版；名单中的人员须是本单位在用的、与职责相符的账号，"
            f"每人只列一次）配备{leaders}名分管领导和{handlers}名以上网络评论员的，"
        )
        text += f"得{show(max_points)}分；"
        if partial:
            return text + f"已上报但配备不齐的得{show(partial)}分；未上报的不得分。"
        return text + "未上报或配备不齐的不得分。"

    def score(self, params, max_points, facts, ctx):
        leaders, handlers = self._need(params)
        has_l, has_h = facts.get("roster.leaders", 0), facts.get("roster.handlers", 0)
        if not facts.get("roster.filed"):
            got, summary = Decimal(0), "本年度未上报名单"
        elif has_l == leaders and has_h >= handlers:
            got, summary = max_points, "名单已上报且配备齐全"
        else:
            got, summary = Decimal(str(params.get("partial", 0))), "名单已上报但配备不齐"
        got = quantize(got)

        def working():
            lines = (
                Line("分管领导", f"{has_l}名（应为{leaders}名）"),
                Line("网络评论员", f"{has_h}名（应不少于{handlers}名）"),
            )
            return f"{summary}，得{show(got)}分。", lines

        return Score(got, quantize(max_points), working)
